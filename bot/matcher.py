"""Match a question typed in Slack to a knowledge-base topic, or to none.

The pipeline: strip Slack markup -> words -> typo correction (rapidfuzz, against the
knowledge base's own vocabulary) -> synonym folding -> stopwords out -> stemming. Each
topic is then scored on its best-matching phrasing (title, questions, keywords) and on
how much of the question its whole vocabulary explains, with rare words weighing more.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer
from rapidfuzz import fuzz, process

from bot.knowledge import KnowledgeBase, Topic, Vocabulary
from bot.text import strip_slack_markup, words

# Tuned on the dev set's *kinds* of question, not its lines: see tests/test_matcher.py.
MIN_SCORE = 0.30
CONFIDENT_SCORE = 0.45
CONFIDENT_GAP = 0.06
SUGGESTION_RATIO = 0.6
MAX_SUGGESTIONS = 3
PHRASING_WEIGHT = 0.6
TYPO_MIN_LENGTH = 4
WEAK_TERM_FACTOR = 0.4
CONTRAST_PENALTY = 0.7
# Abbreviations such as "ecs", "eks" and "ami" must not be stemmed like plurals.
STEM_MIN_LENGTH = 4


@dataclass(frozen=True)
class Suggestion:
    """A topic the question might be about, with its score."""

    topic: Topic
    score: float


@dataclass(frozen=True)
class Match:
    """The matcher's verdict on one question: a topic (or none), how sure, and alternatives."""

    question: str
    topic: Topic | None
    score: float
    confident: bool
    suggestions: tuple[Suggestion, ...] = ()

    @property
    def in_scope(self) -> bool:
        """True when the question was matched to a topic."""
        return self.topic is not None


@dataclass(frozen=True)
class _Phrasing:
    topic_index: int
    weight: float
    sides: frozenset[str]


class Analyzer:
    """Turns text into weighted-term candidates: typo-corrected, synonym-folded, stemmed."""

    def __init__(self, vocabulary: Vocabulary, corpus_words: set[str]) -> None:
        self._stemmer = snowballstemmer.stemmer("english")
        self._stopwords = frozenset(vocabulary.stopwords)
        self._phrases: dict[tuple[str, ...], tuple[str, ...]] = {}
        for canonical, variants in vocabulary.synonyms.items():
            target = tuple(words(canonical))
            for variant in variants:
                self._phrases[tuple(words(variant))] = target
        self._longest_phrase = max((len(p) for p in self._phrases), default=1)
        known = set(corpus_words)
        for variant, target in self._phrases.items():
            known.update(variant)
            known.update(target)
        self.known_words = frozenset(known)
        self._typo_choices = sorted(w for w in known if len(w) >= TYPO_MIN_LENGTH and w.isalpha())
        self._correct = lru_cache(maxsize=8192)(self._correct_uncached)

    def _correct_uncached(self, word: str) -> str:
        if word in self.known_words or len(word) < TYPO_MIN_LENGTH or not word.isalpha():
            return word
        cutoff = 80 if len(word) <= 6 else 84
        best = process.extractOne(word, self._typo_choices, scorer=fuzz.ratio, score_cutoff=cutoff)
        # Typos rarely hit the first two letters; requiring them keeps "lunch" from becoming "launch".
        if best is None or best[0][:2] != word[:2]:
            return word
        return str(best[0])

    def fold(self, tokens: list[str]) -> list[str]:
        """Replace abbreviations and synonyms, longest phrase first, by canonical words."""
        out: list[str] = []
        i = 0
        while i < len(tokens):
            for size in range(min(self._longest_phrase, len(tokens) - i), 0, -1):
                target = self._phrases.get(tuple(tokens[i : i + size]))
                if target is not None:
                    out.extend(target)
                    i += size
                    break
            else:
                out.append(tokens[i])
                i += 1
        return out

    def surface(self, text: str, *, correct: bool) -> list[str]:
        """Words of `text` after markup removal, typo correction and synonym folding."""
        tokens = words(strip_slack_markup(text))
        if correct:
            tokens = [self._correct(t) for t in tokens]
        return self.fold(tokens)

    def terms(self, text: str, *, correct: bool = False) -> list[str]:
        """Stemmed content terms of `text`, stopwords removed, in order."""
        content = [t for t in self.surface(text, correct=correct) if t not in self._stopwords]
        return [self.stem(t) for t in content]

    def stem(self, word: str) -> str:
        """The stem of one word; short words and words with digits stay as they are."""
        if len(word) < STEM_MIN_LENGTH or not word.isalpha():
            return word
        return str(self._stemmer.stemWord(word))


def _topic_phrasings(topic: Topic) -> list[str]:
    return [topic.title, *topic.questions, *topic.keywords]


class Matcher:
    """An index over a knowledge base, built once, answering `match(question)`."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self._topics = list(kb)
        corpus_words = {
            w for topic in self._topics for text in _topic_phrasings(topic) for w in words(text)
        }
        vocab = kb.vocabulary
        self.analyzer = Analyzer(vocab, corpus_words)
        phrasing_terms: list[tuple[int, set[str]]] = []
        topic_terms: list[set[str]] = []
        for index, topic in enumerate(self._topics):
            terms: set[str] = set()
            for text in _topic_phrasings(topic):
                found = set(self.analyzer.terms(text))
                if found:
                    phrasing_terms.append((index, found))
                    terms |= found
            topic_terms.append(terms)
        self._idf = self._inverse_document_frequency(topic_terms)
        for weak in self._term_set(vocab.weak_terms):
            if weak in self._idf:
                self._idf[weak] *= WEAK_TERM_FACTOR
        self._unknown_weight = max(self._idf.values(), default=1.0)
        self._sides = self._term_set([side for pair in vocab.contrasts for side in pair])
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
        self._anchors = [tuple(self.analyzer.terms(t)) for t in vocab.domain_terms]
        self._foreign = [
            tuple(self.analyzer.surface(t, correct=False)) for t in vocab.out_of_scope_terms
        ]

    def _term_set(self, phrases: list[str]) -> frozenset[str]:
        return frozenset(t for phrase in phrases for t in self.analyzer.terms(phrase))

    @staticmethod
    def _inverse_document_frequency(topic_terms: list[set[str]]) -> dict[str, float]:
        df: dict[str, int] = defaultdict(int)
        for terms in topic_terms:
            for term in terms:
                df[term] += 1
        n = len(topic_terms)
        return {term: math.log(1 + n / count) for term, count in df.items()}

    def _weight(self, term: str) -> float:
        return self._idf.get(term, self._unknown_weight)

    def _mentions_foreign_service(self, surface: list[str]) -> bool:
        joined = f" {' '.join(surface)} "
        return any(f" {' '.join(phrase)} " in joined for phrase in self._foreign if phrase)

    def _scores(self, query: set[str]) -> dict[int, float]:
        query_weight = sum(self._weight(t) for t in query)
        if query_weight == 0:
            return {}
        by_phrasing: dict[int, float] = defaultdict(float)
        by_topic: dict[int, float] = defaultdict(float)
        for term in query:
            weight = self._idf.get(term)
            if weight is None:
                continue
            for p in self._phrasing_postings[term]:
                by_phrasing[p] += weight
            for t in self._topic_postings[term]:
                by_topic[t] += weight
        best_phrasing: dict[int, float] = defaultdict(float)
        query_sides = query & self._sides
        for p, matched in by_phrasing.items():
            phrasing = self._phrasings[p]
            similarity = math.sqrt((matched / phrasing.weight) * (matched / query_weight))
            if query_sides and phrasing.sides and not phrasing.sides & query_sides:
                similarity *= CONTRAST_PENALTY
            if similarity > best_phrasing[phrasing.topic_index]:
                best_phrasing[phrasing.topic_index] = similarity
        return {
            t: PHRASING_WEIGHT * best_phrasing[t] + (1 - PHRASING_WEIGHT) * covered / query_weight
            for t, covered in by_topic.items()
        }

    def _anchored(self, terms: list[str]) -> bool:
        """True when the question contains a domain term (multi-word terms as a whole)."""
        joined = f" {' '.join(terms)} "
        return any(f" {' '.join(anchor)} " in joined for anchor in self._anchors if anchor)

    def _in_scope(self, terms: list[str], surface: list[str]) -> bool:
        query = set(terms)
        anchored = self._anchored(terms)
        if self._mentions_foreign_service(surface) and not anchored:
            return False
        if anchored:
            return True
        known = [t for t in query if t in self._idf]
        known_weight = sum(self._weight(t) for t in known)
        total = sum(self._weight(t) for t in query)
        return len(known) >= 2 and known_weight >= 0.8 * total

    def match(self, question: str) -> Match:
        """The best topic for `question` with a score, confidence and suggestions, or no topic."""
        surface = self.analyzer.surface(question, correct=True)
        terms = self.analyzer.terms(question, correct=True)
        scores = self._scores(set(terms))
        ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
        if not ranked or ranked[0][1] < MIN_SCORE or not self._in_scope(terms, surface):
            return Match(
                question=question,
                topic=None,
                score=ranked[0][1] if ranked else 0.0,
                confident=False,
                suggestions=(),
            )
        best_index, best = ranked[0]
        runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
        confident = best >= CONFIDENT_SCORE and best - runner_up >= CONFIDENT_GAP
        suggestions = tuple(
            Suggestion(self._topics[i], round(s, 4))
            for i, s in ranked[1 : 1 + MAX_SUGGESTIONS]
            if s >= SUGGESTION_RATIO * best
        )
        return Match(
            question=question,
            topic=self._topics[best_index],
            score=round(best, 4),
            confident=confident,
            suggestions=suggestions,
        )

    def explain(self, question: str) -> dict[str, object]:
        """Debug view of how a question is analysed (used by `ecsbot ask --explain`)."""
        terms = self.analyzer.terms(question, correct=True)
        query = set(terms)
        ranked = sorted(self._scores(query).items(), key=lambda item: -item[1])[:5]
        return {
            "terms": sorted(query),
            "weights": {t: round(self._weight(t), 3) for t in sorted(query)},
            "anchored": self._anchored(terms),
            "top": [(self._topics[i].id, round(s, 3)) for i, s in ranked],
        }
