"""The report as terminal text or JSON; question text is sanitised before it is printed."""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from typing import Any

from bot.matching import truncate
from bot.storage.grouping import QuestionGroup
from bot.storage.recorder import ENTRY_POINTS
from bot.storage.report import Report, TopicVolume

EXAMPLE_CHARS = 70


def printable(text: str, limit: int = EXAMPLE_CHARS) -> str:
    """User text safe for a terminal: control and escape characters out, cut to `limit`."""
    cleaned = "".join(" " if unicodedata.category(c)[0] == "C" else c for c in text)
    return truncate(" ".join(cleaned.split()), limit)[0]


def _group_json(group: QuestionGroup) -> dict[str, Any]:
    return {
        "example": group.example,
        "count": group.count,
        "variants": group.variants,
        "best_topic": group.best_topic,
        "last_seen": group.last_seen.isoformat(),
    }


def report_json(report: Report) -> dict[str, Any]:
    """The report as plain JSON-ready data."""
    return {
        "since": report.since.isoformat(),
        "generated_at": report.generated_at.isoformat(),
        "unanswered": [_group_json(g) for g in report.unanswered],
        "low_confidence": [_group_json(g) for g in report.low_confidence],
        "feedback": [vars(f) for f in report.feedback],
        "volume": [vars(v) for v in report.volume],
        "delivery": vars(report.delivery),
    }


def _question_lines(title: str, groups: list[QuestionGroup], guess: bool) -> list[str]:
    lines = [title]
    if not groups:
        return [*lines, "  (none)"]
    for group in groups:
        extra = f"  [{len(group.variants)} variants]" if len(group.variants) > 1 else ""
        topic = f"  → {group.best_topic}" if guess and group.best_topic else ""
        lines.append(f"  {group.count:>6}  {printable(group.example)}{extra}{topic}")
    return lines


def _feedback_lines(report: Report) -> list[str]:
    lines = ["Feedback per topic", f"  {'topic':<32} {'helpful':>8} {'not helpful':>12}"]
    lines += [f"  {f.topic_id:<32} {f.helpful:>8} {f.not_helpful:>12}" for f in report.feedback]
    return lines if report.feedback else [lines[0], "  (none)"]


def _pivot(volume: list[TopicVolume]) -> dict[str, dict[str, int]]:
    table: dict[str, dict[str, int]] = defaultdict(dict)
    for row in volume:
        table[row.topic_id][row.entry_point] = row.count
    return table


def _volume_lines(report: Report) -> list[str]:
    if not report.volume:
        return ["Answers per topic and entry point", "  (none)"]
    header = "".join(f"{e:>8}" for e in ENTRY_POINTS)
    lines = ["Answers per topic and entry point", f"  {'topic':<32}{header}{'total':>8}"]
    table = _pivot(report.volume)
    for topic in sorted(table, key=lambda t: (-sum(table[t].values()), t)):
        cells = "".join(f"{table[topic].get(e, 0):>8}" for e in ENTRY_POINTS)
        lines.append(f"  {topic:<32}{cells}{sum(table[topic].values()):>8}")
    return lines


def _delivery_lines(report: Report) -> list[str]:
    stats = report.delivery
    return [
        "Delivery to Slack (posts kept in the outbox until Slack has them)",
        f"  {'pending now':<24}{stats.pending:>8}",
        f"  {'retried':<24}{stats.retried:>8}",
        f"  {'delivered late':<24}{stats.delivered_late:>8}",
        f"  {'given up':<24}{stats.given_up:>8}",
    ]


def render_text(report: Report) -> str:
    """The report as aligned plain text for a terminal."""
    since = report.since.strftime("%Y-%m-%d %H:%M UTC")
    sections = [
        [f"Report since {since}"],
        _question_lines("Top unanswered questions", report.unanswered, guess=False),
        _question_lines("Low-confidence questions (best guess)", report.low_confidence, guess=True),
        _feedback_lines(report),
        _volume_lines(report),
        _delivery_lines(report),
    ]
    return "\n\n".join("\n".join(lines) for lines in sections)
