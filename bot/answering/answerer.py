"""Question in, reply out: the one function the CLI and every Slack entry point call."""

from __future__ import annotations

from dataclasses import dataclass, field

from slack_sdk.models.blocks import Block, ContextBlock, MarkdownTextObject

from bot.answering.conversation import Turn
from bot.blocks import build_answer, build_help, build_match, fallback_text
from bot.knowledge import KnowledgeBase, Topic
from bot.matching import MAX_QUESTION_CHARS, Match, Matcher, truncate

HELP_TEXT = "Ask me about Amazon ECS vs Amazon EC2, for example: how is Fargate billed?"


@dataclass(frozen=True)
class Reply:
    """What to send back: blocks, a plain-text fallback, and the match behind them."""

    blocks: list[Block]
    text: str
    match: Match | None = None
    truncated: bool = False
    notes: list[str] = field(default_factory=list)
    # What the conversation should remember after this reply; None when nothing was answered.
    turn: Turn | None = None


def _long_question_note() -> ContextBlock:
    return ContextBlock(
        elements=[
            MarkdownTextObject(
                text=f"_Your message was long: I read its first {MAX_QUESTION_CHARS:,} characters._"
            )
        ]
    )


class Answerer:
    """Holds the knowledge base and its matcher index, built once at startup."""

    def __init__(self, kb: KnowledgeBase, matcher: Matcher | None = None) -> None:
        self.kb = kb
        self.matcher = matcher or Matcher(kb)

    def match(self, question: str) -> Match:
        """Match a question after cutting it to a sane length."""
        text, _ = truncate(question.strip(), MAX_QUESTION_CHARS)
        return self.matcher.match(text)

    def reply(
        self, question: str, *, shareable: bool = False, previous: Turn | None = None
    ) -> Reply:
        """The reply to a free-text question (a follow-up of `previous`); help when empty."""
        stripped = question.strip()
        if not stripped:
            return Reply(blocks=build_help(self.kb), text=HELP_TEXT)
        text, truncated = truncate(stripped, MAX_QUESTION_CHARS)
        match = self.matcher.match(text)
        blocks = build_match(match, self.kb, shareable=shareable)
        if truncated:
            blocks = [*blocks, _long_question_note()]
        # Stand-in until the follow-up matcher lands on main: `previous` is not read yet.
        turn = Turn(text, match.topic.id) if match.topic and match.confident else None
        return Reply(
            blocks=blocks, text=fallback_text(match), match=match, truncated=truncated, turn=turn
        )

    def reply_topic(self, topic_id: str, *, shareable: bool = False) -> Reply | None:
        """The answer to a topic picked by id (a button click); None for an unknown id."""
        topic: Topic | None = self.kb.get(topic_id)
        if topic is None:
            return None
        match = Match(question=topic.title, topic=topic, score=1.0, confident=True)
        blocks = build_answer(topic, self.kb, shareable=shareable)
        return Reply(blocks=blocks, text=fallback_text(match), match=match)
