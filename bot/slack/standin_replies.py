"""What the Slack Web API stand-in answers with: test credentials, recorded calls, canned replies.

The shapes follow Slack's documented responses closely enough for slack_sdk and Bolt.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

BOT_TOKEN = "xoxb-test-0000000000-fake"
APP_TOKEN = "xapp-test-1-A0TEST-fake"
TEAM_ID = "T0TEST"
BOT_USER_ID = "UBOTTEST"
BOT_ID = "BBOTTEST"
RECORDED_METHODS = (
    "chat.postMessage",
    "chat.postEphemeral",
    "chat.update",
    "views.open",
    "views.publish",
    "views.update",
)


@dataclass(frozen=True)
class Call:
    """One request the bot made: a Web API method or a response_url post, and what the
    stand-in answered (empty for failures and response_url posts)."""

    method: str
    headers: dict[str, str]
    body: dict[str, Any]
    answer: dict[str, Any] = field(default_factory=dict)

    @property
    def blocks(self) -> list[dict[str, Any]]:
        """The call's blocks, or its view's blocks."""
        return list(self.body.get("blocks") or (self.body.get("view") or {}).get("blocks") or [])


@dataclass
class Failure:
    """An error answer to give instead of the next call to a method (or, with `stall`, an
    answer that comes only after `stall` seconds: a timeout for the bot)."""

    status: int
    error: str
    headers: dict[str, str] = field(default_factory=dict)
    stall: float = 0.0
    posted: bool = False  # with `stall`: Slack took the message, only its answer is late


def auth_test() -> dict[str, Any]:
    """What `auth.test` answers for BOT_TOKEN."""
    return {
        "ok": True,
        "url": "https://test.slack.com/",
        "team": "Test",
        "user": "ecsbot",
        "team_id": TEAM_ID,
        "user_id": BOT_USER_ID,
        "bot_id": BOT_ID,
        "is_enterprise_install": False,
    }


def oauth_v2_access() -> dict[str, Any]:
    """What `oauth.v2.access` answers: an installation of the test workspace with BOT_TOKEN."""
    return {
        "ok": True,
        "app_id": "A0TEST",
        "authed_user": {"id": "U0INSTALLER"},
        "scope": "app_mentions:read,chat:write,commands,im:history",
        "token_type": "bot",
        "access_token": BOT_TOKEN,
        "bot_user_id": BOT_USER_ID,
        "team": {"id": TEAM_ID, "name": "Test"},
        "enterprise": None,
        "is_enterprise_install": False,
    }


def api_answer(method: str, body: dict[str, Any], serials: Iterator[int]) -> dict[str, Any]:
    """A success answer to a recorded method; each message's ts takes the next of `serials`."""
    if method.startswith("views."):
        return {"ok": True, "view": {"id": "V0TEST", **(body.get("view") or {})}}
    ts = message_ts(serials)
    return {"ok": True, "channel": body.get("channel"), "ts": ts, "message_ts": ts}


def message_ts(serials: Iterator[int]) -> str:
    """A message timestamp like Slack's: when it was posted, made unique by the next serial."""
    return f"{int(time.time())}.{next(serials):06d}"


def posted_message(body: dict[str, Any], ts: str) -> dict[str, Any]:
    """A chat.postMessage as conversations.history shows it to the bot."""
    message = {"type": "message", "ts": ts, "text": body.get("text", ""), "bot_id": BOT_ID}
    if body.get("thread_ts"):
        message["thread_ts"] = body["thread_ts"]
    if isinstance(body.get("metadata"), dict):
        message["metadata"] = body["metadata"]
    return message


def history(messages: list[dict[str, Any]], method: str, query: dict[str, Any]) -> dict[str, Any]:
    """What conversations.history (top-level messages) or conversations.replies (one thread)
    answers, newest first, metadata only with include_all_metadata."""
    channel, oldest = query.get("channel"), float(query.get("oldest") or 0)
    with_metadata = str(query.get("include_all_metadata")).lower() in ("1", "true")
    found = []
    for message in messages:
        if message["channel"] != channel or float(message["ts"]) < oldest:
            continue
        thread = message.get("thread_ts")
        if (thread == query.get("ts")) if method.endswith("replies") else not thread:
            shown = {k: v for k, v in message.items() if k != "channel"}
            if not with_metadata:
                shown.pop("metadata", None)
            found.append(shown)
    return {"ok": True, "messages": found[::-1], "has_more": False}
