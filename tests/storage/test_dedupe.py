"""Dedupe: exactly one first_time per key, on Redis and on the database, across replicas."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from sqlalchemy import Engine, event, func, select

from bot.settings import load_settings
from bot.storage.db import make_engine
from bot.storage.dedupe import (
    DatabaseDeduper,
    EventDeduper,
    MemoryDeduper,
    RedisDeduper,
)
from bot.storage.dedupe_shared import SharedDeduper, make_deduper
from bot.storage.failover import Failover, make_redis
from bot.storage.models import ProcessedEvent
from tests.plugins.storage import REDIS_URL
from tests.ports import free_port

pytestmark = pytest.mark.asyncio
KEYS = [f"event:Ev{n:04d}" for n in range(20)]


def sqlite_commits(engine: Engine) -> Callable[[], int]:
    """How many COMMITs SQLite has run since the call, whatever issued them (SQLAlchemy, or
    the claims' DBAPI path): traced on every connection the engine opens from now on."""
    statements: list[str] = []
    engine.dispose()

    def trace(dbapi_connection: Any, _record: object) -> None:
        dbapi_connection.set_trace_callback(statements.append)

    event.listen(engine, "connect", trace)
    return lambda: sum(s.strip().upper().startswith("COMMIT") for s in statements)


async def race(a: EventDeduper, b: EventDeduper) -> None:
    """Two replicas claim each key at the same moment: exactly one wins every time."""
    for key in KEYS:
        results = await asyncio.gather(a.first_time(key), b.first_time(key))
        assert sorted(results) == [False, True], key
    assert not await a.first_time(KEYS[0])


async def test_memory_deduper_answers_true_once() -> None:
    """The in-process fake says True once per key."""
    deduper = MemoryDeduper()
    assert [await deduper.first_time(k) for k in ("a", "a", "b")] == [True, False, True]


async def test_sqlite_concurrent_claims_yield_one_winner(engine: Engine) -> None:
    """Concurrent claims through one SQLite database give exactly one True per key."""
    await race(DatabaseDeduper(engine), DatabaseDeduper(engine))


async def test_a_burst_of_claims_shares_transactions(engine: Engine) -> None:
    """Claims made together go in a few transactions, and a key claimed twice in one burst
    (a retry racing the first delivery) still has exactly one winner."""
    deduper = DatabaseDeduper(engine)
    commits = sqlite_commits(engine)
    keys = [*KEYS, *KEYS[:5]]
    results = await asyncio.gather(*(deduper.first_time(key) for key in keys))
    assert results == [True] * len(KEYS) + [False] * 5
    assert commits() <= 2  # the first claim alone, then every other one together
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(ProcessedEvent)).scalar() == 20
    assert not any(await asyncio.gather(*(deduper.first_time(key) for key in KEYS)))


async def claimed(engine: Engine, key: str) -> bool:
    """True when `key` has a row (was claimed)."""
    with engine.connect() as connection:
        query = select(func.count()).select_from(ProcessedEvent).where(ProcessedEvent.key == key)
        return bool(connection.execute(query).scalar())


async def test_an_events_keys_are_claimed_in_order_in_one_transaction(engine: Engine) -> None:
    """`first_repeat` claims a group of keys as if one after another — stopping at the first
    claimed before, which it returns, and leaving the keys after it unclaimed — in a single
    commit."""
    deduper = DatabaseDeduper(engine)
    assert await deduper.first_repeat(["event:0"]) is None  # the first claim purges old keys
    commits = sqlite_commits(engine)
    assert await deduper.first_repeat(["event:A", "message:A"]) is None
    assert commits() == 1
    assert await deduper.first_repeat(["event:A", "message:B"]) == "event:A"
    assert not await claimed(engine, "message:B")  # after the repeat: left alone
    assert await deduper.first_repeat(["event:C", "message:A"]) == "message:A"
    assert await claimed(engine, "event:C")  # before the repeat: claimed, as one by one
    assert await deduper.first_repeat([]) is None


async def test_groups_claimed_together_keep_arrival_order(engine: Engine) -> None:
    """Groups waiting together share one transaction; a key in two of them goes to the one
    that asked first, and each later group stops there."""
    deduper = DatabaseDeduper(engine)
    commits = sqlite_commits(engine)
    groups = [["e:1", "m:1"], ["e:2", "m:1"], ["e:1", "m:9"], ["e:3"], ["e:4", "m:4", "x:4"]]
    results = await asyncio.gather(*(deduper.first_repeat(g) for g in groups))
    assert results == [None, "m:1", "e:1", None, None]
    assert commits() <= 2
    assert not await claimed(engine, "m:9")
    assert all([await claimed(engine, k) for k in ("e:2", "m:4", "x:4")])


async def race_groups(a: DatabaseDeduper, b: DatabaseDeduper) -> None:
    """Two replicas claim each event's keys at the same moment: one wins all of them, the
    other stops at the first."""
    for n in range(10):
        keys = [f"event:Ev{n}", f"message:C1:{n}"]
        results = await asyncio.gather(a.first_repeat(keys), b.first_repeat(keys))
        assert results.count(None) == 1 and keys[0] in results, results


async def test_replicas_claiming_an_events_keys_get_one_winner(engine: Engine) -> None:
    """Two dedupers on one SQLite database: one winner per event, never a split."""
    await race_groups(DatabaseDeduper(engine), DatabaseDeduper(engine))


async def test_database_down_lets_a_group_through(caplog: pytest.LogCaptureFixture) -> None:
    """No database: `first_repeat` lets the event through (None) and logs the masked URL."""
    engine = make_engine(f"postgresql+psycopg://u:hunter2@127.0.0.1:{free_port()}/db")
    try:
        assert await DatabaseDeduper(engine).first_repeat(["event:Ev1", "message:1"]) is None
    finally:
        engine.dispose()
    assert "Failed to dedupe" in caplog.text and "hunter2" not in caplog.text


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
        await race_groups(DatabaseDeduper(pg_engine), DatabaseDeduper(other))
    finally:
        other.dispose()
    with pg_engine.connect() as connection:
        count = connection.execute(select(func.count()).select_from(ProcessedEvent))
        assert count.scalar_one() == len(KEYS) + 20


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


class FlakyRedis(RedisDeduper):
    """A RedisDeduper that fails while `down` is set and can be emptied, like a Redis that
    went away and came back without its keys."""

    def __init__(self) -> None:
        self.down = False
        self.memory = MemoryDeduper()

    async def first_time(self, key: str) -> bool:
        """Raise Redis' ConnectionError while down, else answer from memory."""
        if self.down:
            raise RedisConnectionError("Connection refused")
        return await self.memory.first_time(key)

    def empty(self) -> None:
        """Lose every key (a restart without persistence)."""
        self.memory = MemoryDeduper()


class FlakyDatabase(DatabaseDeduper):
    """A DatabaseDeduper on SQLite that fails while `down` is set."""

    down = False

    async def claim(self, key: str) -> bool:
        """Raise like an unreachable database while down."""
        if self.down:
            raise ConnectionRefusedError("database down")
        return await super().claim(key)


def shared(engine: Engine, clock: list[float]) -> tuple[SharedDeduper, FlakyRedis, FlakyDatabase]:
    """A shared deduper over a flaky Redis and a flaky SQLite, re-probing Redis after 5 s."""
    redis, database = FlakyRedis(), FlakyDatabase(engine)
    failover = Failover("event dedupe", "redis://h", retry_after=5, clock=lambda: clock[0])
    return SharedDeduper(redis, database, failover), redis, database


async def test_claim_survives_redis_dying_and_coming_back_empty(engine: Engine) -> None:
    """A key claimed while Redis was up is refused while Redis is down, and after Redis
    comes back empty: the database holds every claim."""
    now = [0.0]
    deduper, redis, _ = shared(engine, now)
    assert await deduper.first_time("event:Ev1")
    redis.down = True
    assert not await deduper.first_time("event:Ev1")
    redis.down, now[0] = False, 6.0
    redis.empty()
    assert not await deduper.first_time("event:Ev1")
    assert await deduper.first_time("event:Ev2")


async def test_replicas_disagreeing_about_redis_still_agree_on_claims(engine: Engine) -> None:
    """One replica still skips Redis (inside its re-probe window), the other uses it again:
    a key claimed by either is refused by the other."""
    now = [0.0]
    a, redis_a, _ = shared(engine, now)
    b, redis_b, _ = shared(engine, now)
    redis_b.memory = redis_a.memory  # one Redis
    redis_a.down = True
    assert await a.first_time("event:Ev0")  # a marks Redis down for 5 s
    redis_a.down = False
    assert await b.first_time("event:Ev1")  # b claims in Redis and the database
    assert not await a.first_time("event:Ev1")  # a, still skipping Redis, asks the database
    assert await a.first_time("event:Ev2")
    assert not await b.first_time("event:Ev2")


async def test_claims_made_while_the_database_was_down_are_saved_when_it_returns(
    engine: Engine,
) -> None:
    """Database down: Redis alone claims, and the keys reach the database once it answers,
    so a Redis that later comes back empty still refuses them."""
    now = [0.0]
    deduper, redis, database = shared(engine, now)
    database.down = True
    assert await deduper.first_time("event:Ev1")
    database.down = False
    assert await deduper.first_time("event:Ev2")  # the database answers: Ev1 is saved too
    redis.empty()
    assert not await deduper.first_time("event:Ev1")


async def test_both_stores_down_answers_and_warns_once(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    """Redis and the database down: every new key is handled (this process still refuses its
    own repeats), with one WARNING saying a second answer is possible."""
    now = [0.0]
    deduper, redis, database = shared(engine, now)
    redis.down = database.down = True
    results = [await deduper.first_time(k) for k in ("e1", "e1", "e2", "e3")]
    assert results == [True, False, True, True]
    warnings = [r for r in caplog.records if "both unreachable" in r.getMessage()]
    assert len(warnings) == 1 and warnings[0].levelname == "WARNING"
    tracebacks = [r for r in caplog.records if r.exc_info]
    assert tracebacks == []


async def test_without_redis_the_database_dedupes(engine: Engine) -> None:
    """No REDIS_URL: make_deduper gives the database deduper."""
    assert isinstance(make_deduper(load_settings(), engine), DatabaseDeduper)
