"""The learned classifier: its direct n-gram path gives what scikit-learn itself would."""

from __future__ import annotations

import numpy as np
import pytest

from bot.knowledge import KnowledgeBase
from bot.matching.learned import TopicClassifier
from bot.matching.text import strip_slack_markup

QUESTIONS = [
    "how is fargate billed?",
    "<@U0BOT123> ecs vs ec2 for a small team :thinking_face:",
    "Whats teh max memroy for a fargate task",
    "",
    "zzzz qqqq",
]


@pytest.fixture(scope="module")
def classifier(kb: KnowledgeBase) -> TopicClassifier:
    """A classifier trained on the shipped knowledge base."""
    return TopicClassifier(kb)


@pytest.mark.parametrize("question", QUESTIONS)
def test_margins_match_scikit_learn(classifier: TopicClassifier, question: str) -> None:
    """The margins equal LinearSVC.decision_function on the FeatureUnion's transform."""
    vector = classifier._features.transform([strip_slack_markup(question).lower()])
    expected = classifier._svm.decision_function(vector).reshape(-1)
    assert np.allclose(classifier.read(question).margins, expected, atol=1e-9)


@pytest.mark.parametrize("question", QUESTIONS)
def test_similarities_are_best_cosines_per_group(
    classifier: TopicClassifier, question: str
) -> None:
    """Each (topic, entry) similarity is the best cosine of its phrasings to the question."""
    vector = classifier._features.transform([strip_slack_markup(question).lower()])
    cosines = (classifier._phrasings @ vector.T).toarray().reshape(-1) / 2
    got = classifier.read(question).similarities
    for start, key in zip(classifier._groups, got, strict=True):
        assert key == classifier._keys[start]
    expected = np.maximum.reduceat(cosines, classifier._groups)
    assert np.allclose(list(got.values()), expected, atol=1e-9)


def test_a_single_topic_knowledge_base_is_untrained(kb: KnowledgeBase) -> None:
    """With one topic there is nothing to tell apart: margins are zero, nothing fails."""
    one = KnowledgeBase(topics={"fargate": kb.topics["fargate"]}, vocabulary=kb.vocabulary)
    reading = TopicClassifier(one).read("how is fargate billed?")
    assert reading.margins == [0.0] and reading.similarities == {}
