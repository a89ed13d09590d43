"""The maintainers' report: what users asked that the bot could not answer, votes, volume."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine, case, func, select

from bot.storage.columns import utcnow
from bot.storage.grouping import QuestionGroup, QuestionRow, group_questions
from bot.storage.models import Feedback, Question, ServedAnswer
from bot.storage.outbox_stats import DeliveryStats, read_delivery_stats

_SINCE = re.compile(r"^\s*(\d{1,6})\s*([mhdw])\s*$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
# Enough rows to group well; beyond it only rarely asked phrasings are left out.
MAX_QUESTION_ROWS = 5000


@dataclass(frozen=True)
class TopicFeedback:
    """Votes on one topic's answers."""

    topic_id: str
    helpful: int
    not_helpful: int


@dataclass(frozen=True)
class TopicVolume:
    """Answers served on one topic through one entry point."""

    topic_id: str
    entry_point: str
    count: int


@dataclass(frozen=True)
class Report:
    """Everything `ecsbot report` shows, for the window starting at `since`."""

    since: datetime
    generated_at: datetime
    unanswered: list[QuestionGroup]
    low_confidence: list[QuestionGroup]
    feedback: list[TopicFeedback]
    volume: list[TopicVolume]
    delivery: DeliveryStats


def parse_since(text: str) -> timedelta:
    """A window such as 30m, 24h, 7d or 2w; ValueError otherwise."""
    found = _SINCE.match(text)
    if found is None or int(found.group(1)) == 0:
        raise ValueError(f"{text!r} is not a window like 30m, 24h, 7d or 2w")
    return timedelta(**{_UNITS[found.group(2)]: int(found.group(1))})


def build_report(engine: Engine, since: datetime, *, limit: int = 20) -> Report:
    """Read the report for everything recorded since `since`, top `limit` question groups."""
    with engine.connect() as connection:
        return Report(
            since=since,
            generated_at=utcnow(),
            unanswered=group_questions(_questions(connection, "unanswered", since))[:limit],
            low_confidence=group_questions(_questions(connection, "low_confidence", since))[:limit],
            feedback=_feedback(connection, since),
            volume=_volume(connection, since),
            delivery=read_delivery_stats(connection, since),
        )


def _questions(connection: Connection, kind: str, since: datetime) -> list[QuestionRow]:
    query = (
        select(
            Question.normalised,
            Question.sample,
            Question.count,
            Question.best_topic,
            Question.last_seen,
        )
        .where(Question.kind == kind, Question.last_seen >= since)
        .order_by(Question.count.desc(), Question.normalised)
        .limit(MAX_QUESTION_ROWS)
    )
    return [QuestionRow(*row) for row in connection.execute(query)]


def _feedback(connection: Connection, since: datetime) -> list[TopicFeedback]:
    helpful = func.sum(case((Feedback.helpful, 1), else_=0))
    not_helpful = func.sum(case((Feedback.helpful, 0), else_=1))
    query = (
        select(Feedback.topic_id, helpful, not_helpful)
        .where(Feedback.updated_at >= since)
        .group_by(Feedback.topic_id)
        .order_by(Feedback.topic_id)
    )
    return [TopicFeedback(t, int(h), int(n)) for t, h, n in connection.execute(query)]


def _volume(connection: Connection, since: datetime) -> list[TopicVolume]:
    count = func.count()
    query = (
        select(ServedAnswer.topic_id, ServedAnswer.entry_point, count)
        .where(ServedAnswer.served_at >= since)
        .group_by(ServedAnswer.topic_id, ServedAnswer.entry_point)
        .order_by(count.desc(), ServedAnswer.topic_id, ServedAnswer.entry_point)
    )
    return [TopicVolume(t, e, int(c)) for t, e, c in connection.execute(query)]
