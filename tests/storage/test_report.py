"""Report: near-duplicates grouped, --since honoured, text and JSON through the CLI."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import get_args

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine

from bot.cli import main
from bot.ports import EntryPoint as PortEntryPoint
from bot.storage.db import head_revision
from bot.storage.grouping import QuestionRow, group_questions, similar
from bot.storage.recorder import ENTRY_POINTS, Recorder
from bot.storage.report import build_report, parse_since
from bot.storage.report_format import printable, render_text
from tests.storage.fakes import FakeMatch, FakeTopic

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
UNANSWERED = FakeMatch(None, False)


def recorder_at(engine: Engine, moment: datetime) -> Recorder:
    """A recorder whose clock is fixed at `moment`."""
    return Recorder(engine, lambda user: f"hash-{user}", clock=lambda: moment)


def seed(engine: Engine) -> None:
    """Lambda questions and Fargate traffic this week; an old Kubernetes question and vote."""
    recent, old = (
        recorder_at(engine, NOW - timedelta(hours=1)),
        recorder_at(engine, NOW - timedelta(days=30)),
    )

    async def write() -> None:
        for text in ("how do i use lambda", "how do I use lambda??", "how to use lambda"):
            await recent.record_question("T1", text, UNANSWERED)
        await recent.record_question(
            "T1", "is fargate or ec2 cheaper", FakeMatch(FakeTopic("cost"), False)
        )
        await old.record_question("T1", "can i run kubernetes", UNANSWERED)
        await recent.record_feedback("T1", "U1", "fargate", "C1:1", "helpful")
        await recent.record_feedback("T1", "U2", "fargate", "C1:1", "not_helpful")
        await old.record_feedback("T1", "U3", "ec2-basics", "C1:2", "helpful")
        for entry_point in ("slash", "slash", "mention"):
            await recent.record_served("T1", "fargate", entry_point)
        await old.record_served("T1", "ec2-basics", "dm")

    asyncio.run(write())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30m", timedelta(minutes=30)),
        ("24h", timedelta(hours=24)),
        ("7d", timedelta(days=7)),
        (" 2w ", timedelta(weeks=2)),
    ],
)
def test_since_accepts_minutes_hours_days_weeks(text: str, expected: timedelta) -> None:
    """Windows are a number and one of m, h, d, w."""
    assert parse_since(text) == expected


@pytest.mark.parametrize("text", ["", "7", "d", "0d", "-1d", "7y", "1.5h", "7 days"])
def test_since_rejects_anything_else(text: str) -> None:
    """Anything else is a ValueError naming the accepted forms."""
    with pytest.raises(ValueError, match="30m, 24h, 7d or 2w"):
        parse_since(text)


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("how do i use lambda", "how to use lambda", True),
        ("is fargate cheaper than ec2", "is ec2 cheaper than fargate", True),
        ("how do i use lambda", "how do i use fargate", False),
        ("ecs", "what is ecs pricing", False),
    ],
)
def test_similar_questions(a: str, b: str, same: bool) -> None:
    """Rewordings group; different services and mere word subsets do not."""
    assert similar(a, b) is same


def test_near_duplicates_are_grouped_with_summed_counts() -> None:
    """The three Lambda phrasings form one group led by the most-asked one."""
    rows = [
        QuestionRow("how do i use lambda", "how do I use lambda??", 2, None, NOW),
        QuestionRow("how to use lambda", "how to use lambda", 1, None, NOW),
        QuestionRow("how do i use fargate", "how do i use fargate", 1, None, NOW),
    ]
    lambda_group, fargate_group = group_questions(rows)
    assert (lambda_group.count, lambda_group.example) == (3, "how do I use lambda??")
    assert lambda_group.variants == ["how do i use lambda", "how to use lambda"]
    assert fargate_group.count == 1


def test_report_groups_and_honours_since(engine: Engine) -> None:
    """A 7-day report has the grouped Lambda questions and this week's votes and volume only."""
    seed(engine)
    report = build_report(engine, NOW - timedelta(days=7))
    (lambda_group,) = report.unanswered
    assert (lambda_group.example, lambda_group.count) == ("how do I use lambda??", 3)
    assert lambda_group.variants == ["how do i use lambda", "how to use lambda"]
    assert [(g.count, g.best_topic) for g in report.low_confidence] == [(1, "cost")]
    assert [(f.topic_id, f.helpful, f.not_helpful) for f in report.feedback] == [("fargate", 1, 1)]
    assert [(v.topic_id, v.entry_point, v.count) for v in report.volume] == [
        ("fargate", "slash", 2),
        ("fargate", "mention", 1),
    ]
    everything = build_report(engine, NOW - timedelta(days=60))
    assert len(everything.unanswered) == 2 and len(everything.feedback) == 2


def test_report_limit_caps_question_groups(engine: Engine) -> None:
    """--limit keeps the most-asked groups only."""
    seed(engine)
    assert len(build_report(engine, NOW - timedelta(days=60), limit=1).unanswered) == 1


def test_text_report_strips_terminal_escapes() -> None:
    """Question text cannot move the cursor or recolour the maintainer's terminal."""
    assert printable("hi\x1b[2J\x1b]0;pwned\x07 there\n") == "hi [2J ]0;pwned there"
    assert len(printable("word " * 100)) <= 70


def test_cli_report_text(engine: Engine, sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """`ecsbot report --since 60d` prints every section with the grouped questions."""
    seed(engine)
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    result = CliRunner().invoke(main, ["report", "--since", "60d"])
    assert result.exit_code == 0, result.output
    assert "Top unanswered questions" in result.output
    assert "3  how do I use lambda??  [2 variants]" in result.output
    assert "→ cost" in result.output
    assert "Answers per topic and entry point" in result.output


def test_cli_report_json(engine: Engine, sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """`ecsbot report --json` is machine-readable and filtered by --since."""
    seed(engine)
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    result = CliRunner().invoke(main, ["report", "--json", "--since", "3650d", "--limit", "1"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [g["count"] for g in data["unanswered"]] == [3]
    assert {"topic_id": "ec2-basics", "helpful": 1, "not_helpful": 0} in data["feedback"]
    assert {"topic_id": "fargate", "entry_point": "slash", "count": 2} in data["volume"]


def test_cli_report_rejects_bad_since(monkeypatch: pytest.MonkeyPatch) -> None:
    """A malformed --since is a usage error: exit code 2 and the accepted forms."""
    result = CliRunner().invoke(main, ["report", "--since", "yesterday"])
    assert result.exit_code == 2
    assert "30m, 24h, 7d or 2w" in result.output


def test_cli_report_on_fresh_default_database() -> None:
    """With no DATABASE_URL the default SQLite file is created and an empty report shown."""
    result = CliRunner().invoke(main, ["report"])
    assert result.exit_code == 0, result.output
    assert "(none)" in result.output


def test_cli_db_upgrade_masks_the_password(monkeypatch: pytest.MonkeyPatch) -> None:
    """`ecsbot db upgrade` on an unreachable database fails in one line without the password."""
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://bot:pa55word@127.0.0.1:1/ecsbot")
    result = CliRunner().invoke(main, ["db", "upgrade"])
    assert result.exit_code == 1
    assert "bot:***@127.0.0.1" in result.output and "pa55word" not in result.output


def test_cli_db_upgrade_prints_url_and_revision(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`ecsbot db upgrade` names the database and the revision reached."""
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    result = CliRunner().invoke(main, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert (
        f"database: {sqlite_url}" in result.output
        and f"revision: {head_revision()}" in result.output
    )


def test_render_text_without_data(engine: Engine) -> None:
    """An empty database renders every section with (none)."""
    assert render_text(build_report(engine, NOW)).count("(none)") == 4


def test_report_columns_are_the_entry_points_answers_come_from() -> None:
    """The served-answers table has a column per place an answer can be recorded from (the
    ports' list, which storage repeats: it may not import them), and none that nothing fills."""
    assert get_args(PortEntryPoint) == ENTRY_POINTS
    assert set(ENTRY_POINTS) == {"slash", "mention", "dm", "button", "home"}
