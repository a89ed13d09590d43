"""The rate limit without a round trip per question: decided here, shared in batches.

A question from a user well under their limit is allowed at once, from what this process
knows: the shared count as of its last exchange with Redis (or the database) plus what it
counted since. Those counts go to the shared store in one batch every `interval` seconds.
Once a user's count reaches half the limit, each further question waits for the shared count,
so the limit holds across replicas: before then, each replica allows at most half the limit
on its own, so two replicas can never pass it together (N replicas: at most N/2 times it).
If the shared store fails, this process decides alone and says so in the log.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Callable, Mapping
from typing import Protocol

from bot import metrics
from bot.storage.failure_log import FailureLog

logger = logging.getLogger(__name__)

SHARE_INTERVAL_SECONDS = 0.2


class SharedCounter(Protocol):
    """Counts every replica shares (bot.storage.ratelimit's Redis and database limiters)."""

    async def allow(self, key: str) -> bool:
        """Count one request for `key`; False once past the limit."""
        ...

    async def add_many(self, counts: Mapping[str, int], start: int) -> dict[str, int]:
        """Add `counts` per key to the window starting at `start`; the new totals."""
        ...


class LocalFirstRateLimiter:
    """`limit` requests per key and fixed window of `window` seconds, shared in batches."""

    def __init__(
        self,
        shared: SharedCounter,
        limit: int,
        window: int = 60,
        *,
        clock: Callable[[], float] = time.time,
        interval: float = SHARE_INTERVAL_SECONDS,
    ) -> None:
        self._shared, self._limit, self._window = shared, limit, window
        self._clock, self._interval = clock, interval
        self._alone = limit // 2  # what one replica may allow without asking
        self._start = self._window_start()
        self._known: dict[str, int] = {}  # shared totals as of the last exchange
        self._pending: Counter[str] = Counter()  # counted here since
        self._timer: asyncio.TimerHandle | None = None
        self._failure_log = FailureLog(logger, "the shared store")

    async def allow(self, key: str) -> bool:
        """Count one request for `key`; False once past the limit. Waits for the shared
        count only once the key has used half its limit."""
        self._roll()
        seen = self._known.get(key, 0) + self._pending[key] + 1
        self._pending[key] += 1
        if seen <= self._alone:
            self._schedule()
            return True
        totals = await self._share()
        return totals.get(key, seen) <= self._limit

    async def aclose(self) -> None:
        """Send what was counted here and not yet shared."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        await self._share()

    def _window_start(self) -> int:
        return int(self._clock() // self._window) * self._window

    def _roll(self) -> None:
        start = self._window_start()
        if start != self._start:
            self._start = start
            self._known.clear()
            self._pending.clear()

    def _schedule(self) -> None:
        if self._timer is None:
            loop = asyncio.get_running_loop()
            self._timer = loop.call_later(self._interval, self._share_later)

    def _share_later(self) -> None:
        self._timer = None
        task = asyncio.get_running_loop().create_task(self._share())
        # _share logs its own failures; a task cancelled at shutdown has nothing to report.
        task.add_done_callback(lambda t: t.cancelled() or t.exception())

    async def _share(self) -> dict[str, int]:
        """Send the pending counts; the shared totals (local ones if the store failed)."""
        if not self._pending:
            return {}
        batch, start = self._pending, self._start
        self._pending = Counter()
        try:
            totals = await self._shared.add_many(batch, start)
        except Exception as exc:
            metrics.storage_failed("database", "rate limiting")
            self._failure_log.failed(
                "share rate-limit counts", exc, outcome="deciding in this process"
            )
            if start == self._start:
                for key, count in batch.items():
                    self._known[key] = self._known.get(key, 0) + count
            return {key: self._known.get(key, 0) + self._pending[key] for key in batch}
        if start == self._start:
            self._known.update(totals)
        return {key: total + self._pending[key] for key, total in totals.items()}
