"""/ecs-vs-ec2: questions answered ephemerally with a Share button; help; recommend."""

from __future__ import annotations

import asyncio

import pytest

from bot.answering import Answerer, Recommender
from bot.answering.answerer import WELCOME_TEXT
from bot.blocks import ACTION_SHARE
from bot.slack import create_app
from bot.slack.listeners.commands import ANSWER_IN_ACK_SECONDS
from bot.slack.standin import SlackStandIn
from tests.slack.checks import action_ids, assert_valid_blocks
from tests.slack.conftest import BotUnderTest, FakeRecorder, bot_settings
from tests.slack.serving import serving


@pytest.mark.asyncio
async def test_question_is_answered_ephemerally_with_a_share_button(
    bot: BotUnderTest, recorder: FakeRecorder
) -> None:
    """`/ecs-vs-ec2 how is fargate billed?` is answered in the ack itself, only to the asker;
    nothing goes to response_url."""
    call = (await bot.command("how is fargate billed?")).reply()
    assert call.body["response_type"] == "ephemeral"
    assert call.body["text"].startswith("How ECS and EC2 are priced: ")
    assert_valid_blocks(call.blocks)
    assert call.blocks[0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "How ECS and EC2 are priced"},
    }
    assert ACTION_SHARE in action_ids(call.blocks)
    [asked] = await recorder.asked()
    assert (asked["workspace"], asked["entry_point"], asked["match"].topic.id) == (
        "T0TEST",
        "slash",
        "cost",
    )
    assert asked["text"] == "how is fargate billed?"
    assert bot.api.calls == []


@pytest.mark.asyncio
@pytest.mark.parametrize("text", ["", "help", "  HELP  "])
async def test_help_and_empty_command_show_usage(bot: BotUnderTest, text: str) -> None:
    """`/ecs-vs-ec2` alone or with `help` shows how to ask, with example questions."""
    call = (await bot.command(text)).reply()
    assert call.body["response_type"] == "ephemeral"
    assert call.body["text"]
    assert_valid_blocks(call.blocks)
    assert call.blocks[0]["text"]["text"] == "ECS vs EC2: how to ask"
    assert any(a.startswith("answer_topic:") for a in action_ids(call.blocks))


@pytest.mark.asyncio
async def test_a_thank_you_gets_one_line_back(bot: BotUnderTest) -> None:
    """`/ecs-vs-ec2 thanks!` is answered with a one-line welcome, not the how-to-ask card."""
    call = (await bot.command("thanks!")).reply()
    assert call.body["response_type"] == "ephemeral"
    assert call.body["text"] == WELCOME_TEXT
    assert_valid_blocks(call.blocks)
    assert len(call.blocks) == 1


@pytest.mark.asyncio
async def test_out_of_scope_question_is_not_guessed(bot: BotUnderTest) -> None:
    """A question the bot does not cover gets what it covers and examples, never an answer."""
    call = (await bot.command("what is the weather in Paris today?")).reply()
    assert_valid_blocks(call.blocks)
    assert call.body["text"].startswith("I don't cover that")
    assert "header" not in [b["type"] for b in call.blocks]
    assert len([a for a in action_ids(call.blocks) if a.startswith("answer_topic:")]) == 3


class SlowLimiter:
    """A rate limiter that answers only after a while, like a database under load."""

    async def allow(self, key: str) -> bool:
        await asyncio.sleep(ANSWER_IN_ACK_SECONDS + 0.25)
        return True


@pytest.mark.asyncio
async def test_a_reply_not_ready_at_once_follows_through_response_url(
    slack_api: SlackStandIn,
    slack_answerer: Answerer,
    recorder: FakeRecorder,
    slack_recommender: Recommender,
) -> None:
    """When the reply is not ready within ANSWER_IN_ACK_SECONDS, the command is acked empty at
    once and the answer follows at response_url, still only to the asker, still recorded."""
    app = create_app(
        bot_settings(slack_api),
        slack_answerer,
        recorder=recorder,
        limiter=SlowLimiter(),
        recommender=slack_recommender,
    )
    async with serving(app, slack_api) as bot:
        response = await bot.command("how is fargate billed?")
        assert (response.status, response.text) == (200, "")
        [call] = await bot.api.wait_for("response_url")
    assert call.body["_key"] == "command"
    assert (call.body["response_type"], call.body["replace_original"]) == ("ephemeral", False)
    assert call.body["text"].startswith("How ECS and EC2 are priced: ")
    assert_valid_blocks(call.blocks)
    [asked] = await recorder.asked()
    assert asked["match"].topic.id == "cost"
