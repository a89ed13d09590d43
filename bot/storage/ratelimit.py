"""A per-user limit on questions, shared by every replica: a fixed window counted centrally."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Callable, Mapping
from typing import Protocol

from redis.asyncio import Redis
from sqlalchemy import Connection, Engine, delete

from bot import metrics
from bot.settings import Settings
from bot.storage.db import mask_url
from bot.storage.failover import Failover
from bot.storage.failure_log import FailureLog
from bot.storage.local_limit import LocalFirstRateLimiter, SharedCounter
from bot.storage.models import RateLimitCounter
from bot.storage.sql import upsert_insert

logger = logging.getLogger(__name__)

DEFAULT_WINDOW_SECONDS = 60
DEFAULT_PREFIX = "ecsbot:"


class RateLimiter(Protocol):
    """Counts requests per key: True while the key is within its limit for this window."""

    async def allow(self, key: str) -> bool:
        """Count one request for `key`; False once the limit for the window is passed."""
        ...


def window_start(now: float, window: int) -> int:
    """The start (epoch seconds) of the fixed window holding `now`."""
    return int(now // window) * window


class MemoryRateLimiter:
    """An in-process limiter for tests and single-process runs."""

    def __init__(
        self,
        limit: int,
        window: int = DEFAULT_WINDOW_SECONDS,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._limit, self._window, self._clock = limit, window, clock
        self._counts: Counter[tuple[str, int]] = Counter()

    async def allow(self, key: str) -> bool:
        """Count one request for `key` in this process."""
        slot = (key, window_start(self._clock(), self._window))
        self._counts[slot] += 1
        return self._counts[slot] <= self._limit


class RedisRateLimiter:
    """INCR and EXPIRE in one transaction on a shared Redis; raises Redis errors."""

    def __init__(
        self,
        client: Redis,
        limit: int,
        window: int = DEFAULT_WINDOW_SECONDS,
        *,
        prefix: str = DEFAULT_PREFIX,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._client, self._limit, self._window, self._clock = client, limit, window, clock
        self._prefix = f"{prefix}ratelimit:"

    async def allow(self, key: str) -> bool:
        """Count one request for `key` in Redis."""
        start = window_start(self._clock(), self._window)
        return (await self.add_many({key: 1}, start))[key] <= self._limit

    async def add_many(self, counts: Mapping[str, int], start: int) -> dict[str, int]:
        """Add `counts` to the window starting at `start`, in one transaction; the totals."""
        async with self._client.pipeline(transaction=True) as pipe:
            for key, count in counts.items():
                name = f"{self._prefix}{key}:{start}"
                pipe.incrby(name, count)
                pipe.expire(name, self._window + 5)
            replies = await pipe.execute()
        return {key: int(total) for key, total in zip(counts, replies[::2], strict=True)}


class DatabaseRateLimiter:
    """An upserted counter row per key and window; allows everything if the database is down."""

    def __init__(
        self,
        engine: Engine,
        limit: int,
        window: int = DEFAULT_WINDOW_SECONDS,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._engine, self._limit, self._window, self._clock = engine, limit, window, clock
        self._next_purge = 0.0
        self._failures = FailureLog(logger, mask_url(engine.url))

    async def allow(self, key: str) -> bool:
        """Count one request for `key` in the database."""
        try:
            start = window_start(self._clock(), self._window)
            count = (await self.add_many({key: 1}, start))[key]
        except Exception as exc:
            self._failures.failed("count a request", exc, outcome="allowing it")
            metrics.storage_failed("database", "rate limiting")
            return True
        return count <= self._limit

    async def add_many(self, counts: Mapping[str, int], start: int) -> dict[str, int]:
        """Add `counts` to the window starting at `start`, in one transaction; the totals."""
        return await asyncio.to_thread(self._add_many, counts, start)

    def _add_many(self, counts: Mapping[str, int], start: int) -> dict[str, int]:
        """One upsert of the distinct keys in one transaction: the rows go as parameters, so
        the statement compiles once and SQLAlchemy sends them in batches."""
        rows = [{"key": key, "window_start": start, "count": n} for key, n in counts.items()]
        with self._engine.begin() as connection:
            self._maybe_purge(connection, start)
            insert = upsert_insert(connection, RateLimitCounter)
            stmt = insert.on_conflict_do_update(
                index_elements=["key", "window_start"],
                set_={"count": RateLimitCounter.count + insert.excluded.count},
            ).returning(RateLimitCounter.key, RateLimitCounter.count)
            return {key: int(count) for key, count in connection.execute(stmt, rows)}

    def _maybe_purge(self, connection: Connection, start: int) -> None:
        if start >= self._next_purge:
            self._next_purge = start + self._window
            connection.execute(
                delete(RateLimitCounter).where(RateLimitCounter.window_start < start)
            )


class FallbackRateLimiter:
    """Redis first; the database while Redis is unreachable, with a warning in the log."""

    def __init__(self, primary: SharedCounter, fallback: SharedCounter, failover: Failover) -> None:
        self._primary, self._fallback, self._failover = primary, fallback, failover

    async def allow(self, key: str) -> bool:
        """The primary's answer, or the fallback's when Redis fails."""
        return await self._failover.run(
            lambda: self._primary.allow(key), lambda: self._fallback.allow(key)
        )

    async def add_many(self, counts: Mapping[str, int], start: int) -> dict[str, int]:
        """The primary's totals, or the fallback's when Redis fails."""
        return await self._failover.run(
            lambda: self._primary.add_many(counts, start),
            lambda: self._fallback.add_many(counts, start),
        )


class HashedKeys:
    """Hashes keys before counting, so no raw user id reaches Redis or the database."""

    def __init__(self, inner: LocalFirstRateLimiter, hash_key: Callable[[str], str]) -> None:
        self._inner, self._hash_key = inner, hash_key

    async def allow(self, key: str) -> bool:
        """Count one request for the hash of `key`."""
        return await self._inner.allow(self._hash_key(key))

    async def aclose(self) -> None:
        """Send the counts not yet shared (at shutdown)."""
        await self._inner.aclose()


def make_rate_limiter(
    settings: Settings,
    engine: Engine,
    redis: Redis | None,
    hash_key: Callable[[str], str],
    *,
    window: int = DEFAULT_WINDOW_SECONDS,
    prefix: str = DEFAULT_PREFIX,
    clock: Callable[[], float] = time.time,
) -> HashedKeys:
    """RATE_LIMIT_PER_MINUTE per key: on Redis with a database fallback, or the database alone,
    decided in this process while a key is well under its limit (bot.storage.local_limit)."""
    limit = max(1, round(settings.rate_limit_per_minute * window / 60))
    shared: SharedCounter = DatabaseRateLimiter(engine, limit, window, clock=clock)
    if redis is not None:
        failover = Failover("rate limiting", settings.redis_url or "redis://")
        primary = RedisRateLimiter(redis, limit, window, prefix=prefix, clock=clock)
        shared = FallbackRateLimiter(primary, shared, failover)
    return HashedKeys(LocalFirstRateLimiter(shared, limit, window, clock=clock), hash_key)
