"""Answers from `facet=value` strings: the contract's facets and values, clear errors otherwise."""

from __future__ import annotations

import pytest

from bot.recommend import FACET_VALUES, AnswerError, Answers, Facet, parse_answers


def test_contract_facets_and_values() -> None:
    """The public ids and values are exactly the issue's."""
    assert {f.value: list(v) for f, v in FACET_VALUES.items()} == {
        "containerized": ["yes", "no", "planning"],
        "host_control": ["yes", "no"],
        "gpu": ["yes", "no"],
        "ops_team": ["none", "some", "dedicated"],
        "traffic": ["steady", "spiky", "unknown"],
        "priority": ["cost", "simplicity", "control"],
    }


@pytest.mark.parametrize(
    ("pairs", "expected"),
    [
        ([], Answers()),
        (["gpu=no"], Answers(gpu="no")),
        ([" ops_team = dedicated "], Answers(ops_team="dedicated")),
        (["vcpu=0.25", "memory_gb=0.5"], Answers(vcpu=0.25, memory_gb=0.5)),
        (["count=3", "hours_per_month=100"], Answers(count=3, hours_per_month=100)),
    ],
)
def test_good_pairs_parse(pairs: list[str], expected: Answers) -> None:
    """Valid facet=value pairs become Answers; defaults fill the rest."""
    assert parse_answers(pairs) == expected


@pytest.mark.parametrize(
    ("pairs", "message"),
    [
        (["colour=blue"], "unknown facet 'colour'; valid facets: containerized, host_control, gpu"),
        (["gpu=maybe"], "invalid value 'maybe' for gpu; valid values: yes, no"),
        (["GPU=yes"], "unknown facet 'GPU'"),
        (["gpu"], "expected FACET=VALUE, got 'gpu'"),
        (["gpu=yes", "gpu=no"], "gpu is answered twice"),
        (["vcpu=abc"], "invalid value 'abc' for vcpu; expected vCPUs per task"),
        (["vcpu=0"], "invalid value '0' for vcpu"),
        (["vcpu=nan"], "invalid value 'nan' for vcpu"),
        (["memory_gb=inf"], "invalid value 'inf' for memory_gb"),
        (["count=2.5"], "a whole number from 1"),
        (["hours_per_month=800"], "at most 744"),
    ],
)
def test_bad_pairs_name_the_valid_ones(pairs: list[str], message: str) -> None:
    """Unknown facets and bad values are one AnswerError listing what is valid."""
    with pytest.raises(AnswerError, match=message.replace("(", r"\(")):
        parse_answers(pairs)


def test_answered_lists_facets_in_asking_order() -> None:
    """answered() keeps the contract's order and leaves out the unanswered."""
    answers = Answers(priority="cost", containerized="yes")
    assert list(answers.answered()) == [Facet.CONTAINERIZED, Facet.PRIORITY]
