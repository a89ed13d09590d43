"""Exactly one reply per Slack event, across replicas: the first to claim a key wins.

Callers pass keys such as `event:<event_id>` or `action:<action_ts>:<user>`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol

from redis.asyncio import Redis
from sqlalchemy import Engine, bindparam, delete
from sqlalchemy.dialects import sqlite

from bot import metrics
from bot.storage.columns import utcnow
from bot.storage.db import mask_url
from bot.storage.failure_log import FailureLog
from bot.storage.models import ProcessedEvent
from bot.storage.sql import upsert_insert

logger = logging.getLogger(__name__)

DEFAULT_TTL_SECONDS = 3600
DEFAULT_PREFIX = "ecsbot:"
MEMORY_KEYS = 10_000


class EventDeduper(Protocol):
    """Claims dedupe keys: True for the first claim of a key, False for every repeat."""

    async def first_time(self, key: str) -> bool:
        """True exactly once per key (within the time-to-live)."""
        ...


class MemoryDeduper:
    """An in-process deduper: tests, and the last resort while every shared store is down.
    Keeps the newest `max_keys` keys."""

    def __init__(self, max_keys: int = MEMORY_KEYS) -> None:
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._max_keys = max_keys

    async def first_time(self, key: str) -> bool:
        """True the first time this process sees `key`."""
        if key in self._seen:
            return False
        self._seen[key] = None
        while len(self._seen) > self._max_keys:
            self._seen.popitem(last=False)
        return True


class RedisDeduper:
    """SET key NX EX ttl on a shared Redis; raises Redis errors (`SharedDeduper` handles them)."""

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
    """A row per key under a primary key; the losing insert is a repeat. Old rows are purged.

    Claims made while another is being written wait, then go together in one transaction
    (INSERT … ON CONFLICT DO NOTHING RETURNING), so a burst costs a few commits, not one each.
    """

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
        self._failures = FailureLog(logger, mask_url(engine.url))
        self._waiting: list[tuple[tuple[str, ...], asyncio.Future[str | None]]] = []
        self._writer: asyncio.Task[None] | None = None
        self._sqlite = _SqliteClaims(engine) if engine.dialect.name == "sqlite" else None

    @property
    def url(self) -> str:
        """The database's URL, password masked."""
        return mask_url(self._engine.url)

    async def first_time(self, key: str) -> bool:
        """True if this call inserted the key; True too if the database is down (logged)."""
        return await self.first_repeat([key]) is None

    async def first_repeat(self, keys: Sequence[str]) -> str | None:
        """Claim `keys` in order, stopping at the first claimed before: that key, or None when
        every key was new (None too if the database is down, logged: better a possible second
        reply than none). One transaction for all of them, shared with concurrent claims."""
        try:
            return await self.claim_in_order(keys)
        except Exception as exc:
            self._failures.failed("dedupe", exc, outcome="handling the event")
            metrics.storage_failed("database", "event dedupe")
            return None

    async def claim(self, key: str) -> bool:
        """True if this call inserted the key, False if it was there; raises database errors."""
        return await self.claim_in_order([key]) is None

    async def claim_in_order(self, keys: Sequence[str]) -> str | None:
        """`first_repeat` without the failure handling: raises database errors."""
        claim: asyncio.Future[str | None] = asyncio.get_running_loop().create_future()
        self._waiting.append((tuple(keys), claim))
        if self._writer is None:
            self._writer = asyncio.get_running_loop().create_task(self._write_claims())
        return await claim

    async def _write_claims(self) -> None:
        """Claim every waiting group of keys, batch after batch, until none waits."""
        try:
            while self._waiting:
                batch, self._waiting = self._waiting, []
                try:
                    repeats = await asyncio.to_thread(self._claim_groups, [k for k, _ in batch])
                except Exception as exc:
                    for _, claim in batch:
                        claim.set_exception(exc)
                    continue
                for (_, claim), repeat in zip(batch, repeats, strict=True):
                    claim.set_result(repeat)
        finally:
            self._writer = None

    async def record(self, keys: Iterable[str]) -> None:
        """Insert keys claimed elsewhere (while the database was down); known ones stay."""
        rows = [{"key": key, "created_at": self._clock()} for key in keys]
        if rows:
            await asyncio.to_thread(self._record, rows)

    def _record(self, rows: list[dict[str, object]]) -> None:
        with self._engine.begin() as connection:
            stmt = upsert_insert(connection, ProcessedEvent).values(rows)
            connection.execute(stmt.on_conflict_do_nothing(index_elements=["key"]))

    def _claim_groups(self, groups: Sequence[Sequence[str]]) -> list[str | None]:
        """Claim each group's keys in order, in one transaction: per group, the first key that
        was claimed before (by an earlier group too), or None when it won every key.

        Position by position, one INSERT … ON CONFLICT DO NOTHING RETURNING for the keys of
        the groups still winning (sorted: two replicas' transactions take shared keys in the
        same order and cannot deadlock on them). A group that lost a key claims none after
        it, as if its keys were claimed one after another.
        """
        self._maybe_purge()
        now = self._clock()
        if self._sqlite is not None:
            return self._sqlite.claim(groups, now)
        with self._engine.begin() as connection:
            claim = upsert_insert(connection, ProcessedEvent).on_conflict_do_nothing()
            insert = claim.returning(ProcessedEvent.key)

            def won(keys: list[str]) -> set[str]:
                # Rows as parameters: the statement compiles once whatever the batch size.
                rows = [{"key": key, "created_at": now} for key in keys]
                return set(connection.execute(insert, rows).scalars())

            return groups_in_order(groups, won)

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


def groups_in_order(
    groups: Sequence[Sequence[str]], insert: Callable[[list[str]], set[str]]
) -> list[str | None]:
    """Per group, its first key that `insert` (given sorted keys, returning those it
    inserted) did not win, or None; position by position, only for groups still winning,
    and a key two groups share goes to the first."""
    repeats: list[str | None] = [None] * len(groups)
    alive = [n for n, keys in enumerate(groups) if keys]
    for position in range(max((len(k) for k in groups), default=0)):
        alive = [n for n in alive if position < len(groups[n])]
        keys = sorted({groups[n][position] for n in alive})
        if not keys:
            break
        won = insert(keys)
        still = []
        for n in alive:
            key = groups[n][position]
            if key in won:
                won.discard(key)  # the first group with the key has it
                still.append(n)
            else:
                repeats[n] = key
        alive = still
    return repeats


def _unchanged(value: datetime) -> datetime:
    return value


class _SqliteClaims:
    """The claims on SQLite, through the DBAPI connection of the engine's pool: the database
    runs in this process, and SQLAlchemy's execution layer (context, result objects) cost
    more than the insert itself — a third of a mention's CPU (bench/notes.md). The statement
    and the column's bind processing are SQLAlchemy's, compiled once."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        statement = (
            sqlite.insert(ProcessedEvent)
            .values(key=bindparam("key"), created_at=bindparam("created_at"))
            .on_conflict_do_nothing()
            .returning(ProcessedEvent.key)
        )
        compiled = statement.compile(dialect=engine.dialect)
        self._sql = str(compiled)
        self._order = list(compiled.positiontup or [])
        if sorted(self._order) != ["created_at", "key"]:
            raise RuntimeError(f"unexpected parameters in {self._sql!r}: {self._order}")
        created_at = ProcessedEvent.__table__.c.created_at.type
        self._stamp: Callable[[datetime], Any] = created_at.bind_processor(engine.dialect) or (
            _unchanged
        )

    def claim(self, groups: Sequence[Sequence[str]], now: datetime) -> list[str | None]:
        """`groups_in_order` in one transaction, a row at a time."""
        stamp = self._stamp(now)
        connection = self._engine.raw_connection()
        try:
            cursor = connection.cursor()

            def won(keys: list[str]) -> set[str]:
                inserted = set()
                for key in keys:
                    values = {"key": key, "created_at": stamp}
                    cursor.execute(self._sql, [values[name] for name in self._order])
                    if cursor.fetchone() is not None:
                        inserted.add(key)
                return inserted

            repeats = groups_in_order(groups, won)
            connection.commit()
            return repeats
        except BaseException:
            connection.rollback()
            raise
        finally:
            connection.close()
