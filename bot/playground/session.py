"""The playground's go-between: what the person does in the page becomes Slack's requests to
the Bolt app, and what the bot sends the Web API stand-in becomes events for the page.

The person types, clicks and submits; `Playground` turns each into the request Slack would
send (signed with the local signing secret) and posts it to the Bolt app's /slack/events. The
bot answers through the stand-in, whose `on_call` hands every call to `record`.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import aiohttp

from bot.blocks import COMMAND
from bot.matching import escape_mrkdwn
from bot.playground import payloads
from bot.playground.conversation import Conversation, Event, Message, ReplyPlace, find_element
from bot.playground.hub import Hub
from bot.playground.payloads import CHANNEL_ID, DM_CHANNEL_ID, SlackRequest
from bot.playground.surfaces import Raw, Surfaces, client_errors, state_values
from bot.slack.standin import BOT_USER_ID, Call

logger = logging.getLogger(__name__)

CHANNELS = (DM_CHANNEL_ID, CHANNEL_ID)
BOT_NAME = "ecs-vs-ec2"  # the bot user's display name in the app manifest
# More patient than Slack's 3 seconds: the playground shows the bot at work, it does not time it.
ACK_TIMEOUT = aiohttp.ClientTimeout(total=10)


class PlaygroundError(ValueError):
    """The page asked for something that does not exist (an unknown channel, message or view)."""


class Playground:
    """One person, a DM with the bot and #general: the page's actions as Slack requests."""

    def __init__(self, signing_secret: str) -> None:
        self.signing_secret = signing_secret
        self.conversation = Conversation()
        self.surfaces = Surfaces()
        self.hub = Hub()
        self.events_url = ""  # the Bolt app's /slack/events, set once it listens
        self.response_base = ""  # the stand-in's response_url prefix, set once it listens
        self.session: aiohttp.ClientSession | None = None

    def snapshot(self) -> Event:
        """Everything the page shows, for a page that just connected."""
        return {
            "type": "snapshot",
            "messages": self.conversation.snapshot(),
            "home": self.surfaces.home,
            "modal": self.surfaces.modal_event(),
            "channels": {DM_CHANNEL_ID: BOT_NAME, CHANNEL_ID: payloads.CHANNEL_NAME},
            "users": {BOT_USER_ID: BOT_NAME, payloads.USER_ID: payloads.USER_NAME},
            "bot_name": BOT_NAME,
            "command": COMMAND,
        }

    def record(self, call: Call) -> None:
        """Show what the bot just sent the Web API stand-in."""
        if call.method.startswith("views."):
            self.hub.publish(self.surfaces.apply(call.method, call.body))
        else:
            self.hub.publish(self.conversation.apply(call.method, call.body, call.answer))

    def _notice(self, channel: str, text: str) -> None:
        """Slackbot tells the person, privately, what Slack would say (a failed request)."""
        ts = self.conversation.stamp()
        note = Message(channel=channel, ts=ts, text=text, author="slackbot", ephemeral=True)
        self.hub.publish([self.conversation.add(note)])

    async def _forward(self, request: SlackRequest) -> tuple[int, str]:
        """POST `request`, signed, to the Bolt app: its status and body (the ack)."""
        assert self.session is not None, "the playground is not started"
        headers = request.headers(self.signing_secret)
        try:
            async with self.session.post(
                self.events_url, data=request.body.encode(), headers=headers, timeout=ACK_TIMEOUT
            ) as response:
                return response.status, await response.text()
        except (aiohttp.ClientError, TimeoutError) as exc:
            logger.warning("The Bolt app did not answer: %s", type(exc).__name__)
            return 0, ""

    def _failed(self, status: int, channel: str, what: str) -> bool:
        if status == 200:
            return False
        reason = f"HTTP {status}" if status else "no answer"
        self._notice(channel, f"{what} failed: the app answered with {reason}. See its log.")
        return True

    async def say(self, channel: str, text: str, thread_ts: str | None = None) -> None:
        """The person types `text` in `channel`, or in the thread of `thread_ts` there: a
        slash command, or a message to the bot."""
        if channel not in CHANNELS:
            raise PlaygroundError(f"unknown channel {channel!r}")
        if thread_ts is not None and not self.conversation.has_message(channel, thread_ts):
            raise PlaygroundError(f"no message {thread_ts!r} in {channel!r} to reply to")
        if text.lstrip().startswith("/"):
            await self._command(channel, text.strip())
            return
        text = escape_mrkdwn(text)  # Slack escapes &, < and > in what people type
        if channel == CHANNEL_ID:  # in a channel the bot hears only its @mentions
            text = f"<@{BOT_USER_ID}> {text}"
        message = self.conversation.typed(channel, text, thread_ts)
        self.hub.publish([self.conversation.add(message)])
        event = payloads.user_message(channel, message.text, message.ts, thread_ts)
        status, _ = await self._forward(payloads.event_callback(event))
        self._failed(status, channel, "Sending your message")

    async def _command(self, channel: str, line: str) -> None:
        command, _, text = line.partition(" ")
        if command != COMMAND:
            unknown = escape_mrkdwn(command)
            self._notice(channel, f"`{unknown}` is not a valid command. Try `{COMMAND} help`.")
            return
        key = self.conversation.reply_place(ReplyPlace(channel=channel))
        url = self.response_base + key
        request = payloads.slash_command(command, escape_mrkdwn(text.strip()), channel, url)
        status, body = await self._forward(request)
        if not self._failed(status, channel, command):
            self._acked_command(channel, body)

    def _acked_command(self, channel: str, body: str) -> None:
        """A command acked with a message (`ack(text=...)`) shows it, like a response_url post."""
        try:
            answer = json.loads(body) if body.strip() else None
        except json.JSONDecodeError:
            answer = {"text": body}
        if isinstance(answer, dict) and (answer.get("text") or answer.get("blocks")):
            key = self.conversation.reply_place(ReplyPlace(channel=channel))
            self.hub.publish(self.conversation.apply("response_url", {**answer, "_key": key}, {}))

    async def open_home(self) -> None:
        """The person opens the App Home tab."""
        status, _ = await self._forward(payloads.event_callback(payloads.app_home_opened()))
        self._failed(status, DM_CHANNEL_ID, "Opening App Home")

    async def act_in_message(
        self, key: str, block_id: str, action_id: str, value: str | None
    ) -> None:
        """The person clicks a button (or picks an option) in message `key`."""
        message = self.conversation.messages.get(key)
        element = find_element(message.blocks, block_id, action_id) if message else None
        if message is None or element is None:
            raise PlaygroundError("that message or button is gone")
        shown = message.to_json()
        place = ReplyPlace(channel=message.channel, thread_ts=message.thread_ts, original=key)
        payload: dict[str, Any] = {
            "type": "block_actions",
            "container": payloads.message_container(shown),
            "channel": {"id": message.channel, "name": payloads.channel_name(message.channel)},
            "response_url": self.response_base + self.conversation.reply_place(place),
            "state": {"values": {}},
            "actions": [payloads.block_action(element, block_id, value)],
        }
        if not message.ephemeral:
            payload["message"] = payloads.message_payload(shown)
        status, _ = await self._forward(payloads.interaction(payload))
        self._failed(status, message.channel, "That button")

    async def act_in_view(
        self, view_id: str, block_id: str, action_id: str, value: str | None
    ) -> None:
        """The person clicks a button (or picks an option) in a modal or on App Home."""
        view = self.surfaces.find(view_id)
        element = find_element(view["blocks"], block_id, action_id) if view else None
        if view is None or element is None:
            raise PlaygroundError("that view or button is gone")
        payload = {
            "type": "block_actions",
            "container": {"type": "view", "view_id": view_id},
            "view": {**view, "state": {"values": {}}},
            "actions": [payloads.block_action(element, block_id, value)],
        }
        status, _ = await self._forward(payloads.interaction(payload))
        self._failed(status, DM_CHANNEL_ID, "That button")

    async def submit(self, view_id: str, raw: dict[str, Raw]) -> None:
        """The person submits the modal `view_id` with `raw` inputs (by block id)."""
        view = self.surfaces.find(view_id)
        if view is None or view.get("type") != "modal":
            raise PlaygroundError("that form is closed")
        if errors := client_errors(view, raw):
            self.hub.publish([self.surfaces.show_errors(errors)])
            return
        submitted = {**view, "state": {"values": state_values(view, raw)}}
        payload = {"type": "view_submission", "view": submitted, "response_urls": []}
        status, body = await self._forward(payloads.interaction(payload))
        if self._failed(status, DM_CHANNEL_ID, "Submitting the form"):
            return
        try:
            answer = json.loads(body) if body.strip() else {}
        except json.JSONDecodeError:
            answer = {}
        self.hub.publish([self.surfaces.acked(view_id, answer if isinstance(answer, dict) else {})])

    async def close_view(self, view_id: str) -> None:
        """The person closes the modal `view_id` (its Cancel button); the bot hears of it
        (`view_closed`) when the view asked to (`notify_on_close`)."""
        view = self.surfaces.find(view_id)
        self.hub.publish([self.surfaces.close(view_id)])
        if view is not None and view.get("notify_on_close"):
            payload = {"type": "view_closed", "view": view, "is_cleared": False}
            status, _ = await self._forward(payloads.interaction(payload))
            self._failed(status, DM_CHANNEL_ID, "Closing the form")
