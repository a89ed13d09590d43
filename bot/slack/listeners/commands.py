"""The /ecs-vs-ec2 slash command: a question, `help`, or `recommend`.

A question is answered in the ack itself (one HTTP response, no response_url round trip)
when the reply is ready within ANSWER_IN_ACK_SECONDS: it is, unless storage was slow to give
back the conversation's last turn or to count a user near the rate limit. Otherwise the
command is acked empty and the reply follows through response_url. A command without a
usable response_url always waits for its reply in the ack (and gets no Share button: sharing
needs the response_url). Remembering the turn and recording the question never delay either.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.models.blocks import Block
from slack_sdk.web.async_client import AsyncWebClient

from bot.answering import Turn, as_question, conversation_key, wants_recommendation
from bot.blocks import COMMAND, to_dicts
from bot.matching import Match
from bot.slack.incoming import from_slack
from bot.slack.listeners.common import (
    SLOW_DOWN,
    SORRY,
    Destination,
    apologising,
    guarded,
    log_failure,
    send,
)

# The seam the "Help me choose" button (bot.slack.listeners.actions) starts the dialog through too.
from bot.slack.listeners.recommend import start_recommendation as start_recommendation
from bot.slack.services import UNKNOWN, Services

logger = logging.getLogger(__name__)

# How long the ack waits for the reply. Composing takes about a millisecond of CPU, but under
# load a reply waits its turn on the event loop, and for the conversation's last turn from
# storage; answering in the ack is then still the cheaper way (one response instead of two),
# so the wait is generous. A storage slower than this gets an empty ack and the reply at
# response_url, well inside Slack's 3 s.
ANSWER_IN_ACK_SECONDS = 0.25


def command_conversation(body: dict[str, Any]) -> str:
    """One user's slash commands in one channel are one conversation (storage hashes the key)."""
    return conversation_key(
        str(body.get("team_id") or UNKNOWN),
        str(body.get("channel_id") or UNKNOWN),
        user=str(body.get("user_id") or UNKNOWN),
    )


def has_response_url(body: dict[str, Any]) -> bool:
    """True when the command carries an http(s) response_url to answer through."""
    url = urlsplit(str(body.get("response_url") or ""))
    return url.scheme in ("https", "http") and bool(url.netloc)


@dataclass(frozen=True)
class CommandReply:
    """What a question command gets back, and what to remember and record afterwards (no
    match: nothing to record; no turn: nothing to remember)."""

    text: str
    blocks: list[Block] | None = None
    match: Match | None = None
    question: str = ""
    turn: Turn | None = None


async def compose(
    text: str, body: dict[str, Any], services: Services, *, shareable: bool
) -> CommandReply:
    """The reply to `/ecs-vs-ec2 <text>`, read in the user's conversation in the channel: the
    answer, or the note past the rate limit."""
    if not await services.question_allowed(body.get("team_id"), body.get("user_id")):
        return CommandReply(SLOW_DOWN)
    question = as_question(text)
    previous = None
    if services.answerer.needs_previous(text):
        previous = await services.previous_turn(command_conversation(body))
    reply = services.answerer.reply(text, shareable=shareable, previous=previous)
    return CommandReply(reply.text, reply.blocks, reply.match, question, reply.turn)


async def after_reply(body: dict[str, Any], reply: CommandReply, services: Services) -> None:
    """Remember the turn and record the question, once the reply is on its way."""
    await services.turn_taken(command_conversation(body), reply.turn)
    if reply.match is not None:
        await services.question_asked(body.get("team_id"), reply.question, reply.match, "slash")


async def reply_in_ack(
    ack: AsyncAck, pending: asyncio.Task[CommandReply], wait: float | None
) -> bool:
    """Ack with the reply if it is ready within `wait` seconds (None: however long it takes),
    or with an apology if composing it failed; False when it is not ready, having acked
    nothing."""
    await asyncio.wait({pending}, timeout=wait)
    if not pending.done():
        return False
    try:
        reply = pending.result()
        blocks = to_dicts(reply.blocks) if reply.blocks is not None else None
    except Exception as exc:
        log_failure("answer the slash command", exc)
        await ack(text=SORRY, response_type="ephemeral")
        return True
    await ack(text=reply.text, blocks=blocks, response_type="ephemeral")
    return True


async def handle_command(
    ack: AsyncAck,
    body: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond,
    services: Services,
) -> None:
    """Answer `/ecs-vs-ec2 <question>` ephemerally with a Share button; help; or recommend."""
    text = from_slack(str(body.get("text") or "")).strip()
    dest = Destination(user=body.get("user_id"), origin=body.get("channel_id"))
    reply_to = respond if has_response_url(body) else None
    if wants_recommendation(text):
        await ack()
        async with apologising("answer the slash command", dest, client=client, respond=reply_to):
            await start_recommendation(
                dest=dest, body=body, client=client, respond=reply_to, services=services
            )
        return
    if reply_to is None:
        logger.info("A slash command came without a usable response_url: answering in the ack")
    shareable = reply_to is not None
    pending = asyncio.ensure_future(compose(text, body, services, shareable=shareable))
    if not await reply_in_ack(ack, pending, ANSWER_IN_ACK_SECONDS if shareable else None):
        await ack()
        async with apologising("answer the slash command", dest, client=client, respond=reply_to):
            reply = await pending
            await send(dest, reply.text, reply.blocks, client=client, respond=reply_to)
    if pending.done() and not pending.cancelled() and pending.exception() is None:
        await after_reply(body, pending.result(), services)


def register(app: AsyncApp) -> None:
    """Listen for the slash command."""
    app.command(COMMAND)(guarded(handle_command))
