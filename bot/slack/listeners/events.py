"""@mentions in channels (answered in a thread) and direct messages (answered in the DM)."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.answering import as_question, conversation_key, wants_recommendation
from bot.ports import EntryPoint
from bot.slack.delivery_scope import post_message
from bot.slack.incoming import is_from_a_person, question_of
from bot.slack.listeners.common import (
    SLOW_DOWN,
    Destination,
    apologising,
    guarded,
    send,
)
from bot.slack.listeners.recommend import begin_in_conversation
from bot.slack.services import UNKNOWN, Services

logger = logging.getLogger(__name__)


async def answer(
    question: str,
    dest: Destination,
    *,
    entry_point: EntryPoint,
    workspace: str | None,
    client: AsyncWebClient,
    services: Services,
    new_thread: bool = False,
) -> None:
    """Post the answer to `question` at `dest`, read in the context of the conversation there
    (the DM or thread; a `new_thread` has none to read), then remember and record it (so
    storage never delays it)."""
    conversation = conversation_key(
        workspace or UNKNOWN, dest.channel or UNKNOWN, thread_ts=dest.thread_ts
    )
    async with apologising(f"answer a {entry_point}", dest, client=client, respond=None):
        if wants_recommendation(as_question(question)) and await begin_in_conversation(
            dest, client, services
        ):
            # "recommend" typed in a DM or thread: the dialog's first question, right there.
            return
        previous = None
        if not new_thread and services.answerer.needs_previous(question):
            previous = await services.previous_turn(conversation)
        reply = services.answerer.reply(question, previous=previous)
        await send(dest, reply.text, reply.blocks, client=client, respond=None)
        await services.turn_taken(conversation, reply.turn)
        if reply.match is not None:
            await services.question_asked(workspace, question, reply.match, entry_point)


async def slow_down(event: dict[str, Any], client: AsyncWebClient) -> None:
    """Tell the asker they passed the question limit: in their DM, or only to them in a
    channel (an ephemeral message); nothing else is posted."""
    channel, thread_ts = event["channel"], event.get("thread_ts")
    try:
        if event.get("channel_type") == "im":
            await post_message(client, channel=channel, thread_ts=thread_ts, text=SLOW_DOWN)
        else:
            await client.chat_postEphemeral(
                channel=channel, user=event["user"], text=SLOW_DOWN, thread_ts=thread_ts
            )
    except Exception:
        logger.exception("Failed to tell a user to slow down")


async def handle_app_mention(
    event: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
    services: Services,
) -> None:
    """Answer a mention in a thread: the mention's own thread, or a new one under it."""
    if not is_from_a_person(event, context.bot_user_id):
        return
    if not await services.question_allowed(context.team_id, event["user"]):
        await slow_down(event, client)
        return
    question = question_of(event, context.bot_user_id)
    dest = Destination(channel=event["channel"], thread_ts=event.get("thread_ts") or event["ts"])
    await answer(
        question,
        dest,
        entry_point="mention",
        workspace=context.team_id,
        client=client,
        services=services,
        # A mention outside a thread starts one under itself: no earlier turn can be there.
        new_thread=not event.get("thread_ts"),
    )


async def handle_message(
    event: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
    services: Services,
) -> None:
    """Answer a direct message in the DM; ignore edits, deletions, joins and bots."""
    if event.get("channel_type") != "im" or not is_from_a_person(event, context.bot_user_id):
        return
    if not await services.question_allowed(context.team_id, event["user"]):
        await slow_down(event, client)
        return
    question = question_of(event, context.bot_user_id)
    dest = Destination(channel=event["channel"], thread_ts=event.get("thread_ts"))
    await answer(
        question,
        dest,
        entry_point="dm",
        workspace=context.team_id,
        client=client,
        services=services,
    )


def register(app: AsyncApp) -> None:
    """Listen for mentions and for every message event (so none goes unacknowledged)."""
    app.event("app_mention")(guarded(handle_app_mention))
    app.event("message")(guarded(handle_message))
