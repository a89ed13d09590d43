"""Match a question typed in Slack to a knowledge-base topic, or to none.

Analysis (bot.matching.analysis) turns the question into stemmed terms. Each topic is scored
on its best-matching phrasing (title, questions, keywords) and on how much of the question its
whole vocabulary explains; rare, telling words weigh more than "ecs" or "ec2". Whether a
question is in scope at all is a separate decision (bot.matching.scope).
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass

from bot.knowledge import KnowledgeBase, Topic
from bot.matching.analysis import Analyzer
from bot.matching.match import Match, Suggestion
from bot.matching.scope import QuestionWeights, ScopeGate
from bot.matching.text import strip_slack_markup, words

# Tuned on the *kinds* of question in the shared dev set and tests/data/heldout.jsonl.
MIN_SCORE = 0.25
CONFIDENT_SCORE = 0.4
CONFIDENT_GAP = 0.05
SUGGESTION_RATIO = 0.6
MAX_SUGGESTIONS = 3
PHRASING_WEIGHT = 0.7
GLUE_FACTOR = 0.4
IDF_FLOOR = 0.1
CONTRAST_PENALTY = 0.7
# In a message of several sentences, the background before the question counts this much.
CONTEXT_FACTOR = 0.5
_SENTENCE_END = re.compile(r"(?<=[.?!])\s+|\n+")


@dataclass(frozen=True)
class _Phrasing:
    topic_index: int
    weight: float
    sides: frozenset[str]


@dataclass(frozen=True)
class _Query:
    terms: list[str]
    known: dict[str, float]  # known term -> its weight in this question
    known_weight: float
    unknown_weight: float


def _topic_phrasings(topic: Topic) -> list[str]:
    return [topic.title, *topic.questions, *topic.keywords]


class Matcher:
    """An index over a knowledge base, built once, answering `match(question)`."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self._topics = list(kb)
        vocab = kb.vocabulary
        corpus = {w for t in self._topics for text in _topic_phrasings(t) for w in words(text)}
        lexicon = {w for t in self._topics for text in [t.title, *t.keywords] for w in words(text)}
        self.analyzer = Analyzer(vocab, corpus, lexicon)
        phrasing_terms: list[tuple[int, set[str]]] = []
        topic_terms: list[set[str]] = []
        for index, topic in enumerate(self._topics):
            found = [(index, set(self.analyzer.terms(text))) for text in _topic_phrasings(topic)]
            phrasing_terms += [(i, terms) for i, terms in found if terms]
            topic_terms.append(set().union(*(terms for _, terms in found)))
        self._idf = self._weights(topic_terms, self._term_set(vocab.glue_terms))
        self._unknown = math.log(max(len(self._topics), 2)) + 0.5
        self._sides = self._term_set([side for pair in vocab.contrasts for side in pair])
        self._index(phrasing_terms, topic_terms)
        self._scope = ScopeGate(vocab, self.analyzer)

    def _index(
        self, phrasing_terms: list[tuple[int, set[str]]], topic_terms: list[set[str]]
    ) -> None:
        self._phrasings: list[_Phrasing] = []
        self._phrasing_postings: dict[str, list[int]] = defaultdict(list)
        for index, terms in phrasing_terms:
            weight = sum(self._idf[t] for t in terms)
            self._phrasings.append(_Phrasing(index, weight, frozenset(terms & self._sides)))
            for term in terms:
                self._phrasing_postings[term].append(len(self._phrasings) - 1)
        self._topic_postings: dict[str, list[int]] = defaultdict(list)
        for index, terms in enumerate(topic_terms):
            for term in terms:
                self._topic_postings[term].append(index)

    def _term_set(self, phrases: list[str]) -> frozenset[str]:
        return frozenset(t for phrase in phrases for t in self.analyzer.terms(phrase))

    @staticmethod
    def _weights(topic_terms: list[set[str]], glue: frozenset[str]) -> dict[str, float]:
        """Inverse document frequency over topics; glue words count for less."""
        df: dict[str, int] = defaultdict(int)
        for terms in topic_terms:
            for term in terms:
                df[term] += 1
        n = len(topic_terms)
        idf = {term: max(math.log(n / count), IDF_FLOOR) for term, count in df.items()}
        return {t: w * GLUE_FACTOR if t in glue else w for t, w in idf.items()}

    def _emphasis(self, question: str) -> dict[str, float]:
        """Terms of the asking sentence count fully; the background before it counts less."""
        sentences = [s for s in _SENTENCE_END.split(strip_slack_markup(question)) if s.strip()]
        if len(sentences) < 2:
            return {}
        asking = [s for s in sentences if "?" in s] or sentences[-1:]
        emphasis: dict[str, float] = {}
        for sentence in sentences:
            factor = 1.0 if sentence in asking else CONTEXT_FACTOR
            for term in self.analyzer.terms(sentence, correct=True):
                emphasis[term] = max(emphasis.get(term, 0.0), factor)
        return emphasis

    def _query(self, question: str) -> _Query:
        terms = self.analyzer.terms(question, correct=True)
        emphasis = self._emphasis(question)
        known = {t: self._idf[t] * emphasis.get(t, 1.0) for t in terms if t in self._idf}
        unknown = {t for t in terms if t not in self._idf}
        return _Query(
            terms=terms,
            known=known,
            known_weight=sum(known.values()),
            unknown_weight=self._unknown * len(unknown),
        )

    def _scores(self, query: _Query) -> dict[int, float]:
        if query.known_weight == 0:
            return {}
        by_phrasing: dict[int, float] = defaultdict(float)
        by_topic: dict[int, float] = defaultdict(float)
        for term, weight in query.known.items():
            for p in self._phrasing_postings[term]:
                by_phrasing[p] += weight
            for t in self._topic_postings[term]:
                by_topic[t] += weight
        sides = query.known.keys() & self._sides
        best: dict[int, float] = defaultdict(float)
        for p, matched in by_phrasing.items():
            phrasing = self._phrasings[p]
            similarity = math.sqrt((matched / phrasing.weight) * (matched / query.known_weight))
            if sides and phrasing.sides and not phrasing.sides & sides:
                similarity *= CONTRAST_PENALTY
            best[phrasing.topic_index] = max(best[phrasing.topic_index], similarity)
        scores = {}
        for t, covered in by_topic.items():
            score = PHRASING_WEIGHT * best[t] + (1 - PHRASING_WEIGHT) * covered / query.known_weight
            scores[t] = score
        return scores

    def _in_scope(self, question: str, query: _Query, best: float) -> bool:
        weights = QuestionWeights(
            terms=query.terms,
            known_terms=len(query.known),
            known_weight=query.known_weight,
            unknown_weight=query.unknown_weight,
        )
        return self._scope.allows(question, weights, best)

    def ranked(self, question: str) -> list[tuple[Topic, float]]:
        """Every topic sharing a term with the question, best first."""
        scores = self._scores(self._query(question))
        order = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
        return [(self._topics[i], s) for i, s in order]

    def match(self, question: str) -> Match:
        """The best topic for `question` with a score, confidence and suggestions, or no topic."""
        query = self._query(question)
        scores = self._scores(query)
        ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
        best_score = ranked[0][1] if ranked else 0.0
        if best_score < MIN_SCORE or not self._in_scope(question, query, best_score):
            return Match(question=question, topic=None, score=round(best_score, 4), confident=False)
        best_index, best = ranked[0]
        runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
        suggestions = tuple(
            Suggestion(self._topics[i], round(s, 4))
            for i, s in ranked[1 : 1 + MAX_SUGGESTIONS]
            if s >= SUGGESTION_RATIO * best
        )
        return Match(
            question=question,
            topic=self._topics[best_index],
            score=round(best, 4),
            confident=best >= CONFIDENT_SCORE and best - runner_up >= CONFIDENT_GAP,
            suggestions=suggestions,
        )

    def explain(self, question: str) -> dict[str, object]:
        """Debug view of how a question is analysed and ranked."""
        query = self._query(question)
        ranked = self.ranked(question)
        return {
            "terms": query.terms,
            "weights": {t: round(self._idf.get(t, self._unknown), 3) for t in query.terms},
            "top": [(t.id, round(s, 3)) for t, s in ranked[:5]],
            "in_scope": bool(ranked) and self._in_scope(question, query, ranked[0][1]),
        }
