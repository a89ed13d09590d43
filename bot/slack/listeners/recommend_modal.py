"""The "Help me choose" form: every question in one modal, the result sent privately or as a DM.

Used where a dialog message cannot live or be updated: the slash command and ephemeral answers
(chat.update cannot touch ephemeral messages), and App Home (see `reply_target`).
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import Block
from slack_sdk.web.async_client import AsyncWebClient

from bot.answering import Recommender
from bot.blocks import (
    COMMAND,
    ModalInputError,
    build_modal_notice,
    build_recommend_modal,
    build_recommendation,
    read_recommend_submission,
    recommendation_text,
    to_dicts,
)
from bot.recommend import Answers, DialogStateError, ReplyTarget, decode_reply_target
from bot.slack.delivery_scope import post_message
from bot.slack.listeners.common import SORRY
from bot.slack.services import Services

logger = logging.getLogger(__name__)

FORM_EXPIRED = (
    "This form has expired or I couldn't read it. Let's start over: close it and run "
    f"`{COMMAND} recommend` again."
)


def recommender_of(services: Services) -> Recommender:
    """The app's Recommender; create_app always sets one."""
    if services.recommender is None:
        raise RuntimeError("the app was built without a recommender")
    return services.recommender


def reply_target(body: dict[str, Any]) -> ReplyTarget:
    """Where the form's result goes: privately in the channel it was opened from; from App Home
    (no channel) as a DM, which keeps the result where the user can find it again."""
    if "command" in body:
        return ReplyTarget(user_id=body["user_id"], channel_id=body.get("channel_id") or None)
    user_id = body["user"]["id"]
    container: dict[str, Any] = body.get("container") or {}
    if container.get("type") != "message":
        return ReplyTarget(user_id=user_id)
    return ReplyTarget(
        user_id=user_id,
        channel_id=container.get("channel_id"),
        thread_ts=container.get("thread_ts"),
    )


async def open_modal(
    body: dict[str, Any], client: AsyncWebClient, recommender: Recommender
) -> None:
    """Open the form with the request's trigger_id (valid for 3 s, so before any slow work)."""
    view = build_recommend_modal(recommender.config, reply_target(body), key=recommender.key)
    await client.views_open(trigger_id=body["trigger_id"], view=view)


def _notice(text: str) -> dict[str, Any]:
    return {"response_action": "update", "view": build_modal_notice(text).to_dict()}


def read_form(
    view: dict[str, Any], user_id: str, key: bytes
) -> tuple[Answers, ReplyTarget] | dict[str, Any]:
    """The answers and reply target of a submitted form, or what to ack Slack with instead."""
    try:
        answers = read_recommend_submission(view["state"]["values"])
    except ModalInputError as exc:
        return {"response_action": "errors", "errors": exc.errors}
    try:
        target = decode_reply_target(str(view.get("private_metadata") or ""), key)
    except DialogStateError as exc:
        logger.info("Help me choose form state is %s (%s): asking to start over", exc.reason, exc)
        return _notice(FORM_EXPIRED)
    if target.user_id != user_id:
        logger.info("Help me choose form submitted by another user: asking to start over")
        return _notice(FORM_EXPIRED)
    return answers, target


async def deliver(
    client: AsyncWebClient, target: ReplyTarget, text: str, blocks: list[Block]
) -> None:
    """Send the result privately in the target's channel, or as a DM when that fails (a channel
    the bot is not in, a DM between people) or there is no channel."""
    payload = to_dicts(blocks)
    if target.channel_id is not None:
        try:
            await client.chat_postEphemeral(
                channel=target.channel_id,
                user=target.user_id,
                thread_ts=target.thread_ts,
                text=text,
                blocks=payload,
            )
            return
        except SlackApiError as exc:
            error = exc.response.get("error")
            logger.info(
                "Could not answer privately in %s (%s): DM instead", target.channel_id, error
            )
    await post_message(client, channel=target.user_id, thread_ts=None, text=text, blocks=payload)


async def _send_recommendation(
    client: AsyncWebClient, services: Services, answers: Answers, target: ReplyTarget
) -> None:
    """Recommend from a submitted form's answers and deliver the result to `target`."""
    try:
        rec = recommender_of(services).recommend(answers)
        blocks = build_recommendation(rec, services.answerer.kb)
        await deliver(client, target, recommendation_text(rec), blocks)
    except Exception:
        # The form is closed: there is nowhere left to apologise but the log.
        logger.exception("Failed to send a recommendation")


async def handle_recommend_submission(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
    services: Services,
) -> None:
    """Check the form (errors shown in it), close it, and send the recommendation."""
    try:
        recommender = recommender_of(services)
        form = read_form(view, body["user"]["id"], recommender.key)
    except Exception:
        logger.exception("Failed to read a Help me choose form")
        await ack(**_notice(SORRY))
        return
    if isinstance(form, dict):
        await ack(**form)
        return
    await ack()
    # Only one recommendation per form, whichever replica gets a repeated submission.
    if not await services.deduper.first_time(f"modal:{view.get('id')}"):
        logger.info("Skipping a repeated submission of form %s", view.get("id"))
        return
    answers, target = form
    await _send_recommendation(client, services, answers, target)
