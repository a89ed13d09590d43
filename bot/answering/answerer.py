"""Question in, reply out: the one function the CLI and every Slack entry point call."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.answering.conversation import Turn
from bot.answering.estimate import COST_TOPIC_ID, fargate_estimate
from bot.answering.intents import as_question, is_thanks, wants_recommendation
from bot.blocks import (
    CHOOSE_TOPIC_ID,
    build_answer,
    build_entry_answer,
    build_help,
    build_match,
    fallback_text,
)
from bot.knowledge import Entry, KnowledgeBase, Topic
from bot.matching import Match, Matcher, shorten_question, shortening_note
from bot.recommend import Pricing

HELP_TEXT = "Ask me about Amazon ECS vs Amazon EC2, for example: how is Fargate billed?"
WELCOME_TEXT = "You're welcome! Ask me anything else about Amazon ECS or Amazon EC2."


@dataclass(frozen=True)
class Reply:
    """What to send back: blocks, a plain-text fallback, and the match behind them."""

    blocks: list[Block]
    text: str
    match: Match | None = None
    truncated: bool = False
    notes: list[str] = field(default_factory=list)
    # What the conversation should remember for a follow-up; None when nothing was answered.
    turn: Turn | None = None
    # The text shown first when it is not the topic's or entry's own (a computed estimate).
    lead: str | None = None


def _long_question_note() -> ContextBlock:
    return ContextBlock(
        elements=[MarkdownTextObject(text=f"_Your message was long: I read {shortening_note()}._")]
    )


class Answerer:
    """Holds the knowledge base and its matcher index, built once at startup."""

    def __init__(
        self, kb: KnowledgeBase, matcher: Matcher | None = None, pricing: Pricing | None = None
    ) -> None:
        self.kb = kb
        self.matcher = matcher or Matcher(kb)
        # The price snapshot, for estimates of the size a question names; None: no estimates.
        self.pricing = pricing

    def lead(self, question: str, match: Match) -> str | None:
        """The text an answer to `question` shows first (mrkdwn, at most 300 characters): a
        price estimate for the size it names, else the entry's or topic's lead; None when
        the match is no confident answer."""
        if match.topic is None or not match.confident:
            return None
        return self._estimate(question) or match.topic.lead_for(match.entry)

    def _estimate(self, question: str) -> str | None:
        return fargate_estimate(question, self.pricing) if self.pricing else None

    def match(self, question: str) -> Match:
        """Match a question after cutting it to a sane length."""
        text, _ = shorten_question(question.strip())
        return self.matcher.match(text)

    def needs_previous(self, question: str) -> bool:
        """Whether the reply to `question` could depend on the conversation's previous turn:
        False only for a question matched confidently on its own (no need to fetch it)."""
        stripped = as_question(question)
        if not stripped or wants_recommendation(stripped):
            return True  # help and the dialog keep the conversation as it was
        text, _ = shorten_question(stripped)
        return not self.matcher.stands_alone(text)

    def reply(
        self, question: str, *, shareable: bool = False, previous: Turn | None = None
    ) -> Reply:
        """The reply to a free-text question, read as a follow-up of `previous` when it does not
        stand alone; help when it is empty."""
        stripped = as_question(question)
        if not stripped and is_thanks(question):
            # A thank-you needs no how-to-ask card; the conversation goes on where it was.
            welcome = SectionBlock(text=MarkdownTextObject(text=WELCOME_TEXT))
            return Reply(blocks=[welcome], text=WELCOME_TEXT, turn=previous)
        if not stripped:
            return Reply(blocks=build_help(self.kb), text=HELP_TEXT, turn=previous)
        if wants_recommendation(stripped):
            # The dialog itself is the surface's to run; this answer offers its button.
            chooser = self.reply_topic(CHOOSE_TOPIC_ID, shareable=shareable)
            if chooser is not None:
                return chooser
        text, truncated = shorten_question(stripped)
        match = self.matcher.match(
            text,
            previous.question if previous else None,
            previous.topic_id if previous else None,
        )
        estimate = self._estimate(text) if match.topic else None
        if estimate and not match.confident:
            # "fargate 8 vcpu 30gb runs ~40 min nightly how much": a Fargate price question
            # naming a size is answered by its estimate, under cost, whatever the words.
            cost = self.kb.get(COST_TOPIC_ID) or match.topic
            match = replace(match, topic=cost, entry=None, confident=True, suggestions=())
        blocks = build_match(match, self.kb, shareable=shareable)
        if estimate:
            blocks = _lead_with(estimate, blocks)
        if truncated:
            blocks = [*blocks, _long_question_note()]
        return Reply(
            blocks=blocks,
            text=fallback_text(match, estimate),
            match=match,
            truncated=truncated,
            turn=_turn(match, text, previous),
            lead=estimate,
        )

    def reply_topic(self, ref: str, *, shareable: bool = False) -> Reply | None:
        """The answer to a topic or entry picked by id (a button click); None for an unknown id."""
        topic: Topic | None = self.kb.get(ref)
        entry: Entry | None = None
        if topic is None:
            found = self.kb.entry(ref)
            if found is None:
                return None
            topic, entry = found
        question = entry.questions[0] if entry else topic.title
        match = Match(question=question, topic=topic, score=1.0, confident=True, entry=entry)
        blocks = (
            build_entry_answer(topic, entry, self.kb, shareable=shareable)
            if entry
            else build_answer(topic, self.kb, shareable=shareable)
        )
        turn = Turn(question=question, topic_id=topic.id, entry_id=entry.id if entry else None)
        return Reply(blocks=blocks, text=fallback_text(match), match=match, turn=turn)


def _lead_with(text: str, blocks: list[Block]) -> list[Block]:
    """`blocks` with a section of `text` first, under the header when there is one."""
    at = 1 if blocks and isinstance(blocks[0], HeaderBlock) else 0
    return [*blocks[:at], SectionBlock(text=MarkdownTextObject(text=text)), *blocks[at:]]


def _turn(match: Match, question: str, previous: Turn | None) -> Turn | None:
    """What to remember after answering `question`: the topic it got, or the earlier turn."""
    if match.topic is None or not match.confident:
        return previous
    if match.read_as is not None:
        # "and on ec2?" re-asked the previous question of EC2: that is what it asked.
        question = match.read_as
    elif match.followed_up and previous is not None:
        # Keep the context a bare follow-up leaned on ("what about windows?" alone says little).
        question = f"{question} {previous.question}"
    entry_id = match.entry.id if match.entry else None
    return Turn(question=question, topic_id=match.topic.id, entry_id=entry_id)
