"""Near-duplicate questions grouped with rapidfuzz, so a maintainer sees one line per need."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from rapidfuzz import fuzz, process

# token_set_ratio alone scores 100 whenever one question's words are a subset of the
# other's ("ecs" vs "what is ecs pricing"); the whole-text guard keeps those apart.
GROUP_SCORE = 85.0
WHOLE_TEXT_SCORE = 70.0


@dataclass(frozen=True)
class QuestionRow:
    """One stored question, as the report reads it."""

    normalised: str
    sample: str
    count: int
    best_topic: str | None
    last_seen: datetime


@dataclass
class QuestionGroup:
    """Near-duplicate questions: summed count, the most-asked phrasing as the example."""

    example: str
    normalised: str
    count: int
    last_seen: datetime
    variants: list[str] = field(default_factory=list)
    topics: Counter[str] = field(default_factory=Counter)

    @property
    def best_topic(self) -> str | None:
        """The topic most often guessed for this group, if any."""
        return self.topics.most_common(1)[0][0] if self.topics else None

    def add(self, row: QuestionRow) -> None:
        """Fold one more phrasing into the group."""
        self.count += row.count
        self.last_seen = max(self.last_seen, row.last_seen)
        if row.normalised not in self.variants:
            self.variants.append(row.normalised)
        if row.best_topic is not None:
            self.topics[row.best_topic] += row.count


def similar(a: str, b: str) -> bool:
    """True when two normalised questions ask the same thing in other words."""
    if fuzz.token_set_ratio(a, b) < GROUP_SCORE:
        return False
    return max(fuzz.ratio(a, b), fuzz.token_sort_ratio(a, b)) >= WHOLE_TEXT_SCORE


def _start(row: QuestionRow) -> QuestionGroup:
    group = QuestionGroup(row.sample, row.normalised, 0, row.last_seen)
    group.add(row)
    return group


def group_questions(rows: list[QuestionRow]) -> list[QuestionGroup]:
    """Greedy clustering, most-asked first: each row joins the first similar group or starts one."""
    groups: list[QuestionGroup] = []
    heads: list[str] = []
    for row in sorted(rows, key=lambda r: (-r.count, r.normalised)):
        candidates = process.extract(
            row.normalised, heads, scorer=fuzz.token_set_ratio, score_cutoff=GROUP_SCORE, limit=None
        )
        index = min((i for head, _, i in candidates if similar(row.normalised, head)), default=None)
        if index is None:
            groups.append(_start(row))
            heads.append(row.normalised)
        else:
            groups[index].add(row)
    return sorted(groups, key=lambda g: (-g.count, g.normalised))
