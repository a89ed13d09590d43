"""Questions and answers served reach the database in batches, off the answer's path.

Recording a question only queues it (no I/O, no thread hop). A background task writes
what queued up in one transaction per batch: after `interval` seconds, or at once when a
batch is full. A failed batch is kept and retried with the next one, up to `max_pending`
questions (then the oldest go, with an error in the log), retrying less and less often
while the database stays down (one log line, repeats told once a minute). `aclose()` writes what is left:
`ecsbot serve` calls it on a clean shutdown. Votes are not batched: the voter is told
whether theirs was saved.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque

from bot import metrics
from bot.storage.failure_log import FailureLog
from bot.storage.recorder import Asked, EntryPoint, MatchLike, Recorder, Vote

logger = logging.getLogger(__name__)

FLUSH_INTERVAL_SECONDS = 0.25
BATCH_SIZE = 500
MAX_PENDING = 50_000
MAX_RETRY_SECONDS = 30.0


class BatchingRecorder:
    """The Recorder port over `Recorder`: questions queued and written in batches."""

    def __init__(
        self,
        recorder: Recorder,
        *,
        interval: float = FLUSH_INTERVAL_SECONDS,
        batch_size: int = BATCH_SIZE,
        max_pending: int = MAX_PENDING,
    ) -> None:
        self._recorder = recorder
        self._interval, self._batch_size, self._max_pending = interval, batch_size, max_pending
        self._pending: deque[Asked] = deque()
        self._timer: asyncio.TimerHandle | None = None
        self._task: asyncio.Task[None] | None = None
        self._failures = 0  # batches failed in a row
        self._failure_log = FailureLog(logger, recorder.where)

    @property
    def pending(self) -> int:
        """Questions queued and not yet written."""
        return len(self._pending)

    async def record_question(
        self, workspace: str, text: str, match: MatchLike, entry_point: EntryPoint = "slash"
    ) -> bool:
        """Queue a question and what it matched; True (written later, in a batch)."""
        self._queue(self._recorder.asked(workspace, text, match, entry_point))
        return True

    async def record_served(self, workspace: str, topic_id: str, entry_point: EntryPoint) -> bool:
        """Queue one answer on `topic_id` shown through `entry_point`; True."""
        self._queue(self._recorder.asked(workspace, topic_id, None, entry_point))
        return True

    async def record_feedback(
        self, workspace: str, user_id: str, topic_id: str, answer_ref: str, vote: Vote
    ) -> bool:
        """Store a vote now; False if it was not saved."""
        return await self._recorder.record_feedback(workspace, user_id, topic_id, answer_ref, vote)

    async def flush(self) -> bool:
        """Write everything queued so far; False if a batch failed (it stays queued)."""
        if self._task is not None:
            await asyncio.shield(self._task)
        while self._pending:
            if not await self._write_one_batch():
                return False
        return True

    async def aclose(self) -> None:
        """Stop the timer and write what is left (at shutdown)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if not await self.flush():
            logger.error("Lost %d question record(s) at shutdown", len(self._pending))
            self._pending.clear()

    def _queue(self, asked: Asked) -> None:
        if len(self._pending) >= self._max_pending:
            self._pending.popleft()
            logger.error("Dropped the oldest question record: %d waiting", self._max_pending)
        self._pending.append(asked)
        if len(self._pending) >= self._batch_size:
            self._start()
        elif self._timer is None and self._task is None:
            self._timer = asyncio.get_running_loop().call_later(self._interval, self._start)

    def _start(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._drain())

    async def _drain(self) -> None:
        try:
            while self._pending and await self._write_one_batch():
                pass
        finally:
            self._task = None
        if self._pending and self._timer is None:  # a failed batch: try again later
            delay = min(MAX_RETRY_SECONDS, self._interval * 2**self._failures)
            self._timer = asyncio.get_running_loop().call_later(delay, self._start)

    async def _write_one_batch(self) -> bool:
        batch = [self._pending.popleft() for _ in range(min(self._batch_size, len(self._pending)))]
        try:
            await asyncio.to_thread(self._recorder.write_asked, batch)
        except Exception as exc:
            metrics.storage_failed("database", "record")
            self._failures += 1
            what = f"record {len(batch)} question(s)"
            self._failure_log.failed(what, exc, outcome="keeping them for the next try")
            self._pending.extendleft(reversed(batch))
            return False
        if self._failures:
            logger.warning("Recording questions in %s again", self._recorder.where)
            self._failures = 0
        return True
