"""Exactly one reply per Slack event, across replicas: the first to claim a key wins.

Callers pass keys such as `event:<event_id>` or `action:<action_ts>:<user>`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol

from redis.asyncio import Redis
from sqlalchemy import Engine, delete, insert
from sqlalchemy.exc import IntegrityError

from bot import metrics
from bot.settings import Settings
from bot.storage.columns import utcnow
from bot.storage.db import mask_url
from bot.storage.failover import Failover
from bot.storage.models import ProcessedEvent

logger = logging.getLogger(__name__)

DEFAULT_TTL_SECONDS = 3600
DEFAULT_PREFIX = "ecsbot:"


class EventDeduper(Protocol):
    """Claims dedupe keys: True for the first claim of a key, False for every repeat."""

    async def first_time(self, key: str) -> bool:
        """True exactly once per key (within the time-to-live)."""
        ...


class MemoryDeduper:
    """An in-process deduper for tests and single-process runs."""

    def __init__(self) -> None:
        self._seen: set[str] = set()

    async def first_time(self, key: str) -> bool:
        """True the first time this process sees `key`."""
        if key in self._seen:
            return False
        self._seen.add(key)
        return True


class RedisDeduper:
    """SET key NX EX ttl on a shared Redis; raises Redis errors for `FallbackDeduper`."""

    def __init__(
        self, client: Redis, *, ttl: int = DEFAULT_TTL_SECONDS, prefix: str = DEFAULT_PREFIX
    ) -> None:
        self._client = client
        self._ttl = ttl
        self._prefix = f"{prefix}dedupe:"

    async def first_time(self, key: str) -> bool:
        """True if this call set the key, False if it already existed."""
        return bool(await self._client.set(self._prefix + key, b"1", nx=True, ex=self._ttl))


class DatabaseDeduper:
    """A row per key under a primary key; the losing insert is a repeat. Old rows are purged."""

    def __init__(
        self,
        engine: Engine,
        *,
        ttl: int = DEFAULT_TTL_SECONDS,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._engine = engine
        self._ttl = timedelta(seconds=ttl)
        self._clock = clock
        self._next_purge = 0.0

    async def first_time(self, key: str) -> bool:
        """True if this call inserted the key; True too if the database is down (logged)."""
        try:
            return await asyncio.to_thread(self._claim, key)
        except Exception:
            # Better a possible second reply than none at all.
            logger.exception(
                "Failed to dedupe in %s; handling the event", mask_url(self._engine.url)
            )
            metrics.storage_failed("database", "event dedupe")
            return True

    def _claim(self, key: str) -> bool:
        self._maybe_purge()
        try:
            with self._engine.begin() as connection:
                connection.execute(insert(ProcessedEvent).values(key=key, created_at=self._clock()))
        except IntegrityError:
            return False
        return True

    def _maybe_purge(self) -> None:
        if time.monotonic() >= self._next_purge:
            self._next_purge = time.monotonic() + self._ttl.total_seconds() / 4
            self.purge()

    def purge(self) -> int:
        """Delete keys older than the time-to-live; return how many went."""
        cutoff = self._clock() - self._ttl
        with self._engine.begin() as connection:
            result = connection.execute(
                delete(ProcessedEvent).where(ProcessedEvent.created_at < cutoff)
            )
        return result.rowcount


class FallbackDeduper:
    """Redis first; the database while Redis is unreachable, with a warning in the log."""

    def __init__(self, primary: EventDeduper, fallback: EventDeduper, failover: Failover) -> None:
        self._primary = primary
        self._fallback = fallback
        self._failover = failover

    async def first_time(self, key: str) -> bool:
        """The primary's answer, or the fallback's when Redis fails."""
        return await self._failover.run(
            lambda: self._primary.first_time(key), lambda: self._fallback.first_time(key)
        )


def make_deduper(
    settings: Settings,
    engine: Engine,
    redis: Redis | None = None,
    *,
    prefix: str = DEFAULT_PREFIX,
) -> EventDeduper:
    """Redis (the client `make_redis(settings.redis_url)`) with the database as fallback, or the database alone."""
    database = DatabaseDeduper(engine)
    if redis is None:
        return database
    failover = Failover("event dedupe", settings.redis_url or "redis://")
    return FallbackDeduper(RedisDeduper(redis, prefix=prefix), database, failover)
