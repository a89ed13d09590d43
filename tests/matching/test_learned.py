"""The learned classifier: its direct n-gram path gives what scikit-learn itself would."""

from __future__ import annotations

import numpy as np
import pytest

from bot.knowledge import KnowledgeBase
from bot.matching.learned import TopicClassifier
from bot.matching.lexical import OVERVIEW
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


@pytest.mark.parametrize("question", QUESTIONS)
def test_answer_similarities_are_cosines_to_each_answer(
    kb: KnowledgeBase, classifier: TopicClassifier, question: str
) -> None:
    """Each (topic, entry)'s answer similarity is the cosine of the question to its answer
    (the topic's lead for the overview), as scikit-learn's transform gives it."""
    topics = list(kb)
    keys = [classifier._keys[start] for start in classifier._groups]
    texts = [topics[t].lead_for(None if e == OVERVIEW else topics[t].entries[e]) for t, e in keys]
    answers = classifier._features.transform([strip_slack_markup(t).lower() for t in texts])
    vector = classifier._features.transform([strip_slack_markup(question).lower()])
    expected = (answers @ vector.T).toarray().reshape(-1) / 2
    reading = classifier.read(question)
    assert np.allclose([reading.answer_similarity(k) for k in keys], expected, atol=1e-9)


def test_the_answer_tells_sibling_entries_apart(
    kb: KnowledgeBase, classifier: TopicClassifier
) -> None:
    """A question in the answer's own words ("0.25 vCPU") is closest to the entry stating it."""
    topics = list(kb)
    reading = classifier.read("is 0.25 vcpu the smallest fargate task?")
    fargate = next(i for i, t in enumerate(topics) if t.id == "fargate")
    scores = {
        entry.id: reading.answer_similarity((fargate, e))
        for e, entry in enumerate(topics[fargate].entries)
    }
    best = max(scores, key=scores.__getitem__)
    assert (
        "0.25"
        in topics[fargate].entries[[e.id for e in topics[fargate].entries].index(best)].answer
    )


def test_two_builds_give_the_same_margins(kb: KnowledgeBase, classifier: TopicClassifier) -> None:
    """Replicas built from one knowledge base answer alike: training is seeded, not random."""
    again = TopicClassifier(kb)
    for question in QUESTIONS:
        assert again.scores(question) == classifier.scores(question)
