"""BatchingRecorder: questions queue without I/O and reach the database in batches."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.exc import OperationalError

from bot.storage.batching import BatchingRecorder
from bot.storage.hashing import UserHasher
from bot.storage.models import Question, ServedAnswer
from bot.storage.recorder import Asked, Recorder
from tests.storage.fakes import FakeMatch, FakeTopic
from tests.waiting import eventually

pytestmark = pytest.mark.asyncio


class CountingRecorder(Recorder):
    """The real Recorder, counting its batch writes; `fail` makes the next ones raise."""

    def __init__(self, engine: Engine, hasher: UserHasher) -> None:
        super().__init__(engine, hasher)
        self.batches: list[int] = []
        self.fail = 0

    def write_asked(self, batch: Sequence[Asked]) -> None:
        if self.fail:
            self.fail -= 1
            raise OperationalError("INSERT", {}, Exception("database is locked"))
        self.batches.append(len(batch))
        super().write_asked(batch)


def rows(engine: Engine, model: type[object]) -> list[object]:
    """Every row of one model's table."""
    with engine.connect() as connection:
        return list(connection.execute(select(model.__table__)))  # type: ignore[attr-defined]


async def test_a_burst_is_one_batch_written_after_the_interval(
    engine: Engine, hasher: UserHasher
) -> None:
    """Thirty questions queue at once (nothing written yet) and go in one transaction."""
    inner = CountingRecorder(engine, hasher)
    recorder = BatchingRecorder(inner, interval=0.05)
    for n in range(10):
        assert await recorder.record_question("T1", "how do I use lambda", FakeMatch(None, False))
        assert await recorder.record_question("T1", "ecs?", FakeMatch(FakeTopic("e"), False))
        assert await recorder.record_served("T1", f"topic-{n % 2}", "button")
    assert recorder.pending == 30 and rows(engine, ServedAnswer) == []
    # The queue empties when the batch is taken; its rows land when the worker thread commits.
    await eventually(lambda: len(rows(engine, ServedAnswer)) == 10)
    assert inner.batches == [30] and recorder.pending == 0
    counts = {(r.kind, r.count) for r in rows(engine, Question)}  # type: ignore[attr-defined]
    assert counts == {("unanswered", 10), ("low_confidence", 10)}
    assert len(rows(engine, ServedAnswer)) == 10
    await recorder.aclose()


async def test_a_full_batch_is_written_at_once(engine: Engine, hasher: UserHasher) -> None:
    """Reaching batch_size starts a write without waiting for the interval."""
    inner = CountingRecorder(engine, hasher)
    recorder = BatchingRecorder(inner, interval=60, batch_size=5)
    for _ in range(5):
        await recorder.record_question("T1", "fargate?", FakeMatch(FakeTopic("f"), True), "dm")
    await eventually(lambda: inner.batches, timeout=30)  # well before the 60 s interval
    assert inner.batches == [5]
    await recorder.aclose()


async def test_close_writes_what_is_still_queued(engine: Engine, hasher: UserHasher) -> None:
    """A clean shutdown loses nothing: aclose writes the queue before the timer would."""
    recorder = BatchingRecorder(Recorder(engine, hasher), interval=60)
    await recorder.record_question("T1", "can i run kubernetes", FakeMatch(None, False))
    await recorder.aclose()
    assert [r.normalised for r in rows(engine, Question)] == ["can i run kubernetes"]  # type: ignore[attr-defined]


async def test_a_failed_batch_is_kept_and_written_later(
    engine: Engine, hasher: UserHasher, caplog: pytest.LogCaptureFixture
) -> None:
    """The database failing twice loses nothing; the failure is logged once, the recovery too."""
    inner = CountingRecorder(engine, hasher)
    inner.fail = 2
    recorder = BatchingRecorder(inner, interval=0.02)
    await recorder.record_question("T1", "how do I use lambda", FakeMatch(None, False))
    # the recovery line follows the write, which runs in a worker thread
    await eventually(lambda: "Recording questions in sqlite" in caplog.text)
    assert inner.batches == [1]
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and errors[0].getMessage().startswith("Failed to record 1 question")
    assert "Recording questions in sqlite" in caplog.text
    await recorder.aclose()


async def test_votes_are_not_batched(engine: Engine, hasher: UserHasher) -> None:
    """A vote is written before record_feedback returns: the voter hears if it was saved."""
    recorder = BatchingRecorder(Recorder(engine, hasher), interval=60)
    assert await recorder.record_feedback("T1", "U1", "fargate", "C1:1", "helpful")
    assert recorder.pending == 0
    await recorder.aclose()


async def test_a_bad_entry_point_raises_at_once(engine: Engine, hasher: UserHasher) -> None:
    """A programming error surfaces in the caller, not later in the writer."""
    recorder = BatchingRecorder(Recorder(engine, hasher))
    with pytest.raises(ValueError, match="entry_point"):
        await recorder.record_served("T1", "t", "email")  # type: ignore[arg-type]
