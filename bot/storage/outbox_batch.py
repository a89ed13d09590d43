"""The outbox's writes in batches: posts added together are kept in one transaction, and
"Slack has it" marks ride along with the next batch instead of a transaction each.

A mark written late is safe: the post stays leased to its replica meanwhile, and should that
replica die first, whoever takes the post after its lease finds it in the conversation by
its metadata key before posting (it is in doubt from the moment it was leased).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import Connection, Engine, exists, select, update
from sqlalchemy.orm import aliased

from bot.storage.models import OutboxMessage
from bot.storage.sql import upsert_insert

MAX_BATCH = 200  # posts per transaction
MARK_DELAY_SECONDS = 0.05  # a mark alone waits this long for a batch to ride with
MAX_MARKS = 100_000  # marks kept while the database is down; older ones are looked up later


class PostLike(Protocol):
    """What the outbox needs of a post (`bot.ports.Post` fits)."""

    @property
    def key(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def team_id(self) -> str: ...
    @property
    def channel(self) -> str: ...
    @property
    def thread_ts(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def blocks(self) -> str | None: ...


@dataclass(frozen=True)
class Adding:
    """One post to keep: leased to `owner` (about to send it) or left to the workers."""

    post: PostLike
    owner: str | None
    lease_seconds: float
    give_up_seconds: float
    attempted: bool = False  # sent once already: it stays leased whatever waits before it


class BatchWriter:
    """Queues adds and delivered marks; one task writes them, a transaction per batch."""

    def __init__(self, engine: Engine, clock: Callable[[], datetime]) -> None:
        self._engine, self._clock = engine, clock
        self._adds: list[tuple[Adding, asyncio.Future[int | None]]] = []
        self._marks: list[int] = []
        self._task: asyncio.Task[None] | None = None

    async def add(self, adding: Adding) -> int | None:
        """Keep the post (see `DatabaseOutbox.add`); raises the batch's database error."""
        future: asyncio.Future[int | None] = asyncio.get_running_loop().create_future()
        self._adds.append((adding, future))
        self._start(delay=0.0)
        return await future

    def mark_delivered(self, post_id: int) -> None:
        """Note that Slack has the post; written with the next batch."""
        self._marks.append(post_id)
        del self._marks[:-MAX_MARKS]
        self._start(delay=MARK_DELAY_SECONDS)

    def take_marks(self) -> list[int]:
        """The marks not yet written, for a caller writing them in its own transaction."""
        marks, self._marks = self._marks, []
        return marks

    def put_back(self, marks: list[int]) -> None:
        """Marks a failed transaction did not write: they go with the next batch."""
        self._marks[:0] = marks

    async def flush(self) -> None:
        """Write what is queued now; raises the database's error (the marks stay queued)."""
        while self._task is not None:
            await asyncio.shield(self._task)
        if self._marks:
            marks = self.take_marks()
            try:
                await asyncio.to_thread(self._write, [], marks)
            except Exception:
                self.put_back(marks)
                raise

    def _start(self, *, delay: float) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(delay))

    async def _run(self, delay: float) -> None:
        try:
            if delay:
                await asyncio.sleep(delay)
            while self._adds or self._marks:
                adds, self._adds = self._adds[:MAX_BATCH], self._adds[MAX_BATCH:]
                marks = self.take_marks()
                try:
                    ids = await asyncio.to_thread(self._write, [a for a, _ in adds], marks)
                except Exception as exc:
                    self.put_back(marks)
                    for _, future in adds:
                        if not future.done():
                            future.set_exception(exc)
                    if not adds:
                        return  # only marks: the next add or poll takes them
                    continue
                for (_, future), post_id in zip(adds, ids, strict=True):
                    if not future.done():
                        future.set_result(post_id)
        finally:
            self._task = None

    def _write(self, adds: list[Adding], marks: list[int]) -> list[int | None]:
        with self._engine.begin() as connection:
            write_marks(connection, marks, self._clock())
            return add_many(connection, adds, self._clock()) if adds else []


def write_marks(connection: Connection, marks: Sequence[int], now: datetime) -> None:
    """Finish the posts Slack has, and forget their text."""
    if marks:
        connection.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(marks), OutboxMessage.status == "pending")
            .values({**DELIVERED_VALUES, "finished_at": now})
        )


DELIVERED_VALUES: dict[str, Any] = dict(
    status="delivered", lease_owner=None, lease_until=None, text="", blocks=None, in_doubt=False
)


def add_many(connection: Connection, adds: Sequence[Adding], now: datetime) -> list[int | None]:
    """Insert the posts (a key already kept, or repeated in `adds`, is a no-op); per post, its
    id when its owner may send it now, else None. Three statements for the whole batch."""
    rows: dict[str, dict[str, Any]] = {}
    for adding in adds:
        rows.setdefault(adding.post.key, _row(adding, now))
    # Parameters apart from the statement: its compiled form is cached whatever the batch size.
    inserted = upsert_insert(connection, OutboxMessage).on_conflict_do_nothing(
        index_elements=["key"]
    )
    returning = inserted.returning(OutboxMessage.id, OutboxMessage.key)
    found = connection.execute(returning, list(rows.values())).all()
    ids = {key: post_id for post_id, key in found}
    checked = {a.post.key for a in adds if a.owner is not None and not a.attempted}
    behind = _waiting_behind(connection, [ids[k] for k in checked if k in ids])
    if behind:
        connection.execute(_unlease(behind))
    results: list[int | None] = []
    for adding in adds:
        post_id = ids.pop(adding.post.key, None)  # popped: a repeat in the batch gets None
        sendable = post_id is not None and adding.owner is not None and post_id not in behind
        results.append(post_id if sendable else None)
    return results


def _row(adding: Adding, now: datetime) -> dict[str, Any]:
    post, owner = adding.post, adding.owner
    return dict(
        key=post.key,
        kind=post.kind,
        team_id=post.team_id,
        channel=post.channel,
        thread_ts=post.thread_ts,
        text=post.text,
        blocks=post.blocks,
        status="pending",
        attempts=1 if owner else 0,  # an attempt counts from its claim
        in_doubt=owner is not None,  # the owner is about to send it
        lease_owner=owner,
        lease_until=now + timedelta(seconds=adding.lease_seconds) if owner else None,
        created_at=now,
        next_attempt_at=now,
        give_up_at=now + timedelta(seconds=adding.give_up_seconds),
        last_error=None,
        finished_at=None,
    )


def _waiting_behind(connection: Connection, post_ids: list[int]) -> set[int]:
    """Those of `post_ids` with an earlier post still waiting in their conversation."""
    if not post_ids:
        return set()
    earlier = aliased(OutboxMessage)
    query = select(OutboxMessage.id).where(
        OutboxMessage.id.in_(post_ids),
        exists().where(
            earlier.status == "pending",
            earlier.channel == OutboxMessage.channel,
            earlier.thread_ts == OutboxMessage.thread_ts,
            earlier.id < OutboxMessage.id,
        ),
    )
    return set(connection.execute(query).scalars())


def _unlease(post_ids: set[int]) -> Any:
    """Leave the posts to the workers, not yet attempted."""
    return (
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(post_ids))
        .values(lease_owner=None, lease_until=None, in_doubt=False, attempts=0)
    )
