"""Rate limit: N allowed then denied, a new window resets, shared by every replica."""

from __future__ import annotations

import pytest
from redis.asyncio import Redis
from sqlalchemy import Engine, select

from bot.settings import load_settings
from bot.storage.db import make_engine
from bot.storage.failover import make_redis
from bot.storage.hashing import UserHasher
from bot.storage.models import RateLimitCounter
from bot.storage.ratelimit import (
    DatabaseRateLimiter,
    MemoryRateLimiter,
    RateLimiter,
    RedisRateLimiter,
    make_rate_limiter,
    window_start,
)
from tests.plugins.storage import REDIS_URL
from tests.ports import free_port

pytestmark = pytest.mark.asyncio
USER = "T1:U0RAWUSER42"


class Clock:
    """A settable clock in epoch seconds."""

    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        """The current fake time."""
        return self.now


async def answers(limiter: RateLimiter, count: int, key: str = USER) -> list[bool]:
    """The limiter's verdicts on `count` requests in a row."""
    return [await limiter.allow(key) for _ in range(count)]


async def test_window_start_is_aligned() -> None:
    """Windows start on multiples of their length."""
    assert window_start(125.5, 60) == 120


async def test_memory_limiter_allows_n_then_denies_then_resets() -> None:
    """The in-process fake allows 3, denies the 4th, allows again in the next window."""
    clock = Clock()
    limiter = MemoryRateLimiter(3, clock=clock)
    assert await answers(limiter, 4) == [True, True, True, False]
    clock.now += 60
    assert await answers(limiter, 1) == [True]


async def test_database_limiter_allows_n_then_denies_then_resets(engine: Engine) -> None:
    """On the database: 3 allowed, the 4th denied, other users unaffected, next window fresh."""
    clock = Clock()
    limiter = DatabaseRateLimiter(engine, 3, clock=clock)
    assert await answers(limiter, 4) == [True, True, True, False]
    assert await answers(limiter, 1, key="T1:U0OTHER") == [True]
    clock.now += 60
    assert await answers(limiter, 1) == [True]


async def test_database_limiter_purges_old_windows(engine: Engine) -> None:
    """Counters of past windows are deleted as new windows start."""
    clock = Clock()
    limiter = DatabaseRateLimiter(engine, 3, clock=clock)
    await answers(limiter, 1)
    clock.now += 120
    await answers(limiter, 1)
    with engine.connect() as connection:
        starts = connection.execute(select(RateLimitCounter.window_start)).scalars().all()
    assert starts == [window_start(clock.now, 60)]


async def test_database_limiter_is_shared_by_replicas(engine: Engine, sqlite_url: str) -> None:
    """Two limiters on two engines of one database count together."""
    clock = Clock()
    other = make_engine(sqlite_url)
    try:
        first = DatabaseRateLimiter(engine, 3, clock=clock)
        second = DatabaseRateLimiter(other, 3, clock=clock)
        verdicts = [await (first if n % 2 else second).allow(USER) for n in range(4)]
    finally:
        other.dispose()
    assert verdicts == [True, True, True, False]


async def test_database_down_allows_and_logs(caplog: pytest.LogCaptureFixture) -> None:
    """With the database unreachable the question is allowed and the failure logged."""
    engine = make_engine(f"postgresql+psycopg://u:hunter2@127.0.0.1:{free_port()}/db")
    try:
        assert await answers(DatabaseRateLimiter(engine, 1), 2) == [True, True]
    finally:
        engine.dispose()
    assert "Failed to count" in caplog.text and "hunter2" not in caplog.text


@pytest.mark.services
async def test_redis_limit_is_shared_by_replicas(redis: Redis, redis_prefix: str) -> None:
    """Two limiters with their own clients on one Redis share the count; the window resets."""
    clock = Clock()
    other = make_redis(REDIS_URL)
    try:
        limiters = [
            RedisRateLimiter(client, 3, prefix=redis_prefix, clock=clock)
            for client in (redis, other)
        ]
        verdicts = [await limiters[n % 2].allow(USER) for n in range(5)]
        clock.now += 60
        after = await limiters[1].allow(USER)
    finally:
        await other.aclose()
    assert verdicts == [True, True, True, False, False]
    assert after is True


@pytest.mark.services
async def test_redis_keys_hold_no_raw_user_id(
    redis: Redis, redis_prefix: str, engine: Engine, hasher: UserHasher
) -> None:
    """The factory's limiter hashes keys: Redis never sees the raw user id; keys expire."""
    settings = load_settings(redis_url=REDIS_URL, rate_limit_per_minute=2)
    limiter = make_rate_limiter(settings, engine, redis, hasher, prefix=redis_prefix, clock=Clock())
    assert await answers(limiter, 3) == [True, True, False]
    keys = [key async for key in redis.scan_iter(match=f"{redis_prefix}*")]
    assert len(keys) == 1 and b"U0RAWUSER42" not in keys[0]
    assert 0 < await redis.ttl(keys[0]) <= 65


async def test_redis_down_falls_back_to_database(
    engine: Engine, hasher: UserHasher, caplog: pytest.LogCaptureFixture
) -> None:
    """With Redis on a closed port the limit still holds, counted in the database."""
    url = f"redis://127.0.0.1:{free_port()}/0"
    client = make_redis(url)
    try:
        settings = load_settings(redis_url=url, rate_limit_per_minute=2)
        limiter = make_rate_limiter(settings, engine, client, hasher, clock=Clock())
        assert await answers(limiter, 3) == [True, True, False]
    finally:
        await client.aclose()
    assert "rate limiting falls back to the database" in caplog.text


async def test_database_adds_a_large_batch_in_one_transaction(engine: Engine) -> None:
    """Thousands of keys at once (a burst, or counts kept through an outage) all count."""
    limiter = DatabaseRateLimiter(engine, 3, clock=Clock())
    start = window_start(Clock()(), 60)
    counts = {f"key-{n}": 1 + n % 3 for n in range(2500)}
    assert await limiter.add_many(counts, start) == counts
    assert (await limiter.add_many({"key-0": 2}, start)) == {"key-0": 3}
