"""Reading the question as a person would: which service, which way, and what it follows."""

from __future__ import annotations

import pytest

from bot.answering import Answerer, Turn
from bot.matching import Matcher
from bot.matching.focus import focus


@pytest.mark.parametrize(
    ("question", "topic_id"),
    [
        ("define ECS for me", "what-is-ecs"),
        ("define EC2 for me", "what-is-ec2"),
        ("in which cases should i go with ecs rather than ec2", "when-to-use-ecs"),
        ("in which cases should i go with ec2 rather than ecs", "when-to-use-ec2"),
        ("is an ec2 instance a single physical machine or a virtual image?", "what-is-ec2"),
    ],
)
def test_the_service_asked_about_decides_directional_topics(
    matcher: Matcher, question: str, topic_id: str
) -> None:
    """'What is ECS' and 'what is EC2' differ by one word: the subject decides."""
    match = matcher.match(question)
    assert match.topic is not None and match.topic.id == topic_id


@pytest.mark.parametrize(
    "question",
    [
        "ALB ingress controller on EKS isn't creating a load balancer",
        "with eksctl how do I patch the managed node groups to the latest AMI?",
        "can I raise the app runner max concurrency for one service?",
        "how do i upgrade my eks cluster",
        # Fargate and EC2 as EKS's capacity: Fargate profiles, EC2 node groups.
        "our eks fargate profile pods get evicted after a node rotation, why?",
        "our pods on eks fargate lose their persistent volume claims after a restart",
        "kubectl logs shows nothing for pods scheduled onto the ec2 nodegroup",
        # A container tool's own question, nothing of AWS in it.
        "docker compose keeps restarting my postgres container, why?",
        "my dockerfile COPY step can't find the file, what am I doing wrong?",
    ],
)
def test_questions_about_a_neighbouring_service_are_declined(
    matcher: Matcher, question: str
) -> None:
    """A question only about EKS or App Runner is not ours, however many words it shares."""
    assert matcher.match(question).topic is None


def test_a_comparison_with_a_neighbour_is_ours(matcher: Matcher) -> None:
    """'Lambda or ECS?' is a comparison the bot covers."""
    match = matcher.match("should this nightly job run on lambda or as an ecs task?")
    assert match.topic is not None and match.topic.id == "ecs-vs-lambda"


@pytest.mark.parametrize(
    "question",
    [
        "is running these jobs on fargate cheaper than keeping an eks cluster?",
        "our helm charts: can they deploy to an ecs cluster on fargate?",
    ],
)
def test_kubernetes_set_against_ours_is_ours(matcher: Matcher, question: str) -> None:
    """EKS named beside ECS, or set against Fargate, is a comparison the bot covers."""
    assert matcher.match(question).topic is not None


@pytest.mark.parametrize(
    "question",
    [
        "docker compose on one ec2 instance or ecs?",
        "is aws ecs basically managed docker compose?",
        "the service's MemoryUtilization says 60% but docker stats shows 95%, which is right?",
    ],
)
def test_a_tool_beside_aws_is_ours(matcher: Matcher, question: str) -> None:
    """Docker or Compose named with EC2, ECS, AWS or one of ECS's own terms (a metric name)
    is a question the bot covers."""
    assert matcher.match(question).topic is not None


def test_a_tool_in_a_conversation_about_ours_is_a_follow_up(matcher: Matcher) -> None:
    """After an answer on Docker on EC2, "and with docker compose?" stays on it."""
    match = matcher.match(
        "and with docker compose?",
        context="how do i run containers on ec2 without ecs",
        context_topic="docker-on-ec2",
    )
    assert match.topic is not None and match.topic.id == "docker-on-ec2"


def test_a_subjectless_comparison_is_read_as_ecs_vs_ec2(matcher: Matcher) -> None:
    """In a chat with this bot, 'which one has less to patch?' compares ECS and EC2."""
    match = matcher.match("which one has less to patch?")
    assert match.topic is not None and match.topic.id == "os-patching"
    assert matcher.match("which ci tool should we pick").topic is None


@pytest.mark.parametrize("question", ["which one has less to patch?", "which scales better?"])
def test_a_subjectless_which_gets_the_comparison_not_one_side(
    matcher: Matcher, question: str
) -> None:
    """'Which one ...?' asks to compare both services: the topic overview, which sets ECS
    beside EC2, answers it rather than an entry about one of them."""
    match = matcher.match(question)
    assert match.topic is not None and match.entry is None


@pytest.mark.parametrize(
    ("question", "entry_id"),
    [
        (
            "which metric does capacity provider managed scaling hold at its target?",
            "scaling-cluster-auto-scaling",
        ),
        ("which role pulls the image from ecr for my task?", "sec-three-iam-roles"),
    ],
)
def test_which_naming_a_thing_asks_for_it_not_to_pick_a_side(
    matcher: Matcher, question: str, entry_id: str
) -> None:
    """'Which metric / role ...?' asks for a named thing: the entry stating it, not the
    ECS-vs-EC2 overview a 'which one ...?' gets."""
    match = matcher.match(question)
    assert match.entry is not None and match.entry.id == entry_id


def test_an_instance_type_names_ec2(matcher: Matcher) -> None:
    """'t3.medium' says EC2 as surely as the word; the same size of a database does not."""
    analyzer = matcher.analyzer
    assert analyzer.surface("is a t3.medium a real server", correct=True)[2:4] == [
        "ec2",
        "instance",
    ]
    assert "ec2" in analyzer.surface("m7g.2xlarge or c5n.metal?", correct=True)
    assert "ec2" not in analyzer.surface("is a db.t3.medium enough", correct=True)
    assert "ec2" not in analyzer.surface("an m5.large rds postgres", correct=True)
    match = matcher.match("when i launch a t3.medium is that a physical server or a vm slice?")
    assert match.topic is not None and match.topic.id == "what-is-ec2"


@pytest.mark.parametrize(
    ("question", "quantity"),
    [
        ("how long does a fargate task take to start?", "duration"),
        ("how big can a lambda container image be", "size"),
        ("max memory for a fargate task", "size"),
        ("how many services per cluster", "count"),
        ("what is fargate", None),
    ],
)
def test_the_kind_of_quantity_asked_for(matcher: Matcher, question: str, quantity: str) -> None:
    """'How long' asks for a duration, 'how big' and 'max memory' for a size, 'how many'
    for a count."""
    words = matcher.analyzer.surface(question, correct=True)
    assert focus(words).quantity == quantity


def test_an_entry_without_the_quantity_asked_is_not_a_confident_answer(matcher: Matcher) -> None:
    """An entry that matches the words but states no size is no answer to "how big?": the
    bot offers topics instead of asserting it; an entry stating the size is answered."""
    assert not matcher.match("how big can a lambda container image be").confident
    match = matcher.match("what's the max memory of a fargate task")
    assert match.confident and match.entry is not None and "GB" in match.entry.answer


def follow(answerer: Answerer, first: str, second: str) -> tuple[Turn | None, str | None]:
    """Ask `first`, then `second` in the same conversation; the turn kept and topic answered."""
    turn = answerer.reply(first).turn
    reply = answerer.reply(second, previous=turn)
    assert reply.match is not None
    return turn, reply.match.topic.id if reply.match.topic else None


@pytest.mark.parametrize(
    ("first", "second", "topic_id"),
    [
        ("does fargate support gpus?", "what about windows?", "windows-containers"),
        (
            "tell me about load balancing on ecs",
            "how is that done with plain ec2?",
            "load-balancing",
        ),
        ("what's ECS Managed Instances?", "how much does it cost?", "cost"),
    ],
)
def test_a_follow_up_is_read_in_its_conversation(
    answerer: Answerer, first: str, second: str, topic_id: str
) -> None:
    """An underspecified message leans on the turn before it."""
    turn = answerer.reply(first).turn
    assert turn is not None
    match = answerer.reply(second, previous=turn).match
    assert match is not None and match.topic is not None
    # "how much does it cost?" after Managed Instances: their pricing, filed under cost.
    assert topic_id in (match.topic.id, match.area)


def test_the_follow_up_without_context_is_not_answered_the_same(answerer: Answerer) -> None:
    """Alone, 'what about windows?' is not enough to answer Windows on Fargate."""
    alone = answerer.reply("what about windows?").match
    assert alone is not None
    assert not (alone.entry and alone.entry.id == "win-fargate-support")


def test_a_message_that_stands_alone_ignores_the_context(answerer: Answerer) -> None:
    """A full question after another topic is matched on its own."""
    _, got = follow(answerer, "does fargate support gpus?", "how do I patch ec2 instances?")
    assert got == "os-patching"


@pytest.mark.parametrize(
    ("question", "topic_id"),
    [("tell me about security", "security"), ("monitoring?", "monitoring")],
)
def test_a_topic_named_alone_is_answered(matcher: Matcher, question: str, topic_id: str) -> None:
    """One word that names a topic is enough in a chat with this bot."""
    match = matcher.match(question)
    assert match.topic is not None and match.topic.id == topic_id


@pytest.mark.parametrize("question", ["how does DNS work", "are you a robot"])
def test_one_known_word_that_names_no_topic_is_declined(matcher: Matcher, question: str) -> None:
    """A single word the knowledge base knows, but no topic's name, is not enough."""
    assert matcher.match(question).topic is None


def test_a_broad_request_gets_the_overview(matcher: Matcher) -> None:
    """'tell me about …' wants the topic's overview, not one fact from it."""
    match = matcher.match("tell me about load balancing on ecs")
    assert match.topic is not None and match.topic.id == "load-balancing"
    assert match.entry is None


def test_a_follow_up_with_a_subject_of_its_own_moves_on(answerer: Answerer) -> None:
    """'what about pricing?' after a scaling answer is about cost, not scaling."""
    _, got = follow(answerer, "how do i autoscale ecs services?", "what about pricing?")
    assert got == "cost"


def test_an_unrelated_message_does_not_become_a_follow_up(answerer: Answerer) -> None:
    """After a cost answer, 'where is the coffee machine' is still not the bot's to answer."""
    _, got = follow(answerer, "how is fargate billed?", "where is the coffee machine")
    assert got is None


@pytest.mark.parametrize(
    ("first", "second", "entry_id"),
    [
        ("how is fargate billed?", "and ec2?", "cost-ec2-per-second-billing"),
        # The EC2 entry's side-less keyword "billed by the hour" is EC2's, not Fargate's.
        ("is ec2 billed by the hour?", "and fargate?", "cost-fargate-billing-window"),
        # The overview again would repeat the last answer: EC2's own entry instead.
        ("can ecs autoscale?", "how is that done on ec2?", "scaling-plain-ec2"),
        ("max memory for a fargate task?", "and on ec2?", "task-size-on-ec2-capacity"),
        ("how do i patch ec2 instances?", "what about fargate?", "patching-fargate"),
        ("how is fargate billed?", "what about windows?", "win-fargate-billing"),
        ("can fargate run privileged containers?", "what about windows?", "win-fargate-support"),
    ],
)
def test_a_follow_up_gets_the_fact_it_asks_for(
    answerer: Answerer, first: str, second: str, entry_id: str
) -> None:
    """Naming only another service asks the same question of it; a new subject ("windows")
    is read with what it follows, down to the entry."""
    turn = answerer.reply(first).turn
    match = answerer.reply(second, previous=turn).match
    assert match is not None and match.confident
    assert match.entry is not None and match.entry.id == entry_id


def test_which_one_after_a_comparison_gets_the_overview(answerer: Answerer) -> None:
    """'which one has less to patch?' after 'ecs vs ec2?' compares the two: the overview,
    not the plain-EC2 entry."""
    turn = answerer.reply("ecs vs ec2?").turn
    match = answerer.reply("which one has less to patch?", previous=turn).match
    assert match is not None and match.topic is not None
    assert (match.topic.id, match.entry) == ("os-patching", None)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("whats the diff between task role and execution role", "how do i tune postgres"),
        ("windows containers on ecs?", "does ecs support ipv6"),
    ],
)
def test_a_question_that_stands_alone_does_not_borrow_the_topic(
    answerer: Answerer, first: str, second: str
) -> None:
    """A service we do not cover, or an unknown capability, is not made a follow-up: it gets
    the same reply it would get alone, not the previous topic with confidence."""
    turn = answerer.reply(first).turn
    assert turn is not None
    followed = answerer.reply(second, previous=turn).match
    alone = answerer.reply(second).match
    assert followed is not None and alone is not None
    assert (followed.topic, followed.confident) == (alone.topic, alone.confident)
    assert followed.topic is None or followed.topic.id != turn.topic_id


def test_an_entry_about_the_other_service_loses(matcher: Matcher) -> None:
    """'how do i patch fargate' gets the Fargate patching fact, not plain EC2's."""
    match = matcher.match("how do i patch fargate")
    assert match.entry is not None and match.entry.id == "patching-fargate"


def test_background_does_not_make_a_clear_question_unsure(matcher: Matcher) -> None:
    """A message of context then a clear question is answered with the confidence the
    question has alone (a new user's message got 'not sure I understood' for its length)."""
    question = (
        "hey all, some context: we're three devs running a rails app and sidekiq on two ec2 "
        "boxes with docker compose. patching eats our fridays and traffic jumps 10x on launch "
        "days. none of us wants to be the ops person. should we go ecs fargate or just keep "
        "ec2 with docker on it?"
    )
    asked = matcher.match("should we go ecs fargate or just keep ec2 with docker on it?")
    match = matcher.match(question)
    assert asked.confident and match.confident
    assert match.topic == asked.topic


@pytest.mark.parametrize("question", ["fargate vs ec2?", "*fargate* vs `ec2`?"])
def test_fargate_against_ec2_gets_the_choice_not_the_relationship(
    matcher: Matcher, question: str
) -> None:
    """'fargate vs ec2?' weighs two kinds of ECS capacity; 'Fargate isn't an alternative to
    ECS' answers 'fargate vs ecs?' instead."""
    match = matcher.match(question)
    assert match.entry is not None and match.entry.id == "choose-fargate-or-ecs-on-ec2"
    assert matcher.match("fargate vs ecs?").entry.id == "fargate-vs-ecs-relationship"  # type: ignore[union-attr]


def test_a_question_phrased_as_an_entry_is_answered_with_confidence(matcher: Matcher) -> None:
    """'fargate windows minimum billing' fits Windows containers and cost almost equally, but
    it is one of an entry's phrasings word for word: no doubt what is asked."""
    match = matcher.match("fargate windows minimum billing")
    assert match.confident and match.entry is not None
    assert match.entry.id == "win-fargate-billing"


@pytest.mark.parametrize(
    ("question", "ours"),
    [
        ("how do i migrate from heroku", True),
        ("we are moving off elastic beanstalk, what should we use", True),
        ("migrating from heroku to render", False),
        ("how do i migrate from eks to gke", False),
        ("how do i tune heroku dynos", False),
    ],
)
def test_moving_off_a_neighbour_is_a_migration(matcher: Matcher, question: str, ours: bool) -> None:
    """Leaving a neighbouring service for none named is a migration question, ours to answer
    (it was declined with a list of topics that named migration); moving between two
    services that are not ours, or a question about the neighbour itself, stays declined."""
    assert (matcher.match(question).topic is not None) is ours


def test_a_broad_question_re_asked_of_the_other_side_keeps_the_overview(
    answerer: Answerer,
) -> None:
    """'tell me about load balancing on ecs', then 'and on ec2?': the overview (which sets
    both side by side), not an entry about ECS."""
    turn = answerer.reply("tell me about load balancing on ecs").turn
    match = answerer.reply("and on ec2?", previous=turn).match
    assert match is not None and match.topic is not None
    assert match.topic.id == "load-balancing" and match.entry is None
