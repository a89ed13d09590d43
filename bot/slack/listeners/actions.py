"""Button clicks: related / did-you-mean / example questions, feedback, share, help me choose."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.models.blocks import ContextBlock, MarkdownTextObject
from slack_sdk.web.async_client import AsyncWebClient

from bot.blocks import (
    ACTION_ANSWER_TOPIC,
    ACTION_FEEDBACK,
    ACTION_HELP_ME_CHOOSE,
    ACTION_SHARE,
    FEEDBACK_HELPFUL,
    FEEDBACK_UNHELPFUL,
    to_dicts,
)
from bot.ports import EntryPoint, Vote
from bot.slack.listeners.commands import start_recommendation
from bot.slack.listeners.common import (
    action_conversation,
    action_destination,
    apologising,
    guarded,
    private_destination,
    respond_for,
    send,
)
from bot.slack.listeners.delivery import responded
from bot.slack.services import UNKNOWN, Services

ANSWER_TOPIC_PATTERN = re.compile(rf"^{ACTION_ANSWER_TOPIC}:\d+$")
FEEDBACK_PATTERN = re.compile(rf"^{ACTION_FEEDBACK}:(?:{FEEDBACK_HELPFUL}|{FEEDBACK_UNHELPFUL})$")
USER_ID_PATTERN = re.compile(r"^[UW][A-Z0-9]+$")
TOPIC_GONE = "Sorry, I no longer have an answer for that. Try asking in your own words."
THANKS_HELPFUL = "Thanks for the feedback! Glad it helped."
THANKS_UNHELPFUL = (
    "Thanks for the feedback. Try asking in other words, or use *Help me choose* "
    "for a recommendation."
)
VOTE_NOT_SAVED = "Sorry, I couldn't save your vote just now. Please try again in a little while."
SHARE_FAILED = (
    "Sorry, Slack would not let me share that answer any more. Ask me again in the channel "
    "(mention me) to post a fresh one."
)


def mention(user_id: str) -> str:
    """A mention of a Slack user id, or "someone" for anything that is not one."""
    return f"<@{user_id}>" if USER_ID_PATTERN.match(user_id) else "someone"


def build_shared_by(user_id: str) -> ContextBlock:
    """The attribution under an answer someone shared in the channel."""
    return ContextBlock(elements=[MarkdownTextObject(text=f"Shared by {mention(user_id)}")])


def answer_ref(body: dict[str, Any]) -> str:
    """Which answer a vote is about: its channel and message timestamp."""
    container: dict[str, Any] = body.get("container") or {}
    return f"{container.get('channel_id', '')}:{container.get('message_ts', '')}"


def _workspace(body: dict[str, Any]) -> str | None:
    team = body.get("team") or {}
    return team.get("id") or (body.get("user") or {}).get("team_id")


async def handle_answer_topic(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond,
    services: Services,
) -> None:
    """Answer the clicked topic where the click happened (thread, DM, or ephemerally)."""
    await ack()
    dest = action_destination(body)
    reply_to = respond_for(body, respond)
    async with apologising("answer a topic button", dest, client=client, respond=reply_to):
        reply = services.answerer.reply_topic(str(action.get("value")), shareable=dest.ephemeral)
        if reply is None or reply.match is None or reply.match.topic is None:
            await send(dest, TOPIC_GONE, client=client, respond=reply_to)
            return
        await send(dest, reply.text, reply.blocks, client=client, respond=reply_to)
        # A follow-up after "did you mean → Fargate" continues from Fargate.
        conversation = action_conversation(_workspace(body) or UNKNOWN, dest)
        await services.turn_taken(conversation, reply.turn)
        entry_point: EntryPoint = (
            "home" if (body.get("container") or {}).get("type") == "view" else "button"
        )
        await services.answer_served(_workspace(body), reply.match.topic.id, entry_point)


async def _tell_voter(
    body: dict[str, Any], text: str, *, client: AsyncWebClient, respond: AsyncRespond | None
) -> None:
    """Tell the voter alone: through the response_url if there is one, else ephemerally."""
    dest = private_destination(body)
    async with apologising("thank for feedback", dest, client=client, respond=respond):
        await send(dest, text, client=client, respond=respond)


async def handle_feedback(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond,
    services: Services,
) -> None:
    """Record a helpful / not helpful vote and thank the voter, privately (or, when the vote
    could not be saved, say so)."""
    await ack()
    helpful = action["action_id"] == f"{ACTION_FEEDBACK}:{FEEDBACK_HELPFUL}"
    vote: Vote = "helpful" if helpful else "not_helpful"
    topic_id = str(action.get("value"))
    saved = await services.feedback_given(
        _workspace(body), body["user"]["id"], topic_id, answer_ref(body), vote
    )
    thanks = (THANKS_HELPFUL if helpful else THANKS_UNHELPFUL) if saved else VOTE_NOT_SAVED
    await _tell_voter(body, thanks, client=client, respond=respond_for(body, respond))


async def handle_share(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond,
    services: Services,
) -> None:
    """Post a privately received answer in the channel, attributed, and drop the private copy."""
    await ack()
    dest = private_destination(body)
    user_id = body["user"]["id"]
    async with apologising("share an answer", dest, client=client, respond=respond):
        reply = services.answerer.reply_topic(str(action.get("value")))
        if reply is None:
            await send(dest, TOPIC_GONE, client=client, respond=respond)
            return
        shared = await responded(
            respond,
            text=f"{reply.text} (shared by {mention(user_id)})",
            blocks=to_dicts([*reply.blocks, build_shared_by(user_id)]),
            response_type="in_channel",
            replace_original=False,
        )
        if not shared:
            await send(dest, SHARE_FAILED, client=client, respond=None)
            return
        await responded(respond, delete_original=True)


async def handle_help_me_choose(
    ack: AsyncAck,
    body: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond,
    services: Services,
) -> None:
    """Start the recommendation dialog from a "Help me choose" button."""
    await ack()
    dest = action_destination(body)
    reply_to = respond_for(body, respond)
    async with apologising("start the recommendation", dest, client=client, respond=reply_to):
        await start_recommendation(
            dest=dest, body=body, client=client, respond=reply_to, services=services
        )


def register(app: AsyncApp) -> None:
    """Listen for every button the answer blocks carry."""
    app.action(ANSWER_TOPIC_PATTERN)(guarded(handle_answer_topic))
    app.action(FEEDBACK_PATTERN)(guarded(handle_feedback))
    app.action(ACTION_SHARE)(guarded(handle_share))
    app.action(ACTION_HELP_ME_CHOOSE)(guarded(handle_help_me_choose))
