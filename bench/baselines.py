"""Bare Bolt `AsyncApp`s: what Slack Bolt itself costs, to measure `ecsbot serve` against.

    python bench/baselines.py ack       # /ecs-vs-ec2 only acks
    python bench/baselines.py respond   # acks, then posts a fixed answer to response_url
    python bench/baselines.py mention   # app_mention: posts a fixed reply in the thread

Each serves POST /slack/events on 127.0.0.1:$PORT with Bolt's own aiohttp server, and reads
SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET and SLACK_API_URL like the bot does.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

COMMAND = "/ecs-vs-ec2"
ANSWER = "ECS itself is free: you pay for the EC2 instances or Fargate vCPU and memory."
BLOCKS = [{"type": "section", "text": {"type": "mrkdwn", "text": ANSWER}}]


async def ack_only(ack: AsyncAck) -> None:
    """Acknowledge the command, nothing else."""
    await ack()


async def ack_and_respond(ack: AsyncAck, respond: AsyncRespond) -> None:
    """Acknowledge, then post one fixed section to response_url."""
    await ack()
    await respond(text=ANSWER, blocks=BLOCKS, response_type="ephemeral")


async def reply_in_thread(event: dict[str, Any], client: AsyncWebClient) -> None:
    """Post one fixed section in the mention's thread."""
    thread_ts = event.get("thread_ts") or event["ts"]
    await client.chat_postMessage(
        channel=event["channel"], thread_ts=thread_ts, text=ANSWER, blocks=BLOCKS
    )


def build(kind: str) -> AsyncApp:
    """The bare app for `kind` (ack, respond or mention)."""
    app = AsyncApp(
        token=os.environ["SLACK_BOT_TOKEN"],
        signing_secret=os.environ["SLACK_SIGNING_SECRET"],
        client=AsyncWebClient(
            token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"]
        ),
    )
    if kind == "ack":
        app.command(COMMAND)(ack_only)
    elif kind == "respond":
        app.command(COMMAND)(ack_and_respond)
    elif kind == "mention":
        app.event("app_mention")(reply_in_thread)
    else:
        raise SystemExit(f"unknown baseline {kind!r}: ack, respond or mention")
    return app


if __name__ == "__main__":
    build(sys.argv[1]).start(port=int(os.environ["PORT"]), host="127.0.0.1")
