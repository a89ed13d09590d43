"""Block Kit for a precise answer: the entry's fact first, then the topic's wider picture.

Pure functions like the rest of bot.blocks. Sibling entries and the topic overview are offered
as buttons that answer by id (`ACTION_ANSWER_TOPIC`, whose value is a topic or an entry id).
"""

from __future__ import annotations

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

from bot.blocks.common import ACTION_ANSWER_TOPIC, BUTTON_TEXT_LIMIT
from bot.knowledge import Entry, Topic
from bot.matching import escape_mrkdwn, truncate

MAX_SIBLINGS = 3
SHORT_TITLE_WORDS = 4


def short_title(topic: Topic) -> str:
    """The topic's title up to its first colon or dash, for a button ("More on Fargate")."""
    head = topic.title.split(":")[0].split(" — ")[0].split(" - ")[0].strip()
    words = head.split()
    return " ".join(words[:SHORT_TITLE_WORDS]) + ("…" if len(words) > SHORT_TITLE_WORDS else "")


def _answer_button(label: str, ref: str, index: int, style: str | None = None) -> ButtonElement:
    text, _ = truncate(label, BUTTON_TEXT_LIMIT)
    return ButtonElement(
        text=PlainTextObject(text=text),
        action_id=f"{ACTION_ANSWER_TOPIC}:{index}",
        value=ref,
        style=style,
    )


def siblings(topic: Topic, entry: Entry, count: int = MAX_SIBLINGS) -> list[Entry]:
    """Up to `count` other entries of the topic, those after `entry` first (wrapping round)."""
    entries = list(topic.entries)
    at = entries.index(entry) if entry in entries else -1
    ordered = entries[at + 1 :] + entries[: max(at, 0)]
    return [e for e in ordered if e.id != entry.id][:count]


def entry_sources(topic: Topic, entry: Entry) -> ContextBlock:
    """Sources of the entry (the topic's when it has none) and the topic's review date."""
    links = " · ".join(
        f"<{s.url}|{escape_mrkdwn(s.title)}>" for s in topic.entry_sources(entry)[:5]
    )
    return ContextBlock(
        elements=[
            MarkdownTextObject(text=f"Sources: {links} · reviewed {topic.reviewed.isoformat()}")
        ]
    )


def more_buttons(topic: Topic, entry: Entry) -> ActionsBlock:
    """ "More on <topic>" and a button per sibling entry, each answering by id."""
    buttons = [_answer_button(f"More on {short_title(topic)}", topic.id, 0, style="primary")]
    for index, sibling in enumerate(siblings(topic, entry), start=1):
        buttons.append(_answer_button(sibling.questions[0], sibling.id, index))
    return ActionsBlock(block_id=f"entry_more:{entry.id}", elements=buttons)


def build_entry_lead(topic: Topic, entry: Entry) -> list[Block]:
    """The head of a precise answer: a header naming the topic, then the fact."""
    title, _ = truncate(topic.title, 150)
    return [
        HeaderBlock(text=PlainTextObject(text=title)),
        SectionBlock(text=MarkdownTextObject(text=entry.answer)),
    ]


def build_entry_tail(topic: Topic, entry: Entry) -> list[Block]:
    """What follows the comparison in a precise answer: sources, more buttons, a divider."""
    return [entry_sources(topic, entry), more_buttons(topic, entry), DividerBlock()]
