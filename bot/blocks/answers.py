"""Block Kit for the reply to a question: the answer, "did you mean", or "I don't cover that".

Pure functions like bot.blocks.common, whose topic and "Help me choose" buttons they use.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rapidfuzz import fuzz
from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from bot.blocks.cache import BLOCK_CACHE
from bot.blocks.common import (
    ACTION_FEEDBACK,
    ACTION_SHARE,
    CHOOSE_TOPIC_ID,
    FEEDBACK_HELPFUL,
    FEEDBACK_UNHELPFUL,
    build_choose_callout,
    example_topics,
    help_me_choose_button,
    topic_button,
)
from bot.blocks.entries import build_entry_lead, build_entry_tail
from bot.knowledge import Entry, KnowledgeBase, Topic
from bot.matching import Match, asking_sentence, escape_mrkdwn, truncate

FIELD_TEXT_LIMIT = 2000
ECHO_LIMIT = 200


def _bullets(label: str, points: Sequence[str]) -> MarkdownTextObject:
    text, _ = truncate(f"*{label}*\n" + "\n".join(f"• {p}" for p in points), FIELD_TEXT_LIMIT)
    return MarkdownTextObject(text=text)


def _sources(topic: Topic) -> ContextBlock:
    links = " · ".join(f"<{s.url}|{escape_mrkdwn(s.title)}>" for s in topic.sources[:5])
    reviewed = topic.reviewed.isoformat()
    return ContextBlock(
        elements=[MarkdownTextObject(text=f"Sources: {links} · reviewed {reviewed}")]
    )


def _feedback_button(text: str, verdict: str, topic: Topic) -> ButtonElement:
    return ButtonElement(
        text=PlainTextObject(text=text, emoji=True),
        action_id=f"{ACTION_FEEDBACK}:{verdict}",
        value=topic.id,
    )


def _share_button(topic: Topic, entry: Entry | None) -> ButtonElement:
    # The answer shared is the one shown: the entry's when an entry answered.
    return ButtonElement(
        text=PlainTextObject(text="Share in channel"),
        action_id=ACTION_SHARE,
        value=entry.id if entry else topic.id,
        style="primary",
    )


def _feedback_and_actions(
    topic: Topic, *, shareable: bool, entry: Entry | None = None
) -> ActionsBlock:
    elements = [
        _feedback_button(":thumbsup: Helpful", FEEDBACK_HELPFUL, topic),
        _feedback_button(":thumbsdown: Not helpful", FEEDBACK_UNHELPFUL, topic),
    ]
    if topic.id != CHOOSE_TOPIC_ID:  # that answer offers it up front instead
        elements.append(help_me_choose_button())
    if shareable:
        elements.append(_share_button(topic, entry))
    return ActionsBlock(block_id=f"answer_actions:{topic.id}", elements=elements)


def _comparison(topic: Topic) -> list[Block]:
    """ECS | EC2 side by side, for whichever sides the topic has points on."""
    sides = (("Amazon ECS", topic.ecs), ("Amazon EC2", topic.ec2))
    fields = [_bullets(label, points) for label, points in sides if points]
    return [SectionBlock(fields=fields)] if fields else []


def _related(topic: Topic, kb: KnowledgeBase) -> list[Block]:
    related = [t for tid in topic.related if (t := kb.get(tid)) is not None][:5]
    if not related:
        return []
    buttons = [topic_button(t, i) for i, t in enumerate(related)]
    return [
        SectionBlock(text=MarkdownTextObject(text="*Related questions*")),
        ActionsBlock(block_id=f"related:{topic.id}", elements=buttons),
    ]


def build_entry_answer(
    topic: Topic, entry: Entry, kb: KnowledgeBase, *, shareable: bool = False
) -> list[Block]:
    """A precise answer: the fact first, then ECS | EC2 side by side, sources, more buttons.

    Built once per knowledge base, topic, entry and `shareable` (bot.blocks.cache): read-only.
    """
    return BLOCK_CACHE.blocks(
        (topic, entry, kb),
        ("entry", shareable),
        lambda: _entry_answer(topic, entry, shareable=shareable),
    )


def _entry_answer(topic: Topic, entry: Entry, *, shareable: bool) -> list[Block]:
    callout = [build_choose_callout()] if topic.id == CHOOSE_TOPIC_ID else []
    return [
        *build_entry_lead(topic, entry),
        *callout,
        *_comparison(topic),
        *build_entry_tail(topic, entry),
        _feedback_and_actions(topic, shareable=shareable, entry=entry),
    ]


def build_answer(topic: Topic, kb: KnowledgeBase, *, shareable: bool = False) -> list[Block]:
    """The full answer to a topic: title, lead, answer, ECS | EC2, sources, follow-ups.

    Built once per knowledge base, topic and `shareable` (bot.blocks.cache): read-only blocks.
    """
    return BLOCK_CACHE.blocks(
        (topic, kb), ("answer", shareable), lambda: _answer(topic, kb, shareable=shareable)
    )


# The overview's opening bold summary is left out when the lead, shown just above, already
# says it (token-set similarity, 0-100): the same sentence twice reads as a glitch.
RESTATED_LEAD = 60
_OPENING_SUMMARY = re.compile(r"\A\s*\*([^*\n]+)\*[ \t]*")


def overview_body(topic: Topic) -> str:
    """The topic's overview text as shown under its lead (mrkdwn): without an opening bold
    summary that restates the lead."""
    opening = _OPENING_SUMMARY.match(topic.answer)
    if not topic.lead or opening is None:
        return topic.answer
    if fuzz.token_set_ratio(opening.group(1), topic.lead) < RESTATED_LEAD:
        return topic.answer
    rest = topic.answer[opening.end() :].lstrip("\n")
    return rest or topic.answer


def _answer(topic: Topic, kb: KnowledgeBase, *, shareable: bool) -> list[Block]:
    callout = [build_choose_callout()] if topic.id == CHOOSE_TOPIC_ID else []
    lead = [SectionBlock(text=MarkdownTextObject(text=topic.lead))] if topic.lead else []
    return [
        HeaderBlock(text=PlainTextObject(text=topic.title)),
        *lead,
        SectionBlock(text=MarkdownTextObject(text=overview_body(topic))),
        *callout,
        *_comparison(topic),
        _sources(topic),
        *_related(topic, kb),
        DividerBlock(),
        _feedback_and_actions(topic, shareable=shareable),
    ]


def build_did_you_mean(match: Match) -> list[Block]:
    """For a low-confidence match: the best guess's lead, labelled as a guess, and a button
    per candidate topic (the guess first)."""
    assert match.topic is not None, "did-you-mean needs at least one candidate"
    candidates = [match.topic, *(s.topic for s in match.suggestions)]
    # A long message is echoed by the sentence that asks, not by its opening background.
    asked = match.question if len(match.question) <= ECHO_LIMIT else asking_sentence(match.question)
    question, _ = truncate(asked, ECHO_LIMIT)
    guess = escape_mrkdwn(match.topic.title)
    echo = SectionBlock(
        text=MarkdownTextObject(
            text=f"I'm not sure I understood “{escape_mrkdwn(question)}”. "
            f"My best guess is *{guess}*:"
        )
    )
    # Only the first block echoes the question: the rest is built once per guess and candidates.
    rest = BLOCK_CACHE.blocks(
        (match.entry, *candidates),
        ("did_you_mean",),
        lambda: _guess_and_candidates(candidates[0], match.entry, candidates),
    )
    return [echo, *rest]


def _guess_and_candidates(
    guess: Topic, entry: Entry | None, candidates: list[Topic]
) -> list[Block]:
    return [
        SectionBlock(text=MarkdownTextObject(text=guess.lead_for(entry))),
        ContextBlock(elements=[MarkdownTextObject(text="Did you mean one of these?")]),
        ActionsBlock(
            block_id="did_you_mean",
            elements=[topic_button(t, i, label=t.title) for i, t in enumerate(candidates)],
        ),
    ]


def build_out_of_scope(question: str, kb: KnowledgeBase) -> list[Block]:
    """Honest "I don't cover that": what the bot covers and three example questions."""
    echo, _ = truncate(question, ECHO_LIMIT)
    said = SectionBlock(
        text=MarkdownTextObject(
            text=(
                f"I don't cover “{escape_mrkdwn(echo)}”. I answer questions about choosing "
                "between *Amazon ECS* and *Amazon EC2*: cost, scaling, availability, "
                "Fargate, networking, security, patching, deployments, migration and more."
            )
        )
    )
    # Only the first block echoes the question: the examples are built once per knowledge base.
    return [said, *BLOCK_CACHE.blocks((kb,), ("out_of_scope",), lambda: _examples(kb))]


def _examples(kb: KnowledgeBase) -> list[Block]:
    examples = example_topics(kb)
    return [
        SectionBlock(text=MarkdownTextObject(text="*Try asking:*")),
        ActionsBlock(
            block_id="examples", elements=[topic_button(t, i) for i, t in enumerate(examples)]
        ),
    ]


def build_match(match: Match, kb: KnowledgeBase, *, shareable: bool = False) -> list[Block]:
    """The reply to a matched question: an answer, a "did you mean", or "I don't cover that"."""
    if match.topic is None:
        return build_out_of_scope(match.question, kb)
    if not match.confident:
        return build_did_you_mean(match)
    if match.entry is not None:
        return build_entry_answer(match.topic, match.entry, kb, shareable=shareable)
    return build_answer(match.topic, kb, shareable=shareable)


def fallback_text(match: Match, lead: str | None = None) -> str:
    """The plain-text `text` sent with the blocks (notifications, screen readers): the
    title and the lead shown first (`lead` when it is not the topic's or entry's own, such
    as a price estimate)."""
    if match.topic is None:
        return "I don't cover that. Ask me about Amazon ECS vs Amazon EC2."
    if not match.confident:
        return f"Did you mean: {match.topic.title}?"
    return f"{match.topic.title}: {lead or match.topic.lead_for(match.entry)}"
