"""Slack answering 429 or 5xx, listeners failing: retries, logs, and a friendly message."""

from __future__ import annotations

import logging

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.answering import Answerer, Reply, Turn
from bot.knowledge import KnowledgeBase
from bot.slack import create_app, create_web_app
from bot.slack.listeners.common import SORRY
from bot.slack.standin import SlackStandIn
from tests.slack import payloads
from tests.slack.conftest import BotUnderTest, bot_settings


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
            assert (await bot.command("how is fargate billed?")).status == 200
            await bot.event(payloads.app_mention("hi how is fargate billed?", ts="1.1"))
            [command_reply] = await slack_api.wait_for("response_url")
            [mention_reply] = await slack_api.wait_for("chat.postMessage")
    for reply in (command_reply, mention_reply):
        assert reply.body["text"] == SORRY
        assert "Traceback" not in str(reply.body) and "on fire" not in str(reply.body)
    failures = [r for r in caplog.records if r.getMessage().startswith("Failed to answer")]
    assert len(failures) == 2 and all(r.exc_info for r in failures)


@pytest.mark.asyncio
async def test_slack_failing_past_the_retries_is_logged(
    bot: BotUnderTest, caplog: pytest.LogCaptureFixture
) -> None:
    """If Slack fails a post through every retry, the failure is logged as one line naming
    the method and status (no traceback, no URL), and the user is told."""
    for _ in range(3):  # the first try and both retries
        bot.api.fail_next("chat.postMessage", 500)
    with caplog.at_level(logging.WARNING):
        await bot.event(payloads.im_message("how is fargate billed?"))
        [apology] = await bot.api.wait_for("chat.postMessage", timeout=15)
    assert [c.method for c in bot.api.calls].count("chat.postMessage:500") == 3
    assert apology.body["text"] == SORRY
    [failed] = [r for r in caplog.records if r.getMessage().startswith("Failed to answer a dm")]
    assert failed.getMessage() == "Failed to answer a dm: chat.postMessage: HTTP 500 (fatal_error)"
    assert failed.levelno == logging.WARNING and failed.exc_info is None
    assert "http" not in failed.getMessage()
