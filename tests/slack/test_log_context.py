"""Log lines written while handling a Slack request carry its ids (LOG_FORMAT=json)."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from typing import Any

import pytest

from bot.logs import prepare_handler
from tests.slack import payloads
from tests.slack.conftest import BotUnderTest

TRACE_ID = "Root=1-67891233-abcdef012345678912345678"


async def lines_until(stream: io.StringIO, message: str) -> list[dict[str, Any]]:
    """The JSON lines written so far, once one has `message` (listeners log after the ack)."""
    for _ in range(500):
        lines = [json.loads(line) for line in stream.getvalue().splitlines()]
        if any(line["message"] == message for line in lines):
            return lines
        await asyncio.sleep(0.01)
    raise AssertionError(f"no line {message!r} in:\n{stream.getvalue()}")


FAILED = "Failed to answer a dm: chat.postMessage: HTTP 200 (channel_not_found)"


@pytest.mark.asyncio
async def test_a_requests_lines_carry_its_event_id_and_request_id(
    bot: BotUnderTest, caplog: pytest.LogCaptureFixture
) -> None:
    """A DM whose answer Slack refuses: the listener's failure line carries the event id and
    the load balancer's trace id; Slack's retry of it, dropped, logs the same event id under
    a request id of its own."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    prepare_handler(handler, [], "json")
    logging.getLogger().addHandler(handler)
    body = payloads.event_callback(payloads.im_message("how is fargate billed?"), event_id="EvLOG1")
    headers = payloads.signed_headers(body, form=False)
    try:
        with caplog.at_level(logging.INFO):
            bot.api.fail_next("chat.postMessage", 200, error="channel_not_found")
            await bot.post(body, form=False, headers={**headers, "X-Amzn-Trace-Id": TRACE_ID})
            failed = await lines_until(stream, FAILED)
            await bot.post(body, form=False, headers=headers)
            retried = await lines_until(stream, "Skipping event:EvLOG1: already handled (a retry, an edit or a replica)")  # fmt: skip
    finally:
        logging.getLogger().removeHandler(handler)
    [failure] = [line for line in failed if line["message"] == FAILED]
    assert (failure["event_id"], failure["request_id"]) == ("EvLOG1", TRACE_ID)
    assert failure["level"] == "WARNING"  # a Slack refusal is one line, no traceback
    [skip] = [line for line in retried if line["message"].startswith("Skipping event:EvLOG1")]
    assert skip["event_id"] == "EvLOG1"
    assert len(skip["request_id"]) == 32 and skip["request_id"] != TRACE_ID
