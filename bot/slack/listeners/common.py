"""What every listener shares: where a reply goes, sending it, and failing politely."""

from __future__ import annotations

import functools
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import Block
from slack_sdk.web.async_client import AsyncWebClient

from bot.answering import conversation_key
from bot.blocks import to_dicts
from bot.slack.delivery_scope import post_message
from bot.slack.listeners.delivery import reach_privately, responded, slack_failure
from bot.slack.middleware import first_delivery

logger = logging.getLogger(__name__)

NOT_A_MEMBER = frozenset({"not_in_channel", "channel_not_found"})
SORRY = "Sorry, something went wrong on my side. Please try again in a moment."
SLOW_DOWN = "You're asking faster than I can keep up with. Please wait a minute, then ask again."


@dataclass(frozen=True)
class Destination:
    """Where a reply goes: a channel or DM (optionally a thread), or, with no channel, the
    requester alone through the interaction's response_url; should that fail, `user` is
    reached ephemerally in `origin` (the channel they asked in) or by DM."""

    channel: str | None = None
    thread_ts: str | None = None
    user: str | None = None
    origin: str | None = None

    @property
    def ephemeral(self) -> bool:
        """True when only the person who asked sees the reply."""
        return self.channel is None


def is_direct_message(channel_id: str) -> bool:
    """True for a one-to-one DM channel id (Slack's D… ids)."""
    return channel_id.startswith("D")


def action_destination(body: dict[str, Any]) -> Destination:
    """Where to answer a button click: the user's DM from App Home, ephemerally under an
    ephemeral message, in the DM for a DM, else in the clicked message's thread."""
    container: dict[str, Any] = body.get("container") or {}
    user = body["user"]["id"]
    if container.get("type") == "view":
        return Destination(channel=user)
    channel = container.get("channel_id") or (body.get("channel") or {}).get("id")
    if container.get("is_ephemeral") or not channel:
        return Destination(user=user, origin=channel)
    message: dict[str, Any] = body.get("message") or {}
    thread_ts = container.get("thread_ts") or message.get("thread_ts")
    if is_direct_message(channel):
        return Destination(channel=channel, thread_ts=thread_ts)
    return Destination(channel=channel, thread_ts=thread_ts or container.get("message_ts"))


def action_conversation(workspace: str, dest: Destination) -> str:
    """The conversation a click's answer continues: the thread or DM it lands in, or, for an
    answer only the clicker sees, their slash-command conversation in that channel."""
    if dest.channel is not None:
        return conversation_key(workspace, dest.channel, thread_ts=dest.thread_ts)
    return conversation_key(workspace, dest.origin or "unknown", user=dest.user or "unknown")


def private_destination(body: dict[str, Any]) -> Destination:
    """The person who clicked, alone: through the response_url, else ephemerally where they
    clicked (the DM from App Home), else by DM."""
    where = action_destination(body)
    return Destination(user=body["user"]["id"], origin=where.channel or where.origin)


def respond_for(body: dict[str, Any], respond: AsyncRespond) -> AsyncRespond | None:
    """`respond` when the payload carries a response_url (messages, ephemerals), else None."""
    return respond if body.get("response_url") else None


async def send(
    dest: Destination,
    text: str,
    blocks: Sequence[Block] | None = None,
    *,
    client: AsyncWebClient,
    respond: AsyncRespond | None,
    apology: bool = False,
) -> None:
    """Send `text` (always, as the fallback) with optional blocks to `dest`; a channel post
    goes through the outbox (kept and retried until Slack has it). A private reply goes
    through `respond`, or when there is none or it fails, ephemerally or by DM (the outbox
    again). `apology` marks the request's one apology."""
    payload = to_dicts(blocks) if blocks is not None else None
    if dest.channel is not None:
        try:
            await post_message(
                client,
                channel=dest.channel,
                thread_ts=dest.thread_ts,
                text=text,
                blocks=payload,
                apology=apology,
            )
            return
        except SlackApiError as exc:
            # A shared answer can sit in a channel the bot is not in: answer privately instead.
            if respond is None or exc.response.get("error") not in NOT_A_MEMBER:
                raise
    message = dict(text=text, blocks=payload, response_type="ephemeral", replace_original=False)
    if respond is None or not await responded(respond, **message):
        await reach_privately(
            client, user=dest.user, channel=dest.origin, text=text, blocks=payload, apology=apology
        )


def log_failure(what: str, exc: Exception) -> None:
    """Log a failure once: a Slack API refusal as one WARNING line, anything else with its
    traceback."""
    if isinstance(exc, SlackApiError):
        logger.warning("Failed to %s: %s", what, slack_failure(exc))
    else:
        logger.error("Failed to %s", what, exc_info=exc)


@asynccontextmanager
async def apologising(
    what: str, dest: Destination, *, client: AsyncWebClient, respond: AsyncRespond | None
) -> AsyncIterator[None]:
    """Log a failure inside the block as "Failed to <what>" and tell the user, not a traceback."""
    try:
        yield
    except Exception as exc:
        log_failure(what, exc)
        try:
            await send(dest, SORRY, client=client, respond=respond, apology=True)
        except Exception as again:
            log_failure(f"tell the user that we failed to {what}", again)


Listener = Callable[..., Awaitable[None]]


def guarded(listener: Listener) -> Listener:
    """`listener`, run once the request is known to be no repeat (`first_delivery`) and so
    that nothing escapes it: a failure is logged once (not by Bolt too), and an ack it never
    sent is sent, so the HTTP answer never waits out Bolt's 3 seconds."""

    @functools.wraps(listener)
    async def run(**kwargs: Any) -> None:
        try:
            if not await first_delivery():
                return  # Bolt has acked it already
            await listener(**kwargs)
        except Exception as exc:
            log_failure(f"run {listener.__name__}", exc)
            ack: AsyncAck | None = kwargs.get("ack")
            if ack is not None and ack.response is None:
                await ack()

    return run
