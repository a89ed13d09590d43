"""Score the matcher on labelled questions: topic top-1, rejection, entry top-1, facts stated."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from bot.matching.match import Match
from bot.matching.matcher import Matcher


class EvalCase(BaseModel):
    """One labelled question: acceptable topic ids, best first; empty means out of scope."""

    model_config = ConfigDict(extra="ignore")

    q: str
    expect: list[str]
    # Entry-level cases: the entry that answers, and a pattern the lead must match.
    entry: str | None = None
    fact: str | None = None


class EvalFileError(Exception):
    """The evaluation file cannot be read; the message names the line."""


@dataclass(frozen=True)
class Miss:
    """A question the matcher got wrong."""

    question: str
    expected: list[str]
    got: str | None
    why: str = "topic"


@dataclass
class EvalReport:
    """Counts and misses of one evaluation run."""

    in_scope: int = 0
    in_scope_hits: int = 0
    # ... of which the topic itself was expected, not only the broad one it is filed under.
    topic_hits: int = 0
    out_of_scope: int = 0
    rejections: int = 0
    entry_cases: int = 0
    entry_hits: int = 0
    fact_cases: int = 0
    fact_hits: int = 0
    misses: list[Miss] = field(default_factory=list)

    @property
    def entry_top1(self) -> float:
        """Share of entry-level questions answered with the expected entry."""
        return self.entry_hits / self.entry_cases if self.entry_cases else 1.0

    @property
    def facts_stated(self) -> float:
        """Share of questions with a `fact` pattern whose lead matches it."""
        return self.fact_hits / self.fact_cases if self.fact_cases else 1.0

    @property
    def top1(self) -> float:
        """Share of in-scope questions whose best match is acceptable."""
        return self.in_scope_hits / self.in_scope if self.in_scope else 1.0

    @property
    def topic_top1(self) -> float:
        """Share of in-scope questions whose answering topic itself is expected."""
        return self.topic_hits / self.in_scope if self.in_scope else 1.0

    @property
    def rejection(self) -> float:
        """Share of out-of-scope questions answered with no topic."""
        return self.rejections / self.out_of_scope if self.out_of_scope else 1.0


def read_cases(path: Path) -> list[EvalCase]:
    """Read a JSONL file of cases, failing with the line number of a bad one."""
    cases = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise EvalFileError(f"{path}: cannot read: {exc}") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            cases.append(EvalCase.model_validate(json.loads(line)))
        except (json.JSONDecodeError, ValidationError) as exc:
            first = str(exc).splitlines()[0]
            raise EvalFileError(f"{path}:{number}: not a case: {first}") from None
    return cases


def _score_entry(report: EvalReport, case: EvalCase, match: Match) -> None:
    """Count the entry-level checks of one case: the entry chosen and the fact stated."""
    entry_id = match.entry.id if match.entry else None
    if case.entry is not None:
        report.entry_cases += 1
        report.entry_hits += entry_id == case.entry
    if case.fact is not None:
        report.fact_cases += 1
        lead = match.topic.lead_for(match.entry) if match.topic else ""
        stated = re.search(case.fact, lead, re.IGNORECASE) is not None
        report.fact_hits += stated
        if not stated:
            report.misses.append(Miss(case.q, [case.fact], entry_id, why="fact"))


def evaluate(matcher: Matcher, cases: list[EvalCase]) -> EvalReport:
    """Match every case and count hits, rejections, entries and facts, listing the misses."""
    report = EvalReport()
    for case in cases:
        match = matcher.match(case.q)
        got = match.topic.id if match.topic else None
        if case.expect:
            report.in_scope += 1
            report.topic_hits += got in case.expect
            # A finer topic's answer counts when it is filed under a broad topic the set expects
            # (sets labelled with the 26 required ids have no finer ones to expect).
            area = match.area
            hit = got in case.expect or area in case.expect
            if area != got:
                got = f"{got} (within {area})"
            report.in_scope_hits += hit
        else:
            report.out_of_scope += 1
            hit = got is None
            report.rejections += hit
        if not hit:
            report.misses.append(Miss(case.q, case.expect, got))
        _score_entry(report, case, match)
    return report
