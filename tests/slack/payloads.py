"""Slack's real request formats, signed with the signing secret, for the Bolt app under test."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

from bot.slack.standin import BOT_USER_ID, TEAM_ID

SIGNING_SECRET = "test-signing-secret-not-real"
APP_ID = "A0TEST"
USER_ID = "U0ALICE"
CHANNEL_ID = "C0GENERAL"
DM_CHANNEL_ID = "D0ALICE"
_ids = itertools.count(1)


def _signature(body: str | bytes, timestamp: str, secret: str) -> str | None:
    if isinstance(body, str):
        return SignatureVerifier(secret).generate_signature(timestamp=timestamp, body=body)
    # SignatureVerifier decodes bytes as UTF-8 first; Slack's formula works on any bytes.
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def signed_headers(
    body: str | bytes,
    *,
    secret: str = SIGNING_SECRET,
    timestamp: int | None = None,
    form: bool = True,
) -> dict[str, str]:
    """The headers Slack sends: content type, request timestamp and v0 signature (of the
    UTF-8 encoding of a `str` body, or of the bytes as they are)."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    signature = _signature(body, ts, secret)
    return {
        "Content-Type": "application/x-www-form-urlencoded" if form else "application/json",
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": signature,
    }


def new_trigger_id() -> str:
    """A fresh trigger_id, as Slack sends with commands and clicks."""
    return f"{next(_ids)}.1234.abcdef"


def slash_command(
    text: str, response_url: str, *, user_id: str = USER_ID, trigger_id: str | None = None
) -> str:
    """A /ecs-vs-ec2 invocation as the form body Slack posts."""
    return urlencode(
        {
            "token": "verification-token-unused",
            "team_id": TEAM_ID,
            "team_domain": "test",
            "channel_id": CHANNEL_ID,
            "channel_name": "general",
            "user_id": user_id,
            "user_name": "alice",
            "command": "/ecs-vs-ec2",
            "text": text,
            "api_app_id": APP_ID,
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": trigger_id or new_trigger_id(),
        }
    )


def event_callback(event: dict[str, Any], *, event_id: str | None = None) -> str:
    """An Events API envelope around `event`, as the JSON body Slack posts."""
    return json.dumps(
        {
            "token": "verification-token-unused",
            "team_id": TEAM_ID,
            "api_app_id": APP_ID,
            "event": event,
            "type": "event_callback",
            "event_id": event_id or f"Ev{next(_ids):08d}",
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
            "event_context": "4-eyJldCI6ImFwcF9tZW50aW9uIn0",
        }
    )


def new_ts() -> str:
    """A fresh message timestamp."""
    return f"{int(time.time())}.{next(_ids):06d}"


def app_mention(
    text: str, *, ts: str, thread_ts: str | None = None, **extra: Any
) -> dict[str, Any]:
    """An app_mention event in a channel (in a thread when `thread_ts` is given)."""
    event = {
        "type": "app_mention",
        "user": USER_ID,
        "text": text,
        "ts": ts,
        "client_msg_id": f"msg-{next(_ids)}",
        "team": TEAM_ID,
        "channel": CHANNEL_ID,
        "event_ts": ts,
        **extra,
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def im_message(text: str, *, ts: str | None = None, **extra: Any) -> dict[str, Any]:
    """A message.im event: a person writing to the bot in its DM."""
    ts = ts or new_ts()
    return {
        "type": "message",
        "channel": DM_CHANNEL_ID,
        "user": USER_ID,
        "text": text,
        "ts": ts,
        "event_ts": ts,
        "channel_type": "im",
        "client_msg_id": f"msg-{next(_ids)}",
        "team": TEAM_ID,
        **extra,
    }


def app_home_opened(tab: str = "home") -> dict[str, Any]:
    """The app_home_opened event."""
    return {
        "type": "app_home_opened",
        "user": USER_ID,
        "channel": DM_CHANNEL_ID,
        "tab": tab,
        "event_ts": new_ts(),
    }


def url_verification(challenge: str) -> str:
    """The challenge Slack sends when the Request URL is set."""
    return json.dumps({"token": "unused", "challenge": challenge, "type": "url_verification"})


def _interaction(payload: dict[str, Any]) -> str:
    return urlencode({"payload": json.dumps(payload)})


def button_click(
    action_id: str,
    value: str,
    *,
    container: dict[str, Any],
    response_url: str | None = None,
    message: dict[str, Any] | None = None,
    trigger_id: str | None = None,
    action_ts: str | None = None,
) -> str:
    """A block_actions payload for a button click inside `container` (message or view)."""
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": {"id": USER_ID, "username": "alice", "name": "alice", "team_id": TEAM_ID},
        "api_app_id": APP_ID,
        "token": "verification-token-unused",
        "container": container,
        "trigger_id": trigger_id or new_trigger_id(),
        "team": {"id": TEAM_ID, "domain": "test"},
        "enterprise": None,
        "is_enterprise_install": False,
        "state": {"values": {}},
        "actions": [
            {
                "action_id": action_id,
                "block_id": "b1",
                "text": {"type": "plain_text", "text": "A button", "emoji": True},
                "value": value,
                "type": "button",
                "action_ts": action_ts or new_ts(),
            }
        ],
    }
    if container.get("type") == "message":
        payload["channel"] = {"id": container["channel_id"], "name": "general"}
        payload["message"] = message or {"type": "message", "ts": container["message_ts"]}
    if container.get("type") == "view":
        payload["view"] = {"id": container["view_id"], "type": "home", "blocks": []}
    if response_url:
        payload["response_url"] = response_url
    return _interaction(payload)


def message_container(
    channel: str, message_ts: str, *, thread_ts: str | None = None, ephemeral: bool = False
) -> dict[str, Any]:
    """The container of a button in a message."""
    container: dict[str, Any] = {
        "type": "message",
        "message_ts": message_ts,
        "channel_id": channel,
        "is_ephemeral": ephemeral,
    }
    if thread_ts:
        container["thread_ts"] = thread_ts
    return container


def home_container() -> dict[str, Any]:
    """The container of a button on the App Home tab."""
    return {"type": "view", "view_id": "V0HOME"}


def radio_state(value: str) -> dict[str, Any]:
    """What `view.state.values` holds for a radio buttons element with `value` chosen."""
    option = {"text": {"type": "plain_text", "text": value, "emoji": True}, "value": value}
    return {"type": "radio_buttons", "selected_option": option}


def number_state(value: str | None) -> dict[str, Any]:
    """What `view.state.values` holds for a number input as typed (None when left empty)."""
    return {"type": "number_input", "value": value}


def view_submission(
    callback_id: str,
    *,
    private_metadata: str = "",
    values: dict[str, dict[str, Any]] | None = None,
    view_id: str = "V0MODAL",
) -> str:
    """A view_submission payload for a modal with `callback_id`: its inputs' `values` by
    block id and action id, and the private_metadata the modal was opened with."""
    return _interaction(
        {
            "type": "view_submission",
            "team": {"id": TEAM_ID, "domain": "test"},
            "user": {"id": USER_ID, "username": "alice", "name": "alice", "team_id": TEAM_ID},
            "api_app_id": APP_ID,
            "token": "verification-token-unused",
            "trigger_id": new_trigger_id(),
            "view": {
                "id": view_id,
                "type": "modal",
                "callback_id": callback_id,
                "private_metadata": private_metadata,
                "state": {"values": values or {}},
                "hash": "1.abc",
                "title": {"type": "plain_text", "text": "Test"},
                "blocks": [],
            },
            "response_urls": [],
        }
    )
