"""Exactly one reply per delivery: events by event_id, clicks by action_ts, user and action."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.blocks import ACTION_SHARE
from bot.slack.middleware import MAX_KEY_CHARS, _claimed, dedupe_key, delivery_key
from bot.storage.dedupe import MemoryDeduper
from tests.slack import payloads
from tests.slack.conftest import BotUnderTest, FakeRecorder


def click(action_id: str, action_ts: str, *, user: str = "U1") -> dict[str, Any]:
    """The parts of a block_actions body the key is made of."""
    return {
        "type": "block_actions",
        "user": {"id": user},
        "actions": [{"action_id": action_id, "action_ts": action_ts}],
    }


@pytest.mark.parametrize(
    ("body", "key"),
    [
        ({"type": "event_callback", "event_id": "Ev1"}, "event:Ev1"),
        (click("feedback:helpful", "1.2"), "action:1.2:U1:feedback:helpful"),
        ({"type": "event_callback"}, None),
        ({"type": "block_actions", "actions": []}, None),
        ({"type": "block_actions", "user": {"id": "U1"}, "actions": [{"action_id": "x"}]}, None),
        ({"command": "/ecs-vs-ec2", "text": "hi"}, None),
        ({"type": "view_submission", "view": {}}, None),
        ({"type": "url_verification"}, None),
    ],
)
def test_dedupe_key(body: dict[str, Any], key: str | None) -> None:
    """Events and clicks have a key; commands and modal submissions (never repeated) do not."""
    assert dedupe_key(body) == key


def test_delivery_key_keeps_a_clicks_user_id_out() -> None:
    """An event's posts are keyed by its event_id; a click's by a hash of its key, stable
    for the click but without the user's id (the outbox logs post keys)."""
    assert delivery_key({"type": "event_callback", "event_id": "Ev1"}) == "event:Ev1"
    one, again = (delivery_key(click("feedback:helpful", "1.2", user="U0SECRET")) for _ in "ab")
    other = delivery_key(click("feedback:helpful", "1.3", user="U0SECRET"))
    assert one is not None and one.startswith("action:") and "U0SECRET" not in one
    assert one == again and one != other


def test_overlong_keys_fit_the_database_column() -> None:
    """A key longer than the database fallback's column is cut and hashed, still unique."""
    one, two = (dedupe_key(click("a" * 255, f"1.{n}")) for n in (1, 2))
    assert one is not None and two is not None and one != two
    assert len(one) <= MAX_KEY_CHARS and len(two) <= MAX_KEY_CHARS


async def twice(bot: BotUnderTest, action_id: str, value: str, **kwargs: Any) -> None:
    """Deliver one click twice at once (a retry, or the same click at two replicas)."""
    action_ts = payloads.new_ts()
    clicks = [bot.click(action_id, value, action_ts=action_ts, **kwargs) for _ in range(2)]
    assert [r.status for r in await asyncio.gather(*clicks)] == [200, 200]
    await asyncio.sleep(0.3)  # time for a second reply, were there one


@pytest.mark.asyncio
async def test_same_answer_button_click_twice_answers_once(bot: BotUnderTest) -> None:
    """A repeated answer_topic click posts the answer once; a new click posts again."""
    container = payloads.message_container(payloads.DM_CHANNEL_ID, payloads.new_ts())
    await twice(bot, "answer_topic:0", "fargate", container=container)
    assert len(bot.api.of("chat.postMessage")) == 1
    await bot.click("answer_topic:0", "fargate", container=container)
    await bot.api.wait_for("chat.postMessage", 2)


@pytest.mark.asyncio
async def test_a_clicks_post_carries_no_user_id_in_its_metadata_key(bot: BotUnderTest) -> None:
    """The answer a click posts goes through the outbox under a key without the clicker's id."""
    container = payloads.message_container(payloads.DM_CHANNEL_ID, payloads.new_ts())
    await bot.click("answer_topic:0", "fargate", container=container)
    [call] = await bot.api.wait_for("chat.postMessage")
    key = str(call.body["metadata"]["event_payload"]["key"])
    assert key.startswith("action:") and key.endswith("#1")
    assert payloads.USER_ID not in key


@pytest.mark.asyncio
async def test_same_feedback_click_twice_records_and_thanks_once(
    bot: BotUnderTest, recorder: FakeRecorder
) -> None:
    """A repeated vote is recorded once and thanked once."""
    container = payloads.message_container(payloads.CHANNEL_ID, payloads.new_ts())
    await twice(
        bot, "feedback:helpful", "cost", container=container, response_url=bot.api.response_url()
    )
    assert len(bot.api.of("response_url")) == 1
    assert len(recorder.votes) == 1


@pytest.mark.asyncio
async def test_same_share_click_twice_shares_once(bot: BotUnderTest) -> None:
    """A repeated Share posts the answer in the channel once."""
    container = payloads.message_container(payloads.CHANNEL_ID, payloads.new_ts(), ephemeral=True)
    await twice(bot, ACTION_SHARE, "cost", container=container, response_url=bot.api.response_url())
    shared = [c for c in bot.api.of("response_url") if c.body.get("response_type") == "in_channel"]
    assert len(shared) == 1


class SlowReplica:
    """One replica's view of a shared deduper: each key's claim reaches the store after this
    replica's own delay for it (seconds), as network and CPU make it under load."""

    def __init__(self, store: MemoryDeduper, delays: dict[str, float]) -> None:
        self._store, self._delays = store, delays

    async def first_time(self, key: str) -> bool:
        await asyncio.sleep(self._delays.get(key, 0.0))
        return await self._store.first_time(key)


@pytest.mark.asyncio
async def test_two_replicas_racing_for_one_events_keys_answer_it_once() -> None:
    """A mention and Slack's retry of it reach two replicas at once, each claiming the event id
    and the message's identity. Whatever order their claims land in, exactly one goes on (an
    order where each won one key used to make both drop the event)."""
    keys = ["event:Ev1", "message:T1:C1:1.000001"]
    store = MemoryDeduper()
    first = SlowReplica(store, {keys[1]: 0.02})  # wins the event id, slow to the identity
    second = SlowReplica(store, {keys[0]: 0.01})  # slow to the event id
    claims = await asyncio.gather(_claimed(first, keys), _claimed(second, keys))
    assert sorted(claims) == [False, True]
