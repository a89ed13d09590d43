"""The Answerer: what every surface gets back for what a person typed."""

from __future__ import annotations

import pytest

from bot.answering import Answerer, Turn, as_question, wants_recommendation
from bot.answering.answerer import HELP_TEXT, WELCOME_TEXT, Reply
from bot.blocks import CHOOSE_TOPIC_ID, build_did_you_mean, to_dicts
from bot.matching import Match


@pytest.mark.parametrize("text", ["", "  ", "help", "HELP", "?", "/ecs-vs-ec2 help"])
def test_help_words_get_help(answerer: Answerer, text: str) -> None:
    """Help words get the help text, whatever the surface."""
    reply = answerer.reply(text)
    assert reply.text == HELP_TEXT and reply.match is None


@pytest.mark.parametrize(
    "text", ["recommend", "Help me choose", "help me choose!", "/ecs-vs-ec2 recommend"]
)
def test_asking_for_a_recommendation_offers_the_dialog(answerer: Answerer, text: str) -> None:
    """'recommend' or the button's own label answers with the topic that offers the dialog."""
    assert wants_recommendation(text)
    reply = answerer.reply(text)
    assert reply.match is not None and reply.match.topic is not None
    assert reply.match.topic.id == CHOOSE_TOPIC_ID
    assert '"recommend_start"' in str(to_dicts(reply.blocks)).replace("'", '"')


@pytest.mark.parametrize("text", ["hi", "Hello!", "good morning", "great, got it!"])
def test_a_greeting_gets_how_to_ask(answerer: Answerer, text: str) -> None:
    """A greeting alone is answered with the help, not "I don't cover _hi_"."""
    reply = answerer.reply(text)
    assert reply.match is None and reply.text == HELP_TEXT
    assert "don't cover" not in str(to_dicts(reply.blocks))


@pytest.mark.parametrize("text", ["thanks", "thanks!", ":wave: thank you!", "ok thanks", "cheers"])
def test_a_thank_you_gets_a_short_welcome_and_keeps_the_conversation(
    answerer: Answerer, text: str
) -> None:
    """A thank-you gets one line, not the how-to-ask card, and the conversation's last turn
    stays (a follow-up after it still reads what came before)."""
    turn = Turn(question="how is fargate billed?", topic_id="cost", entry_id=None)
    reply = answerer.reply(text, previous=turn)
    assert reply.match is None and reply.text == WELCOME_TEXT and len(reply.blocks) == 1
    assert reply.turn == turn
    assert answerer.reply("thanks, but how is ec2 billed?").match is not None


def test_a_question_is_not_mistaken_for_a_command() -> None:
    """Questions that merely contain the words stay questions."""
    assert as_question("can you help me with fargate pricing?") != ""
    assert as_question("hi, how is fargate billed?") != ""
    assert as_question("ok so is it good for gpus") != ""
    assert not wants_recommendation("what do you recommend for gpu workloads?")


def test_a_long_message_is_echoed_by_its_asking_sentence(answerer: Answerer) -> None:
    """When unsure, the echo quotes the sentence that asks, not the opening background."""
    fargate = answerer.kb.topics["fargate"]
    question = "We are a small team of four. " * 12 + "Is this a fit for our cron jobs?"
    blocks = to_dicts(build_did_you_mean(Match(question, fargate, 0.3, confident=False)))
    echo = blocks[0]["text"]["text"]
    assert "Is this a fit for our cron jobs?" in echo and "small team" not in echo


def test_a_long_message_is_read_for_the_question_at_its_end(answerer: Answerer) -> None:
    """Slack users put background first: past the length limit the end is kept, so the
    question is still answered (and the reader told what was read)."""
    background = "Our team of four runs a Django monolith with a nightly report job. " * 80
    reply = answerer.reply(background + "So how is Fargate billed?")
    assert reply.truncated and len(background) > 5000
    assert reply.match is not None and reply.match.topic is not None
    assert reply.match.topic.id == "cost" and reply.match.confident
    assert "first 1,000 and last 3,000 characters" in str(to_dicts(reply.blocks))


def converse(answerer: Answerer, *messages: str) -> list[Reply]:
    """Each message answered in the conversation the ones before it left."""
    replies: list[Reply] = []
    turn: Turn | None = None
    for message in messages:
        reply = answerer.reply(message, previous=turn)
        replies.append(reply)
        turn = reply.turn
    return replies


def entry_of(reply: Reply) -> str | None:
    """The id of the entry a reply answered with, if any."""
    return reply.match.entry.id if reply.match and reply.match.entry else None


def test_a_question_re_asked_of_the_other_service_is_remembered_as_asked(
    answerer: Answerer,
) -> None:
    """After "and on ec2?" re-asks "how is fargate billed?" of EC2, the conversation is about
    EC2 billing: "what about windows?" gets Windows billing on EC2, not on Fargate."""
    replies = converse(answerer, "how is fargate billed?", "and on ec2?", "what about windows?")
    assert [entry_of(r) for r in replies] == [
        "cost-fargate-billing-window",
        "cost-ec2-per-second-billing",
        "win-ec2-billing",
    ]
    assert replies[1].turn is not None and replies[1].turn.question == "how is ec2 billed?"


def test_a_service_we_compare_with_is_a_follow_up(answerer: Answerer) -> None:
    """ "Can I use lambda instead?" after a question about running an API is read in the
    conversation (the ECS-vs-Lambda topic); alone it names only a service we do not cover."""
    replies = converse(answerer, "should we run our api on fargate?", "can i use lambda instead")
    assert replies[1].match is not None and replies[1].match.topic is not None
    assert replies[1].match.topic.id == "ecs-vs-lambda"
    alone = answerer.reply("can i use lambda instead")
    assert alone.match is not None and alone.match.topic is None
    after = converse(answerer, "how is fargate billed?", "how do i tune postgres")
    assert after[1].match is not None and after[1].match.topic is None


@pytest.mark.parametrize(
    ("text", "needed"),
    [
        ("how is fargate billed?", False),
        ("and on ec2?", True),
        ("what about windows?", True),
        ("gpu containers for inference", True),
        ("help", True),
        ("recommend", True),
    ],
)
def test_the_previous_turn_is_needed_only_where_it_can_matter(
    answerer: Answerer, text: str, needed: bool
) -> None:
    """A clear question naming a service is answered alike in any conversation, so the
    listeners skip fetching the previous turn; follow-ups, help and the dialog need it."""
    assert answerer.needs_previous(text) is needed
