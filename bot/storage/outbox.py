"""The outbox in the database: posts to Slack kept until delivered, shared by every replica.

A replica adds a post leased to itself and sends it at once; a post that failed waits for its
next attempt, and any replica's worker claims due posts (one at a time per conversation, in
the order they were added) by taking their lease. A lease that runs out (its replica died)
lets another replica take the post, marked in doubt: Slack may already have it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    RowMapping,
    and_,
    delete,
    exists,
    or_,
    select,
    update,
)
from sqlalchemy.orm import aliased

from bot.storage.columns import utcnow
from bot.storage.models import OutboxMessage
from bot.storage.outbox_batch import Adding, BatchWriter, PostLike, write_marks

KEEP_FINISHED = timedelta(days=14)  # delivered and given-up rows, for the report
PURGE_EVERY_SECONDS = 600.0


@dataclass(frozen=True)
class QueuedPost:
    """A post the outbox holds; `in_doubt` is True when Slack may already have it."""

    id: int
    key: str
    kind: str
    team_id: str
    channel: str
    thread_ts: str
    text: str
    blocks: str | None
    attempts: int
    in_doubt: bool
    created_at: datetime
    give_up_at: datetime


class DatabaseOutbox:
    """The outbox table; every method raises the database's errors (the caller falls back)."""

    def __init__(self, engine: Engine, *, clock: Callable[[], datetime] = utcnow) -> None:
        self._engine = engine
        self._clock = clock
        self._next_purge = 0.0
        self._writes = BatchWriter(engine, clock)

    async def add(
        self,
        post: PostLike,
        *,
        owner: str | None,
        lease_seconds: float,
        give_up_seconds: float,
        attempted: bool = False,
    ) -> int | None:
        """Keep `post`; its id when `owner` holds it and may send it now (no earlier post in
        its conversation is waiting, or `attempted`: the owner has sent it once already), else
        None (the workers send it; a known key is a no-op). Posts added together are written
        in one transaction."""
        adding = Adding(post, owner, lease_seconds, give_up_seconds, attempted)
        return await self._writes.add(adding)

    async def due(self, *, owner: str, lease_seconds: float, limit: int = 20) -> list[QueuedPost]:
        """Claim up to `limit` posts whose attempt is due: the oldest waiting one of each
        conversation, leased to `owner` (delivered marks still queued are written first)."""
        marks = self._writes.take_marks()
        try:
            return await asyncio.to_thread(self._due, owner, lease_seconds, limit, marks)
        except BaseException:
            self._writes.put_back(marks)
            raise

    async def delivered(self, post_id: int) -> None:
        """Slack has the post: finish it and forget its text, with the next batch (until
        then the post stays leased to the replica that sent it)."""
        self._writes.mark_delivered(post_id)

    async def flush(self) -> None:
        """Write the delivered marks still queued; raises the database's error."""
        await self._writes.flush()

    async def given_up(self, post_id: int, error: str) -> None:
        """Stop trying to send the post."""
        await self._finish(post_id, "given_up", error)

    async def retry(self, post_id: int, *, after: float, error: str, in_doubt: bool) -> None:
        """Try again in `after` seconds; `in_doubt` when Slack may have taken this attempt."""
        values = dict(
            next_attempt_at=self._clock() + timedelta(seconds=after),
            last_error=error[:100],
            in_doubt=in_doubt,
            lease_owner=None,
            lease_until=None,
        )
        await asyncio.to_thread(self._update, post_id, values)

    def _due(
        self, owner: str, lease_seconds: float, limit: int, marks: list[int]
    ) -> list[QueuedPost]:
        self._maybe_purge()
        now = self._clock()
        earlier = aliased(OutboxMessage)
        query = (
            select(OutboxMessage)
            .where(
                OutboxMessage.status == "pending",
                OutboxMessage.next_attempt_at <= now,
                or_(OutboxMessage.lease_until.is_(None), OutboxMessage.lease_until < now),
                ~exists().where(
                    earlier.status == "pending",
                    earlier.channel == OutboxMessage.channel,
                    earlier.thread_ts == OutboxMessage.thread_ts,
                    earlier.id < OutboxMessage.id,
                ),
            )
            .order_by(OutboxMessage.id)
            .limit(limit)
        )
        claimed = []
        with self._engine.begin() as connection:
            write_marks(connection, marks, now)
            for row in connection.execute(query).mappings().all():
                if _claim(connection, row["id"], owner, now, lease_seconds):
                    claimed.append(_queued(row))
        return claimed

    async def _finish(self, post_id: int, status: str, error: str | None) -> None:
        values: dict[str, Any] = dict(
            status=status,
            finished_at=self._clock(),
            lease_owner=None,
            lease_until=None,
            last_error=(error or "")[:100],
        )
        await asyncio.to_thread(self._update, post_id, values)

    def _update(self, post_id: int, values: dict[str, Any]) -> None:
        with self._engine.begin() as connection:
            connection.execute(
                update(OutboxMessage).where(OutboxMessage.id == post_id).values(values)
            )

    def _maybe_purge(self) -> None:
        if time.monotonic() < self._next_purge:
            return
        self._next_purge = time.monotonic() + PURGE_EVERY_SECONDS
        cutoff = self._clock() - KEEP_FINISHED
        with self._engine.begin() as connection:
            connection.execute(
                delete(OutboxMessage).where(
                    OutboxMessage.status != "pending", OutboxMessage.created_at < cutoff
                )
            )


def _claim(
    connection: Connection, post_id: int, owner: str, now: datetime, lease_seconds: float
) -> bool:
    """Take the lease unless another replica took it first; the attempt makes it in doubt."""
    result = connection.execute(
        update(OutboxMessage)
        .where(
            and_(
                OutboxMessage.id == post_id,
                OutboxMessage.status == "pending",
                or_(OutboxMessage.lease_until.is_(None), OutboxMessage.lease_until < now),
            )
        )
        .values(
            lease_owner=owner,
            lease_until=now + timedelta(seconds=lease_seconds),
            in_doubt=True,
            attempts=OutboxMessage.attempts + 1,
        )
    )
    return result.rowcount == 1


def _queued(row: RowMapping) -> QueuedPost:
    """The post as read before its claim: `in_doubt` from the attempts before this one, or
    True when the lease ran out mid-attempt (the replica that held it is gone)."""
    fields = {name: row[name] for name in QUEUED_COLUMNS}
    return QueuedPost(**fields, attempts=row["attempts"] + 1)  # this attempt's number


QUEUED_COLUMNS = (
    "id", "key", "kind", "team_id", "channel", "thread_ts", "text", "blocks", "in_doubt",
    "created_at", "give_up_at",
)  # fmt: skip
