"""The playground's channels and messages, kept as Slack would show them to its one person.

Messages arrive from the person (typed in the page) and from the bot (what the Web API
stand-in records: `chat.postMessage`, `chat.postEphemeral`, `chat.update` and posts to a
`response_url`). Each change becomes an event for the page: a message to show (new, or in
place of one with the same key) or a message to remove.
"""

from __future__ import annotations

import copy
import itertools
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal

from bot.playground.payloads import DM_CHANNEL_ID, USER_ID, new_ts

Author = Literal["you", "bot", "slackbot"]
Event = dict[str, Any]


@dataclass(frozen=True)
class Message:
    """One message as the page shows it; `key` ("channel:ts") names it for updates."""

    channel: str
    ts: str
    text: str
    author: Author
    blocks: list[dict[str, Any]] = field(default_factory=list)
    thread_ts: str | None = None
    ephemeral: bool = False
    time: str = field(default_factory=lambda: time.strftime("%H:%M"))

    @property
    def key(self) -> str:
        """Where the message is: its channel and timestamp."""
        return f"{self.channel}:{self.ts}"

    def to_json(self) -> dict[str, Any]:
        """The message for the page, with its key."""
        return {**asdict(self), "key": self.key}


@dataclass(frozen=True)
class ReplyPlace:
    """What a response_url belongs to: where its replies go, and the message it came from
    (which `replace_original` and `delete_original` act on)."""

    channel: str
    thread_ts: str | None = None
    original: str | None = None  # the key of the message clicked


def with_ids(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A copy of `blocks` where every block has a block_id and every interactive element an
    action_id, as Slack fills them in, so a click can name what was clicked."""
    filled = copy.deepcopy(blocks)
    for index, block in enumerate(filled):
        block.setdefault("block_id", f"b{index}")
        elements = [*block.get("elements", []), block.get("accessory"), block.get("element")]
        for number, element in enumerate(e for e in elements if isinstance(e, dict)):
            if element.get("type") not in ("image", "mrkdwn", "plain_text"):
                element.setdefault("action_id", f"a{index}-{number}")
    return filled


def find_element(
    blocks: list[dict[str, Any]], block_id: str, action_id: str
) -> dict[str, Any] | None:
    """The interactive element `action_id` of block `block_id`, or None."""
    for block in blocks:
        if block.get("block_id") != block_id:
            continue
        for element in [*block.get("elements", []), block.get("accessory") or {}]:
            if isinstance(element, dict) and element.get("action_id") == action_id:
                return element
    return None


def _text(body: dict[str, Any]) -> str:
    return str(body.get("text") or "")


def _blocks(body: dict[str, Any]) -> list[dict[str, Any]]:
    blocks = body.get("blocks")
    return with_ids(blocks) if isinstance(blocks, list) else []


class Conversation:
    """Every message of the playground's channels, in the order they arrived."""

    def __init__(self, stamp: Callable[[], str] = new_ts) -> None:
        # Where message timestamps come from: the Web API stand-in's series once it runs, so
        # the person's messages and the bot's never share one.
        self.stamp = stamp
        self.messages: dict[str, Message] = {}
        self._places: dict[str, ReplyPlace] = {}
        self._keys = itertools.count(1)

    def snapshot(self) -> list[dict[str, Any]]:
        """Every message, oldest first, for a page that just connected."""
        return [m.to_json() for m in self.messages.values()]

    def has_message(self, channel: str, ts: str) -> bool:
        """True when `channel` holds a message sent at `ts`."""
        return f"{channel}:{ts}" in self.messages

    def add(self, message: Message) -> Event:
        """Show a new message."""
        self.messages[message.key] = message
        return {"type": "message", "message": message.to_json()}

    def typed(self, channel: str, text: str, thread_ts: str | None = None) -> Message:
        """The person's message in `channel` (in the thread of `thread_ts`), shown at once."""
        return Message(
            channel=channel, ts=self.stamp(), text=text, author="you", thread_ts=thread_ts
        )

    def reply_place(self, place: ReplyPlace) -> str:
        """A new response_url key for replies to `place`."""
        key = f"r{next(self._keys)}"
        self._places[key] = place
        return key

    def apply(self, method: str, body: dict[str, Any], answer: dict[str, Any]) -> list[Event]:
        """The events for one call the bot made (chat.* or a response_url post)."""
        if method == "chat.postMessage":
            return [self._post(body, answer.get("ts"), ephemeral=False)]
        if method == "chat.postEphemeral":
            return [self._post(body, answer.get("message_ts"), ephemeral=True)]
        if method == "chat.update":
            return self._replace(f"{body.get('channel')}:{body.get('ts')}", body)
        if method == "response_url":
            return self._respond(body)
        return []

    def _post(self, body: dict[str, Any], ts: Any, *, ephemeral: bool) -> Event:
        channel = str(body.get("channel") or "")
        if channel == USER_ID:  # posting to a user id opens (here: is) the DM with them
            channel = DM_CHANNEL_ID
        message = Message(
            channel=channel,
            ts=str(ts or self.stamp()),
            text=_text(body),
            author="bot",
            blocks=_blocks(body),
            thread_ts=body.get("thread_ts") or None,
            ephemeral=ephemeral,
        )
        return self.add(message)

    def _replace(self, key: str | None, body: dict[str, Any]) -> list[Event]:
        old = self.messages.get(key or "")
        if old is None:
            return []
        return [self.add(replace(old, text=_text(body), blocks=_blocks(body)))]

    def _respond(self, body: dict[str, Any]) -> list[Event]:
        place = self._places.get(str(body.get("_key")))
        if place is None:
            return []
        if body.get("delete_original"):
            gone = self.messages.pop(place.original or "", None)
            return [{"type": "deleted", "key": gone.key}] if gone else []
        # After a click, Slack replaces the clicked message unless told not to.
        replacing = body.get("replace_original", place.original is not None)
        if replacing and place.original in self.messages:
            return self._replace(place.original, body)
        message = Message(
            channel=place.channel,
            ts=self.stamp(),
            text=_text(body),
            author="bot",
            blocks=_blocks(body),
            thread_ts=place.thread_ts,
            ephemeral=body.get("response_type") != "in_channel",
        )
        return [self.add(message)]
