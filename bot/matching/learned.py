"""A learned topic classifier: linear SVM over character and word n-grams of the KB's phrasings.

Trained at start-up on the knowledge base's own phrasings and nothing else (no download, no
saved model), it generalises to wordings the phrasings do not share words with ("define ECS",
typos, inflections) where the lexical index cannot. It cannot refuse anything: the scope gate
decides that.
"""

from __future__ import annotations

import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion
from sklearn.svm import LinearSVC

from bot.knowledge import KnowledgeBase, Topic
from bot.matching.lexical import OVERVIEW, topic_phrasings
from bot.matching.text import strip_slack_markup

# Regularisation of the SVM: lower generalises more; measured on the real-question sets.
SVM_C = 0.5
MAX_SVM_TOPICS = 300


def _features() -> FeatureUnion:
    return FeatureUnion(
        [
            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)),
            ("words", TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True)),
        ]
    )


@dataclass(frozen=True)
class LearnedReading:
    """One question as the classifier sees it: a margin per topic (KB order), and the cosine
    similarity of its n-grams to each (topic index, entry index) group of phrasings."""

    margins: list[float]
    best: np.ndarray  # best cosine per phrasing group, in group order
    groups: dict[tuple[int, int], int]  # (topic index, entry index) -> group order
    answers: np.ndarray | None = None  # cosine to each group's answer (the topic's lead)

    def similarity(self, key: tuple[int, int]) -> float:
        """The best cosine of the question to the phrasings of (topic, entry); 0.0 if none."""
        group = self.groups.get(key)
        return 0.0 if group is None else float(self.best[group])

    def answer_similarity(self, key: tuple[int, int]) -> float:
        """The cosine of the question to the answer of (topic, entry) (for the overview, the
        topic's lead); 0.0 if none. The answer's words ("16 vCPU", "120 GB") tell siblings apart."""
        group = self.groups.get(key)
        if group is None or self.answers is None or not len(self.answers):
            return 0.0
        return float(self.answers[group])

    @property
    def similarities(self) -> dict[tuple[int, int], float]:
        """Every group's best cosine, by (topic index, entry index)."""
        return {key: float(self.best[group]) for key, group in self.groups.items()}


class TopicClassifier:
    """Topic margins and phrasing similarities for a question, from one n-gram vector."""

    def __init__(self, kb: KnowledgeBase) -> None:
        topics = list(kb)
        self._size = len(topics)
        texts: list[str] = []
        labels: list[int] = []
        self._keys: list[tuple[int, int]] = []
        for index, topic in enumerate(topics):
            for entry_index, text in topic_phrasings(topic):
                texts.append(text.lower())
                labels.append(index)
                self._keys.append((index, entry_index))
        # Phrasings of one (topic, entry) are contiguous: similarities reduce per group.
        self._groups = [0] + [
            i for i in range(1, len(self._keys)) if self._keys[i] != self._keys[i - 1]
        ]
        self._group_of = {self._keys[start]: g for g, start in enumerate(self._groups)}
        self._topic_of_group = np.array([self._keys[start][0] for start in self._groups])
        self._trained = len(set(labels)) >= 2
        if not self._trained:
            return
        self._features = _features()
        self._phrasings = self._features.fit_transform(texts).tocsr()
        # One-vs-rest training grows with topics x phrasings; past MAX_SVM_TOPICS the margins
        # come from the phrasing similarities alone, so a huge KB still builds in a second.
        self._svm: LinearSVC | None = None
        if self._size <= MAX_SVM_TOPICS:
            self._svm = LinearSVC(C=SVM_C)
            with warnings.catch_warnings():
                # A tiny knowledge base may not converge fully; the margins are still usable.
                warnings.simplefilter("ignore")
                self._svm.fit(self._phrasings, labels)
            self._classes = [int(c) for c in self._svm.classes_]
            self._coef = np.ascontiguousarray(self._svm.coef_)
            self._intercept = np.asarray(self._svm.intercept_, dtype=float)
        # Answering one question through scikit-learn's transform costs milliseconds of input
        # checks; the fitted analyzers, vocabularies and weights do the same work directly.
        self._blocks = _Blocks(self._features)
        answers = [
            _answer(topics[self._keys[start][0]], self._keys[start][1]) for start in self._groups
        ]
        # Phrasings and answers in one matrix: one row look-up per question serves both.
        answer_rows = self._blocks.matrix(answers, width=self._phrasings.shape[1])
        self._by_feature = sparse.vstack([self._phrasings, answer_rows]).T.tocsr()

    def read(self, text: str) -> LearnedReading:
        """Margins and phrasing-group similarities of `text` (zeros when untrained)."""
        if not self._trained:
            return LearnedReading([0.0] * self._size, np.zeros(0), {})
        columns, values = self._blocks.vector(strip_slack_markup(text).lower())
        # Two l2-normalised blocks (characters, words): halve the dot product for a cosine.
        both = (self._by_feature[columns].T @ values) / 2
        cosines, answers = both[: len(self._keys)], both[len(self._keys) :]
        best = np.maximum.reduceat(cosines, self._groups) if len(cosines) else cosines
        margins = self._margins(columns, values) if self._svm else self._from_similarity(best)
        return LearnedReading(margins, best, self._group_of, answers)

    def _from_similarity(self, best: np.ndarray) -> list[float]:
        """Margins without the SVM: each topic's best cosine, mapped onto [-1, 1]."""
        per_topic = np.zeros(self._size)
        np.maximum.at(per_topic, self._topic_of_group, best)
        return [float(2 * value - 1) for value in per_topic]

    def scores(self, text: str) -> list[float]:
        """Signed margins, one per topic in KB order (0.0 for every topic when untrained)."""
        return self.read(text).margins

    def _margins(self, columns: np.ndarray, values: np.ndarray) -> list[float]:
        row = self._coef[:, columns] @ values + self._intercept
        if len(self._classes) == 2:
            row = np.array([-row[0], row[0]])
        out = [0.0] * self._size
        for index, value in zip(self._classes, row, strict=True):
            out[index] = float(value)
        return out


def _answer(topic: Topic, entry_index: int) -> str:
    """The text that answers (topic, entry): the entry's answer, or the topic's lead."""
    entry = None if entry_index == OVERVIEW else topic.entries[entry_index]
    return strip_slack_markup(topic.lead_for(entry)).lower()


class _Blocks:
    """The fitted n-gram blocks of a FeatureUnion of TfidfVectorizers, applied to one text."""

    def __init__(self, union: FeatureUnion) -> None:
        self._blocks = []
        offset = 0
        for _, vectorizer in union.transformer_list:
            vocabulary: dict[str, int] = vectorizer.vocabulary_
            analyzer: Callable[[str], list[str]] = vectorizer.build_analyzer()
            self._blocks.append((analyzer, vocabulary, vectorizer.idf_, offset))
            offset += len(vocabulary)

    def matrix(self, texts: list[str], *, width: int) -> sparse.csr_matrix:
        """The rows of `texts`, as `vector` gives each: what the union's transform returns,
        without its per-call input checks."""
        rows = [self.vector(text) for text in texts]
        indptr = np.cumsum([0, *(len(columns) for columns, _ in rows)])
        columns = np.concatenate([c for c, _ in rows]) if rows else np.zeros(0, dtype=np.int64)
        values = np.concatenate([v for _, v in rows]) if rows else np.zeros(0)
        return sparse.csr_matrix((values, columns, indptr), shape=(len(texts), width))

    def vector(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Column indices and values of `text`: sublinear tf-idf, each block l2-normalised."""
        all_columns: list[np.ndarray] = []
        all_values: list[np.ndarray] = []
        for analyzer, vocabulary, idf, offset in self._blocks:
            counts = Counter(c for g in analyzer(text) if (c := vocabulary.get(g)) is not None)
            if not counts:
                continue
            columns = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
            tf = 1.0 + np.log(np.fromiter(counts.values(), dtype=float, count=len(counts)))
            values = tf * idf[columns]
            all_columns.append(columns + offset)
            all_values.append(values / np.linalg.norm(values))
        if not all_columns:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        return np.concatenate(all_columns), np.concatenate(all_values)
