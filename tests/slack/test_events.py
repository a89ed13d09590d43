"""@mentions answered in threads, DMs in the DM, the App Home tab; what is ignored."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.blocks import ACTION_HELP_ME_CHOOSE, ACTION_SHARE
from bot.slack.standin import BOT_ID, BOT_USER_ID
from tests.slack import payloads
from tests.slack.checks import (
    SURFACE_BLOCKS,
    action_ids,
    assert_no_ping,
    assert_valid_blocks,
)
from tests.slack.conftest import UNSURE_QUESTION, BotUnderTest, FakeRecorder

MENTION = f"<@{BOT_USER_ID}>"


@pytest.mark.asyncio
async def test_mention_in_a_channel_is_answered_in_a_thread_under_it(
    bot: BotUnderTest, recorder: FakeRecorder
) -> None:
    """A top-level mention gets its answer in a new thread under the mention."""
    ts = payloads.new_ts()
    response = await bot.event(payloads.app_mention(f"{MENTION} how is fargate billed?", ts=ts))
    assert response.status == 200
    [call] = await bot.api.wait_for("chat.postMessage")
    assert call.body["channel"] == payloads.CHANNEL_ID
    assert call.body["thread_ts"] == ts
    assert call.body["text"].startswith("How ECS and EC2 are priced: ")
    assert_valid_blocks(call.blocks)
    assert ACTION_SHARE not in action_ids(call.blocks)  # already in public
    assert ACTION_HELP_ME_CHOOSE in action_ids(call.blocks)
    assert (await recorder.asked())[0]["text"] == "how is fargate billed?"


@pytest.mark.asyncio
async def test_mention_inside_a_thread_is_answered_in_that_thread(bot: BotUnderTest) -> None:
    """Later mentions in a thread are answered in the same thread, not a new one."""
    root = payloads.new_ts()
    await bot.event(payloads.app_mention(f"{MENTION} what is fargate?", ts=root))
    await bot.api.wait_for("chat.postMessage")
    later = payloads.new_ts()
    event = payloads.app_mention(f"{MENTION} is ecs cheaper than ec2?", ts=later, thread_ts=root)
    await bot.event(event)
    first, second = await bot.api.wait_for("chat.postMessage", 2)
    assert first.body["thread_ts"] == root
    assert second.body["thread_ts"] == root


@pytest.mark.asyncio
async def test_bare_mention_gets_help_in_the_thread(bot: BotUnderTest) -> None:
    """Mentioning the bot with no question shows how to ask."""
    ts = payloads.new_ts()
    await bot.event(payloads.app_mention(MENTION, ts=ts))
    [call] = await bot.api.wait_for("chat.postMessage")
    assert call.body["thread_ts"] == ts
    assert call.blocks[0]["text"]["text"] == "ECS vs EC2: how to ask"


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "text",
    [
        f"{MENTION} <!channel> what is the weather in Paris?",
        f"{MENTION} <!here> <@U0MALLORY> <!subteam^S0123|@team> what is the weather in Paris?",
        f"{MENTION} {UNSURE_QUESTION} <!everyone>",
    ],
)
async def test_mention_with_a_ping_in_it_pings_nobody(bot: BotUnderTest, text: str) -> None:
    """User text echoed back is escaped, so the bot cannot be made to ping anyone."""
    await bot.event(payloads.app_mention(text, ts=payloads.new_ts()))
    [call] = await bot.api.wait_for("chat.postMessage")
    assert_valid_blocks(call.blocks)
    assert_no_ping(call.body)
    assert "&lt;!" in str(call.blocks)  # echoed, harmlessly


@pytest.mark.asyncio
async def test_direct_message_is_answered_in_the_dm(
    bot: BotUnderTest, recorder: FakeRecorder
) -> None:
    """A DM is answered in the DM, not in a thread."""
    await bot.event(payloads.im_message("how is fargate billed?"))
    [call] = await bot.api.wait_for("chat.postMessage")
    assert call.body["channel"] == payloads.DM_CHANNEL_ID
    assert "thread_ts" not in call.body
    assert call.body["text"]
    assert_valid_blocks(call.blocks)
    assert (await recorder.asked())[0]["entry_point"] == "dm"


@pytest.mark.asyncio
@pytest.mark.parametrize("text", ["recommend", "help me choose"])
async def test_recommend_typed_in_a_dm_starts_the_dialog_there(
    bot: BotUnderTest, recorder: FakeRecorder, text: str
) -> None:
    """Typing "recommend" in the DM posts "Help me choose"'s first question in the DM (no
    trigger to open a form with), not an article about choosing; it is no question asked."""
    await bot.event(payloads.im_message(text))
    [call] = await bot.api.wait_for("chat.postMessage")
    assert call.body["channel"] == payloads.DM_CHANNEL_ID
    assert call.body["text"].startswith("Help me choose, 1 of ")
    assert_valid_blocks(call.blocks)
    assert recorder.questions == []  # recorded after the reply, which was the dialog


@pytest.mark.asyncio
async def test_unsure_dm_offers_did_you_mean_buttons(bot: BotUnderTest) -> None:
    """A low-confidence match asks "did you mean" with a button per candidate, no guess."""
    await bot.event(payloads.im_message(UNSURE_QUESTION))
    [call] = await bot.api.wait_for("chat.postMessage")
    assert_valid_blocks(call.blocks)
    assert call.body["text"] == "Did you mean: What AWS Fargate is?"
    buttons = [e for b in call.blocks if b["type"] == "actions" for e in b["elements"]]
    assert [(b["action_id"], b["value"]) for b in buttons] == [
        ("answer_topic:0", "fargate"),
        ("answer_topic:1", "cost"),
    ]


IGNORED: dict[str, dict[str, Any]] = {
    "edit": {"subtype": "message_changed", "message": {"text": "how is fargate billed?"}},
    "deletion": {"subtype": "message_deleted", "deleted_ts": "1.2"},
    "join": {"subtype": "channel_join"},
    "another bot": {"bot_id": "B0OTHER", "subtype": "bot_message"},
    "another bot, no subtype": {"bot_id": "B0OTHER"},
    "ourselves": {"bot_id": BOT_ID, "user": BOT_USER_ID},
}


@pytest.mark.asyncio
@pytest.mark.parametrize("kind", list(IGNORED))
async def test_subtypes_and_bot_messages_are_ignored(bot: BotUnderTest, kind: str) -> None:
    """Edits, deletions, joins and bot messages get a 200 and no answer."""
    ignored = payloads.im_message("how is fargate billed?", **IGNORED[kind])
    assert (await bot.event(ignored)).status == 200
    await bot.event(payloads.im_message("what is fargate?"))
    [call] = await bot.api.wait_for("chat.postMessage")
    await asyncio.sleep(0.1)
    assert len(bot.api.of("chat.postMessage")) == 1
    assert call.body["text"].startswith("What AWS Fargate is")


@pytest.mark.asyncio
async def test_mention_by_another_bot_is_ignored(bot: BotUnderTest) -> None:
    """Bots mentioning the bot get no answer (no bot-to-bot loops)."""
    bot_mention = payloads.app_mention(f"{MENTION} cost?", ts=payloads.new_ts(), bot_id="B0X")
    assert (await bot.event(bot_mention)).status == 200
    await bot.event(payloads.im_message("what is fargate?"))
    await bot.api.wait_for("chat.postMessage")
    await asyncio.sleep(0.1)
    assert len(bot.api.of("chat.postMessage")) == 1


@pytest.mark.asyncio
async def test_retried_event_is_answered_once(bot: BotUnderTest) -> None:
    """Slack retries an event with the same event_id; the bot answers it only once."""
    event = payloads.im_message("how is fargate billed?")
    await bot.event(event, event_id="Ev0RETRY")
    await bot.event(event, event_id="Ev0RETRY")
    await bot.event(payloads.im_message("what is fargate?"))
    await bot.api.wait_for("chat.postMessage", 2)
    await asyncio.sleep(0.1)
    assert len(bot.api.of("chat.postMessage")) == 2


@pytest.mark.asyncio
async def test_app_home_is_published(bot: BotUnderTest) -> None:
    """Opening the Home tab publishes what the bot does, examples and Help me choose."""
    await bot.event(payloads.app_home_opened())
    [call] = await bot.api.wait_for("views.publish")
    assert call.body["user_id"] == payloads.USER_ID
    assert call.body["view"]["type"] == "home"
    assert_valid_blocks(call.blocks, limit=SURFACE_BLOCKS)
    ids = action_ids(call.blocks)
    assert ACTION_HELP_ME_CHOOSE in ids
    assert any(a.startswith("answer_topic:") for a in ids)


@pytest.mark.asyncio
async def test_messages_tab_does_not_publish_home(bot: BotUnderTest) -> None:
    """app_home_opened for the Messages tab is acknowledged and left alone."""
    assert (await bot.event(payloads.app_home_opened(tab="messages"))).status == 200
    await bot.event(payloads.app_home_opened())
    await bot.api.wait_for("views.publish")
    await asyncio.sleep(0.1)
    assert len(bot.api.of("views.publish")) == 1


@pytest.mark.asyncio
async def test_help_in_a_dm_shows_usage(bot: BotUnderTest) -> None:
    """Typing "help" to the bot shows how to ask, as the slash command does."""
    await bot.event(payloads.im_message("Help"))
    [call] = await bot.api.wait_for("chat.postMessage")
    assert call.blocks[0]["text"]["text"] == "ECS vs EC2: how to ask"
