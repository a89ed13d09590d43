"""Forgetting a workspace that uninstalled the bot, after a grace period.

On uninstall (or when Slack revokes the bot's token) the workspace gets a pending erasure,
due UNINSTALL_GRACE_DAYS later. Installing the bot again before then cancels it. Once due,
the workspace's questions, votes and served-answer counts, and the outbox's rows for its
posts (the text of those Slack never took), are deleted in one transaction. Any replica may
do it: the rows are gone for every other one. A database failure is one log line (repeats
rate-limited), never raised: the erasure is tried again at the next check.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine, delete, select

from bot import metrics
from bot.storage.columns import utcnow
from bot.storage.db import mask_url
from bot.storage.failure_log import FailureLog
from bot.storage.models import Feedback, OutboxMessage, PendingErasure, Question, ServedAnswer
from bot.storage.sql import upsert_insert

logger = logging.getLogger(__name__)

ERASED_TABLES = (Question, Feedback, ServedAnswer)


class WorkspaceEraser:
    """Schedules, cancels and carries out the erasure of a workspace's records; database
    failures are logged, not raised."""

    def __init__(
        self, engine: Engine, grace: timedelta, *, clock: Callable[[], datetime] = utcnow
    ) -> None:
        self._engine = engine
        self._grace = grace
        self._clock = clock
        self._failures = FailureLog(logger, mask_url(engine.url))

    async def schedule(self, workspace: str) -> None:
        """Erase `workspace`'s records once the grace period is over (at once without one)."""
        try:
            await asyncio.to_thread(self._schedule, workspace)
        except Exception as exc:
            self._failed("schedule a workspace's erasure", exc, "not scheduled")
            return
        logger.info("Workspace records will be erased in %s unless it reinstalls", self._grace)
        if not self._grace:
            await self.erase_due()

    async def cancel(self, workspace: str) -> None:
        """Keep `workspace`'s records after all: it installed the bot again."""
        await asyncio.to_thread(self._cancel, workspace)

    async def erase_due(self) -> list[str]:
        """Erase every workspace whose grace period is over; the workspaces erased."""
        try:
            erased = await asyncio.to_thread(self._erase_due)
        except Exception as exc:
            self._failed("erase uninstalled workspaces", exc, "tried again later")
            return []
        if erased:
            logger.info("Erased the records of %d uninstalled workspace(s)", len(erased))
        return erased

    def _failed(self, what: str, exc: Exception, outcome: str) -> None:
        self._failures.failed(what, exc, outcome=outcome)
        metrics.storage_failed("database", "erasure")

    def _schedule(self, workspace: str) -> None:
        now = self._clock()
        with self._engine.begin() as connection:
            # An upsert: two replicas hearing of one uninstall must not collide.
            stmt = upsert_insert(connection, PendingErasure).values(
                workspace=workspace, requested_at=now, due_at=now + self._grace
            )
            connection.execute(
                stmt.on_conflict_do_update(
                    index_elements=["workspace"],
                    set_={"requested_at": now, "due_at": now + self._grace},
                )
            )

    def _cancel(self, workspace: str) -> None:
        with self._engine.begin() as connection:
            self._delete_pending(connection, workspace)

    def _erase_due(self) -> list[str]:
        with self._engine.begin() as connection:
            due = select(PendingErasure.workspace).where(PendingErasure.due_at <= self._clock())
            workspaces = list(connection.execute(due).scalars())
            for workspace in workspaces:
                for table in ERASED_TABLES:
                    connection.execute(delete(table).where(table.workspace == workspace))
                outbox = delete(OutboxMessage).where(OutboxMessage.team_id == workspace)
                connection.execute(outbox)
                self._delete_pending(connection, workspace)
        return workspaces

    @staticmethod
    def _delete_pending(connection: Connection, workspace: str) -> None:
        connection.execute(delete(PendingErasure).where(PendingErasure.workspace == workspace))
