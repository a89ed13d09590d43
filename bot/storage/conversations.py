"""Each conversation's last answered turn, for every replica: Redis keys that expire, or rows.

Storage knows a turn by its shape (question, topic id, entry id). `Conversations` hands back
whatever `make_turn(question, topic_id, entry_id)` builds: `bot.answering.Turn` in `ecsbot
serve`. Conversation keys are stored only as salted hashes (they hold channel, thread and, for
slash commands, user ids); the question is kept without Slack markup (so without mentions).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Generic, Protocol, TypeVar

from redis.asyncio import Redis
from sqlalchemy import Engine, delete, select

from bot import metrics
from bot.settings import Settings
from bot.storage.columns import utcnow
from bot.storage.db import mask_url
from bot.storage.failover import Failover
from bot.storage.failure_log import FailureLog
from bot.storage.models import MAX_TURN_QUESTION_CHARS, ConversationTurn
from bot.storage.questions import sample_text
from bot.storage.sql import upsert_insert

logger = logging.getLogger(__name__)

DEFAULT_PREFIX = "ecsbot:"


@dataclass(frozen=True)
class StoredTurn:
    """A turn as stored: the question (markup-free, at most 500 characters) and its ids."""

    question: str
    topic_id: str
    entry_id: str | None = None


class TurnLike(Protocol):
    """What storage needs of a turn to keep it (`bot.answering.Turn` fits)."""

    @property
    def question(self) -> str: ...

    @property
    def topic_id(self) -> str: ...

    @property
    def entry_id(self) -> str | None: ...


TurnT = TypeVar("TurnT")


class TurnStore(Protocol):
    """Keeps one StoredTurn per key for a time-to-live."""

    async def load(self, key: str) -> StoredTurn | None:
        """The turn kept under `key`, or None when there is none or it expired."""
        ...

    async def load_many(self, keys: list[str]) -> dict[str, StoredTurn]:
        """The turns kept under `keys`, by key (missing or expired ones left out)."""
        ...

    async def save(self, key: str, turn: StoredTurn) -> None:
        """Keep `turn` under `key`, replacing the one before and restarting its time-to-live."""
        ...

    async def save_many(self, turns: Mapping[str, StoredTurn]) -> None:
        """`save` each of `turns` (by key), in one round trip or transaction."""
        ...


class RedisTurns:
    """A JSON value per key that Redis expires by itself; raises Redis errors for the failover."""

    def __init__(self, client: Redis, *, ttl: float, prefix: str = DEFAULT_PREFIX) -> None:
        self._client = client
        self._ttl_ms = max(1, round(ttl * 1000))
        self._prefix = f"{prefix}turn:"

    async def load(self, key: str) -> StoredTurn | None:
        """The turn under `key`; None when missing, expired or unreadable."""
        return (await self.load_many([key])).get(key)

    async def load_many(self, keys: list[str]) -> dict[str, StoredTurn]:
        """The readable turns under `keys`, in one MGET."""
        raws = await self._client.mget([self._prefix + key for key in keys])
        turns = {}
        for key, raw in zip(keys, raws, strict=True):
            if raw is None:
                continue
            try:
                turns[key] = StoredTurn(**json.loads(raw))
            except (ValueError, TypeError):
                logger.warning("Ignoring an unreadable conversation turn in Redis")
        return turns

    async def save(self, key: str, turn: StoredTurn) -> None:
        """SET the turn with its time-to-live in milliseconds."""
        await self.save_many({key: turn})

    async def save_many(self, turns: Mapping[str, StoredTurn]) -> None:
        """SET every turn with its time-to-live, in one pipeline."""
        async with self._client.pipeline(transaction=False) as pipe:
            for key, turn in turns.items():
                value: dict[str, str | None] = {"question": turn.question}
                value |= {"topic_id": turn.topic_id, "entry_id": turn.entry_id}
                pipe.set(self._prefix + key, json.dumps(value), px=self._ttl_ms)
            await pipe.execute()


class DatabaseTurns:
    """A row per key, read only while younger than the time-to-live; old rows are purged now
    and then. Database errors are logged (URL masked) and never raised."""

    def __init__(
        self, engine: Engine, *, ttl: float, clock: Callable[[], datetime] = utcnow
    ) -> None:
        self._engine = engine
        self._ttl = timedelta(seconds=ttl)
        self._clock = clock
        self._next_purge = 0.0
        self._failures = FailureLog(logger, mask_url(engine.url))

    async def load(self, key: str) -> StoredTurn | None:
        """The unexpired turn under `key`; None too when the database fails (logged)."""
        return (await self.load_many([key])).get(key)

    async def load_many(self, keys: list[str]) -> dict[str, StoredTurn]:
        """The unexpired turns under `keys`, in one query; none when the database fails."""
        try:
            return await asyncio.to_thread(self._load_many, keys)
        except Exception as exc:
            self._failures.failed("read a conversation turn", exc, outcome="answered without it")
            metrics.storage_failed("database", "conversation memory")
            return {}

    async def save(self, key: str, turn: StoredTurn) -> None:
        """Upsert the turn with the current time; a failure is logged."""
        await self.save_many({key: turn})

    async def save_many(self, turns: Mapping[str, StoredTurn]) -> None:
        """Upsert every turn with the current time, in one transaction; a failure is logged."""
        try:
            await asyncio.to_thread(self._save_many, turns)
        except Exception as exc:
            self._failures.failed("keep a conversation turn", exc)
            metrics.storage_failed("database", "conversation memory")

    def purge(self) -> int:
        """Delete turns older than the time-to-live; return how many went."""
        cutoff = self._clock() - self._ttl
        with self._engine.begin() as connection:
            result = connection.execute(
                delete(ConversationTurn).where(ConversationTurn.updated_at < cutoff)
            )
        return result.rowcount

    @property
    def _where(self) -> str:
        return mask_url(self._engine.url)

    def _load_many(self, keys: list[str]) -> dict[str, StoredTurn]:
        query = select(ConversationTurn).where(
            ConversationTurn.key.in_(keys),
            ConversationTurn.updated_at >= self._clock() - self._ttl,
        )
        with self._engine.connect() as connection:
            rows = connection.execute(query).all()
        return {row.key: StoredTurn(row.question, row.topic_id, row.entry_id) for row in rows}

    def _save_many(self, turns: Mapping[str, StoredTurn]) -> None:
        """One upsert of the turns (distinct keys) in one transaction: the rows go as
        parameters, so the statement compiles once and SQLAlchemy sends them in batches."""
        self._maybe_purge()
        now = self._clock()
        rows = [
            {"key": key, "question": t.question, "topic_id": t.topic_id, "entry_id": t.entry_id}
            | {"updated_at": now}
            for key, t in turns.items()
        ]
        with self._engine.begin() as connection:
            stmt = upsert_insert(connection, ConversationTurn)
            columns = ("question", "topic_id", "entry_id", "updated_at")
            stmt = stmt.on_conflict_do_update(
                index_elements=["key"], set_={c: stmt.excluded[c] for c in columns}
            )
            connection.execute(stmt, rows)

    def _maybe_purge(self) -> None:
        if time.monotonic() >= self._next_purge:
            self._next_purge = time.monotonic() + self._ttl.total_seconds() / 4
            self.purge()


class FallbackTurns:
    """Redis first; the database while Redis is unreachable, with a warning in the log."""

    def __init__(self, primary: TurnStore, fallback: TurnStore, failover: Failover) -> None:
        self._primary, self._fallback, self._failover = primary, fallback, failover

    async def load(self, key: str) -> StoredTurn | None:
        """The primary's turn, or the fallback's when Redis fails."""
        return (await self.load_many([key])).get(key)

    async def load_many(self, keys: list[str]) -> dict[str, StoredTurn]:
        """The primary's turns, or the fallback's when Redis fails."""
        return await self._failover.run(
            lambda: self._primary.load_many(keys), lambda: self._fallback.load_many(keys)
        )

    async def save(self, key: str, turn: StoredTurn) -> None:
        """Save on the primary, or on the fallback when Redis fails."""
        await self.save_many({key: turn})

    async def save_many(self, turns: Mapping[str, StoredTurn]) -> None:
        """Save all on the primary, or on the fallback when Redis fails."""
        await self._failover.run(
            lambda: self._primary.save_many(turns), lambda: self._fallback.save_many(turns)
        )


class Conversations(Generic[TurnT]):
    """The ConversationMemory port over a TurnStore: hashed keys, markup-free questions."""

    def __init__(
        self,
        store: TurnStore,
        make_turn: Callable[[str, str, str | None], TurnT],
        hash_key: Callable[[str], str],
    ) -> None:
        self._store, self._make_turn, self._hash_key = store, make_turn, hash_key

    async def recall(self, conversation: str) -> TurnT | None:
        """The last turn of `conversation` within the time-to-live, else None."""
        stored = await self._store.load(self._hash_key(conversation))
        if stored is None:
            return None
        return self._make_turn(stored.question, stored.topic_id, stored.entry_id)

    async def remember(self, conversation: str, turn: TurnLike) -> None:
        """Keep `turn` as the last of `conversation`, its question without Slack markup."""
        question = sample_text(turn.question, MAX_TURN_QUESTION_CHARS)
        stored = StoredTurn(question, turn.topic_id, turn.entry_id)
        await self._store.save(self._hash_key(conversation), stored)


def make_turn_store(
    settings: Settings,
    engine: Engine,
    redis: Redis | None = None,
    *,
    prefix: str = DEFAULT_PREFIX,
    clock: Callable[[], datetime] = utcnow,
) -> TurnStore:
    """CONVERSATION_TTL_SECONDS of memory: on Redis with a database fallback, or the database."""
    ttl = settings.conversation_ttl_seconds
    database = DatabaseTurns(engine, ttl=ttl, clock=clock)
    if redis is None:
        return database
    failover = Failover("conversation memory", settings.redis_url or "redis://")
    return FallbackTurns(RedisTurns(redis, ttl=ttl, prefix=prefix), database, failover)
