"""A reply that cannot be delivered is noticed (issue 11 §4): a refused response_url is
logged as one WARNING with its status (never the URL) and the reply goes ephemerally in the
channel, or as a DM; a failed chat.postMessage is one WARNING line too."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

from bot.blocks import ACTION_SHARE
from bot.slack.listeners import commands
from bot.slack.listeners.actions import SHARE_FAILED, THANKS_HELPFUL
from bot.slack.listeners.common import SORRY
from tests.slack import payloads
from tests.slack.checks import assert_no_traceback
from tests.slack.conftest import BotUnderTest, listeners_done

REFUSALS = [(404, "expired_url"), (410, "used_url"), (500, "fatal_error")]


@pytest.fixture
def late_replies(monkeypatch: pytest.MonkeyPatch) -> None:
    """Slash commands answered through their response_url, as when a reply is not ready in
    time to ride in the ack (bot.slack.listeners.commands): composing waits 50 ms longer than
    the ack does."""
    compose = commands.compose

    async def late(*args: Any, **kwargs: Any) -> commands.CommandReply:
        await asyncio.sleep(0.05)
        return await compose(*args, **kwargs)

    monkeypatch.setattr(commands, "compose", late)
    monkeypatch.setattr(commands, "ANSWER_IN_ACK_SECONDS", 0.001)


def warnings_of(caplog: pytest.LogCaptureFixture) -> list[str]:
    """The WARNING lines logged."""
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]


@pytest.mark.asyncio
@pytest.mark.parametrize(("status", "error"), REFUSALS)
async def test_a_refused_command_reply_is_logged_and_sent_ephemerally(
    bot: BotUnderTest, late_replies: None, caplog: pytest.LogCaptureFixture, status: int, error: str
) -> None:
    """The slash command's response_url refuses the answer: one WARNING with the status and
    Slack's error, no URL; the answer arrives as an ephemeral message in the channel."""
    bot.api.fail_next("response_url", status, error=error)
    url = bot.api.response_url("refusing")
    with caplog.at_level(logging.INFO):
        assert (await bot.command("how is fargate billed?", response_url=url)).status == 200
        [private] = await bot.api.wait_for("chat.postEphemeral")
    assert (private.body["channel"], private.body["user"]) == (
        payloads.CHANNEL_ID,
        payloads.USER_ID,
    )
    assert private.body["text"].startswith("How ECS and EC2 are priced")
    expected = f"Slack refused a reply through the response_url: HTTP {status} ({error})"
    assert warnings_of(caplog) == [expected]
    assert "/response/" not in caplog.text and "refusing" not in caplog.text
    assert_no_traceback(caplog.records)


@pytest.mark.asyncio
async def test_when_no_ephemeral_can_reach_the_user_a_dm_does(
    bot: BotUnderTest, late_replies: None, caplog: pytest.LogCaptureFixture
) -> None:
    """The response_url has expired and the bot is not in the channel: the answer is a DM,
    posted through the outbox like every chat.postMessage (its key in the metadata)."""
    bot.api.fail_next("response_url", 404, error="expired_url")
    bot.api.fail_next("chat.postEphemeral", 200, error="channel_not_found")
    with caplog.at_level(logging.INFO):
        await bot.command("how is fargate billed?")
        [dm] = await bot.api.wait_for("chat.postMessage")
    assert dm.body["channel"] == payloads.USER_ID
    assert dm.body["text"].startswith("How ECS and EC2 are priced")
    assert dm.body["metadata"]["event_payload"]["key"].endswith("#1")
    assert_no_traceback(caplog.records)


@pytest.mark.asyncio
async def test_an_unreachable_response_url_is_noticed_too(
    bot: BotUnderTest, late_replies: None, caplog: pytest.LogCaptureFixture
) -> None:
    """A response_url nobody answers on: a WARNING naming the failure, then the fallback."""
    with caplog.at_level(logging.INFO):
        await bot.command("how is fargate billed?", response_url="http://127.0.0.1:9/response/x")
        [private] = await bot.api.wait_for("chat.postEphemeral", timeout=10)
    assert private.body["text"].startswith("How ECS and EC2 are priced")
    assert warnings_of(caplog) == ["The response_url could not be reached (ClientConnectorError)"]
    assert "127.0.0.1:9" not in caplog.text


@pytest.mark.asyncio
async def test_a_refused_button_answer_is_sent_ephemerally(
    bot: BotUnderTest, caplog: pytest.LogCaptureFixture
) -> None:
    """A topic button under a private answer whose response_url expired: the topic still
    comes, ephemerally where the button was clicked."""
    container = payloads.message_container(payloads.CHANNEL_ID, payloads.new_ts(), ephemeral=True)
    bot.api.fail_next("response_url", 404, error="expired_url")
    with caplog.at_level(logging.INFO):
        await bot.click(
            "answer_topic:0", "fargate", container=container, response_url=bot.api.response_url()
        )
        [private] = await bot.api.wait_for("chat.postEphemeral")
    assert private.body["text"].startswith("What AWS Fargate is")
    assert private.body["channel"] == payloads.CHANNEL_ID
    assert_no_traceback(caplog.records)


@pytest.mark.asyncio
async def test_thanks_for_a_vote_arrive_when_the_response_url_is_refused(
    bot: BotUnderTest,
) -> None:
    """The vote's thanks go ephemerally when the response_url refuses them."""
    container = payloads.message_container(payloads.CHANNEL_ID, payloads.new_ts())
    bot.api.fail_next("response_url", 410, error="used_url")
    await bot.click(
        "feedback:helpful", "cost", container=container, response_url=bot.api.response_url()
    )
    [thanks] = await bot.api.wait_for("chat.postEphemeral")
    assert thanks.body["text"] == THANKS_HELPFUL


@pytest.mark.asyncio
async def test_a_share_that_slack_refuses_is_explained_privately(bot: BotUnderTest) -> None:
    """Share in channel after the response_url expired: nothing half-done, the sharer is
    told privately, and the private copy is left in place."""
    container = payloads.message_container(payloads.CHANNEL_ID, payloads.new_ts(), ephemeral=True)
    bot.api.fail_next("response_url", 404, error="expired_url")
    await bot.click(ACTION_SHARE, "cost", container=container, response_url=bot.api.response_url())
    [note] = await bot.api.wait_for("chat.postEphemeral")
    await listeners_done()
    assert note.body["text"] == SHARE_FAILED
    assert bot.api.of("response_url") == []  # no delete_original after a failed share


@pytest.mark.asyncio
async def test_a_refused_chat_post_is_one_warning_line(
    bot: BotUnderTest, caplog: pytest.LogCaptureFixture
) -> None:
    """chat.postMessage refused (an archived channel): one WARNING naming the method, the
    status and Slack's error, no traceback; the apology is tried once."""
    bot.api.fail_next("chat.postMessage", 200, error="is_archived")
    mention = payloads.app_mention(f"<@{payloads.BOT_USER_ID}> what is fargate?", ts="1.2")
    with caplog.at_level(logging.INFO):
        await bot.event(mention)
        [apology] = await bot.api.wait_for("chat.postMessage")
        await listeners_done()
    assert apology.body["text"] == SORRY
    assert warnings_of(caplog) == [
        "Failed to answer a mention: chat.postMessage: HTTP 200 (is_archived)"
    ]
    assert_no_traceback(caplog.records)
