"""Buttons: related / did-you-mean / example questions, share, feedback, help me choose."""

from __future__ import annotations

import pytest

from bot.blocks import ACTION_SHARE, build_did_you_mean, to_dicts
from bot.knowledge import KnowledgeBase
from bot.matching import Match
from bot.slack.listeners.actions import THANKS_HELPFUL, THANKS_UNHELPFUL, TOPIC_GONE
from tests.slack import payloads
from tests.slack.checks import action_ids, assert_valid_blocks
from tests.slack.conftest import BotUnderTest, FakeRecorder


@pytest.mark.asyncio
async def test_related_button_in_a_channel_answers_in_the_thread(
    bot: BotUnderTest, recorder: FakeRecorder
) -> None:
    """A related question clicked under a threaded answer is answered in that thread."""
    root, answer = payloads.new_ts(), payloads.new_ts()
    container = payloads.message_container(payloads.CHANNEL_ID, answer, thread_ts=root)
    response = await bot.click(
        "answer_topic:0",
        "fargate",
        container=container,
        message={"type": "message", "ts": answer, "thread_ts": root},
        response_url=bot.api.response_url("click"),
    )
    assert response.status == 200
    [call] = await bot.api.wait_for("chat.postMessage")
    assert (call.body["channel"], call.body["thread_ts"]) == (payloads.CHANNEL_ID, root)
    assert call.body["text"].startswith("What AWS Fargate is: ")
    assert_valid_blocks(call.blocks)
    assert await recorder.answers_served() == [
        {"workspace": "T0TEST", "topic_id": "fargate", "entry_point": "button"}
    ]
    assert recorder.questions == []


@pytest.mark.asyncio
async def test_button_on_a_top_level_channel_message_starts_a_thread(bot: BotUnderTest) -> None:
    """A click on a message that is not in a thread is answered in a thread under it."""
    answer = payloads.new_ts()
    await bot.click(
        "answer_topic:1",
        "cost",
        container=payloads.message_container(payloads.CHANNEL_ID, answer),
        response_url=bot.api.response_url("click"),
    )
    [call] = await bot.api.wait_for("chat.postMessage")
    assert call.body["thread_ts"] == answer


@pytest.mark.asyncio
async def test_did_you_mean_button_in_a_dm_answers_in_the_dm(
    bot: BotUnderTest, slack_kb: KnowledgeBase
) -> None:
    """Each "did you mean" button answers its own topic, in the DM."""
    fargate, cost = slack_kb.get("fargate"), slack_kb.get("cost")
    assert fargate is not None and cost is not None
    blocks = to_dicts(build_did_you_mean(Match("cheap fargate?", cost, 0.4, confident=False)))
    [button] = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
    message_ts = payloads.new_ts()
    await bot.click(
        button["action_id"],
        button["value"],
        container=payloads.message_container(payloads.DM_CHANNEL_ID, message_ts),
        message={"type": "message", "ts": message_ts, "blocks": blocks},
        response_url=bot.api.response_url("click"),
    )
    [call] = await bot.api.wait_for("chat.postMessage")
    assert call.body["channel"] == payloads.DM_CHANNEL_ID
    assert "thread_ts" not in call.body
    assert call.body["text"].startswith("How ECS and EC2 are priced")


@pytest.mark.asyncio
async def test_button_in_an_ephemeral_answer_answers_ephemerally(bot: BotUnderTest) -> None:
    """Under a private slash-command answer, a related question is answered privately too."""
    container = payloads.message_container(payloads.CHANNEL_ID, payloads.new_ts(), ephemeral=True)
    await bot.click(
        "answer_topic:0", "fargate", container=container, response_url=bot.api.response_url("eph")
    )
    [call] = await bot.api.wait_for("response_url")
    assert call.body["_key"] == "eph"
    assert call.body["response_type"] == "ephemeral"
    assert call.body["replace_original"] is False
    assert ACTION_SHARE in action_ids(call.blocks)
    assert bot.api.of("chat.postMessage") == []


@pytest.mark.asyncio
async def test_home_example_button_answers_in_the_users_dm(bot: BotUnderTest) -> None:
    """An example question clicked on App Home is answered in the user's DM."""
    await bot.click("answer_topic:2", "which-should-i-choose", container=payloads.home_container())
    [call] = await bot.api.wait_for("chat.postMessage")
    assert call.body["channel"] == payloads.USER_ID
    assert call.body["text"].startswith("Choosing between ECS and EC2")
    assert_valid_blocks(call.blocks)


@pytest.mark.asyncio
async def test_unknown_topic_button_gets_a_friendly_note(bot: BotUnderTest) -> None:
    """A button for a topic that no longer exists says so instead of failing."""
    container = payloads.message_container(payloads.DM_CHANNEL_ID, payloads.new_ts())
    await bot.click(
        "answer_topic:0", "gone", container=container, response_url=bot.api.response_url()
    )
    [call] = await bot.api.wait_for("chat.postMessage")
    assert call.body["text"] == TOPIC_GONE


@pytest.mark.asyncio
async def test_share_posts_the_answer_in_the_channel_with_who_shared_it(
    bot: BotUnderTest,
) -> None:
    """Share in channel posts the answer publicly, credited, and removes the private copy."""
    container = payloads.message_container(payloads.CHANNEL_ID, payloads.new_ts(), ephemeral=True)
    await bot.click(
        ACTION_SHARE, "cost", container=container, response_url=bot.api.response_url("share")
    )
    shared, deleted = await bot.api.wait_for("response_url", 2)
    assert shared.body["response_type"] == "in_channel"
    assert shared.body["replace_original"] is False
    assert_valid_blocks(shared.blocks)
    assert shared.blocks[-1]["elements"][0]["text"] == f"Shared by <@{payloads.USER_ID}>"
    assert ACTION_SHARE not in action_ids(shared.blocks)
    assert shared.body["text"].startswith("How ECS and EC2 are priced")
    assert deleted.body["delete_original"] is True


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("vote", "thanks"), [("helpful", THANKS_HELPFUL), ("not_helpful", THANKS_UNHELPFUL)]
)
async def test_feedback_is_recorded_and_thanked_privately(
    bot: BotUnderTest, recorder: FakeRecorder, vote: str, thanks: str
) -> None:
    """A vote goes to the recorder, about that very answer, and the voter alone is thanked."""
    action_id, answer_ts = f"feedback:{vote}", payloads.new_ts()
    container = payloads.message_container(payloads.CHANNEL_ID, answer_ts)
    await bot.click(action_id, "cost", container=container, response_url=bot.api.response_url())
    [call] = await bot.api.wait_for("response_url")
    assert (call.body["text"], call.body["response_type"]) == (thanks, "ephemeral")
    assert recorder.votes == [
        {
            "workspace": "T0TEST",
            "user_id": payloads.USER_ID,
            "topic_id": "cost",
            "answer_ref": f"{payloads.CHANNEL_ID}:{answer_ts}",
            "vote": vote,
        }
    ]
    assert bot.api.of("chat.postMessage") == []


@pytest.mark.asyncio
async def test_button_in_a_channel_the_bot_is_not_in_answers_privately(bot: BotUnderTest) -> None:
    """Under a shared answer in a channel the bot is not a member of, the click is answered
    privately instead of failing."""
    bot.api.fail_next("chat.postMessage", 200, error="not_in_channel")
    await bot.click(
        "answer_topic:0",
        "fargate",
        container=payloads.message_container(payloads.CHANNEL_ID, payloads.new_ts()),
        response_url=bot.api.response_url("click"),
    )
    [call] = await bot.api.wait_for("response_url")
    assert call.body["response_type"] == "ephemeral"
    assert call.body["text"].startswith("What AWS Fargate is")


@pytest.mark.asyncio
async def test_home_clicks_are_recorded_as_home(bot: BotUnderTest, recorder: FakeRecorder) -> None:
    """Answers served from App Home buttons are counted under the home entry point."""
    await bot.click("answer_topic:0", "cost", container=payloads.home_container())
    await bot.api.wait_for("chat.postMessage")
    [served] = await recorder.answers_served()
    assert served == {"workspace": "T0TEST", "topic_id": "cost", "entry_point": "home"}
