"""The "Help me choose" dialog: one question at a time in a thread or DM, or the form.

The dialog's state rides signed in its buttons' values (bot.recommend.dialog_state), so any
replica, even one started after the dialog, can take the next click: decode, move one step,
and update the same message. A repeated click (a double click, a retry reaching another replica) is dropped
through the app's deduper, keyed on the exact state it was made from.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import Block
from slack_sdk.web.async_client import AsyncWebClient

from bot.answering import Recommender
from bot.blocks import (
    ACTION_DIALOG_ANSWER,
    ACTION_DIALOG_BACK,
    ACTION_DIALOG_CANCEL,
    ACTION_DIALOG_RESTART,
    ACTION_DIALOG_SIZE,
    ACTION_DIALOG_SKIP,
    CALLBACK_RECOMMEND_MODAL,
    CANCELLED_TEXT,
    EXPIRED_TEXT,
    START_OVER_VALUE,
    build_dialog_cancelled,
    build_dialog_expired,
    build_dialog_question,
    build_recommendation,
    parse_dialog_action,
    question_text,
    recommendation_text,
    to_dicts,
)
from bot.recommend import DialogDone, DialogStateError, apply_action, decode_state, new_dialog
from bot.slack.delivery_scope import post_message
from bot.slack.listeners.common import (
    NOT_A_MEMBER,
    Destination,
    action_destination,
    apologising,
    guarded,
    respond_for,
)
from bot.slack.listeners.recommend_modal import (
    handle_recommend_submission,
    open_modal,
    recommender_of,
)
from bot.slack.services import Services

logger = logging.getLogger(__name__)

DIALOG_ACTION_PATTERN = re.compile(
    rf"^(?:(?:{ACTION_DIALOG_ANSWER}|{ACTION_DIALOG_SIZE}):[\w-]+"
    rf"|{ACTION_DIALOG_SKIP}|{ACTION_DIALOG_BACK}|{ACTION_DIALOG_RESTART}|{ACTION_DIALOG_CANCEL})$"
)


def _container(body: dict[str, Any]) -> dict[str, Any]:
    return body.get("container") or {}


def _clicked_value(body: dict[str, Any]) -> str:
    actions = body.get("actions") or [{}]
    return str(actions[0].get("value") or "")


async def _replace(
    body: dict[str, Any], client: AsyncWebClient, text: str, blocks: list[Block]
) -> None:
    """Show `blocks` in place of the clicked message."""
    container = _container(body)
    await client.chat_update(
        channel=container["channel_id"],
        ts=container["message_ts"],
        text=text,
        blocks=to_dicts(blocks),
    )


async def _posted(
    client: AsyncWebClient, text: str, blocks: list[Block], *, channel: str, thread_ts: str | None
) -> bool:
    """Post in `channel` (or its thread); False if the bot is not in it (other errors raise)."""
    try:
        await post_message(
            client, channel=channel, thread_ts=thread_ts, text=text, blocks=to_dicts(blocks)
        )
    except SlackApiError as exc:
        if exc.response.get("error") not in NOT_A_MEMBER:
            raise
        return False
    return True


async def start_recommendation(
    *,
    dest: Destination,
    body: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond | None,
    services: Services,
) -> None:
    """Start "Help me choose": the first question at `dest` (a thread or DM); the form for the
    slash command, App Home and ephemeral messages; over a finished dialog, in its message."""
    recommender = recommender_of(services)
    if dest.channel is None or _container(body).get("type") != "message":
        await open_modal(body, client, recommender)
        return
    if _clicked_value(body) == START_OVER_VALUE:
        text, blocks = _first_question(recommender)
        await _replace(body, client, text, blocks)
    elif not await begin_in_conversation(dest, client, services):
        await open_modal(body, client, recommender)  # a channel the bot is not in: the form


def _first_question(recommender: Recommender) -> tuple[str, list[Block]]:
    state = new_dialog()
    text = question_text(state, recommender.config)
    return text, build_dialog_question(state, recommender.config, key=recommender.key)


async def begin_in_conversation(
    dest: Destination, client: AsyncWebClient, services: Services
) -> bool:
    """Post "Help me choose"'s first question at `dest` (a DM or a thread), as when someone
    types "recommend" there; False when the bot is not in that channel."""
    if dest.channel is None:
        return False
    text, blocks = _first_question(recommender_of(services))
    return await _posted(client, text, blocks, channel=dest.channel, thread_ts=dest.thread_ts)


async def next_message(
    action_id: str, token: str, services: Services
) -> tuple[str, list[Block]] | None:
    """What the dialog message shows after a click; None for a repeated click."""
    recommender = recommender_of(services)
    try:
        state = decode_state(token, recommender.key)
        if not await services.deduper.first_time(f"dialog:{state.key}:{action_id}"):
            logger.info("Skipping a repeated click on dialog state %s", state.key)
            return None
        if action_id == ACTION_DIALOG_CANCEL:
            return CANCELLED_TEXT, build_dialog_cancelled()
        step = parse_dialog_action(action_id)
        if step is None:
            raise DialogStateError("unreadable", f"unknown dialog action {action_id!r}")
        moved = apply_action(state, *step, sizes=recommender.config.sizing.sizes)
    except DialogStateError as exc:
        logger.info("Dialog state is %s (%s): asking to start over", exc.reason, exc)
        return EXPIRED_TEXT, build_dialog_expired()
    if isinstance(moved, DialogDone):
        rec = recommender.recommend(moved.answers)
        return recommendation_text(rec), build_recommendation(rec, services.answerer.kb)
    blocks = build_dialog_question(moved, recommender.config, key=recommender.key)
    return question_text(moved, recommender.config), blocks


async def handle_dialog_click(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond,
    services: Services,
) -> None:
    """Answer, pick a size, skip, go back, start over or cancel: the message shows what's next."""
    await ack()
    reply_to = respond_for(body, respond)
    dest = action_destination(body)
    async with apologising(
        "move the recommendation dialog on", dest, client=client, respond=reply_to
    ):
        shown = await next_message(
            str(action["action_id"]), str(action.get("value") or ""), services
        )
        if shown is not None:
            await _replace(body, client, *shown)


def register(app: AsyncApp) -> None:
    """Listen for the dialog's buttons and the form's submission.

    The "Help me choose" button itself stays with bot.slack.listeners.actions, which calls
    `start_recommendation`, as the slash command does.
    """
    app.action(DIALOG_ACTION_PATTERN)(guarded(handle_dialog_click))
    app.view(CALLBACK_RECOMMEND_MODAL)(guarded(handle_recommend_submission))
