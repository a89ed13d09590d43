"""A learned topic classifier: linear SVM over character and word n-grams of the KB's phrasings.

Trained at start-up on the knowledge base's own phrasings and nothing else (no download, no
saved model), it generalises to wordings the phrasings do not share words with ("define ECS",
typos, inflections) where the lexical index cannot. It cannot refuse anything: the scope gate
decides that.
"""

from __future__ import annotations

import itertools
import warnings
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Executor, Future

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


class LearnedReading:
    """One question as the classifier sees it: a margin per topic (KB order), and the cosine
    similarity of its n-grams to each (topic index, entry index) group of phrasings and to the
    group's answer. Built with `rows`, the cosines are worked out one topic at a time when
    first asked for: a question is matched to one topic's entries, so the other topics'
    thousands of rows need not be read."""

    def __init__(
        self,
        margins: list[float],
        groups: dict[tuple[int, int], int],
        *,
        cosines: tuple[np.ndarray, np.ndarray] | None = None,
        rows: _TopicRows | None = None,
        query: np.ndarray | None = None,
    ) -> None:
        """`groups` maps (topic, entry) to its group order; `cosines` are every group's best
        and answer cosines, or `rows` works them out per topic for the dense `query` vector."""
        self.margins = margins
        self.groups = groups
        self._cosines = cosines
        self._rows = rows
        self._query = query
        self._by_topic: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def _read(self, key: tuple[int, int]) -> tuple[float, float]:
        """The best phrasing cosine and the answer cosine of one group (0.0, 0.0 if none)."""
        group = self.groups.get(key)
        if group is None:
            return 0.0, 0.0
        if self._cosines is not None:
            best, answers = self._cosines
            return float(best[group]), float(answers[group])
        if self._rows is None or self._query is None:
            return 0.0, 0.0
        topic = key[0]
        found = self._by_topic.get(topic)
        if found is None:
            found = self._by_topic[topic] = self._rows.cosines(topic, self._query)
        local = group - self._rows.first_group[topic]
        return float(found[0][local]), float(found[1][local])

    def similarity(self, key: tuple[int, int]) -> float:
        """The best cosine of the question to the phrasings of (topic, entry); 0.0 if none."""
        return self._read(key)[0]

    def answer_similarity(self, key: tuple[int, int]) -> float:
        """The cosine of the question to the answer of (topic, entry) (for the overview, the
        topic's lead); 0.0 if none. The answer's words ("16 vCPU", "120 GB") tell siblings apart."""
        return self._read(key)[1]

    @property
    def similarities(self) -> dict[tuple[int, int], float]:
        """Every group's best cosine, by (topic index, entry index)."""
        return {key: self.similarity(key) for key in self.groups}


class _TopicRows:
    """Each topic's n-gram rows — its phrasings, then its groups' answers — as one sparse
    block, so that a question's cosines to one topic are one sparse-dense product."""

    def __init__(
        self,
        topics: np.ndarray,
        starts: list[int],
        phrasings: sparse.csr_matrix,
        answers: sparse.csr_matrix,
    ) -> None:
        """`topics` is each group's topic, `starts` each group's first phrasing row (groups
        are in KB order, so a topic's groups and phrasings are contiguous)."""
        self.first_group: dict[int, int] = {}
        self._blocks: dict[int, tuple[sparse.csr_matrix, np.ndarray, int]] = {}
        ends = [*starts[1:], phrasings.shape[0]]
        bounds = [0, *(g for g in range(1, len(topics)) if topics[g] != topics[g - 1])]
        for first, last in zip(bounds, [*bounds[1:], len(topics)], strict=True):
            topic = int(topics[first])
            size = ends[last - 1] - starts[first]
            block = sparse.vstack(
                [phrasings[starts[first] : ends[last - 1]], answers[first:last]], format="csr"
            )
            offsets = np.array(starts[first:last]) - starts[first]
            self.first_group[topic] = first
            self._blocks[topic] = (block, offsets, size)

    def cosines(self, topic: int, query: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Best phrasing cosine and answer cosine of each of `topic`'s groups, for a dense
        n-gram `query` (two l2-normalised blocks, characters and words: halved for a cosine)."""
        block, offsets, size = self._blocks[topic]
        both = (block @ query) / 2
        return np.maximum.reduceat(both[:size], offsets), both[size:]


class TopicClassifier:
    """Topic margins and phrasing similarities for a question, from one n-gram vector."""

    def __init__(self, kb: KnowledgeBase, *, pool: Executor | None = None) -> None:
        """Train on `kb`'s phrasings; with a `pool`, the SVM trains there (see `finish`)."""
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
        self._fitting: Future[None] | None = None
        if self._size <= MAX_SVM_TOPICS:
            # A fixed seed: liblinear shuffles, and replicas built from the same knowledge base
            # must give the same answer to the same question. tol 1e-3 (default 1e-4) trains
            # ~0.1 s faster with the same answer on every labelled question in tests/data.
            self._svm = LinearSVC(C=SVM_C, random_state=0, tol=1e-3)
            if pool is None:
                self._fit(labels)
            else:
                # liblinear trains without the GIL: the rest of the index builds meanwhile.
                self._fitting = pool.submit(self._fit, labels)
        # Answering one question through scikit-learn's transform costs milliseconds of input
        # checks; the fitted analyzers, vocabularies and weights do the same work directly.
        self._blocks = _Blocks(self._features)
        answers = [
            _answer(topics[self._keys[start][0]], self._keys[start][1]) for start in self._groups
        ]
        answer_rows = self._blocks.matrix(answers, width=self._phrasings.shape[1])
        self._by_feature: sparse.csr_matrix | None = None
        self._rows: _TopicRows | None = None
        if self._svm is None:
            # The margins need every group's cosine: phrasings and answers in one matrix by
            # feature, so that one row look-up per question serves both.
            self._by_feature = sparse.vstack([self._phrasings, answer_rows]).T.tocsr()
        else:
            # Only the entries of the topic matched are read: cosines per topic, on demand.
            self._rows = _TopicRows(
                self._topic_of_group, self._groups, self._phrasings, answer_rows
            )

    def _fit(self, labels: list[int]) -> None:
        assert self._svm is not None
        with warnings.catch_warnings():
            # A tiny knowledge base may not converge fully; the margins are still usable.
            warnings.simplefilter("ignore")
            self._svm.fit(self._phrasings, labels)
        self._classes = [int(c) for c in self._svm.classes_]
        # By feature: a question's few hundred n-grams pick contiguous rows.
        self._coef_by_feature = np.ascontiguousarray(self._svm.coef_.T)
        self._intercept = np.asarray(self._svm.intercept_, dtype=float)

    def finish(self) -> None:
        """Wait for the SVM trained on the `pool` given at construction (raising what its
        training raised); nothing to do without one. Call before `read`."""
        if self._fitting is not None:
            self._fitting.result()
            self._fitting = None

    def read(self, text: str) -> LearnedReading:
        """Margins and phrasing-group similarities of `text` (zeros when untrained)."""
        if not self._trained:
            return LearnedReading([0.0] * self._size, {})
        columns, values = self._blocks.vector(strip_slack_markup(text).lower())
        if self._by_feature is None:
            query = np.zeros(self._phrasings.shape[1])
            query[columns] = values
            return LearnedReading(
                self._margins(columns, values), self._group_of, rows=self._rows, query=query
            )
        # Two l2-normalised blocks (characters, words): halve the dot product for a cosine.
        both = (self._by_feature[columns].T @ values) / 2
        cosines, answers = both[: len(self._keys)], both[len(self._keys) :]
        best = np.maximum.reduceat(cosines, self._groups) if len(cosines) else cosines
        return LearnedReading(self._from_similarity(best), self._group_of, cosines=(best, answers))

    def _from_similarity(self, best: np.ndarray) -> list[float]:
        """Margins without the SVM: each topic's best cosine, mapped onto [-1, 1]."""
        per_topic = np.zeros(self._size)
        np.maximum.at(per_topic, self._topic_of_group, best)
        return [float(2 * value - 1) for value in per_topic]

    def scores(self, text: str) -> list[float]:
        """Signed margins, one per topic in KB order (0.0 for every topic when untrained)."""
        return self.read(text).margins

    def _margins(self, columns: np.ndarray, values: np.ndarray) -> list[float]:
        row = values @ self._coef_by_feature[columns] + self._intercept
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
        self._blocks: list[tuple[Callable[[str], list[str]], dict[str, int], int]] = []
        offset = 0
        for _, vectorizer in union.transformer_list:
            vocabulary: dict[str, int] = vectorizer.vocabulary_
            analyzer: Callable[[str], list[str]] = vectorizer.build_analyzer()
            self._blocks.append((analyzer, vocabulary, offset))
            offset += len(vocabulary)
        # Every block's idf, in the union's column order.
        self._idf = np.concatenate([v.idf_ for _, v in union.transformer_list])

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
        columns: list[int] = []
        counts: list[int] = []
        bounds = [0]
        for analyzer, vocabulary, offset in self._blocks:
            # Count the n-grams, then look each distinct one up, in order of first occurrence.
            for gram, count in Counter(analyzer(text)).items():
                column = vocabulary.get(gram)
                if column is not None:
                    columns.append(column + offset)
                    counts.append(count)
            bounds.append(len(columns))
        found = np.array(columns, dtype=np.int64)
        values = (1.0 + np.log(np.array(counts, dtype=float))) * self._idf[found]
        for start, end in itertools.pairwise(bounds):
            if end > start:
                values[start:end] /= np.linalg.norm(values[start:end])
        return found, values
