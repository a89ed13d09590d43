"""What the Slack listeners record: votes, unanswered questions and answers served.

Every method runs its write in a worker thread and never raises a database error into
the listener: it logs one line (URL masked, repeats rate-limited) and returns False, so
answering goes on. `write_asked` writes many questions in one transaction, for
bot.storage.batching.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol, get_args

from sqlalchemy import Connection, Engine, insert

from bot import metrics
from bot.storage.columns import utcnow
from bot.storage.db import mask_url
from bot.storage.failure_log import FailureLog
from bot.storage.models import MAX_SAMPLE_CHARS, Feedback, Question, ServedAnswer
from bot.storage.questions import normalise_question, sample_text
from bot.storage.sql import upsert_insert

logger = logging.getLogger(__name__)

EntryPoint = Literal["slash", "mention", "dm", "button", "home"]
ENTRY_POINTS: tuple[str, ...] = get_args(EntryPoint)
Vote = Literal["helpful", "not_helpful"]
VOTES: tuple[str, ...] = get_args(Vote)


class TopicLike(Protocol):
    """What the recorder needs of a knowledge-base topic."""

    @property
    def id(self) -> str: ...


class MatchLike(Protocol):
    """What the recorder needs of the matcher's verdict (`bot.matching.Match` fits)."""

    @property
    def topic(self) -> TopicLike | None: ...

    @property
    def confident(self) -> bool: ...


@dataclass(frozen=True)
class Asked:
    """One question (or answer shown from a button) to record: what matched, where, when."""

    workspace: str
    text: str
    topic_id: str | None
    confident: bool
    entry_point: EntryPoint
    at: datetime


def _served_row(asked: Asked) -> dict[str, object]:
    return {
        "workspace": asked.workspace,
        "topic_id": asked.topic_id,
        "entry_point": asked.entry_point,
        "served_at": asked.at,
    }


class Recorder:
    """Writes feedback, questions and served answers; failures are logged, never raised."""

    def __init__(
        self,
        engine: Engine,
        hash_user: Callable[[str], str],
        *,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._engine = engine
        self._hash_user = hash_user
        self._clock = clock
        self._failures = FailureLog(logger, mask_url(engine.url))

    async def record_feedback(
        self, workspace: str, user_id: str, topic_id: str, answer_ref: str, vote: Vote
    ) -> bool:
        """Store a vote on one answer (a changed vote overwrites); False if it was not saved."""
        if vote not in VOTES:
            raise ValueError(f"vote must be one of {VOTES}, not {vote!r}")
        row = {
            "workspace": workspace,
            "user_hash": self._hash_user(user_id),
            "topic_id": topic_id,
            "answer_ref": answer_ref,
            "helpful": vote == "helpful",
        }
        return await self._write("feedback", lambda c: self._upsert_feedback(c, row))

    async def record_question(
        self, workspace: str, text: str, match: MatchLike, entry_point: EntryPoint = "slash"
    ) -> bool:
        """Count an unanswered or low-confidence question, else the answer served."""
        if match.topic is not None and match.confident:
            return await self.record_served(workspace, match.topic.id, entry_point)
        normalised = normalise_question(text)
        if not normalised:
            return True
        row = {
            "workspace": workspace,
            "kind": "unanswered" if match.topic is None else "low_confidence",
            "normalised": normalised,
            "sample": sample_text(text, MAX_SAMPLE_CHARS),
            "best_topic": match.topic.id if match.topic is not None else None,
        }
        return await self._write("question", lambda c: self._upsert_question(c, row))

    async def record_served(self, workspace: str, topic_id: str, entry_point: EntryPoint) -> bool:
        """Count one answer on `topic_id` shown through `entry_point`."""
        if entry_point not in ENTRY_POINTS:
            raise ValueError(f"entry_point must be one of {ENTRY_POINTS}, not {entry_point!r}")
        row = {
            "workspace": workspace,
            "topic_id": topic_id,
            "entry_point": entry_point,
            "served_at": self._clock(),
        }
        return await self._write("served answer", lambda c: c.execute(insert(ServedAnswer), row))

    async def _write(self, what: str, work: Callable[[Connection], object]) -> bool:
        try:
            await asyncio.to_thread(self._transaction, work)
        except Exception as exc:
            self._failures.failed(f"record {what}", exc)
            metrics.storage_failed("database", "record")
            return False
        return True

    @property
    def where(self) -> str:
        """The database URL, password masked, for log lines."""
        return mask_url(self._engine.url)

    def asked(
        self, workspace: str, text: str, match: MatchLike | None, entry_point: EntryPoint
    ) -> Asked:
        """A question and its match (None: an answer shown from a button, `text` its topic
        id) as one Asked, stamped now; raises ValueError on a bad entry point."""
        if entry_point not in ENTRY_POINTS:
            raise ValueError(f"entry_point must be one of {ENTRY_POINTS}, not {entry_point!r}")
        if match is None:
            return Asked(workspace, "", text, True, entry_point, self._clock())
        topic_id = match.topic.id if match.topic is not None else None
        return Asked(workspace, text, topic_id, match.confident, entry_point, self._clock())

    def write_asked(self, batch: Sequence[Asked]) -> None:
        """Write a batch in one transaction (blocking; raises database errors): served answers
        as rows, other questions counted per normalised text."""
        served = [_served_row(a) for a in batch if a.topic_id is not None and a.confident]
        counted: dict[tuple[str, str, str], tuple[int, Asked]] = {}
        for a in batch:
            if a.topic_id is not None and a.confident:
                continue
            kind = "unanswered" if a.topic_id is None else "low_confidence"
            if normalised := normalise_question(a.text):
                count, _ = counted.get((a.workspace, kind, normalised), (0, a))
                counted[(a.workspace, kind, normalised)] = (count + 1, a)
        with self._engine.begin() as connection:
            if served:
                connection.execute(insert(ServedAnswer), served)
            for (workspace, kind, normalised), (count, a) in counted.items():
                row: dict[str, object] = {"workspace": workspace, "kind": kind}
                row |= {"normalised": normalised, "best_topic": a.topic_id}
                row["sample"] = sample_text(a.text, MAX_SAMPLE_CHARS)
                self._upsert_question(connection, row, count=count, now=a.at)

    def _transaction(self, work: Callable[[Connection], object]) -> None:
        with self._engine.begin() as connection:
            work(connection)

    def _upsert_feedback(self, connection: Connection, row: Mapping[str, object]) -> None:
        now = self._clock()
        stmt = upsert_insert(connection, Feedback).values(**row, created_at=now, updated_at=now)
        stmt = stmt.on_conflict_do_update(
            index_elements=["workspace", "user_hash", "topic_id", "answer_ref"],
            set_={"helpful": stmt.excluded.helpful, "updated_at": now},
        )
        connection.execute(stmt)

    def _upsert_question(
        self,
        connection: Connection,
        row: Mapping[str, object],
        *,
        count: int = 1,
        now: datetime | None = None,
    ) -> None:
        now = now or self._clock()
        stmt = upsert_insert(connection, Question).values(
            **row, count=count, first_seen=now, last_seen=now
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=["workspace", "kind", "normalised"],
            set_={
                "count": Question.count + count,
                "last_seen": now,
                "sample": stmt.excluded.sample,
                "best_topic": stmt.excluded.best_topic,
            },
        )
        connection.execute(stmt)
