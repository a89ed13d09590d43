"""Dedupe: exactly one first_time per key, on Redis and on the database, across replicas."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from sqlalchemy import Engine, func, select

from bot.settings import load_settings
from bot.storage.db import make_engine
from bot.storage.dedupe import (
    DatabaseDeduper,
    EventDeduper,
    FallbackDeduper,
    MemoryDeduper,
    RedisDeduper,
    make_deduper,
)
from bot.storage.failover import Failover, make_redis
from bot.storage.models import ProcessedEvent
from tests.plugins.storage import REDIS_URL
from tests.ports import free_port

pytestmark = pytest.mark.asyncio
KEYS = [f"event:Ev{n:04d}" for n in range(20)]


async def race(a: EventDeduper, b: EventDeduper) -> None:
    """Two replicas claim each key at the same moment: exactly one wins every time."""
    for key in KEYS:
        results = await asyncio.gather(a.first_time(key), b.first_time(key))
        assert sorted(results) == [False, True], key
    assert not await a.first_time(KEYS[0])


class FlakyDeduper:
    """A primary that fails while `down` is set, like Redis going away and coming back."""

    def __init__(self) -> None:
        self.down = True
        self.memory = MemoryDeduper()

    async def first_time(self, key: str) -> bool:
        """Raise Redis' ConnectionError while down, else answer from memory."""
        if self.down:
            raise RedisConnectionError("Connection refused")
        return await self.memory.first_time(key)


async def test_memory_deduper_answers_true_once() -> None:
    """The in-process fake says True once per key."""
    deduper = MemoryDeduper()
    assert [await deduper.first_time(k) for k in ("a", "a", "b")] == [True, False, True]


async def test_sqlite_concurrent_claims_yield_one_winner(engine: Engine) -> None:
    """Concurrent claims through one SQLite database give exactly one True per key."""
    await race(DatabaseDeduper(engine), DatabaseDeduper(engine))


async def test_database_deduper_purges_expired_keys(engine: Engine) -> None:
    """Keys older than the time-to-live are deleted; fresh ones stay."""
    now = datetime.now(UTC)
    old = DatabaseDeduper(engine, ttl=60, clock=lambda: now - timedelta(minutes=5))
    assert await old.first_time("old")
    fresh = DatabaseDeduper(engine, ttl=60, clock=lambda: now)
    assert await fresh.first_time("new")
    assert fresh.purge() == 0
    with engine.connect() as connection:
        assert connection.execute(select(ProcessedEvent.key)).scalars().all() == ["new"]


async def test_database_down_handles_the_event(caplog: pytest.LogCaptureFixture) -> None:
    """With no database the deduper lets the event through and logs the masked URL."""
    engine = make_engine(f"postgresql+psycopg://u:hunter2@127.0.0.1:{free_port()}/db")
    try:
        assert await DatabaseDeduper(engine).first_time("event:Ev1")
    finally:
        engine.dispose()
    assert "Failed to dedupe" in caplog.text and "hunter2" not in caplog.text


@pytest.mark.services
async def test_postgres_replicas_get_one_winner(pg_engine: Engine, pg_url: str) -> None:
    """Two engines on the same PostgreSQL (two replicas) never both win a key."""
    other = make_engine(pg_url)
    try:
        await race(DatabaseDeduper(pg_engine), DatabaseDeduper(other))
    finally:
        other.dispose()
    with pg_engine.connect() as connection:
        count = connection.execute(select(func.count()).select_from(ProcessedEvent))
        assert count.scalar_one() == len(KEYS)


@pytest.mark.services
async def test_redis_replicas_get_one_winner(redis: Redis, redis_prefix: str) -> None:
    """Two clients on the real Redis (two replicas) never both win a key; keys expire."""
    other = make_redis(REDIS_URL)
    try:
        await race(
            RedisDeduper(redis, prefix=redis_prefix), RedisDeduper(other, prefix=redis_prefix)
        )
    finally:
        await other.aclose()
    ttl = await redis.ttl(f"{redis_prefix}dedupe:{KEYS[0]}")
    assert 0 < ttl <= 3600


async def test_redis_down_falls_back_to_database_with_warning(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    """With Redis on a closed port, dedupe still works on the database and warns once."""
    url = f"redis://:redispw@127.0.0.1:{free_port()}/0"
    settings = load_settings(redis_url=url)
    client = make_redis(url)
    try:
        deduper = make_deduper(settings, engine, client)
        assert [await deduper.first_time(k) for k in ("e1", "e1", "e2")] == [True, False, True]
    finally:
        await client.aclose()
    warnings = [r for r in caplog.records if "unreachable" in r.getMessage()]
    assert len(warnings) == 1 and warnings[0].levelname == "WARNING"
    assert "redis://:***@127.0.0.1" in caplog.text and "redispw" not in caplog.text


async def test_fallback_recovers_when_redis_returns(caplog: pytest.LogCaptureFixture) -> None:
    """After the retry interval the deduper goes back to Redis and says so."""
    now = [0.0]
    primary, database = FlakyDeduper(), MemoryDeduper()
    failover = Failover("event dedupe", "redis://h", retry_after=5, clock=lambda: now[0])
    deduper = FallbackDeduper(primary, database, failover)
    assert await deduper.first_time("a") and failover.degraded
    primary.down = False
    assert await deduper.first_time("b") and failover.degraded  # still within retry_after
    now[0] = 6.0
    assert await deduper.first_time("c") and not failover.degraded
    assert await primary.memory.first_time("c") is False
    assert "is back" in caplog.text


async def test_without_redis_the_database_dedupes(engine: Engine) -> None:
    """No REDIS_URL: make_deduper gives the database deduper."""
    assert isinstance(make_deduper(load_settings(), engine), DatabaseDeduper)
