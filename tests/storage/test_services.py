"""open_storage: one call wires recorder, deduper and limiter; one call closes them."""

from __future__ import annotations

import pytest
from redis.asyncio import Redis

from bot.answering import Turn
from bot.settings import load_settings
from bot.storage.dedupe import DatabaseDeduper
from bot.storage.dedupe_shared import SharedDeduper
from bot.storage.services import open_storage
from tests.plugins.storage import REDIS_URL
from tests.storage.fakes import FakeMatch

pytestmark = pytest.mark.asyncio


async def test_open_storage_on_default_sqlite() -> None:
    """With defaults: a migrated SQLite file, database dedupe, working recorder and limiter."""
    storage = open_storage(load_settings(rate_limit_per_minute=1))
    try:
        assert isinstance(storage.deduper, DatabaseDeduper)
        assert await storage.recorder.record_question("T1", "how?", FakeMatch(None, False))
        assert [await storage.limiter.allow("T1:U1") for _ in range(2)] == [True, False]
        assert await storage.deduper.first_time("event:Ev1")
    finally:
        await storage.aclose()


@pytest.mark.services
async def test_open_storage_with_redis(redis: Redis, redis_prefix: str) -> None:
    """With REDIS_URL: Redis dedupe falling back to the database; the client is closed after."""
    settings = load_settings(redis_url=REDIS_URL)
    storage = open_storage(settings, redis_prefix=redis_prefix)
    try:
        assert isinstance(storage.deduper, SharedDeduper)
        assert [await storage.deduper.first_time("event:Ev1") for _ in range(2)] == [True, False]
        assert await redis.exists(f"{redis_prefix}dedupe:event:Ev1")
    finally:
        await storage.aclose()


@pytest.mark.services
async def test_redis_key_prefix_comes_from_the_settings(redis: Redis, redis_prefix: str) -> None:
    """REDIS_KEY_PREFIX keeps one deployment's (or test's) keys apart from another's."""
    settings = load_settings(redis_url=REDIS_URL, redis_key_prefix=redis_prefix)
    storage = open_storage(settings)
    try:
        assert await storage.deduper.first_time("event:Ev2")
        assert await storage.limiter.allow("T1:U1")
    finally:
        await storage.aclose()  # also sends the rate-limit count still held in the process
    keys = sorted([key.decode() async for key in redis.scan_iter(match=f"{redis_prefix}*")])
    assert keys[0] == f"{redis_prefix}dedupe:event:Ev2"
    assert keys[1].startswith(f"{redis_prefix}ratelimit:") and "U1" not in keys[1]


@pytest.mark.services
async def test_open_storage_remembers_conversations_on_redis(
    redis: Redis, redis_prefix: str
) -> None:
    """storage.conversations(Turn) is the memory `ecsbot serve` uses: on Redis, TTL from the
    settings, turns recalled as bot.answering.Turn."""
    settings = load_settings(redis_url=REDIS_URL, conversation_ttl_seconds=120)
    storage = open_storage(settings, redis_prefix=redis_prefix)
    try:
        memory = storage.conversations(Turn)
        await memory.remember("T1:D1", Turn("does fargate support gpus?", "gpu"))
        assert await memory.recall("T1:D1") == Turn("does fargate support gpus?", "gpu")
        await storage.turns.flush()  # turns reach Redis in batches
        [key] = [k async for k in redis.scan_iter(match=f"{redis_prefix}turn:*")]
        assert 0 < await redis.ttl(key) <= 120
    finally:
        await storage.aclose()
