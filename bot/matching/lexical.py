"""Lexical scoring: how well a question's weighted terms match each topic and entry.

Analysis (bot.matching.analysis) turns the question into stemmed terms. Each topic is scored
on its best-matching phrasing (title, questions, keywords, its entries' questions) and on how
much of the question its whole vocabulary explains; rare, telling words weigh more than "ecs"
or "ec2". Each entry is scored on its best phrasing alone, to tell a precise question from a
broad one.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfTransformer

from bot.knowledge import KnowledgeBase, Topic
from bot.matching.analysis import Analyzer
from bot.matching.text import strip_slack_markup, words

PHRASING_WEIGHT = 0.7
GLUE_FACTOR = 0.4
IDF_FLOOR = 0.1
CONTRAST_PENALTY = 0.7
# A follow-up's context (the question answered before) counts this much.
CONTEXT_FACTOR = 0.5
# In a message of several sentences, the background around the question counts this much.
BACKGROUND_FACTOR = 0.4
# An asking sentence with fewer known terms than this says too little to outweigh the rest.
ASKING_MIN_TERMS = 2
_SENTENCE_END = re.compile(r"(?<=[.?!])\s+|\n+")
OVERVIEW = -1  # the entry index of a topic's own phrasings


@dataclass(frozen=True)
class Query:
    """An analysed question: its terms, the known ones with their weights, and the rest."""

    terms: list[str]
    known: dict[str, float]
    known_weight: float
    unknown_weight: float


class Scores:
    """Lexical scores of one query: per topic, and per (topic, entry) group its best phrasing
    and the cosine of the question to all its phrasings together. Only the matched topic's
    groups are usually read: the per-group dicts and the cosines are made when first used."""

    def __init__(
        self,
        topics: dict[int, float] | None = None,
        best: np.ndarray | None = None,
        group_of: dict[tuple[int, int], int] | None = None,
        cosines: Callable[[], np.ndarray] | None = None,
        contrasted: np.ndarray | None = None,
    ) -> None:
        """`best` is each group's best phrasing (group order, as `group_of` maps keys),
        `cosines` works out each group's cosine, and `contrasted` marks the groups about the
        other side of a contrast the question draws."""
        self.topics = topics if topics is not None else {}
        self._best = best
        self._group_of = group_of or {}
        self._cosines = cosines
        self._cosine_values: np.ndarray | None = None
        self._contrasted = contrasted

    def other_side(self, key: tuple[int, int]) -> bool:
        """True when the group's phrasings name the side the question contrasts with the
        one it names, and never that one ("patch fargate" and the plain-EC2 patching entry)."""
        group = self._group_of.get(key)
        return group is not None and self._contrasted is not None and bool(self._contrasted[group])

    def phrasing(self, key: tuple[int, int]) -> float:
        """The best phrasing score of a (topic, entry) group; 0.0 if none."""
        group = self._group_of.get(key)
        return 0.0 if group is None or self._best is None else float(self._best[group])

    def group(self, key: tuple[int, int]) -> float:
        """The cosine of the question's terms to all of a group's phrasings; 0.0 if none."""
        group = self._group_of.get(key)
        values = self._group_cosines()
        return 0.0 if group is None or values is None else float(values[group])

    @property
    def best_phrasing(self) -> float:
        """The best phrasing score over every group (0.0 for none)."""
        return float(self._best.max()) if self._best is not None and len(self._best) else 0.0

    @property
    def phrasings(self) -> dict[tuple[int, int], float]:
        """Each group's best phrasing score, where it is above zero."""
        return self._nonzero(self._best)

    @property
    def groups(self) -> dict[tuple[int, int], float]:
        """Cosine of the question's terms to all of a (topic, entry)'s phrasings together,
        weighted by how rare each term is among entries: what tells sibling entries apart."""
        return self._nonzero(self._group_cosines())

    def _group_cosines(self) -> np.ndarray | None:
        if self._cosine_values is None and self._cosines is not None:
            self._cosine_values = self._cosines()
        return self._cosine_values

    def _nonzero(self, values: np.ndarray | None) -> dict[tuple[int, int], float]:
        if values is None:
            return {}
        return {key: float(values[g]) for key, g in self._group_of.items() if values[g]}


def topic_phrasings(topic: Topic) -> list[tuple[int, str]]:
    """Every phrasing of a topic with its entry index (OVERVIEW for the topic's own)."""
    own = [(OVERVIEW, text) for text in [topic.title, *topic.questions, *topic.keywords]]
    entries = [
        (index, text)
        for index, entry in enumerate(topic.entries)
        for text in [*entry.questions, *entry.keywords]
    ]
    return own + entries


class LexicalIndex:
    """Weighted-term incidence matrices over every phrasing of a knowledge base, built once.

    Phrasings are rows of a sparse matrix (one column per term), kept in KB order so that the
    phrasings of one (topic, entry) group are contiguous and reduce with `np.maximum.reduceat`.
    """

    def __init__(self, kb: KnowledgeBase) -> None:
        self.topics = list(kb)
        vocab = kb.vocabulary
        texts = [(i, e, text) for i, t in enumerate(self.topics) for e, text in topic_phrasings(t)]
        corpus = {w for _, _, text in texts for w in words(text)}
        lexicon = {w for t in self.topics for text in [t.title, *t.keywords] for w in words(text)}
        self.analyzer = Analyzer(vocab, corpus, lexicon)
        found = [(i, e, set(self.analyzer.terms(text))) for i, e, text in texts]
        found = [(i, e, terms) for i, e, terms in found if terms]
        topic_terms: list[set[str]] = [set() for _ in self.topics]
        for i, _, terms in found:
            topic_terms[i] |= terms
        self.idf = self._weights(topic_terms, self.term_set(vocab.glue_terms))
        self.unknown = math.log(max(len(self.topics), 2)) + 0.5
        self._column = {term: j for j, term in enumerate(sorted(self.idf))}
        idf = np.array([self.idf[t] for t in sorted(self.idf)])
        phrasings = _incidence([terms for _, _, terms in found], self._column)
        self._weight = phrasings @ idf
        self._phrasings = phrasings
        self._topic_terms = _incidence(topic_terms, self._column)
        sides = self.term_set([side for pair in vocab.contrasts for side in pair])
        side_columns = sorted(self._column[t] for t in sides if t in self._column)
        # Which side terms each phrasing names: a phrasing x side-term table of booleans.
        self._side_of = {column: side for side, column in enumerate(side_columns)}
        self._sides = phrasings[:, side_columns].toarray() > 0
        self._has_side = self._sides.any(axis=1)
        # For each side term, the side terms it is contrasted with.
        self._opponents: dict[int, list[int]] = {side: [] for side in self._side_of.values()}
        for pair in vocab.contrasts:
            ends = [self._column.get(next(iter(self.analyzer.terms(side)), "")) for side in pair]
            for one, other in (ends, ends[::-1]):
                if one in self._side_of and other in self._side_of:
                    self._opponents[self._side_of[one]].append(self._side_of[other])
        keys = [(i, e) for i, e, _ in found]
        self._starts = np.array(
            [k for k in range(len(keys)) if k == 0 or keys[k] != keys[k - 1]], dtype=np.int64
        )
        self._keys = [keys[k] for k in self._starts]
        self._group_of = {key: g for g, key in enumerate(self._keys)}
        self._group_sides = (
            np.logical_or.reduceat(self._sides, self._starts, axis=0)
            if len(self._starts)
            else self._sides
        )
        self._sides_from_the_entry()
        self._has_side = self._sides.any(axis=1)
        self._group_topic = np.array([i for i, _ in self._keys], dtype=np.int64)
        self._groups = _GroupTerms(
            [terms for _, _, terms in found], self._starts.tolist(), self._column
        )

    def _sides_from_the_entry(self) -> None:
        """An entry's phrasing that names no side ("billed by the hour") is about the side
        every other phrasing of the entry names ("is ec2 billed per second"): it gets that
        side, so a question about the other side ("is fargate billed by the hour?") is
        contrasted with it too. Overviews and entries naming both sides keep theirs."""
        ends = [*self._starts.tolist(), len(self._sides)]
        for (_, entry), start, end in zip(self._keys, ends, ends[1:], strict=False):
            if entry == OVERVIEW:
                continue
            rows = self._sides[start:end]
            sided = rows[rows.any(axis=1)]
            if len(sided) and (sided == sided[0]).all() and sided[0].sum() == 1:
                rows[~rows.any(axis=1)] = sided[0]

    def term_set(self, phrases: list[str]) -> frozenset[str]:
        """The stemmed terms of some vocabulary phrases."""
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
        asked = {t for s in asking for t in self.analyzer.terms(s, correct=True) if t in self.idf}
        if len(asked) < ASKING_MIN_TERMS:
            # "Any idea what's causing that?": the question is in the background.
            return {}
        emphasis: dict[str, float] = {}
        for sentence in sentences:
            factor = 1.0 if sentence in asking else BACKGROUND_FACTOR
            for term in self.analyzer.terms(sentence, correct=True):
                emphasis[term] = max(emphasis.get(term, 0.0), factor)
        return emphasis

    def query(self, question: str, context: str | None = None) -> Query:
        """Analyse `question`; terms only `context` has are added at CONTEXT_FACTOR."""
        terms = self.analyzer.terms(question, correct=True)
        emphasis = self._emphasis(question)
        known = {t: self.idf[t] * emphasis.get(t, 1.0) for t in terms if t in self.idf}
        if context:
            for term in self.analyzer.terms(context, correct=True):
                if term in self.idf and term not in known:
                    known[term] = self.idf[term] * CONTEXT_FACTOR
        unknown = {t for t in terms if t not in self.idf}
        return Query(
            terms=terms,
            known=known,
            known_weight=sum(known.values()),
            unknown_weight=self.unknown * len(unknown),
        )

    def scores(self, query: Query) -> Scores:
        """Topic scores (best phrasing blended with coverage) and each entry's best phrasing."""
        if query.known_weight == 0 or not self._keys:
            return Scores()
        vector = np.zeros(len(self._column))
        for term, weight in query.known.items():
            vector[self._column[term]] = weight
        matched = self._phrasings @ vector
        similarity = np.sqrt((matched / self._weight) * (matched / query.known_weight))
        asked = [side for column, side in self._side_of.items() if vector[column]]
        contrasted = None
        if asked:
            shared = self._sides[:, asked].any(axis=1)
            similarity[self._has_side & ~shared] *= CONTRAST_PENALTY
            opponents = sorted({o for side in asked for o in self._opponents[side]} - set(asked))
            if opponents:
                named = self._group_sides[:, asked].any(axis=1)
                contrasted = np.asarray(self._group_sides[:, opponents].any(axis=1) & ~named)
        best = np.maximum.reduceat(similarity, self._starts)
        covered = self._topic_terms @ vector
        found = np.flatnonzero(best)
        best_topic = np.zeros(len(self.topics))
        np.maximum.at(best_topic, self._group_topic[found], best[found])
        topics = np.flatnonzero(covered)
        blended = PHRASING_WEIGHT * best_topic[topics] + (1 - PHRASING_WEIGHT) * (
            covered[topics] / query.known_weight
        )
        columns = [self._column[t] for t in query.terms if t in self._column]
        return Scores(
            dict(zip(topics.tolist(), blended.tolist(), strict=True)),
            best,
            self._group_of,
            lambda: self._groups.cosines(columns),
            contrasted,
        )


class _GroupTerms:
    """Each (topic, entry) group's phrasings as one document of terms, tf-idf weighted over
    groups (sublinear tf, l2-normalised): scikit-learn's TfidfTransformer over term counts."""

    def __init__(self, rows: list[set[str]], starts: list[int], column: dict[str, int]) -> None:
        counts = _incidence(rows, column)
        # A 0/1 matrix of groups by rows: its product with the counts sums each group's rows.
        sizes = np.diff([*starts, len(rows)])
        members = sparse.csr_matrix(
            (np.ones(len(rows)), np.arange(len(rows)), np.concatenate([[0], np.cumsum(sizes)])),
            shape=(len(starts), len(rows)),
        )
        by_group = (members @ counts).tocsr()
        by_group.sort_indices()
        transformer = TfidfTransformer(sublinear_tf=True).fit(by_group)
        documents = transformer.transform(by_group).tocsr()
        self._documents = documents
        self._idf = transformer.idf_

    def cosines(self, columns: list[int]) -> np.ndarray:
        """Cosine of a question (its terms' columns, repeats counted) to every group."""
        vector = np.zeros(self._documents.shape[1])
        if not columns:
            return np.zeros(self._documents.shape[0])
        np.add.at(vector, columns, 1.0)
        present = vector > 0
        vector[present] = (1.0 + np.log(vector[present])) * self._idf[present]
        return np.asarray(self._documents @ (vector / np.linalg.norm(vector)))


def _incidence(rows: list[set[str]], column: dict[str, int]) -> sparse.csr_matrix:
    """A 0/1 matrix with a row per term set and a column per term."""
    indptr = [0]
    indices: list[int] = []
    for terms in rows:
        indices.extend(sorted(column[t] for t in terms))
        indptr.append(len(indices))
    data = np.ones(len(indices))
    return sparse.csr_matrix((data, indices, indptr), shape=(len(rows), len(column)))
