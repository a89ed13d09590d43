"""Redis first, the database while Redis is unreachable: one warning per outage, then recovery."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from bot import metrics
from bot.storage.db import mask_url

logger = logging.getLogger(__name__)

T = TypeVar("T")
REDIS_ERRORS: tuple[type[BaseException], ...] = (RedisError, OSError)
RETRY_AFTER_SECONDS = 5.0


def make_redis(url: str) -> Redis:
    """An asyncio Redis client that fails fast, so a Redis outage costs a request little."""
    # One immediate retry replaces a pooled connection that died with a Redis restart.
    return Redis.from_url(
        url,
        socket_connect_timeout=1.0,
        socket_timeout=1.0,
        retry=Retry(NoBackoff(), 1),
        health_check_interval=30,
    )


class Failover:
    """Runs an operation on Redis, or on the database while Redis is down, and says so once."""

    def __init__(
        self,
        what: str,
        redis_url: str,
        *,
        retry_after: float = RETRY_AFTER_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._what = what
        self._where = mask_url(redis_url)
        self._retry_after = retry_after
        self._clock = clock
        self._down = False
        self._skip_until = 0.0

    @property
    def degraded(self) -> bool:
        """True while the database stands in for Redis."""
        return self._down

    async def run(
        self, primary: Callable[[], Awaitable[T]], fallback: Callable[[], Awaitable[T]]
    ) -> T:
        """`primary()`, or `fallback()` when Redis fails or failed less than `retry_after` ago."""
        if self._down and self._clock() < self._skip_until:
            return await fallback()
        try:
            result = await primary()
        except REDIS_ERRORS as exc:
            self._mark_down(exc)
            return await fallback()
        if self._down:
            self._down = False
            logger.warning("Redis at %s is back; %s uses it again", self._where, self._what)
        return result

    def _mark_down(self, exc: BaseException) -> None:
        metrics.storage_failed("redis", self._what)
        if not self._down:
            logger.warning(
                "Redis at %s is unreachable (%s); %s falls back to the database",
                self._where,
                type(exc).__name__,
                self._what,
            )
        self._down = True
        self._skip_until = self._clock() + self._retry_after
