"""Storage failures show in /metrics: a write or read the database refused, Redis unreachable."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import Engine

from bot.settings import Settings
from bot.storage.conversations import DatabaseTurns
from bot.storage.db import make_engine
from bot.storage.dedupe_shared import make_deduper
from bot.storage.failover import make_redis
from bot.storage.hashing import UserHasher
from bot.storage.recorder import Recorder
from tests.ports import free_port

pytestmark = pytest.mark.asyncio


def failures(store: str, operation: str) -> float:
    """The storage failure counter's value for `store` and `operation`."""
    labels = {"store": store, "operation": operation}
    return REGISTRY.get_sample_value("ecsbot_storage_failures_total", labels) or 0.0


@pytest.fixture
def down_engine() -> Iterator[Engine]:
    """An engine for a PostgreSQL nobody listens to."""
    engine = make_engine(f"postgresql+psycopg://ecsbot@127.0.0.1:{free_port()}/ecsbot")
    yield engine
    engine.dispose()


async def test_a_write_the_database_refuses_is_counted(
    down_engine: Engine, hasher: UserHasher
) -> None:
    """The vote is not saved (the user is told), and the failure is counted."""
    before = failures("database", "record")
    assert not await Recorder(down_engine, hasher).record_served("T1", "cost", "slash")
    assert failures("database", "record") == before + 1


async def test_redis_down_is_counted_and_the_database_takes_over(engine: Engine) -> None:
    """Each dedupe claim Redis cannot take is counted; the database answers instead."""
    url = f"redis://127.0.0.1:{free_port()}/0"
    redis = make_redis(url)
    deduper = make_deduper(Settings(redis_url=url), engine, redis)
    before = failures("redis", "event_dedupe")
    try:
        assert await deduper.first_time("event:Ev1")
        assert not await deduper.first_time("event:Ev1")
    finally:
        await redis.aclose()
    assert failures("redis", "event_dedupe") == before + 1  # then skipped for a while


async def test_a_conversation_turn_the_database_cannot_read_is_counted(
    down_engine: Engine,
) -> None:
    """No context for the follow-up (answered without it), and the failure is counted."""
    before = failures("database", "conversation_memory")
    assert await DatabaseTurns(down_engine, ttl=60).load("conversation-key") is None
    assert failures("database", "conversation_memory") == before + 1
