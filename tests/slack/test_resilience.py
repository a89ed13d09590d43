"""Slack answering 429 or 5xx, listeners failing: retries, logs, and a friendly message."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.answering import Answerer, Reply, Turn
from bot.knowledge import KnowledgeBase
from bot.slack import create_app, create_web_app
from bot.slack.listeners.common import SORRY
from bot.slack.standin import SlackStandIn
from tests.slack import payloads
from tests.slack.conftest import BotUnderTest, bot_settings
from tests.slack.serving import serving
from tests.waiting import BACKGROUND_SECONDS


@pytest.mark.asyncio
async def test_rate_limited_post_is_retried(bot: BotUnderTest) -> None:
    """A 429 with Retry-After is waited out and the answer is posted on the retry."""
    bot.api.fail_next("chat.postMessage", 429, **{"Retry-After": "0"})
    await bot.event(payloads.im_message("how is fargate billed?"))
    [call] = await bot.api.wait_for("chat.postMessage")
    assert [c.method for c in bot.api.calls] == ["chat.postMessage:429", "chat.postMessage"]
    assert call.body["channel"] == payloads.DM_CHANNEL_ID


@pytest.mark.asyncio
async def test_server_error_is_retried(bot: BotUnderTest) -> None:
    """A 503 from Slack is retried and the Home tab still gets published."""
    bot.api.fail_next("views.publish", 503)
    await bot.event(payloads.app_home_opened())
    await bot.api.wait_for("views.publish")
    assert [c.method for c in bot.api.calls] == ["views.publish:503", "views.publish"]


class BrokenAnswerer(Answerer):
    """An answerer whose every reply fails."""

    def reply(
        self, question: str, *, shareable: bool = False, previous: Turn | None = None
    ) -> Reply:
        raise RuntimeError("the index is on fire")


@pytest.mark.asyncio
async def test_failure_is_logged_and_the_user_gets_a_friendly_message(
    slack_api: SlackStandIn, slack_kb: KnowledgeBase, caplog: pytest.LogCaptureFixture
) -> None:
    """When answering fails the user sees an apology, never a traceback, and the log has it."""
    app = create_app(bot_settings(slack_api), BrokenAnswerer(slack_kb))
    async with TestClient(TestServer(create_web_app(app), host="127.0.0.1")) as client:
        bot = BotUnderTest(client, slack_api)
        with caplog.at_level(logging.ERROR):
            command_reply = (await bot.command("how is fargate billed?")).reply()
            await bot.event(payloads.app_mention("hi how is fargate billed?", ts="1.1"))
            [mention_reply] = await slack_api.wait_for("chat.postMessage")
    for reply in (command_reply, mention_reply):
        assert reply.body["text"] == SORRY
        assert "Traceback" not in str(reply.body) and "on fire" not in str(reply.body)
    failures = [r for r in caplog.records if r.getMessage().startswith("Failed to answer")]
    assert len(failures) == 2 and all(r.exc_info for r in failures)


# Retries in tenths of a second instead of seconds (OUTBOX_* settings).
FAST_OUTBOX: dict[str, Any] = dict(
    outbox_retry_base_seconds=0.05, outbox_retry_max_seconds=0.2, outbox_poll_seconds=0.05
)


@pytest.mark.asyncio
async def test_slack_failing_for_a_while_still_gets_the_answer_through(
    slack_api: SlackStandIn, slack_answerer: Answerer, caplog: pytest.LogCaptureFixture
) -> None:
    """Slack answers 500 three times: the outbox retries, looks in the DM first (a 500'd post
    may have been taken), and the answer arrives once, late, with no apology."""
    for _ in range(3):
        slack_api.fail_next("chat.postMessage", 500)
    app = create_app(bot_settings(slack_api, **FAST_OUTBOX), slack_answerer)
    with caplog.at_level(logging.INFO):
        async with serving(app, slack_api) as bot:
            await bot.event(payloads.im_message("how is fargate billed?"))
            [answer] = await slack_api.wait_for("chat.postMessage", timeout=10)
            await asyncio.sleep(0.3)  # time for a duplicate, were there one
    assert [c.method for c in slack_api.calls].count("chat.postMessage:500") == 3
    assert len(slack_api.of("chat.postMessage")) == 1
    assert answer.body["text"].startswith("How ECS and EC2 are priced")
    assert len(slack_api.lookups) == 3  # before each re-post
    assert "Delivered post event:" in caplog.text and "at attempt 4" in caplog.text


@pytest.mark.asyncio
async def test_an_answer_given_up_gets_exactly_one_apology(
    slack_api: SlackStandIn, slack_answerer: Answerer, caplog: pytest.LogCaptureFixture
) -> None:
    """Slack failing past the give-up time: the answer is given up, and the asker gets one
    apology (retried twice as long), once Slack takes posts again; nothing else is posted."""
    # Wide margins: the answer is given up at 2 s while Slack still fails (until 4 s), and
    # the apology, retried for 4 s, lands once Slack is back, even on a loaded machine.
    settings = bot_settings(slack_api, outbox_give_up_seconds=2.0, **FAST_OUTBOX)
    slack_api.fail_for("chat.postMessage", 4.0)
    app = create_app(settings, slack_answerer)
    with caplog.at_level(logging.WARNING):
        async with serving(app, slack_api) as bot:
            await bot.event(payloads.im_message("how is fargate billed?"))
            [apology] = await slack_api.wait_for("chat.postMessage", timeout=10)
            await asyncio.sleep(0.5)
    assert [c.body["text"] for c in slack_api.of("chat.postMessage")] == [SORRY]
    assert apology.body["channel"] == payloads.DM_CHANNEL_ID
    # The failure is one line naming Slack's error: no traceback, no URL.
    [gave_up] = [r for r in caplog.records if r.getMessage().startswith("Gave up post event:")]
    assert gave_up.getMessage().endswith(": fatal_error")
    assert gave_up.levelno == logging.WARNING and gave_up.exc_info is None
    assert "://" not in gave_up.getMessage()


@pytest.mark.asyncio
async def test_a_post_slack_took_after_the_timeout_is_not_posted_again(
    slack_api: SlackStandIn, slack_answerer: Answerer
) -> None:
    """Slack takes the answer but replies after the client's timeout: before posting again the
    outbox reads the thread, finds the message by its metadata key, and posts nothing more."""
    slack_api.slow_next("chat.postMessage", 2.5)
    settings = bot_settings(slack_api, slack_api_timeout=1, **FAST_OUTBOX)
    app = create_app(settings, slack_answerer)
    async with serving(app, slack_api) as bot:
        await bot.event(payloads.app_mention("<@UBOTTEST> how is fargate billed?", ts="1.1"))
        [answer] = await slack_api.wait_for("chat.postMessage")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + BACKGROUND_SECONDS
        while not slack_api.lookups:
            assert loop.time() < deadline, "no look-up before the re-post"
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)
    assert slack_api.of("chat.postMessage") == [answer]
    [lookup] = slack_api.lookups
    assert lookup.method == "conversations.replies" and lookup.body["ts"] == "1.1"
    assert answer.body["metadata"]["event_payload"]["key"].endswith("#1")
