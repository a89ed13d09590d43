"""The monthly cost comparison from the dated price snapshot."""

from __future__ import annotations

import re
from typing import Any

import pytest

from bot.knowledge import KnowledgeBase
from bot.recommend import (
    FARGATE_MAX_MEMORY_GB,
    FARGATE_MAX_VCPU,
    FARGATE_TASK_SIZES,
    Answers,
    MonthlyCost,
    Pricing,
    fargate_task_size,
    monthly_cost,
)
from bot.recommend.pricing import cheapest_instance


def _cost(pricing: Pricing, **answers: Any) -> MonthlyCost:
    cost = monthly_cost(Answers(**answers), pricing)
    assert cost is not None
    return cost


def _monthly(cost: MonthlyCost) -> dict[str, float | None]:
    return {line.option: line.monthly for line in cost.lines}


def test_fargate_and_ec2_monthly_math(pricing: Pricing) -> None:
    """3 tasks of 2 vCPU / 4 GB for 730 h, by hand from the snapshot rates."""
    cost = _cost(pricing, vcpu=2, memory_gb=4, count=3)
    assert _monthly(cost) == {
        "ecs-fargate-x86": round((2 * 0.04048 + 4 * 0.004445) * 3 * 730, 2),  # 216.24
        "ecs-fargate-arm": round((2 * 0.03238 + 4 * 0.00356) * 3 * 730, 2),  # 173.01
        "ec2": round(0.0816 * 3 * 730, 2),  # 3 x m7g.large: 178.70 (t3.medium is burstable)
    }
    ec2 = next(line for line in cost.lines if line.option == "ec2")
    assert "burstable t3.medium" in ec2.detail and "CPU credits" in ec2.detail


def test_hours_per_month_scales_every_line(pricing: Pricing) -> None:
    """Half the hours, half the cost (to the cent)."""
    full = _monthly(_cost(pricing, vcpu=4, memory_gb=16, hours_per_month=730))
    half = _monthly(_cost(pricing, vcpu=4, memory_gb=16, hours_per_month=365))
    for option, value in full.items():
        assert value is not None and half[option] == pytest.approx(value / 2, abs=0.01)


@pytest.mark.parametrize(
    ("vcpu", "memory_gb", "gpu", "expected"),
    [
        (0.5, 1, None, "m7g.large"),
        (2, 4, "no", "m7g.large"),
        (2, 8, None, "m7g.large"),
        (4, 8, None, "c7i.xlarge"),
        (4, 16, None, "m7i.xlarge"),
        (4, 20, None, "r7i.xlarge"),
        (8, 32, None, "m7i.2xlarge"),
        (1, 1, "yes", "g5.xlarge"),
        (16, 64, None, None),
        (8, 32, "yes", None),
    ],
)
def test_cheapest_fitting_instance_is_picked(
    pricing: Pricing, vcpu: float, memory_gb: float, gpu: str | None, expected: str | None
) -> None:
    """The cheapest listed fixed-performance type with enough vCPU and memory (burstable t3
    is left out: not like for like with Fargate); GPU types only for GPU answers."""
    answers = Answers.model_validate({"vcpu": vcpu, "memory_gb": memory_gb, "gpu": gpu})
    instance = cheapest_instance(answers, pricing)
    assert (instance.type if instance else None) == expected


def test_ec2_line_says_how_it_was_picked(pricing: Pricing) -> None:
    """The EC2 line names the type, its size and price, and the rule that picked it."""
    line = _cost(pricing, vcpu=4, memory_gb=16, count=2).lines[-1]
    assert line.detail.startswith("2 x m7i.xlarge (4 vCPU, 16 GB, x86_64, $0.2016/hour)")
    assert "the cheapest listed type with at least 4 vCPU and 16 GB, one per task" in line.detail


def test_nothing_fits_says_so(pricing: Pricing) -> None:
    """No listed type big enough: no EC2 price, and a line saying why."""
    line = _cost(pricing, vcpu=12, memory_gb=48).lines[-1]
    assert line.monthly is None
    assert "no listed instance type has at least 12 vCPU and 48 GB" in line.detail


@pytest.mark.parametrize(
    "answers",
    [
        dict(vcpu=32, memory_gb=64),
        dict(vcpu=2, memory_gb=121),
        dict(vcpu=4, memory_gb=16, gpu="yes"),
    ],
)
def test_fargate_is_not_priced_where_it_cannot_run(
    pricing: Pricing, answers: dict[str, Any]
) -> None:
    """Above 16 vCPU / 120 GB or with GPUs, the Fargate lines carry no price."""
    monthly = _monthly(_cost(pricing, **answers))
    assert monthly["ecs-fargate-x86"] is None and monthly["ecs-fargate-arm"] is None


@pytest.mark.parametrize(
    ("vcpu", "memory_gb", "billed"),
    [(0.1, 0.1, (0.25, 0.5)), (3, 5, (4, 8)), (16, 8, (16, 32))],
)
def test_fargate_is_priced_at_the_task_size_it_would_run(
    pricing: Pricing, vcpu: float, memory_gb: float, billed: tuple[float, float]
) -> None:
    """A size Fargate does not offer is priced as the smallest valid one (what `ask` says
    too), and the detail says so: 0.1 vCPU / 0.1 GB is billed as 0.25 vCPU / 0.5 GB."""
    cost = _cost(pricing, vcpu=vcpu, memory_gb=memory_gb)
    x86 = cost.lines[0]
    assert x86.monthly == round((billed[0] * 0.04048 + billed[1] * 0.004445) * 730, 2)
    assert f"smallest valid Fargate task size for {vcpu:g} vCPU / {memory_gb:g} GB" in x86.detail


def test_cost_shows_snapshot_date_and_caveats(pricing: Pricing) -> None:
    """The snapshot date, "prices change", ECS's zero charge, sources and ARM's source are said."""
    cost = _cost(pricing, vcpu=1, memory_gb=2)
    notes = " ".join(cost.notes)
    assert cost.snapshot == "2026-09" and "2026-09" in notes and cost.region == "us-east-1"
    assert "Prices change; check the AWS pricing pages." in notes
    assert "ECS itself adds no charge" in notes
    assert cost.sources == [
        "https://aws.amazon.com/fargate/pricing/",
        "https://aws.amazon.com/ec2/pricing/on-demand/",
    ]
    assert "third-party" in cost.lines[1].detail


@pytest.mark.parametrize("answers", [{}, dict(vcpu=2), dict(memory_gb=4)])
def test_no_cost_without_vcpu_and_memory(pricing: Pricing, answers: dict[str, Any]) -> None:
    """Both vCPU and memory are needed for a cost comparison."""
    assert monthly_cost(Answers(**answers), pricing) is None


@pytest.mark.parametrize(
    ("asked", "valid"),
    [
        ((8, 30), (8, 32)),  # 8 vCPU takes 16-60 GB in 4 GB steps
        ((8, 8), (8, 16)),  # below 8 vCPU's smallest memory
        ((3, 5), (4, 8)),  # no 3 vCPU size
        ((2, 20), (4, 20)),  # more memory than 2 vCPU can have
        ((4, 30), (4, 30)),  # already valid
        ((0.25, 0.5), (0.25, 0.5)),
        ((0.1, 0.3), (0.25, 0.5)),
        ((16, 100), (16, 104)),  # 8 GB steps
        ((16, 121), None),
        ((17, 32), None),
    ],
)
def test_fargate_task_size_is_the_next_valid_size(
    asked: tuple[float, float], valid: tuple[float, float] | None
) -> None:
    """A size Fargate does not take rounds up to the smallest valid one; beyond 16/120, none."""
    assert fargate_task_size(*asked) == valid


def test_fargate_task_sizes_agree_with_the_knowledge_base(kb: KnowledgeBase) -> None:
    """The table the estimates round with says what the knowledge base tells people
    ("8 vCPU: 16-60 GB (4 GB steps)"), and tops out at Fargate's limits."""
    found = kb.entry("fargate-cpu-memory-combinations")
    assert found is not None
    said = re.findall(
        r"([\d.]+) vCPU: (\d+)\u2013(\d+) GB(?: \((\d+) GB steps\))?", found[1].answer
    )
    assert len(said) == 6
    for vcpu, low, high, step in said:
        memories = FARGATE_TASK_SIZES[float(vcpu)]
        assert (memories[0], memories[-1]) == (float(low), float(high))
        if step:
            assert memories[1] - memories[0] == float(step)
    assert FARGATE_TASK_SIZES[0.25] == (0.5, 1.0, 2.0)  # fargate-smallest-task-size
    assert max(FARGATE_TASK_SIZES) == FARGATE_MAX_VCPU
    assert max(m for ms in FARGATE_TASK_SIZES.values() for m in ms) == FARGATE_MAX_MEMORY_GB
