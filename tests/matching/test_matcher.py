"""Matching Slack-typed questions to topics: typos, markup, synonyms, out of scope."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.knowledge import KnowledgeBase
from bot.matching import Matcher, evaluate, read_cases
from bot.matching.lexical import LexicalIndex

SHARED_DEV = Path(__file__).resolve().parents[3] / "shared" / "eval" / "dev.jsonl"
DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("how much does fargate cost per vcpu", "cost"),
        ("<@U024BE7LH> is there a charge for using ecs itself?", "cost"),
        ("whats cheaper spot or savings plans for our containers", "saving-money"),
        ("hi :wave: can ecs services autoscale on cpu?", "scalability"),
        ("how do i put an ALB in front of my ecs service", "load-balancing"),
        ("`awsvpc` vs bridge network mode", "networking"),
        ("who is responsible for patching the host os on fargate", "os-patching"),
        ("&gt; we need nvidia gpus\ncan ecs do that?", "gpu"),
        ("can I run ecs tasks in my own data center", "ecs-anywhere"),
        ("ecs vs eks for a small team", "ecs-vs-eks"),
        ("what's a task definition", "ecs-concepts"),
        ("rolling update vs blue green on ecs", "deployments"),
        ("mount an efs volume into a fargate task", "storage"),
        ("see <https://docs.aws.amazon.com/AmazonECS/|the docs>: what is fargate?", "fargate"),
        ("just run docker compose on an ec2 box instead of ecs?", "docker-on-ec2"),
        ("lift and shift our vm app into ecs", "migration"),
        ("container insights and cloudwatch alarms for ecs", "monitoring"),
        ("task role vs execution role", "security"),
    ],
)
def test_questions_find_their_topic(matcher: Matcher, question: str, topic: str) -> None:
    """Casual Slack questions, markup and all, match the topic a maintainer would pick."""
    match = matcher.match(question)
    assert match.topic is not None, matcher.explain(question)
    assert match.topic.id == topic, matcher.explain(question)


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("how is fargaet billed", "cost"),
        ("ecs autoscalling policies", "scalability"),
        ("kubernets or ecs", "ecs-vs-eks"),
        ("deploymnet strategies for ecs", "deployments"),
        ("what is elastic contianer service", "what-is-ecs"),
    ],
)
def test_typos_are_tolerated(matcher: Matcher, question: str, topic: str) -> None:
    """A typo in the telling word still finds the topic."""
    match = matcher.match(question)
    assert match.topic is not None and match.topic.id == topic, matcher.explain(question)


@pytest.mark.parametrize(
    "question",
    [
        "good morning!",
        "anyone up for lunch?",
        "how do I enable versioning on an s3 bucket",
        "lambda cold starts are killing us",
        "dynamodb single table design",
        "what's the wifi password",
        "asdfghjkl zxcvbnm",
        "how do i reverse a linked list",
        ":tada: :tada: :tada:",
        "route 53 weighted records",
        "<@U024BE7LH> thanks!",
        "java vs go for backend",
        "which ci tool should we pick",
        "react or vue for the frontend",
        "",
    ],
)
def test_out_of_scope_gets_no_topic(matcher: Matcher, question: str) -> None:
    """Greetings, other AWS services, chit-chat and gibberish are not answered with a topic."""
    match = matcher.match(question)
    assert match.topic is None, matcher.explain(question)
    assert not match.confident
    assert match.suggestions == ()


def test_clear_question_is_confident(matcher: Matcher) -> None:
    """An unambiguous question is matched with confidence."""
    match = matcher.match("What is AWS Fargate and how does it work?")
    assert match.topic is not None and match.topic.id == "fargate"
    assert match.confident
    assert 0 < match.score <= 1


def test_suggestions_are_other_topics_ranked(matcher: Matcher) -> None:
    """Suggestions never repeat the best topic, are at most three, and are ordered by score."""
    match = matcher.match("ecs cost and scaling and availability")
    assert match.topic is not None
    ids = [s.topic.id for s in match.suggestions]
    assert match.topic.id not in ids
    assert len(ids) <= 3
    scores = [s.score for s in match.suggestions]
    assert scores == sorted(scores, reverse=True)


DETERMINISM_QUESTIONS = [
    ("how do ecs and ec2 compare on price", None, None),
    ("whats the diffrence between ecs and ec2", None, None),
    ("and on ec2?", "how is fargate billed?", "fargate"),
    ("how do I create an S3 bucket", None, None),
]


@pytest.fixture(scope="module")
def fresh_matcher(kb: KnowledgeBase) -> Matcher:
    """A second matcher over the shipped knowledge base that keeps no verdicts."""
    return Matcher(kb, matches_kept=0)


@pytest.mark.parametrize(("question", "context", "context_topic"), DETERMINISM_QUESTIONS)
def test_matching_is_deterministic(
    matcher: Matcher,
    fresh_matcher: Matcher,
    question: str,
    context: str | None,
    context_topic: str | None,
) -> None:
    """The same question always gets the same answer: asked again, and from a second index
    built from the same knowledge base (as another replica builds it) that keeps nothing."""
    first = matcher.match(question, context, context_topic)
    assert matcher.match(question, context, context_topic) == first
    assert fresh_matcher.match(question, context, context_topic) == first
    assert fresh_matcher.match(question, context, context_topic) == first


def test_a_question_asked_again_is_not_read_again(
    kb: KnowledgeBase, fresh_matcher: Matcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Kept verdicts: the same question in the same context is read once, a new context or a
    question pushed out of the kept ones is read again, and keeping nothing reads every time."""
    kept = Matcher(kb, matches_kept=2)
    reads: list[str] = []
    read = Matcher._read

    def counting(self: Matcher, question: str, *args: object) -> object:
        reads.append(question)
        return read(self, question, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(Matcher, "_read", counting)
    first = kept.match("how is fargate billed?")
    once = len(reads)
    assert once >= 1
    assert kept.match("how is fargate billed?") is first
    assert len(reads) == once
    kept.match("and ec2?", "how is fargate billed?", "fargate")
    assert len(reads) > once
    seen = len(reads)
    kept.match("can ecs autoscale?")
    kept.match("how is fargate billed?")  # pushed out by the two after it
    assert len(reads) > seen + 1
    seen = len(reads)
    fresh_matcher.match("how is fargate billed?")
    fresh_matcher.match("how is fargate billed?")
    assert len(reads) >= seen + 2


def test_huge_question_does_not_crash(matcher: Matcher) -> None:
    """A 100 kB question is handled (the answerer truncates it first)."""
    match = matcher.match("fargate pricing " * 6000)
    assert match.topic is not None


@pytest.mark.skipif(
    not SHARED_DEV.exists(), reason="shared/eval/dev.jsonl is not beside this checkout"
)
def test_dev_set_meets_the_bar(matcher: Matcher) -> None:
    """The shared dev set scores at least 0.95 on both measures."""
    report = evaluate(matcher, read_cases(SHARED_DEV))
    assert report.top1 >= 0.95, report.misses
    assert report.rejection >= 0.95, report.misses


# Floors a little under the scores measured when they were last raised (2026-11-30, session 3).
# (set, topic top-1, out-of-scope rejection, share of leads stating the fact)
FLOORS = [
    ("heldout.jsonl", 0.96, 0.97, None),
    ("heldout2.jsonl", 0.97, 0.97, None),
    ("real.jsonl", 0.88, 0.95, None),
    ("real_blind.jsonl", 0.91, 0.93, None),
    ("entries_a.jsonl", 0.97, None, 0.87),
    ("entries_b.jsonl", 0.95, None, 0.87),
    ("entries_c.jsonl", 0.78, None, 0.68),
    ("entries_blind.jsonl", 0.96, None, 0.88),
    ("real_blind2.jsonl", 0.92, 0.78, None),
    ("precise_blind2.jsonl", 0.95, None, 0.92),
    ("devstyle_blind3.jsonl", 0.98, 0.97, None),
    ("real_blind3.jsonl", 0.87, 0.9, None),
    ("precise_blind3.jsonl", 0.94, None, 0.94),
    ("devstyle_blind4.jsonl", 0.95, 0.97, None),
    ("real_blind4.jsonl", 0.9, 0.97, None),
    ("precise_blind4.jsonl", 0.97, None, 0.97),
    ("real_blind5.jsonl", 0.86, 0.9, None),
    ("precise_blind5.jsonl", 0.95, None, 0.92),
    ("devstyle_blind5.jsonl", 0.97, 0.97, None),
]


@pytest.mark.parametrize(("name", "top1", "rejection", "facts"), FLOORS)
def test_labelled_sets_do_not_regress(
    matcher: Matcher, name: str, top1: float, rejection: float | None, facts: float | None
) -> None:
    """Every labelled set in tests/data stays above its recorded floors."""
    report = evaluate(matcher, read_cases(DATA / name))
    assert report.top1 >= top1, report.misses
    if rejection is not None:
        assert report.rejection >= rejection, report.misses
    if facts is not None:
        assert report.facts_stated >= facts, report.misses


def test_entry_terms_weigh_what_tells_entries_apart(matcher: Matcher) -> None:
    """The group reading is a cosine in [0, 1] and ranks the entry whose phrasings share the
    question's rare words above siblings that share only "fargate" and "task"."""
    index = LexicalIndex(matcher.kb)
    scores = index.scores(index.query("smallest cpu size for a fargate task"))
    assert scores.groups and all(0.0 < v <= 1.0 + 1e-9 for v in scores.groups.values())
    best = max(scores.groups, key=scores.groups.__getitem__)
    topic = index.topics[best[0]]
    assert topic.id == "fargate" and best[1] >= 0
    assert "0.25" in topic.entries[best[1]].answer


@pytest.mark.parametrize(
    "question",
    ["does ecs support ipv6", "does fargate support ipv6", "is fargate hipaa compatible"],
)
def test_support_for_something_unknown_is_not_asserted(matcher: Matcher, question: str) -> None:
    """'Does ECS support <a thing the knowledge base never mentions>?' is not answered with a
    confident topic that merely shares 'support': the best topics are offered instead."""
    assert not matcher.match(question).confident


@pytest.mark.parametrize(
    ("question", "topic"),
    [("does fargate support gpus", "gpu"), ("does ecs support windows", "windows-containers")],
)
def test_support_for_something_known_is_answered(
    matcher: Matcher, question: str, topic: str
) -> None:
    """The same kind of question about something covered is answered confidently."""
    match = matcher.match(question)
    assert match.confident and match.topic is not None and match.topic.id == topic


@pytest.mark.parametrize(
    ("question", "entry"),
    [
        ("my code in the container reads from s3, which role gets that permission", None),
        ("how does the service scheduler spread tasks by default", "availability-az-spread"),
        ("whats the most memory a fargate task can have", "fargate-task-size-limits"),
    ],
)
def test_a_question_about_what_our_tasks_use_is_ours(
    matcher: Matcher, question: str, entry: str | None
) -> None:
    """A question about containers or tasks that names another service as what they use, or
    that names ECS's own parts (the service scheduler) without saying "ECS", is answered."""
    match = matcher.match(question)
    assert match.confident and match.topic is not None, match
    if entry is None:
        assert match.topic.id == "security"
    else:
        assert match.entry is not None and match.entry.id == entry


@pytest.mark.parametrize(
    "question",
    [
        "how do I create an S3 bucket",
        "what instance class should my rds postgres use",
        "my kubernetes pods keep restarting in the cluster",
        "how many shards does my kinesis stream need",
    ],
)
def test_a_question_about_another_service_itself_is_not(matcher: Matcher, question: str) -> None:
    """Naming another service is still out of scope when the question is about that service."""
    assert matcher.match(question).topic is None


@pytest.mark.parametrize(
    "question", ["how long does a fargate task take to start", "how quickly can fargate scale out"]
)
def test_a_number_no_entry_states_is_not_answered_with_an_overview(
    matcher: Matcher, question: str
) -> None:
    """A question for a number, a limit or a duration that no entry states gets the closest
    topics to pick from, not a confident overview that does not say it."""
    match = matcher.match(question)
    assert match.topic is not None and match.entry is None
    assert not match.confident


@pytest.mark.parametrize(
    ("question", "entry"),
    [
        ("how many tasks can an ecs service run", "quotas-tasks-per-service"),
        (
            "how many containers can i put in one task definition",
            "quotas-containers-per-task-definition",
        ),
    ],
)
def test_how_many_asks_for_the_limit(matcher: Matcher, question: str, entry: str) -> None:
    """ "How many … can" is a question about a maximum: the entry stating the limit answers."""
    match = matcher.match(question)
    assert match.confident and match.entry is not None and match.entry.id == entry


CONTEXTS = [
    ("how is fargate billed?", "cost"),
    ("ecs vs ec2?", "key-differences"),
    ("can ecs run windows containers", "windows-containers"),
]


@pytest.mark.skipif(
    not SHARED_DEV.exists(), reason="shared/eval/dev.jsonl is not beside this checkout"
)
def test_a_question_that_stands_alone_ignores_the_conversation(
    matcher: Matcher, fresh_matcher: Matcher
) -> None:
    """`stands_alone` (the listeners then skip reading the previous turn) holds only where
    every previous turn gives the same match as none; most clear questions stand alone."""
    questions = [case.q for case in read_cases(SHARED_DEV)]
    alone = [q for q in questions if matcher.stands_alone(q)]
    assert len(alone) >= len(questions) // 3
    for question in alone:
        expected = fresh_matcher.match(question)
        for context, topic in CONTEXTS:
            assert fresh_matcher.match(question, context, topic) == expected, (question, context)
    assert not matcher.stands_alone("and on ec2?")
    assert not matcher.stands_alone("what about windows?")
