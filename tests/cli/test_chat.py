"""`ecsbot chat` as a conversation: follow-ups in context, numbered picks, help, recommend."""

from __future__ import annotations

from typing import Any

import pytest
from click.testing import CliRunner, Result

import bot.cli.chat as chat_module
from bot.answering import Answerer, Reply, Turn
from bot.blocks import to_dicts
from bot.cli import main
from bot.cli.chat import choices_of
from bot.knowledge import KnowledgeBase
from bot.matching import Match, Matcher, Suggestion
from bot.recommend import STEP_COUNT

UNSURE = "something about fargate money maybe"


class ScriptedMatcher(Matcher):
    """The real matcher, except that UNSURE gets "did you mean" fargate, cost or gpu."""

    def match(self, question: str, *args: Any, **kwargs: Any) -> Match:
        if question != UNSURE:
            return super().match(question, *args, **kwargs)
        fargate, cost, gpu = (self.kb.get(t) for t in ("fargate", "cost", "gpu"))
        assert fargate and cost and gpu
        return Match(question, fargate, 0.4, False, (Suggestion(cost, 0.3), Suggestion(gpu, 0.2)))


class SpyAnswerer(Answerer):
    """The answerer over the shipped knowledge base, noting the context of each question."""

    def __init__(self, kb: KnowledgeBase) -> None:
        super().__init__(kb, ScriptedMatcher(kb))
        self.previous: list[Turn | None] = []

    def reply(
        self, question: str, *, shareable: bool = False, previous: Turn | None = None
    ) -> Reply:
        self.previous.append(previous)
        return super().reply(question, shareable=shareable, previous=previous)


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch, kb: KnowledgeBase) -> SpyAnswerer:
    """The answerer `ecsbot chat` talks to in these tests."""
    answerer = SpyAnswerer(kb)
    monkeypatch.setattr(chat_module, "answerer", lambda: answerer)
    return answerer


def chat(*lines: str) -> Result:
    """Type `lines` into `ecsbot chat`, then end the input."""
    result = CliRunner().invoke(main, ["chat"], input="".join(f"{line}\n" for line in lines))
    assert result.exit_code == 0, result.output
    return result


def title(kb: KnowledgeBase, topic_id: str) -> str:
    """A topic's title, as the answer's header shows it."""
    topic = kb.get(topic_id)
    assert topic is not None
    return topic.title


def test_a_follow_up_is_read_in_the_context_of_the_last_answer(
    spy: SpyAnswerer, kb: KnowledgeBase
) -> None:
    """ "does fargate support gpus?" then "what about windows?": asked with the GPU turn,
    answered about Windows."""
    result = chat("does fargate support gpus?", "what about windows?")
    first, second = spy.previous
    assert first is None
    assert second is not None and second.topic_id == "gpu"
    assert title(kb, "windows-containers") in result.output.split("you> ")[2]


def test_a_number_picks_a_suggestion(spy: SpyAnswerer, kb: KnowledgeBase) -> None:
    """ "did you mean" lists its candidate buttons by number; typing 2 answers the second; the
    answer picked then numbers its own buttons, and 3 picks from those."""
    result = chat(UNSURE, "2", "3")
    turns = result.output.split("you> ")
    assert f"1. {title(kb, 'fargate')}" in turns[1]
    assert f"3. {title(kb, 'gpu')}" in turns[1]
    assert turns[2].lstrip().startswith(title(kb, "cost"))
    cost = spy.reply_topic("cost")
    assert cost is not None
    third = choices_of(cost)[2]
    assert _numbered(turns[2])[2] == third.label and third.ref is not None
    picked = spy.reply_topic(third.ref)
    assert picked is not None and picked.match is not None and picked.match.topic is not None
    assert turns[3].lstrip().startswith(picked.match.topic.title)


def test_a_picked_answer_is_the_context_of_the_next_question(spy: SpyAnswerer) -> None:
    """After picking gpu by number, a follow-up is asked with the gpu turn."""
    chat(UNSURE, "3", "what about windows?")
    assert spy.previous[-1] is not None and spy.previous[-1].topic_id == "gpu"


def test_numbers_without_a_matching_suggestion_are_explained(spy: SpyAnswerer) -> None:
    """A number before any suggestion, or past the last one, says what to do instead."""
    result = chat("7", UNSURE, "9")
    assert "There are no suggestions to pick from" in result.output
    assert "Pick a number from 1 to 3" in result.output
    assert len(spy.previous) == 1  # numbers are never sent to the matcher


def test_help_shows_how_to_ask_and_keeps_the_context(spy: SpyAnswerer) -> None:
    """ "help" shows how to ask in the chat (no slash command there); the follow-up after it
    still has the GPU context."""
    result = chat("does fargate support gpus?", "help", "what about windows?")
    shown = result.output.split("you> ")[2]
    assert "Ask in plain words" in shown and "/ecs-vs-ec2" not in shown
    assert spy.previous[-1] is not None and spy.previous[-1].topic_id == "gpu"


def test_recommend_runs_help_me_choose_in_the_chat(spy: SpyAnswerer) -> None:
    """ "recommend" asks the questions, prints the recommendation, and the chat goes on."""
    answers = ["yes", "", "no", "none", "spiky", "simplicity", "", ""]
    result = chat("recommend", *answers, "what is fargate")
    assert f"1 of {STEP_COUNT}: Does the workload run in containers?" in result.output
    assert "Recommendation: ECS on Fargate" in result.output
    assert result.output.rstrip().endswith("you>")
    assert len(spy.previous) == 1  # "what is fargate" was answered after it


def test_recommend_stopped_by_the_end_of_input_is_not_a_traceback(spy: SpyAnswerer) -> None:
    """Input ending halfway through the questions stops the dialog politely."""
    result = chat("recommend", "yes")
    assert "Stopped choosing" in result.output
    assert "Traceback" not in result.output


def _numbered(turn: str) -> list[str]:
    """The numbered choices printed after a reply, in order."""
    listed = turn.split("Type a number to pick:")[1]
    return [line.split(". ", 1)[1] for line in listed.strip().splitlines() if ". " in line]


def _shown_buttons(reply: Reply) -> list[str]:
    """The words on every button of a reply that opens something (not votes or Share)."""
    labels = []
    for block in to_dicts(reply.blocks):
        for element in block.get("elements", []):  # type: ignore[attr-defined]
            action = str(element.get("action_id", ""))
            if element.get("type") == "button" and not action.startswith(("feedback", "share")):
                labels.append(element["text"]["text"])
    return labels


def test_the_numbers_are_the_buttons_shown(spy: SpyAnswerer, kb: KnowledgeBase) -> None:
    """A precise answer shows "More on…", sibling entries and Help me choose as buttons: the
    numbered choices are exactly those, in that order, and "2" answers the second one."""
    question = "can a fargate task have 0.25 vcpu"
    result = chat(question, "2")
    turns = result.output.split("you> ")
    shown = _shown_buttons(spy.reply(question))
    assert _numbered(turns[1]) == shown and "Help me choose" in shown
    for label in shown:
        assert f"[{label}]" in turns[1].replace("\n  ", " ")
    found = kb.entry("fargate-cpu-memory-combinations")
    assert found is not None and shown[1] == found[1].questions[0]
    assert "Fargate accepts only fixed CPU/memory pairs" in turns[2]


def test_picking_help_me_choose_by_number_runs_it(spy: SpyAnswerer) -> None:
    """The Help me choose button, picked by its number, asks the questions."""
    result = chat("can a fargate task have 0.25 vcpu", "5", "yes")
    assert f"1 of {STEP_COUNT}: Does the workload run in containers?" in result.output
