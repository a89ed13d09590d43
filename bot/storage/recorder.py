"""What the Slack listeners record: votes, unanswered questions and answers served.

Every method runs its write in a worker thread and never raises a database error into
the listener: it logs one line (URL masked, repeats rate-limited) and returns False, so
answering goes on.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
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

EntryPoint = Literal["slash", "mention", "dm", "button", "home", "cli"]
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

    def _upsert_question(self, connection: Connection, row: Mapping[str, object]) -> None:
        now = self._clock()
        stmt = upsert_insert(connection, Question).values(
            **row, count=1, first_seen=now, last_seen=now
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=["workspace", "kind", "normalised"],
            set_={
                "count": Question.count + 1,
                "last_seen": now,
                "sample": stmt.excluded.sample,
                "best_topic": stmt.excluded.best_topic,
            },
        )
        connection.execute(stmt)
