"""Whether a question is the bot's to answer at all, separately from which topic fits best.

A question naming ECS, EC2 or Fargate (domain terms) is in scope. One naming an adjacent AWS
service or tool and no domain term is not, unless it is about containers or tasks and a topic
fits it well: the other service is then what the task uses. Otherwise enough of the question must be words
the knowledge base knows: half of it beside a related term (container, cluster, spot),
nearly all of it, with a strong match, beside none.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.knowledge import Vocabulary
from bot.matching.analysis import Analyzer

UNANCHORED_KNOWN_SHARE = 0.8
UNANCHORED_MIN_SCORE = 0.7
COMPARISON_MIN_SCORE = 0.5
WEAKLY_ANCHORED_KNOWN_SHARE = 0.5
# A question about our containers that names another service as what they use ("my container
# needs to read from S3: which role?") stays ours when a topic fits it this well.
USED_SERVICE_MIN_SCORE = 0.6
# ... and names what runs in ECS ("instance" or "cluster" alone is too wide: a bucket policy
# for an instance role is about S3).
WORKLOAD_WORDS = ("container", "task")


@dataclass(frozen=True)
class QuestionWeights:
    """What the scope decision needs to know about an analysed question."""

    terms: list[str]
    known_terms: int
    known_weight: float
    unknown_weight: float


def contains(terms: list[str], phrases: list[tuple[str, ...]]) -> bool:
    """True when one of `phrases` occurs in `terms` as a contiguous run."""
    joined = f" {' '.join(terms)} "
    return any(phrase and f" {' '.join(phrase)} " in joined for phrase in phrases)


class ScopeGate:
    """The in-scope decision, from the vocabulary's domain, related and out-of-scope terms."""

    def __init__(self, vocabulary: Vocabulary, analyzer: Analyzer) -> None:
        self._analyzer = analyzer
        self._strong = [tuple(analyzer.terms(t)) for t in vocabulary.domain_terms]
        self._weak = [tuple(analyzer.terms(t)) for t in vocabulary.related_terms]
        self._workload = [tuple(analyzer.terms(t)) for t in WORKLOAD_WORDS]
        self._foreign = [
            tuple(analyzer.surface(t, correct=False)) for t in vocabulary.out_of_scope_terms
        ]

    def names_ours(self, question: str) -> bool:
        """True when `question` names one of the domain's own terms (ECS, a task definition,
        a metric such as MemoryUtilization...)."""
        return contains(self._analyzer.terms(question, correct=True), self._strong)

    def names_only_foreign(self, question: str) -> bool:
        """True when `question` names a service or tool we do not cover and none of ours."""
        if self.names_ours(question):
            return False
        return contains(self._analyzer.surface(question, correct=True), self._foreign)

    def allows(
        self,
        question: str,
        weights: QuestionWeights,
        best_score: float,
        *,
        weakly_anchored: bool = False,
    ) -> bool:
        """Whether the bot should answer `question`, whatever topic scored `best_score`;
        `weakly_anchored` when the conversation itself is about ECS vs EC2."""
        if contains(weights.terms, self._strong):
            return True
        if contains(self._analyzer.surface(question, correct=True), self._foreign):
            return contains(weights.terms, self._workload) and best_score >= USED_SERVICE_MIN_SCORE
        total = weights.known_weight + weights.unknown_weight
        share = weights.known_weight / (total or 1)
        if weakly_anchored:
            # "which one has less to patch?": nearly every word must be the domain's own.
            return (
                weights.known_terms >= 2
                and share >= UNANCHORED_KNOWN_SHARE
                and best_score >= COMPARISON_MIN_SCORE
            )
        if contains(weights.terms, self._weak):
            return share >= WEAKLY_ANCHORED_KNOWN_SHARE
        return (
            weights.known_terms >= 2
            and share >= UNANCHORED_KNOWN_SHARE
            and best_score >= UNANCHORED_MIN_SCORE
        )
