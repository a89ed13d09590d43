"""One claim per event across replicas, whichever store is down: Redis and the database both.

Every first claim is written to both stores. Redis answers repeats fast; the database is the
authority whenever it is reachable, so a claim made before Redis died, or before Redis came
back empty, is still found there, and two replicas that disagree about whether Redis is up
(each re-probes it on its own schedule) still agree about every claim. Claims made while the
database was down are kept in Redis and written to the database once it answers again. With
both stores down, claims live in this process alone and the log says so in one WARNING.
"""

from __future__ import annotations

import logging
from collections import deque

from redis.asyncio import Redis
from sqlalchemy import Engine

from bot.settings import Settings
from bot.storage.dedupe import (
    DEFAULT_PREFIX,
    MEMORY_KEYS,
    DatabaseDeduper,
    EventDeduper,
    MemoryDeduper,
    RedisDeduper,
)
from bot.storage.failover import Failover
from bot.storage.failure_log import FailureLog

logger = logging.getLogger(__name__)


async def _unreachable() -> bool | None:
    return None


class SharedDeduper:
    """Claims keys in Redis and in the database; see the module's docstring."""

    def __init__(self, redis: RedisDeduper, database: DatabaseDeduper, failover: Failover) -> None:
        self._redis, self._database, self._failover = redis, database, failover
        self._local = MemoryDeduper()
        self._unsaved: deque[str] = deque(maxlen=MEMORY_KEYS)  # for the database, once back
        self._failures = FailureLog(logger, database.url)
        self._both_down = False

    async def first_time(self, key: str) -> bool:
        """False if either store (or, with both down, this process) has seen `key`."""
        in_redis = await self._failover.run(lambda: self._redis.first_time(key), _unreachable)
        if in_redis is False:
            return False
        in_database = await self._claim_in_database(key)
        if in_database is False:
            return False
        self._say_if_both_down(in_redis is None and in_database is None)
        first_here = await self._local.first_time(key)
        return True if in_database else first_here

    async def _claim_in_database(self, key: str) -> bool | None:
        """The database's answer, or None while it is down (the key is kept for later)."""
        try:
            first = await self._database.claim(key)
        except Exception as exc:
            self._unsaved.append(key)
            self._failures.failed("claim an event", exc, outcome="claimed in Redis only")
            return None
        if self._unsaved:
            await self._save_unsaved()
        return first

    async def _save_unsaved(self) -> None:
        # Taken before the write: claims made at the same time must not save (or drop) them too.
        keys = list(self._unsaved)
        self._unsaved.clear()
        try:
            await self._database.record(keys)
        except Exception as exc:
            self._unsaved.extendleft(reversed(keys))  # ahead of any made meanwhile
            self._failures.failed("save earlier claims", exc, outcome="will try again")

    def _say_if_both_down(self, both_down: bool) -> None:
        if both_down and not self._both_down:
            logger.warning(
                "Redis and the database are both unreachable: events are claimed in this "
                "process only, so a retry that reaches another replica may be answered twice"
            )
        elif self._both_down and not both_down:
            logger.warning("A shared store is reachable again: events are claimed there")
        self._both_down = both_down


def make_deduper(
    settings: Settings,
    engine: Engine,
    redis: Redis | None = None,
    *,
    prefix: str = DEFAULT_PREFIX,
) -> EventDeduper:
    """Claims in Redis (the client `make_redis(settings.redis_url)`) and the database, or
    the database alone without Redis."""
    database = DatabaseDeduper(engine)
    if redis is None:
        return database
    failover = Failover("event dedupe", settings.redis_url or "redis://")
    return SharedDeduper(RedisDeduper(redis, prefix=prefix), database, failover)
