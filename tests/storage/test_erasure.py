"""WorkspaceEraser: an uninstalled workspace's records (the outbox's rows too) go after the
grace period, and only its own; a reinstall within the grace period keeps them; a database
that is down is one log line. On SQLite and PostgreSQL."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select

from bot.ports import Post
from bot.storage.db import make_engine
from bot.storage.erasure import WorkspaceEraser
from bot.storage.hashing import UserHasher
from bot.storage.models import Feedback, OutboxMessage, PendingErasure, Question, ServedAnswer
from bot.storage.outbox import DatabaseOutbox
from bot.storage.recorder import Recorder
from tests.ports import free_port
from tests.storage.fakes import FakeMatch

pytestmark = pytest.mark.asyncio

GRACE = timedelta(days=7)
START = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


async def fill(engine: Engine, hasher: UserHasher, workspace: str) -> None:
    """One unanswered question, one vote, one served answer and one post Slack never took
    (its text kept in the outbox) in `workspace`."""
    recorder = Recorder(engine, hasher)
    assert await recorder.record_question(workspace, "how do I use lambda", FakeMatch(None, False))
    assert await recorder.record_feedback(workspace, "U0VOTER", "cost", "C1:1.2", "helpful")
    assert await recorder.record_served(workspace, "cost", "button")
    outbox = DatabaseOutbox(engine)
    post = Post(f"event:Ev{workspace}#1", "answer", workspace, "D1", "", "an answer", None)
    post_id = await outbox.add(post, owner="a", lease_seconds=30.0, give_up_seconds=900.0)
    assert post_id is not None
    await outbox.given_up(post_id, "channel_not_found")


def counts(engine: Engine, workspace: str) -> dict[str, int]:
    """How many rows `workspace` has in each erased table, and whether it has a pending erasure."""
    found = {}
    with engine.connect() as connection:
        for model in (Question, Feedback, ServedAnswer, PendingErasure):
            query = select(func.count()).where(model.workspace == workspace)
            found[model.__tablename__] = connection.execute(query).scalar_one()
        query = select(func.count()).where(OutboxMessage.team_id == workspace)
        found[OutboxMessage.__tablename__] = connection.execute(query).scalar_one()
    return found


KEPT = {
    "questions": 1,
    "feedback": 1,
    "served_answers": 1,
    "pending_erasures": 0,
    "outbox_messages": 1,
}
PENDING = {**KEPT, "pending_erasures": 1}
ERASED = dict.fromkeys(KEPT, 0)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.services)])
def database(request: pytest.FixtureRequest) -> Engine:
    """The migrated database of either kind."""
    name = "engine" if request.param == "sqlite" else "pg_engine"
    engine: Engine = request.getfixturevalue(name)
    return engine


async def test_records_go_after_the_grace_period_and_only_that_workspace_s(
    database: Engine, hasher: UserHasher
) -> None:
    """Scheduled at uninstall, nothing goes for seven days; then the workspace's questions,
    votes, served answers and outbox rows go, and another workspace's stay."""
    clock = Clock()
    eraser = WorkspaceEraser(database, GRACE, clock=clock)
    for workspace in ("T0GONE", "T0STAYS"):
        await fill(database, hasher, workspace)
    await eraser.schedule("T0GONE")
    clock.now = START + GRACE - timedelta(seconds=1)
    assert await eraser.erase_due() == []
    assert counts(database, "T0GONE") == PENDING
    clock.now = START + GRACE
    assert await eraser.erase_due() == ["T0GONE"]
    assert counts(database, "T0GONE") == ERASED
    assert counts(database, "T0STAYS") == KEPT


async def test_reinstalling_within_the_grace_period_keeps_the_records(
    database: Engine, hasher: UserHasher
) -> None:
    """Uninstalled, then installed again the next day: nothing is erased, ever."""
    clock = Clock()
    eraser = WorkspaceEraser(database, GRACE, clock=clock)
    await fill(database, hasher, "T0BACK")
    await eraser.schedule("T0BACK")
    clock.now += timedelta(days=1)
    await eraser.cancel("T0BACK")
    clock.now += GRACE * 2
    assert await eraser.erase_due() == []
    assert counts(database, "T0BACK") == KEPT


async def test_a_second_uninstall_restarts_the_grace_period(
    database: Engine, hasher: UserHasher
) -> None:
    """Two replicas (or a reinstall and a second uninstall) scheduling one workspace do not
    collide; the latest uninstall counts."""
    clock = Clock()
    eraser = WorkspaceEraser(database, GRACE, clock=clock)
    await fill(database, hasher, "T0TWICE")
    await eraser.schedule("T0TWICE")
    clock.now += timedelta(days=3)
    await eraser.schedule("T0TWICE")
    clock.now = START + GRACE
    assert await eraser.erase_due() == []
    clock.now = START + GRACE + timedelta(days=3)
    assert await eraser.erase_due() == ["T0TWICE"]


async def test_without_a_grace_period_the_records_go_at_once(
    database: Engine, hasher: UserHasher
) -> None:
    """UNINSTALL_GRACE_DAYS=0: scheduling is erasing."""
    eraser = WorkspaceEraser(database, timedelta(0))
    await fill(database, hasher, "T0NOW")
    await eraser.schedule("T0NOW")
    assert counts(database, "T0NOW") == ERASED


@pytest.fixture
def down_engine() -> Iterator[Engine]:
    """An engine for a PostgreSQL nobody listens to."""
    engine = make_engine(f"postgresql+psycopg://ecsbot@127.0.0.1:{free_port()}/ecsbot")
    yield engine
    engine.dispose()


async def test_a_database_that_is_down_is_one_line_not_a_traceback(
    down_engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    """Database down: scheduling and erasing raise nothing; each failure is one ERROR line
    naming the error class (repeats within a minute are counted, not logged)."""
    eraser = WorkspaceEraser(down_engine, GRACE)
    with caplog.at_level(logging.INFO):
        await eraser.schedule("T0DOWN")
        assert await eraser.erase_due() == []
        assert await eraser.erase_due() == []
    lines = [r for r in caplog.records if r.getMessage().startswith("Failed to")]
    assert [r.getMessage().split(" in ")[0] for r in lines] == [
        "Failed to schedule a workspace's erasure",
        "Failed to erase uninstalled workspaces",
    ]
    assert all(r.levelno == logging.ERROR and r.exc_info is None for r in lines)
    assert "tried again later" in lines[1].getMessage()
