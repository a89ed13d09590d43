"""Slack's request formats, built for the playground's one person and signed like Slack signs.

The same shapes Slack posts to a Request URL: the Events API envelope (`message.im`,
`app_mention`, `app_home_opened`), the slash command form body, and the interactivity
`payload` (`block_actions`, `view_submission`). The Bolt app checks their signatures as it
would Slack's.
"""

from __future__ import annotations

import itertools
import json
import secrets
import time
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

from bot.slack.standin import BOT_ID, BOT_USER_ID, TEAM_ID

APP_ID = "A0PLAYGROUND"
USER_ID = "U0YOU"
USER_NAME = "you"
DM_CHANNEL_ID = "D0ECSBOT"  # a D… id: the bot treats it as a direct message
CHANNEL_ID = "C0GENERAL"
CHANNEL_NAME = "general"
_TOKEN = "verification-token-unused"  # Slack's legacy field; Bolt checks signatures instead
_serials = itertools.count(1)


@dataclass(frozen=True)
class SlackRequest:
    """A body as Slack would post it: JSON (events) or a form (commands, interactions)."""

    body: str
    form: bool

    def headers(self, signing_secret: str) -> dict[str, str]:
        """Content type, request timestamp and `v0=` signature over the body."""
        ts = str(int(time.time()))
        verifier = SignatureVerifier(signing_secret)
        signature = str(verifier.generate_signature(timestamp=ts, body=self.body))
        kind = "application/x-www-form-urlencoded" if self.form else "application/json"
        return {
            "Content-Type": kind,
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": signature,
        }


def new_ts() -> str:
    """A fresh message timestamp, "seconds.serial" like Slack's."""
    return f"{int(time.time())}.{next(_serials):06d}"


def new_trigger_id() -> str:
    """A fresh trigger_id, as Slack sends with commands and clicks."""
    return f"{next(_serials)}.{int(time.time())}.playground"


def _user() -> dict[str, str]:
    return {"id": USER_ID, "username": USER_NAME, "name": USER_NAME, "team_id": TEAM_ID}


def channel_name(channel_id: str) -> str:
    """How Slack names a channel in payloads ("directmessage" for a DM)."""
    return "directmessage" if channel_id.startswith("D") else CHANNEL_NAME


def event_callback(event: dict[str, Any]) -> SlackRequest:
    """An Events API envelope around `event`."""
    envelope = {
        "token": _TOKEN,
        "team_id": TEAM_ID,
        "api_app_id": APP_ID,
        "event": event,
        "type": "event_callback",
        # Unique across runs too: the bot's deduper remembers event ids in the database.
        "event_id": f"Ev{secrets.token_hex(6).upper()}",
        "event_time": int(time.time()),
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": TEAM_ID,
                "user_id": BOT_USER_ID,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
    }
    return SlackRequest(json.dumps(envelope), form=False)


def user_message(
    channel_id: str, text: str, ts: str, thread_ts: str | None = None
) -> dict[str, Any]:
    """The event for a message typed in `channel_id` (in the thread of `thread_ts` when given):
    `message` (channel_type im) in the DM, `app_mention` in a channel (the text then starts
    with the bot's mention)."""
    event: dict[str, Any] = {
        "type": "message" if channel_id.startswith("D") else "app_mention",
        "user": USER_ID,
        "text": text,
        "ts": ts,
        "event_ts": ts,
        "channel": channel_id,
        "team": TEAM_ID,
        "client_msg_id": str(uuid.uuid4()),
    }
    if channel_id.startswith("D"):
        event["channel_type"] = "im"
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def app_home_opened() -> dict[str, Any]:
    """The event Slack sends each time the person opens the App Home tab."""
    return {
        "type": "app_home_opened",
        "user": USER_ID,
        "channel": DM_CHANNEL_ID,
        "tab": "home",
        "event_ts": new_ts(),
    }


def slash_command(command: str, text: str, channel_id: str, response_url: str) -> SlackRequest:
    """A slash command as the form body Slack posts."""
    fields = {
        "token": _TOKEN,
        "team_id": TEAM_ID,
        "team_domain": "playground",
        "channel_id": channel_id,
        "channel_name": channel_name(channel_id),
        "user_id": USER_ID,
        "user_name": USER_NAME,
        "command": command,
        "text": text,
        "api_app_id": APP_ID,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": new_trigger_id(),
    }
    return SlackRequest(urlencode(fields), form=True)


def interaction(payload: dict[str, Any]) -> SlackRequest:
    """An interactivity request: the JSON payload in a `payload` form field."""
    common = {
        "user": _user(),
        "api_app_id": APP_ID,
        "token": _TOKEN,
        "team": {"id": TEAM_ID, "domain": "playground"},
        "enterprise": None,
        "is_enterprise_install": False,
        "trigger_id": new_trigger_id(),
    }
    return SlackRequest(urlencode({"payload": json.dumps({**common, **payload})}), form=True)


def message_container(message: dict[str, Any]) -> dict[str, Any]:
    """The `container` of an element in a message (channel, ts, thread, ephemeral or not)."""
    container = {
        "type": "message",
        "message_ts": message["ts"],
        "channel_id": message["channel"],
        "is_ephemeral": message["ephemeral"],
    }
    if message.get("thread_ts"):
        container["thread_ts"] = message["thread_ts"]
    return container


def message_payload(message: dict[str, Any]) -> dict[str, Any]:
    """The `message` Slack includes in block_actions on a (non-ephemeral) bot message."""
    payload = {
        "type": "message",
        "user": BOT_USER_ID,
        "bot_id": BOT_ID,
        "app_id": APP_ID,
        "ts": message["ts"],
        "text": message["text"],
        "blocks": message["blocks"],
        "team": TEAM_ID,
    }
    if message.get("thread_ts"):
        payload["thread_ts"] = message["thread_ts"]
    return payload


def block_action(element: dict[str, Any], block_id: str, value: str | None) -> dict[str, Any]:
    """One entry of block_actions' `actions`: the clicked button, or the option chosen."""
    action = {
        "type": element["type"],
        "action_id": element["action_id"],
        "block_id": block_id,
        "action_ts": f"{time.time():.6f}",
    }
    if element["type"] == "button":
        action |= {k: element[k] for k in ("text", "value", "style") if k in element}
        return action
    chosen = [o for o in element.get("options", []) if o.get("value") == value]
    action["selected_option"] = chosen[0] if chosen else None
    return action
