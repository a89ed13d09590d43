"""The deliverer over the database outbox: a post Slack takes at once is never written; one
it is slow to confirm is kept while in flight; one it fails is kept and retried, once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import Engine, select

from bot.ports import Post
from bot.slack.delivery import Deliverer, DeliveryPolicy
from bot.slack.standin import BOT_TOKEN, SlackStandIn
from bot.storage.models import OutboxMessage
from bot.storage.outbox import DatabaseOutbox
from tests.waiting import eventually

pytestmark = pytest.mark.asyncio
POLICY = DeliveryPolicy(keep_after=0.2, retry_base=0.05, retry_max=0.2, poll_every=0.05)


def answer(key: str) -> Post:
    """An answer in a thread."""
    return Post(key, "answer", "T1", "C1", "1.1", f"text of {key}", None)


def rows(engine: Engine) -> list[tuple[str, str, bool]]:
    """The outbox's (key, status, in_doubt) rows."""
    query = select(OutboxMessage.key, OutboxMessage.status, OutboxMessage.in_doubt)
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(query)]  # type: ignore[misc]


@pytest_asyncio.fixture
async def deliverer(slack_api: SlackStandIn, engine: Engine) -> AsyncIterator[Deliverer]:
    """A deliverer posting to the stand-in, its outbox in the test's SQLite database."""

    async def token_for(team_id: str) -> str:
        return BOT_TOKEN

    client = AsyncWebClient(token=BOT_TOKEN, base_url=f"{slack_api.api_url}/", retry_handlers=[])
    found = Deliverer(
        client, DatabaseOutbox(engine), token_for=token_for, policy=POLICY, apology_text="sorry"
    )
    yield found
    await found.stop()


async def test_a_post_slack_takes_at_once_is_never_written(
    deliverer: Deliverer, slack_api: SlackStandIn, engine: Engine
) -> None:
    """Sent first and confirmed within `keep_after`: posted once, nothing in the outbox."""
    await deliverer.post(answer("r1#1"), token=BOT_TOKEN)
    [call] = slack_api.of("chat.postMessage")
    assert call.body["metadata"]["event_payload"]["key"] == "r1#1"
    assert await asyncio.to_thread(rows, engine) == []


async def test_a_post_slack_is_slow_to_confirm_is_kept_while_in_flight(
    deliverer: Deliverer, slack_api: SlackStandIn, engine: Engine
) -> None:
    """Slack takes the post but answers after 3 s: past `keep_after` the post is in the
    outbox, leased and in doubt (a replica that took it over would look for it first); once
    Slack answers, it is marked delivered."""
    # The outbox write starts 0.2 s in and runs in a worker thread: poll for it (a fixed 0.6 s
    # sleep failed on a loaded machine) while Slack is still holding the answer back.
    slack_api.slow_next("chat.postMessage", 3.0)
    posting = asyncio.create_task(deliverer.post(answer("r1#1"), token=BOT_TOKEN))
    await eventually(lambda: rows(engine) == [("r1#1", "pending", True)], timeout=2.5)
    assert not posting.done()  # still in flight
    await posting
    await deliverer.stop()  # writes the delivered mark still queued
    assert await asyncio.to_thread(rows, engine) == [("r1#1", "delivered", False)]
    assert len(slack_api.of("chat.postMessage")) == 1


async def test_a_post_slack_fails_is_kept_and_delivered_once(
    deliverer: Deliverer, slack_api: SlackStandIn, engine: Engine
) -> None:
    """Slack answers 500 for a while: the post is kept after its first attempt, retried by the
    worker (which looks for it first, since a 500 may have posted it) and posted once."""
    slack_api.fail_for("chat.postMessage", 0.3, 500)
    await deliverer.post(answer("r1#1"), token=BOT_TOKEN)
    assert await asyncio.to_thread(rows, engine) != []
    deliverer.start()
    await slack_api.wait_for("chat.postMessage")
    # The stand-in notes the post as it arrives; the worker settles it once Slack's answer is
    # back (stopping before then would cancel the attempt and leave it in doubt).
    await eventually(lambda: deliverer.counters.delivered == 1)
    await deliverer.stop()
    assert await asyncio.to_thread(rows, engine) == [("r1#1", "delivered", False)]
    assert len(slack_api.of("chat.postMessage")) == 1
