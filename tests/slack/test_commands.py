"""/ecs-vs-ec2: questions answered ephemerally with a Share button; help; recommend."""

from __future__ import annotations

import pytest

from bot.blocks import ACTION_SHARE
from tests.slack.checks import action_ids, assert_valid_blocks
from tests.slack.conftest import BotUnderTest, FakeRecorder


@pytest.mark.asyncio
async def test_question_is_answered_ephemerally_with_a_share_button(
    bot: BotUnderTest, recorder: FakeRecorder
) -> None:
    """`/ecs-vs-ec2 how is fargate billed?` is acked at once, then answered only to the asker."""
    response = await bot.command("how is fargate billed?")
    assert response.status == 200
    assert response.text == ""
    [call] = await bot.api.wait_for("response_url")
    assert call.body["_key"] == "command"
    assert call.body["response_type"] == "ephemeral"
    assert call.body["replace_original"] is False
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


@pytest.mark.asyncio
@pytest.mark.parametrize("text", ["", "help", "  HELP  "])
async def test_help_and_empty_command_show_usage(bot: BotUnderTest, text: str) -> None:
    """`/ecs-vs-ec2` alone or with `help` shows how to ask, with example questions."""
    await bot.command(text)
    [call] = await bot.api.wait_for("response_url")
    assert call.body["response_type"] == "ephemeral"
    assert call.body["text"]
    assert_valid_blocks(call.blocks)
    assert call.blocks[0]["text"]["text"] == "ECS vs EC2: how to ask"
    assert any(a.startswith("answer_topic:") for a in action_ids(call.blocks))


@pytest.mark.asyncio
async def test_out_of_scope_question_is_not_guessed(bot: BotUnderTest) -> None:
    """A question the bot does not cover gets what it covers and examples, never an answer."""
    await bot.command("what is the weather in Paris today?")
    [call] = await bot.api.wait_for("response_url")
    assert_valid_blocks(call.blocks)
    assert call.body["text"].startswith("I don't cover that")
    assert "header" not in [b["type"] for b in call.blocks]
    assert len([a for a in action_ids(call.blocks) if a.startswith("answer_topic:")]) == 3
