"""Which request a post belongs to: the middleware opens a delivery scope per request, and
`post_message` (what listeners call instead of chat.postMessage) numbers the request's posts,
so each has a stable key for the outbox and its message metadata."""

from __future__ import annotations

import hashlib
import itertools
import uuid
from collections.abc import Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.ports import Post
from bot.slack.delivery import Deliverer

MAX_KEY_CHARS = 255  # the outbox's key column
UNKNOWN_TEAM = "unknown"


@dataclass
class DeliveryScope:
    """One request's posts: its key (event id, click) and how many it has posted."""

    deliverer: Deliverer
    request_key: str
    team_id: str
    posts: int = 0

    def next_key(self, *, apology: bool) -> str:
        """`<request>#<n>` for the n-th post, `<request>#apology` for the one apology."""
        self.posts += 1
        suffix = "apology" if apology else str(self.posts)
        request = self.request_key
        if len(request) + len(suffix) + 1 > MAX_KEY_CHARS:
            request = f"{request[:150]}:{hashlib.sha256(request.encode()).hexdigest()}"
        return f"{request}#{suffix}"


# A request Slack never repeats (a slash command) is keyed by this process's random prefix and
# a serial: unique across replicas without a uuid4 (a system call) for every request.
_PROCESS = uuid.uuid4().hex
_serials = itertools.count(1)

_scope: ContextVar[DeliveryScope | None] = ContextVar("ecsbot_delivery_scope", default=None)


def open_delivery_scope(deliverer: Deliverer, request_key: str | None, team_id: str | None) -> None:
    """Posts made while handling this request (in this task and the listener tasks it
    starts) go through `deliverer`; a request Slack never repeats gets a random key."""
    key = request_key or f"request:{_PROCESS}{next(_serials):x}"
    _scope.set(DeliveryScope(deliverer, key, team_id or UNKNOWN_TEAM))


async def post_message(
    client: AsyncWebClient,
    *,
    channel: str,
    thread_ts: str | None,
    text: str,
    blocks: Sequence[dict[str, Any]] | None = None,
    apology: bool = False,
) -> None:
    """chat.postMessage through the outbox: sent now, or kept and retried until Slack has it.
    Raises SlackApiError only when Slack refuses the post for good (not_in_channel...)."""
    scope = _scope.get()
    if scope is None:  # outside a request (a test calling a listener directly)
        await client.chat_postMessage(
            channel=channel, thread_ts=thread_ts, text=text, blocks=blocks
        )
        return
    payload = list(blocks) if blocks else None
    post = Post(
        key=scope.next_key(apology=apology),
        kind="apology" if apology else "answer",
        team_id=scope.team_id,
        channel=channel,
        thread_ts=thread_ts or "",
        text=text,
        blocks=None,  # written from `payload` only if the outbox keeps the post
    )
    await scope.deliverer.post(post, token=client.token, blocks=payload)
