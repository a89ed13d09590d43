"""The recommendation engine: scenarios, constraints, reasons, caveats and confidence."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bot.recommend import Recommendation, RecommendationConfig

Run = Callable[..., Recommendation]

SCENARIOS: list[tuple[str, dict[str, Any], str]] = [
    # The three examples the issue requires.
    (
        "containers, no ops, spiky, simplicity",
        dict(containerized="yes", ops_team="none", traffic="spiky", priority="simplicity"),
        "ecs-fargate",
    ),
    (
        "containers, dedicated ops, steady, cost",
        dict(containerized="yes", ops_team="dedicated", traffic="steady", priority="cost"),
        "ecs-ec2",
    ),
    ("not containerized, needs the host", dict(containerized="no", host_control="yes"), "ec2"),
    # Defaults and constraints.
    ("nothing answered: AWS's default", {}, "ecs-fargate"),
    ("not containerized alone", dict(containerized="no"), "ec2"),
    (
        "not containerized beats every Fargate-leaning answer",
        dict(containerized="no", ops_team="none", traffic="spiky", priority="simplicity"),
        "ec2",
    ),
    (
        "GPUs with no ops team",
        dict(containerized="yes", gpu="yes", ops_team="none", priority="simplicity"),
        "ecs-ec2",
    ),
    (
        "host control rules Fargate out",
        dict(containerized="yes", host_control="yes", ops_team="none", traffic="spiky"),
        "ecs-ec2",
    ),
    (
        "32 vCPU is above Fargate's limit",
        dict(containerized="yes", ops_team="none", priority="simplicity", vcpu=32, memory_gb=64),
        "ecs-ec2",
    ),
    ("200 GB is above Fargate's limit", dict(containerized="yes", memory_gb=200), "ecs-ec2"),
    (
        "16 vCPU / 120 GB is still a Fargate task",
        dict(containerized="yes", vcpu=16, memory_gb=120),
        "ecs-fargate",
    ),
    (
        "planning containers, no ops, unknown traffic",
        dict(containerized="planning", ops_team="none", traffic="unknown"),
        "ecs-fargate",
    ),
    (
        "planning containers, host control, dedicated team, control",
        dict(
            containerized="planning", host_control="yes", ops_team="dedicated", priority="control"
        ),
        "ecs-ec2",
    ),
    (
        "all answered, some ops, unknown traffic, cost",
        dict(
            containerized="yes",
            host_control="no",
            gpu="no",
            ops_team="some",
            traffic="unknown",
            priority="cost",
        ),
        "ecs-fargate",
    ),
    ("GPU alone: a tie that ECS on EC2 wins", dict(gpu="yes"), "ecs-ec2"),
]


@pytest.mark.parametrize(
    ("answers", "expected"), [(a, e) for _, a, e in SCENARIOS], ids=[s[0] for s in SCENARIOS]
)
def test_scenarios_give_expected_outcome(run: Run, answers: dict[str, Any], expected: str) -> None:
    """Each scenario from the table gets the outcome a careful engineer would give."""
    assert run(**answers).outcome == expected


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        (dict(containerized="no"), "not_containerized"),
        (dict(gpu="yes"), "gpu"),
        (dict(host_control="yes"), "host_control"),
    ],
)
def test_hard_constraint_reason_comes_first(
    run: Run, config: RecommendationConfig, answers: dict[str, Any], field: str
) -> None:
    """The words of the constraint that applies lead the reasons."""
    assert run(**answers).reasons[0] == getattr(config.constraints, field)


def test_fargate_size_reason_names_the_size(run: Run) -> None:
    """A task above Fargate's limit is told why, with its size and the limit."""
    rec = run(vcpu=32, memory_gb=64)
    assert "ecs-fargate" in rec.ruled_out
    assert "32 vCPU and 64 GB" in rec.reasons[0]
    assert "16 vCPU and 120 GB" in rec.reasons[0]


def test_reasons_say_where_each_answer_pushed(run: Run) -> None:
    """Every answered facet gives one reason naming the outcome it favoured, strongest first."""
    rec = run(containerized="yes", ops_team="none", traffic="spiky", priority="simplicity")
    assert len(rec.reasons) == 4
    assert rec.reasons[0].startswith("Ops team: ")
    assert all("favours" in reason for reason in rec.reasons)
    assert "(favours ECS on Fargate)" in rec.reasons[0]


def test_no_answers_gives_the_default_reason(run: Run, config: RecommendationConfig) -> None:
    """With nothing answered the one reason says this is the default."""
    rec = run()
    assert rec.reasons == [config.templates.no_answers.format(outcome="ECS on Fargate")]
    assert rec.scores == {"ec2": 0, "ecs-ec2": 0, "ecs-fargate": 0}


@pytest.mark.parametrize(
    ("answers", "share", "starts"),
    [
        ({}, 0.0, "Low confidence"),
        (dict(gpu="no", traffic="spiky"), 0.33, "Low confidence"),
        (dict(gpu="no", traffic="spiky", priority="cost"), 0.5, "Medium confidence"),
        (
            dict(
                containerized="yes",
                host_control="no",
                gpu="no",
                ops_team="some",
                traffic="steady",
                priority="cost",
            ),
            1.0,
            "High confidence",
        ),
        (dict(containerized="no"), 0.17, "Certain"),
    ],
)
def test_confidence_is_said_in_words(
    run: Run, answers: dict[str, Any], share: float, starts: str
) -> None:
    """Confidence follows the share of facets answered; a forced outcome is certain."""
    rec = run(**answers)
    assert rec.confidence == share
    assert rec.confidence_text.startswith(starts)


@pytest.mark.parametrize(
    ("answers", "needle"),
    [
        (dict(gpu="yes"), "ECS Managed Instances"),
        (dict(containerized="yes", ops_team="none", gpu="yes"), "nobody looks after servers"),
        (dict(containerized="planning"), "Containerizing is a project"),
        (dict(priority="cost"), "Fargate Spot"),
        (dict(traffic="steady", ops_team="none"), "Savings Plans or Reserved Instances"),
        ({}, "16 vCPU and 120 GB"),
    ],
)
def test_caveats_follow_their_conditions(run: Run, answers: dict[str, Any], needle: str) -> None:
    """A caveat shows when its facets and outcome match."""
    assert any(needle in caveat for caveat in run(**answers).caveats)


def test_caveats_for_other_outcomes_stay_out(run: Run) -> None:
    """The Fargate caveat is not shown when the answer is EC2."""
    assert not any("16 vCPU and 120 GB" in c for c in run(containerized="no").caveats)


def test_half_a_size_asks_for_the_other_half(run: Run, config: RecommendationConfig) -> None:
    """vCPU without memory gives no cost but a caveat asking for both."""
    rec = run(vcpu=2)
    assert rec.monthly_cost is None
    assert config.templates.sizing_incomplete in rec.caveats


def test_related_topics_put_answer_topics_first(run: Run) -> None:
    """A GPU answer links the gpu topic first, then the outcome's topics, five at most."""
    rec = run(gpu="yes")
    assert rec.related[0] == "gpu"
    assert len(rec.related) == 5
    assert len(set(rec.related)) == 5


def test_json_has_the_documented_shape(run: Run) -> None:
    """to_json carries outcome, scores, reasons, caveats and monthly_cost (plus extras)."""
    data = run(containerized="yes", vcpu=1, memory_gb=2).to_json()
    assert {"outcome", "scores", "reasons", "caveats", "monthly_cost"} <= data.keys()
    assert set(data["scores"]) == {"ec2", "ecs-ec2", "ecs-fargate"}
    assert data["monthly_cost"]["snapshot"] == "2026-09"
    assert run().to_json()["monthly_cost"] is None
