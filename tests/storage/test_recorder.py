"""Recorder: votes overwrite, questions count, user ids stay hashed, failures never raise."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from sqlalchemy import Engine, MetaData, select

from bot.matching import Matcher
from bot.storage.db import make_engine
from bot.storage.hashing import UserHasher
from bot.storage.models import Feedback, Question, ServedAnswer
from bot.storage.recorder import Recorder
from tests.ports import free_port
from tests.storage.fakes import FakeMatch, FakeTopic

RAW_USER = "U0RAWUSER42"
pytestmark = pytest.mark.asyncio


@pytest.fixture
def recorder(engine: Engine, hasher: UserHasher) -> Recorder:
    """A recorder on the migrated temp SQLite database."""
    return Recorder(engine, hasher)


def rows(engine: Engine, model: type[object]) -> list[object]:
    """Every row of one model's table."""
    with engine.connect() as connection:
        return list(connection.execute(select(model.__table__)))  # type: ignore[attr-defined]


async def test_changed_vote_overwrites_the_earlier_one(recorder: Recorder, engine: Engine) -> None:
    """Voting helpful then not helpful on the same answer leaves one not-helpful row."""
    assert await recorder.record_feedback("T1", RAW_USER, "fargate-pricing", "C1:1.2", "helpful")
    assert await recorder.record_feedback(
        "T1", RAW_USER, "fargate-pricing", "C1:1.2", "not_helpful"
    )
    (row,) = rows(engine, Feedback)
    assert row.helpful is False  # type: ignore[attr-defined]


async def test_votes_on_other_answers_are_separate_rows(recorder: Recorder, engine: Engine) -> None:
    """Another answer, another user or another workspace is a separate vote."""
    await recorder.record_feedback("T1", RAW_USER, "t", "C1:1", "helpful")
    await recorder.record_feedback("T1", RAW_USER, "t", "C1:2", "helpful")
    await recorder.record_feedback("T1", "U0OTHER", "t", "C1:1", "helpful")
    await recorder.record_feedback("T2", RAW_USER, "t", "C1:1", "helpful")
    assert len(rows(engine, Feedback)) == 4


async def test_raw_user_id_is_never_stored(
    recorder: Recorder, engine: Engine, sqlite_url: str
) -> None:
    """No table and no byte of the database file holds the raw user id."""
    await recorder.record_feedback("T1", RAW_USER, "t", "C1:1", "helpful")
    await recorder.record_question(
        "T1", f"<@{RAW_USER}> how do i use lambda", FakeMatch(None, False)
    )
    metadata = MetaData()
    metadata.reflect(engine)
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            for row in connection.execute(select(table)):
                assert RAW_USER not in repr(tuple(row)), table.name
    engine.dispose()
    for path in Path(sqlite_url.removeprefix("sqlite:///")).parent.iterdir():
        assert RAW_USER.encode() not in path.read_bytes(), path.name


async def test_unanswered_question_is_counted_by_normalised_text(
    recorder: Recorder, engine: Engine
) -> None:
    """Two phrasings that normalise alike share a row, count 2, with first and last seen."""
    await recorder.record_question("T1", "How do I use *Lambda*?", FakeMatch(None, False))
    await recorder.record_question("T1", "how do i use lambda", FakeMatch(None, False))
    (row,) = rows(engine, Question)
    assert (row.kind, row.normalised, row.count) == ("unanswered", "how do i use lambda", 2)  # type: ignore[attr-defined]
    assert row.first_seen <= row.last_seen  # type: ignore[attr-defined]


async def test_low_confidence_question_keeps_the_best_guess(
    recorder: Recorder, engine: Engine
) -> None:
    """A match without confidence is stored as low_confidence with its topic, not as served."""
    await recorder.record_question("T1", "ecs or what", FakeMatch(FakeTopic("ecs-basics"), False))
    (row,) = rows(engine, Question)
    assert (row.kind, row.best_topic) == ("low_confidence", "ecs-basics")  # type: ignore[attr-defined]
    assert rows(engine, ServedAnswer) == []


async def test_confident_answer_counts_as_served(recorder: Recorder, engine: Engine) -> None:
    """A confident match is one served answer for its topic and entry point."""
    await recorder.record_question("T1", "fargate price", FakeMatch(FakeTopic("f"), True), "dm")
    (row,) = rows(engine, ServedAnswer)
    assert (row.topic_id, row.entry_point, row.workspace) == ("f", "dm", "T1")  # type: ignore[attr-defined]
    assert rows(engine, Question) == []


async def test_real_matcher_verdict_is_accepted(
    recorder: Recorder, engine: Engine, matcher: Matcher
) -> None:
    """The matcher's own Match (out of scope here) is recorded as unanswered."""
    match = matcher.match("what's the weather like in paris tomorrow?")
    assert await recorder.record_question("T1", match.question, match, "mention")
    assert [r.kind for r in rows(engine, Question)] == ["unanswered"]  # type: ignore[attr-defined]


async def test_markup_only_question_is_not_stored(recorder: Recorder, engine: Engine) -> None:
    """A question that is nothing but a mention and emoji leaves no empty row."""
    assert await recorder.record_question("T1", "<@U123> :wave:", FakeMatch(None, False))
    assert rows(engine, Question) == []


async def test_invalid_vote_or_entry_point_is_a_programming_error(recorder: Recorder) -> None:
    """A vote or entry point outside the fixed set raises ValueError at once."""
    with pytest.raises(ValueError, match="vote"):
        await recorder.record_feedback("T1", "U1", "t", "r", "meh")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="entry_point"):
        await recorder.record_served("T1", "t", "email")  # type: ignore[arg-type]


async def test_database_down_returns_false_and_logs_without_password(
    hasher: UserHasher, caplog: pytest.LogCaptureFixture
) -> None:
    """With PostgreSQL unreachable, every write returns False and the log hides the password."""
    url = f"postgresql+psycopg://ecsbot:s3cr3t-pa55@127.0.0.1:{free_port()}/ecsbot"
    engine = make_engine(url)
    recorder = Recorder(engine, hasher)
    try:
        assert not await recorder.record_feedback("T1", RAW_USER, "t", "C1:1", "helpful")
        assert not await recorder.record_question("T1", "how?", FakeMatch(None, False))
        assert not await recorder.record_served("T1", "t", "slash")
    finally:
        engine.dispose()
    assert "Failed to record feedback" in caplog.text
    assert "ecsbot:***@127.0.0.1" in caplog.text
    assert "s3cr3t-pa55" not in caplog.text
    assert RAW_USER not in caplog.text
    assert all(r.levelno == logging.ERROR for r in caplog.records if r.name.startswith("bot."))
