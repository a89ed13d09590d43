"""Socket Mode: the same app, reached over a WebSocket instead of HTTP."""

from __future__ import annotations

import asyncio
import json
from urllib.parse import parse_qsl

import pytest

from bot.answering import Answerer
from bot.slack import create_app, serve_socket_mode
from bot.slack.standin import APP_TOKEN, SlackStandIn
from tests.slack import payloads
from tests.slack.conftest import bot_settings


@pytest.mark.asyncio
async def test_socket_mode_answers_events_and_commands(
    slack_api: SlackStandIn, slack_answerer: Answerer
) -> None:
    """With SLACK_APP_TOKEN and no signing secret, events and commands arrive over the
    WebSocket, are acknowledged there and answered through the Web API."""
    settings = bot_settings(slack_api, slack_signing_secret=None, slack_app_token=APP_TOKEN)
    stop = asyncio.Event()
    running = asyncio.create_task(
        serve_socket_mode(create_app(settings, slack_answerer), APP_TOKEN, stop)
    )
    try:
        event = json.loads(payloads.event_callback(payloads.im_message("what is fargate?")))
        await slack_api.push({"envelope_id": "env-1", "type": "events_api", "payload": event})
        command = dict(parse_qsl(payloads.slash_command("help", slack_api.response_url("sm"))))
        await slack_api.push({"envelope_id": "env-2", "type": "slash_commands", "payload": command})
        [answer] = await slack_api.wait_for("chat.postMessage")
        acks = await slack_api.wait_for("socket_ack", 2)
    finally:
        stop.set()
        await running
    assert answer.body["channel"] == payloads.DM_CHANNEL_ID
    assert answer.body["text"].startswith("What AWS Fargate is")
    # The help is in the command's ack itself, sent back over the WebSocket.
    [help_reply] = [a.body["payload"] for a in acks if a.body["envelope_id"] == "env-2"]
    assert help_reply["response_type"] == "ephemeral" and help_reply["blocks"]
    assert slack_api.of("response_url") == []
    assert {a.body["envelope_id"] for a in acks} == {"env-1", "env-2"}
