"""One attempt at a post: look for it in the conversation if Slack may already have it, else
send it once (no client-side retries: the outbox owns retrying) and say what came of it.

Each post carries its outbox key in its message metadata, so a post that timed out, or whose
replica died mid-attempt, is found in the thread or DM (conversations.replies / .history with
`include_all_metadata`) instead of being posted twice.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from aiohttp import ClientConnectorError
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.ports import Queued

logger = logging.getLogger(__name__)

METADATA_EVENT_TYPE = "ecsbot_delivery"
LOOKBACK_SECONDS = 60  # a margin for clocks: the post cannot be older than its outbox row
# Slack failed on its side: it may have posted the message anyway.
SLACK_SIDE_ERRORS = frozenset({"internal_error", "fatal_error", "service_unavailable"})
# History we may not read (a scope the install lacks, a conversation we cannot see).
UNREADABLE = frozenset(
    {"missing_scope", "not_allowed_token_type", "channel_not_found", "not_in_channel"}
)


@dataclass(frozen=True)
class Outcome:
    """What came of an attempt: delivered, retry (`in_doubt` if Slack may have it), or
    rejected for good (`exc` is Slack's error)."""

    status: Literal["delivered", "retry", "rejected"]
    error: str = ""
    in_doubt: bool = False
    retry_after: float | None = None
    exc: BaseException | None = None
    # How the Web API metrics file the failure (bot.metrics.API_FAILURES); None if no call failed.
    reason: str | None = None


DELIVERED = Outcome("delivered")


Blocks = Sequence[dict[str, Any]]


async def attempt(
    client: AsyncWebClient, post: Queued, token: str | None, *, blocks: Blocks | None = None
) -> Outcome:
    """Deliver `post` once, looking for it first when it is in doubt. `blocks`, when given, are
    the post's blocks as dicts already (what its JSON holds), so they are not parsed again."""
    if post.in_doubt:
        found = await find_posted(client, post, token)
        if isinstance(found, Outcome):
            return found
        if found:
            return Outcome("delivered", error="found in the conversation")
    return await send_once(client, post, token, blocks=blocks)


async def send_once(
    client: AsyncWebClient, post: Queued, token: str | None, *, blocks: Blocks | None = None
) -> Outcome:
    """One chat.postMessage with the post's key in its metadata; `blocks` as in `attempt`."""
    if blocks is None and post.blocks:
        blocks = json.loads(post.blocks)
    try:
        await client.chat_postMessage(
            token=token,
            channel=post.channel,
            thread_ts=post.thread_ts or None,
            text=post.text,
            blocks=blocks or None,
            metadata={"event_type": METADATA_EVENT_TYPE, "event_payload": {"key": post.key}},
        )
    except Exception as exc:
        return failure(exc)
    return DELIVERED


async def find_posted(client: AsyncWebClient, post: Queued, token: str | None) -> bool | Outcome:
    """True if the conversation holds a message carrying the post's key; an Outcome (retry)
    when the look-up itself failed. History we may not read counts as found: better one
    answer possibly missing than one posted twice (logged)."""
    query: dict[str, Any] = dict(
        token=token,
        channel=post.channel,
        oldest=f"{post.created_at.timestamp() - LOOKBACK_SECONDS:.6f}",
        include_all_metadata=True,
        limit=200,
    )
    try:
        if post.thread_ts:
            response = await client.conversations_replies(ts=post.thread_ts, **query)
        else:
            response = await client.conversations_history(**query)
    except SlackApiError as exc:
        if slack_error(exc) in UNREADABLE:
            logger.warning(
                "Cannot read %s to check for post %s (%s); counting it as delivered",
                post.channel,
                post.key,
                slack_error(exc),
            )
            return True
        return _in_doubt(failure(exc))
    except Exception as exc:
        return _in_doubt(failure(exc))
    return any(_key_of(message) == post.key for message in response.get("messages") or [])


def _key_of(message: dict[str, Any]) -> object:
    metadata = message.get("metadata") or {}
    if metadata.get("event_type") != METADATA_EVENT_TYPE:
        return None
    return (metadata.get("event_payload") or {}).get("key")


def _in_doubt(outcome: Outcome) -> Outcome:
    """A failed look-up leaves the post as doubtful as it was."""
    if outcome.status == "rejected":
        return Outcome("retry", outcome.error, in_doubt=True)
    return Outcome("retry", outcome.error, in_doubt=True, retry_after=outcome.retry_after)


def failure(exc: BaseException) -> Outcome:
    """Classify a failed call: refused for good, or worth another try (and whether Slack may
    have acted on it)."""
    if isinstance(exc, SlackApiError):
        status = exc.response.status_code
        error = slack_error(exc)
        if status == 429 or error == "ratelimited":
            return Outcome("retry", error, retry_after=_retry_after(exc), reason="rate_limited")
        if status >= 500 or error in SLACK_SIDE_ERRORS:
            reason = "server_error" if status >= 500 else "api_error"
            return Outcome("retry", error, in_doubt=True, reason=reason)
        reason = "api_error" if status == 200 else "client_error"
        return Outcome("rejected", error, exc=exc, reason=reason)
    if isinstance(exc, ClientConnectorError):  # never reached Slack
        return Outcome("retry", type(exc).__name__, reason="connection")
    # A timeout, a dropped connection, an unreadable answer: Slack may have the message.
    return Outcome("retry", type(exc).__name__, in_doubt=True, reason="connection")


def slack_error(exc: SlackApiError) -> str:
    """Slack's error code, or `http_<status>` for an answer that is not Slack's JSON."""
    data = exc.response.data
    error = data.get("error") if isinstance(data, dict) else None
    return str(error) if error else f"http_{exc.response.status_code}"


def _retry_after(exc: SlackApiError) -> float | None:
    value = (exc.response.headers or {}).get("Retry-After") or (exc.response.headers or {}).get(
        "retry-after"
    )
    try:
        return max(0.0, float(value)) if value is not None else None
    except (TypeError, ValueError):
        return None
