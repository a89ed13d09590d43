"""The dated price snapshot in knowledge/pricing.yaml and the monthly cost comparison."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from bot.recommend.facets import Answers

# Fargate's Linux task ceiling (fact sheet, "Fargate limits").
FARGATE_MAX_VCPU = 16.0
FARGATE_MAX_MEMORY_GB = 120.0


def _steps(low: float, high: float, step: float) -> tuple[float, ...]:
    return tuple(low + i * step for i in range(int((high - low) / step) + 1))


# The CPU/memory pairs a Linux Fargate task accepts (RegisterTaskDefinition; the knowledge base's
# fargate-cpu-memory-combinations entry says the same): vCPU -> memory sizes in GB, ascending.
FARGATE_TASK_SIZES: dict[float, tuple[float, ...]] = {
    0.25: (0.5, 1.0, 2.0),
    0.5: _steps(1, 4, 1),
    1.0: _steps(2, 8, 1),
    2.0: _steps(4, 16, 1),
    4.0: _steps(8, 30, 1),
    8.0: _steps(16, 60, 4),
    16.0: _steps(32, FARGATE_MAX_MEMORY_GB, 8),
}


def fargate_task_size(vcpu: float, memory_gb: float) -> tuple[float, float] | None:
    """The smallest valid Linux Fargate size (vCPU, GB) with at least `vcpu` and `memory_gb`
    (the size itself when valid); None when no single task is that big."""
    for size_vcpu, memories in FARGATE_TASK_SIZES.items():
        if size_vcpu >= vcpu and (fit := next((m for m in memories if m >= memory_gb), None)):
            return size_vcpu, fit
    return None


_FROZEN = ConfigDict(extra="forbid", frozen=True)
Price = Annotated[float, Field(gt=0, lt=1000)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
AwsUrl = Annotated[str, StringConstraints(pattern=r"^https://(docs\.)?aws\.amazon\.com/\S*$")]


class FargateRate(BaseModel):
    """Fargate's price per vCPU-hour and per GB-hour for one CPU architecture."""

    model_config = _FROZEN

    vcpu_hour: Price
    gb_hour: Price
    source: AwsUrl
    third_party: bool = False


class FargateRates(BaseModel):
    """Fargate Linux rates for x86 and ARM (Graviton)."""

    model_config = _FROZEN

    x86: FargateRate
    arm: FargateRate


class Ec2Instance(BaseModel):
    """One EC2 on-demand Linux instance type and its hourly price."""

    model_config = _FROZEN

    type: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]*\.[a-z0-9]+$")]
    vcpu: int = Field(gt=0)
    memory_gb: float = Field(gt=0)
    hourly: Price
    arch: Literal["x86_64", "arm64"]
    gpus: int = Field(default=0, ge=0)
    # Burstable types (t3, t4g) sustain full CPU only while they have CPU credits.
    burstable: bool = False


class Ec2Prices(BaseModel):
    """A handful of EC2 on-demand prices, with where they came from."""

    model_config = _FROZEN

    source: AwsUrl
    note: Text
    instances: list[Ec2Instance] = Field(min_length=1)

    @field_validator("instances")
    @classmethod
    def _unique_types(cls, instances: list[Ec2Instance]) -> list[Ec2Instance]:
        types = [i.type for i in instances]
        if dupes := sorted({t for t in types if types.count(t) > 1}):
            raise ValueError(f"instance types listed twice: {', '.join(dupes)}")
        return instances


class Pricing(BaseModel):
    """A dated price snapshot for one region."""

    model_config = _FROZEN

    snapshot: Annotated[str, StringConstraints(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]
    region: Annotated[str, StringConstraints(pattern=r"^[a-z]{2}(-[a-z]+)+-\d$")]
    currency: Literal["USD"]
    note: Text
    ecs_note: Text
    fargate: FargateRates
    ec2: Ec2Prices


class CostLine(BaseModel):
    """The monthly cost of one way to run the workload, or None when it cannot run that way."""

    model_config = _FROZEN

    option: Literal["ecs-fargate-x86", "ecs-fargate-arm", "ec2"]
    label: str
    monthly: float | None
    detail: str


class MonthlyCost(BaseModel):
    """Monthly cost of the sized workload on Fargate (x86, ARM) and on EC2, from the snapshot."""

    model_config = _FROZEN

    snapshot: str
    region: str
    currency: str
    vcpu: float
    memory_gb: float
    count: int
    hours_per_month: float
    lines: list[CostLine]
    notes: list[str]
    sources: list[str]


def fits_fargate(answers: Answers) -> bool:
    """True unless the sizing asks for more than one Fargate task can have (16 vCPU and 8 GB
    fits: as 16 vCPU / 32 GB)."""
    return fargate_task_size(answers.vcpu or 0, answers.memory_gb or 0) is not None


def _fargate_line(
    arch: Literal["x86", "arm"], rate: FargateRate, answers: Answers, available: bool
) -> CostLine:
    option: Literal["ecs-fargate-x86", "ecs-fargate-arm"] = (
        "ecs-fargate-x86" if arch == "x86" else "ecs-fargate-arm"
    )
    label = "ECS on Fargate, x86" if arch == "x86" else "ECS on Fargate, ARM (Graviton)"
    if not available:
        return CostLine(
            option=option, label=label, monthly=None, detail="ruled out for this workload"
        )
    asked = (answers.vcpu or 0, answers.memory_gb or 0)
    # Fargate bills the task size it runs: the smallest valid one with what was asked for.
    vcpu, memory = fargate_task_size(*asked) or asked
    hourly = vcpu * rate.vcpu_hour + memory * rate.gb_hour
    detail = (
        f"{answers.count} x ({vcpu:g} vCPU x ${rate.vcpu_hour}/vCPU-hour + {memory:g} GB x "
        f"${rate.gb_hour}/GB-hour) x {answers.hours_per_month:g} h"
    )
    if (vcpu, memory) != asked:
        detail += f", the smallest valid Fargate task size for {asked[0]:g} vCPU / {asked[1]:g} GB"
    if rate.third_party:
        detail += "; ARM rates from a third-party source"
    monthly = round(hourly * answers.count * answers.hours_per_month, 2)
    return CostLine(option=option, label=label, monthly=monthly, detail=detail)


def _fitting(answers: Answers, pricing: Pricing) -> list[Ec2Instance]:
    want_gpu = answers.gpu == "yes"
    return [
        i
        for i in pricing.ec2.instances
        if (i.gpus > 0) == want_gpu
        and i.vcpu >= (answers.vcpu or 0)
        and i.memory_gb >= (answers.memory_gb or 0)
    ]


def cheapest_instance(answers: Answers, pricing: Pricing) -> Ec2Instance | None:
    """The cheapest listed fixed-performance type with enough vCPU and memory (GPU types only
    when GPUs are wanted): like for like with Fargate, which never throttles on credits."""
    fits = [i for i in _fitting(answers, pricing) if not i.burstable]
    return min(fits, key=lambda i: i.hourly, default=None)


def cheaper_burstable(answers: Answers, pricing: Pricing) -> Ec2Instance | None:
    """A burstable type that fits for less than `cheapest_instance`, if one is listed."""
    best = cheapest_instance(answers, pricing)
    fits = [i for i in _fitting(answers, pricing) if i.burstable]
    cheaper = [i for i in fits if best is None or i.hourly < best.hourly]
    return min(cheaper, key=lambda i: i.hourly, default=None)


def _ec2_line(answers: Answers, pricing: Pricing) -> CostLine:
    label = "EC2 or ECS on EC2, on-demand"
    instance = cheapest_instance(answers, pricing)
    kind = "GPU " if answers.gpu == "yes" else ""
    need = f"at least {answers.vcpu or 0:g} vCPU and {answers.memory_gb or 0:g} GB"
    if instance is None:
        detail = f"no listed {kind}instance type has {need}"
        return CostLine(option="ec2", label=label, monthly=None, detail=detail)
    monthly = round(instance.hourly * answers.count * answers.hours_per_month, 2)
    detail = (
        f"{answers.count} x {instance.type} ({instance.vcpu} vCPU, {instance.memory_gb:g} GB, "
        f"{instance.arch}, ${instance.hourly}/hour) x {answers.hours_per_month:g} h: the cheapest "
        f"listed {kind}type with {need}, one per task"
    )
    if (burst := cheaper_burstable(answers, pricing)) is not None:
        detail += (
            f"; a burstable {burst.type} (${burst.hourly}/hour) costs less but runs at full "
            "CPU only while it has CPU credits"
        )
    return CostLine(option="ec2", label=label, monthly=monthly, detail=detail)


def monthly_cost(
    answers: Answers, pricing: Pricing, *, fargate_available: bool = True
) -> MonthlyCost | None:
    """The cost comparison for a sized workload, or None without both vcpu and memory_gb."""
    if answers.vcpu is None or answers.memory_gb is None:
        return None
    fargate_ok = fargate_available and fits_fargate(answers) and answers.gpu != "yes"
    return MonthlyCost(
        snapshot=pricing.snapshot,
        region=pricing.region,
        currency=pricing.currency,
        vcpu=answers.vcpu,
        memory_gb=answers.memory_gb,
        count=answers.count,
        hours_per_month=answers.hours_per_month,
        lines=[
            _fargate_line("x86", pricing.fargate.x86, answers, fargate_ok),
            _fargate_line("arm", pricing.fargate.arm, answers, fargate_ok),
            _ec2_line(answers, pricing),
        ],
        notes=[
            f"{pricing.region} prices, snapshot of {pricing.snapshot}. {pricing.note}",
            pricing.ecs_note,
            pricing.ec2.note,
        ],
        sources=[pricing.fargate.x86.source, pricing.ec2.source],
    )
