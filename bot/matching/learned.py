"""A learned topic classifier: linear SVM over character and word n-grams of the KB's phrasings.

Trained at start-up on the knowledge base's own phrasings and nothing else (no download, no
saved model), it generalises to wordings the phrasings do not share words with ("define ECS",
typos, inflections) where the lexical index cannot. It cannot refuse anything: the scope gate
decides that.
"""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion
from sklearn.svm import LinearSVC

from bot.knowledge import KnowledgeBase
from bot.matching.lexical import topic_phrasings
from bot.matching.text import strip_slack_markup

# Regularisation of the SVM: lower generalises more; measured on the real-question sets.
SVM_C = 0.5


def _features() -> FeatureUnion:
    return FeatureUnion(
        [
            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)),
            ("words", TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True)),
        ]
    )


class TopicClassifier:
    """Topic margins for a question; `scores` gives one float per topic, in KB order."""

    def __init__(self, kb: KnowledgeBase) -> None:
        topics = list(kb)
        self._size = len(topics)
        texts: list[str] = []
        labels: list[int] = []
        for index, topic in enumerate(topics):
            for _, text in topic_phrasings(topic):
                texts.append(text.lower())
                labels.append(index)
        self._trained = len(set(labels)) >= 2
        if not self._trained:
            return
        self._features = _features()
        self._svm = LinearSVC(C=SVM_C)
        with warnings.catch_warnings():
            # A tiny knowledge base may not converge fully; the margins are still usable.
            warnings.simplefilter("ignore")
            self._svm.fit(self._features.fit_transform(texts), labels)
        self._classes = [int(c) for c in self._svm.classes_]

    def scores(self, text: str) -> list[float]:
        """Signed margins, one per topic in KB order (0.0 for every topic when untrained)."""
        out = [0.0] * self._size
        if not self._trained:
            return out
        raw = self._svm.decision_function(
            self._features.transform([strip_slack_markup(text).lower()])
        )
        row = np.asarray(raw, dtype=float).reshape(-1)
        if len(self._classes) == 2:
            row = np.array([-row[0], row[0]])
        for index, value in zip(self._classes, row, strict=True):
            out[index] = float(value)
        return out
