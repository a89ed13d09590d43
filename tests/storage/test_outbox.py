"""The database outbox: one post at a time per conversation, in order; leases shared by
replicas; what the report counts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine

from bot.cli import main
from bot.ports import Post
from bot.storage.db import make_engine
from bot.storage.outbox import DatabaseOutbox
from bot.storage.outbox_stats import delivery_stats

pytestmark = pytest.mark.asyncio
LEASE = dict(lease_seconds=30.0, give_up_seconds=900.0)


def post(key: str, channel: str = "C1", thread_ts: str = "1.1") -> Post:
    """An answer in a thread."""
    return Post(key, "answer", "T1", channel, thread_ts, f"text of {key}", None)


async def test_a_post_waits_behind_an_earlier_one_in_its_conversation(engine: Engine) -> None:
    """The first post may go at once; the second in the same thread waits for the workers,
    which hand out one post per conversation, oldest first; another thread is independent."""
    outbox = DatabaseOutbox(engine)
    first = await outbox.add(post("r1#1"), owner="a", **LEASE)
    assert first is not None
    assert await outbox.add(post("r2#1"), owner="a", **LEASE) is None
    assert await outbox.add(post("r3#1", thread_ts="2.2"), owner=None, **LEASE) is None
    due = await outbox.due(owner="b", lease_seconds=30.0)
    assert [q.key for q in due] == ["r3#1"]  # r1 is leased to a, r2 waits behind it
    await outbox.delivered(first)
    [second] = await outbox.due(owner="b", lease_seconds=30.0)
    assert (second.key, second.in_doubt, second.attempts) == ("r2#1", False, 1)


async def test_a_repeated_key_is_kept_once(engine: Engine) -> None:
    """The same key twice (an apology asked for twice) is kept once."""
    outbox = DatabaseOutbox(engine)
    assert await outbox.add(post("r1#apology"), owner=None, **LEASE) is None
    assert await outbox.add(post("r1#apology"), owner=None, **LEASE) is None
    assert len(await outbox.due(owner="a", lease_seconds=30.0)) == 1


async def test_a_lease_that_runs_out_hands_the_post_on_in_doubt(engine: Engine) -> None:
    """A replica died mid-attempt: once its lease is over another takes the post, marked in
    doubt (Slack may have it), and only one replica ever holds it."""
    now = [datetime.now(UTC)]
    outbox = DatabaseOutbox(engine, clock=lambda: now[0])
    await outbox.add(post("r1#1"), owner="dead", **LEASE)
    assert await outbox.due(owner="b", lease_seconds=30.0) == []
    now[0] += timedelta(seconds=31)
    [taken] = await outbox.due(owner="b", lease_seconds=30.0)
    assert taken.in_doubt and taken.attempts == 2
    assert await outbox.due(owner="c", lease_seconds=30.0) == []


async def test_retry_waits_and_stats_count_it(engine: Engine, sqlite_url: str) -> None:
    """A retried post is due after its delay; delivered after that, it counts as retried and
    delivered late; a given-up one counts too; `ecsbot report` shows the numbers."""
    now = [datetime.now(UTC)]
    outbox = DatabaseOutbox(engine, clock=lambda: now[0])
    late = await outbox.add(post("r1#1"), owner="a", **LEASE)
    lost = await outbox.add(post("r2#1", thread_ts="2.2"), owner="a", **LEASE)
    assert late is not None and lost is not None
    await outbox.retry(late, after=10.0, error="fatal_error", in_doubt=True)
    assert await outbox.due(owner="a", lease_seconds=30.0) == []
    now[0] += timedelta(seconds=11)
    [again] = await outbox.due(owner="a", lease_seconds=30.0)
    assert again.in_doubt
    await outbox.delivered(late)
    await outbox.given_up(lost, "channel_not_found")
    await outbox.add(post("r3#1", thread_ts="3.3"), owner=None, **LEASE)
    stats = delivery_stats(engine, now[0] - timedelta(hours=1))
    assert (stats.pending, stats.retried, stats.delivered_late, stats.given_up) == (1, 1, 1, 1)
    result = CliRunner().invoke(main, ["report", "--json"], env={"DATABASE_URL": sqlite_url})
    assert result.exit_code == 0, result.output
    assert '"given_up": 1' in result.output and '"pending": 1' in result.output


@pytest.mark.services
async def test_postgres_replicas_never_both_claim_a_post(pg_engine: Engine, pg_url: str) -> None:
    """Two engines (two replicas) asking for due posts at once share them out, never both."""
    import asyncio

    other = make_engine(pg_url)
    try:
        a, b = DatabaseOutbox(pg_engine), DatabaseOutbox(other)
        for n in range(20):
            await a.add(post(f"r{n}#1", thread_ts=f"{n}.1"), owner=None, **LEASE)
        got = await asyncio.gather(
            a.due(owner="a", lease_seconds=30.0, limit=20),
            b.due(owner="b", lease_seconds=30.0, limit=20),
        )
    finally:
        other.dispose()
    keys = [q.key for batch in got for q in batch]
    assert sorted(keys) == sorted(f"r{n}#1" for n in range(20))


async def test_posts_added_together_keep_their_order_and_an_attempted_one_stays_leased(
    engine: Engine,
) -> None:
    """Three posts added at once (one transaction): the first in a thread may go, the next
    in that thread waits behind it, a repeated key is kept once; a post its owner has already
    attempted stays leased to it whatever waits before it."""
    import asyncio

    outbox = DatabaseOutbox(engine)
    first, second, repeat = await asyncio.gather(
        outbox.add(post("r1#1"), owner="a", **LEASE),
        outbox.add(post("r2#1"), owner="a", **LEASE),
        outbox.add(post("r1#1"), owner="a", **LEASE),
    )
    assert first is not None and second is None and repeat is None
    attempted = await outbox.add(post("r3#1"), owner="a", attempted=True, **LEASE)
    assert attempted is not None
    assert await outbox.due(owner="b", lease_seconds=30.0) == []  # r1, r3 leased; r2 behind


async def test_a_delivered_mark_is_written_by_the_next_poll_or_flush(engine: Engine) -> None:
    """`delivered` only queues its mark; the next claim of due posts writes it first (so the
    post behind it is due at once), and `flush` writes what is left."""
    outbox = DatabaseOutbox(engine)
    first = await outbox.add(post("r1#1"), owner="a", **LEASE)
    assert first is not None and await outbox.add(post("r2#1"), owner="a", **LEASE) is None
    await outbox.delivered(first)
    [second] = await outbox.due(owner="a", lease_seconds=30.0)
    assert second.key == "r2#1"
    await outbox.delivered(second.id)
    await outbox.flush()
    stats = delivery_stats(engine, datetime.now(UTC) - timedelta(hours=1))
    assert stats.pending == 0
