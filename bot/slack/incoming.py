"""Reading what a person said to the bot, the way Slack delivers it.

- Who: messages a person sends, with or without a subtype that still means "a person said
  this" (a file attached, a thread reply also sent to the channel, /me); never edits,
  deletions, joins, pins, bots (ourselves included: no reply loops).
- Which: a message is one question however often Slack delivers it (retries, incidents,
  an edit of a mention): `message_keys` names it by workspace, channel and ts, and by the
  client's own message id when there is one.
- What: Slack escapes `&`, `<` and `>` in message and command text (`&amp;`, `&lt;`,
  `&gt;`) and marks mentions and links up with real angle brackets. `from_slack` decodes the
  user's characters and leaves the markup; replies escape user text exactly once
  (`bot.matching.escape_mrkdwn`). When `text` holds only the bot's mention, the question is
  read from the message's rich_text blocks, which carry plain, unescaped text.
"""

from __future__ import annotations

import re
from typing import Any

# Subtypes that are a person talking; every other subtype is something happening to a message
# or a channel (message_changed, message_deleted, channel_join, pinned_item, bot_message, ...).
PERSON_SUBTYPES = frozenset({"file_share", "thread_broadcast", "me_message"})
MESSAGE_EVENTS = frozenset({"message", "app_mention"})
_MARKUP = re.compile(r"(<[^<>]*>)")
_ENTITY = re.compile(r"&(amp|lt|gt);")
_DECODED = {"amp": "&", "lt": "<", "gt": ">"}
_RICH_TEXT_DEPTH = 8


def is_from_a_person(event: dict[str, Any], bot_user_id: str | None = None) -> bool:
    """True for a message a person sent (plain, or with a subtype that is still them talking);
    False for edits, deletions, channel happenings and anything a bot sent, ourselves included."""
    subtype = event.get("subtype")
    if subtype is not None and subtype not in PERSON_SUBTYPES:
        return False
    user = event.get("user")
    return not event.get("bot_id") and isinstance(user, str) and bool(user) and user != bot_user_id


def message_keys(team: str | None, event: dict[str, Any]) -> list[str]:
    """The dedupe keys of the message a person sent in `event` (none for other events)."""
    if event.get("type") not in MESSAGE_EVENTS or not is_from_a_person(event):
        return []
    keys = [f"message:{team}:{event.get('channel')}:{event.get('ts')}"]
    client_msg_id = event.get("client_msg_id")
    if isinstance(client_msg_id, str) and client_msg_id:
        keys.append(f"message:{team}:client_msg_id:{client_msg_id}")
    return keys


def from_slack(text: str) -> str:
    """Slack-escaped text with the user's `&`, `<` and `>` decoded; markup (`<@U…>`,
    `<https://…|…>`, `<!here>`) is left as Slack sent it."""
    parts = _MARKUP.split(text)
    for i in range(0, len(parts), 2):  # even parts lie outside <…>
        parts[i] = _ENTITY.sub(lambda m: _DECODED[m.group(1)], parts[i])
    return "".join(parts)


def without_mention_of(text: str, user_id: str | None) -> str:
    """`text` with every mention of `user_id` (the bot) removed."""
    if not user_id:
        return text
    return re.sub(rf"<@{re.escape(user_id)}(?:\|[^>]*)?>", " ", text).strip()


def _rich_text(element: Any, depth: int = 0) -> str:
    """The plain text of one rich_text element and what it contains; mentions left out."""
    if not isinstance(element, dict) or depth > _RICH_TEXT_DEPTH:
        return ""
    kind = element.get("type")
    if kind == "text":
        return str(element.get("text") or "")
    if kind == "link":
        return str(element.get("text") or element.get("url") or "")
    children = element.get("elements")
    if not isinstance(children, list):
        return ""
    joiner = "\n" if kind in ("rich_text", "rich_text_list") else ""
    return joiner.join(_rich_text(child, depth + 1) for child in children)


def rich_text_of(blocks: Any) -> str:
    """The plain text of a message's rich_text blocks, without mentions."""
    if not isinstance(blocks, list):
        return ""
    return "\n".join(_rich_text(b) for b in blocks if isinstance(b, dict)).strip()


def question_of(event: dict[str, Any], bot_user_id: str | None) -> str:
    """What a person asked in a message or mention: its text without the bot's mention and
    with Slack's escaping decoded, or, when that leaves nothing, its rich_text blocks."""
    question = from_slack(without_mention_of(str(event.get("text") or ""), bot_user_id))
    return question if question.strip() else rich_text_of(event.get("blocks"))
