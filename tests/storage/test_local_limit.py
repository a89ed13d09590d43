"""LocalFirstRateLimiter: no round trip while a key is well under its limit, exact near it."""

from __future__ import annotations

from collections.abc import Mapping

import pytest
from sqlalchemy import Engine

from bot.storage.local_limit import LocalFirstRateLimiter
from bot.storage.ratelimit import DatabaseRateLimiter
from tests.waiting import eventually

pytestmark = pytest.mark.asyncio
NOW = 1_700_000_000.0


class Shared:
    """A shared store over MemoryRateLimiter's counts that notes every exchange; can fail."""

    def __init__(self) -> None:
        self.totals: dict[tuple[str, int], int] = {}
        self.exchanges: list[dict[str, int]] = []
        self.down = False

    async def allow(self, key: str) -> bool:
        raise AssertionError("the local-first limiter only adds in batches")

    async def add_many(self, counts: Mapping[str, int], start: int) -> dict[str, int]:
        if self.down:
            raise ConnectionError("shared store down")
        self.exchanges.append(dict(counts))
        for key, count in counts.items():
            self.totals[(key, start)] = self.totals.get((key, start), 0) + count
        return {key: self.totals[(key, start)] for key in counts}


async def test_well_under_the_limit_nothing_waits_and_counts_go_in_one_batch() -> None:
    """Five users asking once each: allowed without an exchange, then shared together."""
    shared = Shared()
    limiter = LocalFirstRateLimiter(shared, 20, clock=lambda: NOW, interval=0.05)
    assert [await limiter.allow(f"U{n}") for n in range(5)] == [True] * 5
    assert shared.exchanges == []
    await eventually(lambda: shared.exchanges)
    assert shared.exchanges == [{f"U{n}": 1 for n in range(5)}]


async def test_past_half_the_limit_each_question_asks_the_shared_count() -> None:
    """Limit 4: two decided here; the third and fourth ask; the fifth is refused."""
    shared = Shared()
    limiter = LocalFirstRateLimiter(shared, 4, clock=lambda: NOW, interval=60)
    assert [await limiter.allow("U1") for _ in range(5)] == [True, True, True, True, False]
    assert shared.exchanges == [{"U1": 3}, {"U1": 1}, {"U1": 1}]


async def test_two_replicas_never_pass_the_limit_together() -> None:
    """Questions alternating between two processes on one store: the limit holds exactly."""
    shared = Shared()
    replicas = [LocalFirstRateLimiter(shared, 3, clock=lambda: NOW, interval=60) for _ in "ab"]
    answers = [await replicas[n % 2].allow("U1") for n in range(6)]
    assert answers == [True, True, True, False, False, False]


async def test_two_replicas_on_one_database(engine: Engine) -> None:
    """The same with the database as the shared store."""
    replicas = [
        LocalFirstRateLimiter(
            DatabaseRateLimiter(engine, 3, clock=lambda: NOW), 3, clock=lambda: NOW, interval=60
        )
        for _ in "ab"
    ]
    answers = [await replicas[n % 2].allow("T1:U1") for n in range(5)]
    assert answers == [True, True, True, False, False]


async def test_a_new_window_starts_from_zero() -> None:
    """The next minute forgets the last one's counts."""
    clock = [NOW]
    limiter = LocalFirstRateLimiter(Shared(), 2, clock=lambda: clock[0], interval=60)
    assert [await limiter.allow("U1") for _ in range(3)] == [True, True, False]
    clock[0] += 60
    assert await limiter.allow("U1")


async def test_with_the_shared_store_down_this_process_decides(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Redis and the database both unreachable: the limit still holds per process, logged."""
    shared = Shared()
    shared.down = True
    limiter = LocalFirstRateLimiter(shared, 2, clock=lambda: NOW, interval=60)
    assert [await limiter.allow("U1") for _ in range(3)] == [True, True, False]
    assert "Failed to share rate-limit counts" in caplog.text


async def test_close_shares_the_counts_held_here() -> None:
    """At shutdown the counts not yet shared are sent."""
    shared = Shared()
    limiter = LocalFirstRateLimiter(shared, 20, clock=lambda: NOW, interval=60)
    await limiter.allow("U1")
    await limiter.aclose()
    assert shared.exchanges == [{"U1": 1}]
