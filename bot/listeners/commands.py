"""The /ecs-vs-ec2 slash command: a question, `help`, or `recommend`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.blocks import COMMAND
from bot.listeners.common import Destination, apologising, as_question, send

if TYPE_CHECKING:
    from bot.app import Services

RECOMMEND_WORD = "recommend"
RECOMMEND_COMING = (
    "The *Help me choose* dialog is coming in a later release. Meanwhile, ask me a question, "
    f"for example `{COMMAND} which should I choose?`"
)


async def start_recommendation(
    *,
    dest: Destination,
    body: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond | None,
    services: Services,
) -> None:
    """Start the recommendation dialog for the user in `body` (slash command or button click)."""
    # Only the person who asked needs to hear that the dialog is not there yet.
    await send(Destination() if respond else dest, RECOMMEND_COMING, client=client, respond=respond)


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
        question = as_question(text)
        reply = services.answerer.reply(question, shareable=True)
        await send(dest, reply.text, reply.blocks, client=client, respond=respond)
        if reply.match is not None:
            await services.question_asked(body.get("team_id"), question, reply.match, "slash")


def register(app: AsyncApp) -> None:
    """Listen for the slash command."""
    app.command(COMMAND)(handle_command)
