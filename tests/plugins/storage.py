"""Storage fixtures: a migrated temp SQLite, a throwaway PostgreSQL schema, a Redis key prefix.

A pytest plugin (tests/conftest.py loads it), so tests/storage and tests/slack share them.

Tests marked `services` use the real servers on 127.0.0.1 and isolate themselves: each
test gets its own PostgreSQL schema (dropped afterwards) and its own Redis key prefix
(deleted afterwards), so parallel runs on the same servers never see each other's data.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio
from redis.asyncio import Redis
from sqlalchemy import Engine, create_engine, make_url, text
from sqlalchemy.exc import OperationalError

from bot.storage.db import make_engine, upgrade
from bot.storage.failover import REDIS_ERRORS, make_redis
from bot.storage.hashing import UserHasher

POSTGRES_URL = os.environ.get(
    "ECSBOT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("ECSBOT_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A SQLite file in a directory that does not exist yet."""
    return f"sqlite:///{tmp_path / 'data' / 'ecsbot.db'}"


@pytest.fixture
def engine(sqlite_url: str) -> Iterator[Engine]:
    """A migrated SQLite engine, disposed afterwards."""
    engine = make_engine(sqlite_url)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def hasher() -> UserHasher:
    """A user hasher with a fixed test key."""
    return UserHasher(b"test-key")


def unavailable(reason: str) -> None:
    """Skip on a developer machine without the server; fail in CI, where it must be there."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI starts it: see .ci/run)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres_admin() -> Iterator[Engine]:
    """An engine on the shared PostgreSQL database, or a skip when none is reachable."""
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect():
            pass
    except OperationalError:
        admin.dispose()
        unavailable(f"PostgreSQL not reachable at {make_url(POSTGRES_URL).host}")
    yield admin
    admin.dispose()


@pytest.fixture
def pg_url(postgres_admin: Engine) -> Iterator[str]:
    """A URL whose search_path is a fresh schema of its own, dropped after the test."""
    schema = f"ecsbot_test_{uuid.uuid4().hex[:16]}"
    with postgres_admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    yield url.render_as_string(hide_password=False)
    with postgres_admin.connect() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


@pytest.fixture
def pg_engine(pg_url: str) -> Iterator[Engine]:
    """A migrated engine on the test's own PostgreSQL schema."""
    engine = make_engine(pg_url)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def redis_prefix() -> str:
    """A key prefix no other test or test run uses."""
    return f"ecsbot-test:{uuid.uuid4().hex}:"


@pytest_asyncio.fixture
async def redis(redis_prefix: str) -> AsyncIterator[Redis]:
    """A client on the real Redis; the test's keys are deleted and the client closed after."""
    client = make_redis(REDIS_URL)
    try:
        await client.ping()
    except REDIS_ERRORS as exc:
        await client.aclose()
        unavailable(f"Redis not reachable: {type(exc).__name__}")
    yield client
    keys = [key async for key in client.scan_iter(match=f"{redis_prefix}*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()
