"""The /ecs-vs-ec2 slash command: a question, `help`, or `recommend`."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.answering import as_question, conversation_key, wants_recommendation
from bot.blocks import COMMAND, to_dicts
from bot.slack.incoming import from_slack
from bot.slack.listeners.common import (
    SLOW_DOWN,
    Destination,
    apologising,
    guarded,
    send,
)

# The seam the "Help me choose" button (bot.slack.listeners.actions) starts the dialog through too.
from bot.slack.listeners.recommend import start_recommendation as start_recommendation
from bot.slack.services import UNKNOWN, Services

logger = logging.getLogger(__name__)


def command_conversation(body: dict[str, Any]) -> str:
    """One user's slash commands in one channel are one conversation (storage hashes the key)."""
    return conversation_key(
        str(body.get("team_id") or UNKNOWN),
        str(body.get("channel_id") or UNKNOWN),
        user=str(body.get("user_id") or UNKNOWN),
    )


async def handle_command(
    ack: AsyncAck,
    body: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond,
    services: Services,
) -> None:
    """Answer `/ecs-vs-ec2 <question>` ephemerally with a Share button; help; or recommend."""
    text = from_slack(str(body.get("text") or "")).strip()
    if not has_response_url(body) and not wants_recommendation(text):
        await answer_in_ack(ack, text, services)
        return
    await ack()
    dest = Destination(user=body.get("user_id"), origin=body.get("channel_id"))
    reply_to = respond if has_response_url(body) else None
    async with apologising("answer the slash command", dest, client=client, respond=reply_to):
        if wants_recommendation(text):
            await start_recommendation(
                dest=dest, body=body, client=client, respond=reply_to, services=services
            )
            return
        if not await services.question_allowed(body.get("team_id"), body.get("user_id")):
            await send(dest, SLOW_DOWN, client=client, respond=reply_to)
            return
        question = as_question(text)
        conversation = command_conversation(body)
        previous = await services.previous_turn(conversation)
        reply = services.answerer.reply(question, shareable=True, previous=previous)
        await send(dest, reply.text, reply.blocks, client=client, respond=reply_to)
        await services.turn_taken(conversation, reply.turn)
        if reply.match is not None:
            await services.question_asked(body.get("team_id"), question, reply.match, "slash")


def has_response_url(body: dict[str, Any]) -> bool:
    """True when the command carries an http(s) response_url to answer through."""
    url = urlsplit(str(body.get("response_url") or ""))
    return url.scheme in ("https", "http") and bool(url.netloc)


async def answer_in_ack(ack: AsyncAck, text: str, services: Services) -> None:
    """Answer a command that came without a usable response_url in the acknowledgement itself
    (no Share button: sharing needs the response_url)."""
    logger.info("A slash command came without a usable response_url: answering in the ack")
    reply = services.answerer.reply(as_question(text))
    await ack(text=reply.text, blocks=to_dicts(reply.blocks), response_type="ephemeral")


def register(app: AsyncApp) -> None:
    """Listen for the slash command."""
    app.command(COMMAND)(guarded(handle_command))
