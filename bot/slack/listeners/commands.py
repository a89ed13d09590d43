"""The /ecs-vs-ec2 slash command: a question, `help`, or `recommend`."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.answering import conversation_key
from bot.blocks import COMMAND
from bot.slack.listeners.common import SLOW_DOWN, Destination, apologising, as_question, send

# The seam the "Help me choose" button (bot.slack.listeners.actions) starts the dialog through too.
from bot.slack.listeners.recommend import start_recommendation as start_recommendation
from bot.slack.services import UNKNOWN, Services

RECOMMEND_WORD = "recommend"


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
    await ack()
    text = str(body.get("text") or "").strip()
    dest = Destination()
    async with apologising("answer the slash command", dest, client=client, respond=respond):
        if text.lower() == RECOMMEND_WORD:
            await start_recommendation(
                dest=dest, body=body, client=client, respond=respond, services=services
            )
            return
        if not await services.question_allowed(body.get("team_id"), body.get("user_id")):
            await send(dest, SLOW_DOWN, client=client, respond=respond)
            return
        question = as_question(text)
        conversation = command_conversation(body)
        previous = await services.previous_turn(conversation)
        reply = services.answerer.reply(question, shareable=True, previous=previous)
        await send(dest, reply.text, reply.blocks, client=client, respond=respond)
        await services.turn_taken(conversation, reply.turn)
        if reply.match is not None:
            await services.question_asked(body.get("team_id"), question, reply.match, "slash")


def register(app: AsyncApp) -> None:
    """Listen for the slash command."""
    app.command(COMMAND)(handle_command)
