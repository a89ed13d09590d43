"""Conversation memory: the last turn per conversation on the database and on Redis, for a
time-to-live, shared by replicas, under hashed keys, with a database fallback for Redis."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from redis.asyncio import Redis
from sqlalchemy import Engine, select

from bot.answering import Turn
from bot.settings import load_settings
from bot.storage.conversations import (
    Conversations,
    DatabaseTurns,
    FallbackTurns,
    RedisTurns,
    StoredTurn,
    TurnStore,
    make_turn_store,
)
from bot.storage.db import make_engine
from bot.storage.failover import make_redis
from bot.storage.hashing import UserHasher
from bot.storage.models import ConversationTurn
from tests.plugins.storage import REDIS_URL
from tests.ports import free_port

pytestmark = pytest.mark.asyncio
THREAD = "T0TEAM:C0GENERAL:1700000000.000100"
SLASH = "T0TEAM:C0GENERAL:user:U0RAWUSER42"
GPU = Turn("does fargate support gpus?", "gpu", "fargate-gpu")
TTL = 1800


class Clock:
    """A settable clock of aware UTC datetimes."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        """The current fake time."""
        return self.now

    def advance(self, seconds: float) -> None:
        """Move the clock forward."""
        self.now += timedelta(seconds=seconds)


def memory(store: TurnStore) -> Conversations[Turn]:
    """The port as `ecsbot serve` builds it: turns come back as bot.answering.Turn."""
    return Conversations(store, Turn, UserHasher(b"test-key"))


def rows(engine: Engine) -> list[ConversationTurn]:
    """Every stored turn row."""
    with engine.connect() as connection:
        return list(connection.execute(select(ConversationTurn)).all())  # type: ignore[arg-type]


async def test_database_recalls_the_last_turn_of_each_conversation(engine: Engine) -> None:
    """A remembered turn comes back as a Turn; a newer one replaces it; others stay apart."""
    turns = memory(DatabaseTurns(engine, ttl=TTL))
    assert await turns.recall(THREAD) is None
    await turns.remember(THREAD, Turn("how is fargate billed?", "cost"))
    await turns.remember(THREAD, GPU)
    await turns.remember(SLASH, Turn("what is ecs?", "what-is-ecs"))
    assert await turns.recall(THREAD) == GPU
    assert await turns.recall(SLASH) == Turn("what is ecs?", "what-is-ecs")
    assert len(rows(engine)) == 2


async def test_database_turn_expires_after_the_ttl(engine: Engine) -> None:
    """Within the time-to-live the turn is recalled; past it, it is ignored; a new turn
    restarts the clock."""
    clock = Clock()
    turns = memory(DatabaseTurns(engine, ttl=TTL, clock=clock))
    await turns.remember(THREAD, GPU)
    clock.advance(TTL - 1)
    assert await turns.recall(THREAD) == GPU
    clock.advance(2)
    assert await turns.recall(THREAD) is None
    await turns.remember(THREAD, GPU)
    clock.advance(TTL - 1)
    assert await turns.recall(THREAD) == GPU


async def test_database_purges_expired_turns(engine: Engine) -> None:
    """Rows past the time-to-live are deleted (now and then, on a write); fresh ones stay."""
    clock = Clock()
    store = DatabaseTurns(engine, ttl=TTL, clock=clock)
    await memory(store).remember("old", GPU)
    clock.advance(TTL + 1)
    await memory(DatabaseTurns(engine, ttl=TTL, clock=clock)).remember("new", GPU)  # purges
    assert len(rows(engine)) == 1
    assert store.purge() == 0


async def test_keys_are_hashed_and_questions_lose_their_mentions(engine: Engine) -> None:
    """No user, channel or thread id is stored; mentions leave the question; 500 chars at most."""
    turns = memory(DatabaseTurns(engine, ttl=TTL))
    question = "<@U0MALLORY> <!channel> and for windows? " + "x" * 600
    await turns.remember(SLASH, Turn(question, "windows-containers"))
    [row] = rows(engine)
    assert len(row.key) == 64 and "U0RAWUSER42" not in row.key and "C0GENERAL" not in row.key
    assert row.question.startswith("and for windows?") and len(row.question) <= 500
    assert "U0MALLORY" not in row.question
    recalled = await turns.recall(SLASH)
    assert recalled is not None and recalled.topic_id == "windows-containers"


async def test_database_down_recalls_nothing_and_logs(caplog: pytest.LogCaptureFixture) -> None:
    """With no database, recall gives None and remember returns: each failure logged once,
    with the password masked."""
    engine = make_engine(f"postgresql+psycopg://u:hunter2@127.0.0.1:{free_port()}/db")
    try:
        turns = memory(DatabaseTurns(engine, ttl=TTL))
        await turns.remember(THREAD, GPU)
        assert await turns.recall(THREAD) is None
    finally:
        engine.dispose()
    failures = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert len(failures) == 2 and all("***" in f for f in failures)
    assert "hunter2" not in caplog.text


@pytest.mark.services
async def test_postgres_replicas_share_turns(pg_engine: Engine, pg_url: str) -> None:
    """A turn remembered through one engine (replica) is recalled through another."""
    other = make_engine(pg_url)
    try:
        await memory(DatabaseTurns(pg_engine, ttl=TTL)).remember(THREAD, GPU)
        assert await memory(DatabaseTurns(other, ttl=TTL)).recall(THREAD) == GPU
    finally:
        other.dispose()


@pytest.mark.services
async def test_redis_replicas_share_turns_under_expiring_hashed_keys(
    redis: Redis, redis_prefix: str
) -> None:
    """Two clients on the real Redis share a turn; its key is hashed and expires at the TTL."""
    other = make_redis(REDIS_URL)
    try:
        await memory(RedisTurns(redis, ttl=TTL, prefix=redis_prefix)).remember(SLASH, GPU)
        assert await memory(RedisTurns(other, ttl=TTL, prefix=redis_prefix)).recall(SLASH) == GPU
    finally:
        await other.aclose()
    [key] = [k.decode() async for k in redis.scan_iter(match=f"{redis_prefix}*")]
    assert key.startswith(f"{redis_prefix}turn:") and "U0RAWUSER42" not in key
    assert TTL - 5 <= await redis.ttl(key) <= TTL


@pytest.mark.services
async def test_redis_turn_is_gone_after_the_ttl(redis: Redis, redis_prefix: str) -> None:
    """Redis forgets the turn once its (here: 50 ms) time-to-live has passed."""
    turns = memory(RedisTurns(redis, ttl=0.05, prefix=redis_prefix))
    await turns.remember(THREAD, GPU)
    await asyncio.sleep(0.2)
    assert await turns.recall(THREAD) is None


@pytest.mark.services
async def test_unreadable_redis_value_is_ignored(
    redis: Redis, redis_prefix: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A value that is not a stored turn is treated as no turn, with a warning."""
    store = RedisTurns(redis, ttl=TTL, prefix=redis_prefix)
    await redis.set(f"{redis_prefix}turn:k", b"{not json")
    assert await store.load("k") is None
    assert "unreadable conversation turn" in caplog.text


async def test_redis_down_falls_back_to_the_database(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    """With Redis on a closed port, turns are kept in the database and one warning is logged."""
    url = f"redis://:redispw@127.0.0.1:{free_port()}/0"
    client = make_redis(url)
    try:
        store = make_turn_store(load_settings(redis_url=url), engine, client)
        assert isinstance(store, FallbackTurns)
        await memory(store).remember(THREAD, GPU)
        assert await memory(store).recall(THREAD) == GPU
    finally:
        await client.aclose()
    assert len(rows(engine)) == 1
    warnings = [r for r in caplog.records if "unreachable" in r.getMessage()]
    assert len(warnings) == 1 and "conversation memory" in warnings[0].getMessage()
    assert "redispw" not in caplog.text


async def test_ttl_comes_from_the_settings(engine: Engine) -> None:
    """CONVERSATION_TTL_SECONDS sets how long the database keeps a turn readable."""
    clock = Clock()
    settings = load_settings(conversation_ttl_seconds=60)
    turns = memory(make_turn_store(settings, engine, clock=clock))
    await turns.remember(THREAD, GPU)
    clock.advance(61)
    assert await turns.recall(THREAD) is None


async def test_stored_turn_is_what_storage_returns_without_a_factory(engine: Engine) -> None:
    """The store itself speaks StoredTurn; the port turns it into whatever make_turn builds."""
    store = DatabaseTurns(engine, ttl=TTL)
    await store.save("k", StoredTurn("q", "gpu"))
    assert await store.load("k") == StoredTurn("q", "gpu", None)
