"""The public contract of the recommender: facet ids, their values, outcomes and the answers."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError


class Facet(StrEnum):
    """One question the recommender asks; the order here is the order it asks them in."""

    CONTAINERIZED = "containerized"
    HOST_CONTROL = "host_control"
    GPU = "gpu"
    OPS_TEAM = "ops_team"
    TRAFFIC = "traffic"
    PRIORITY = "priority"


Outcome = Literal["ec2", "ecs-ec2", "ecs-fargate"]
OUTCOMES: tuple[Outcome, ...] = get_args(Outcome)

Containerized = Literal["yes", "no", "planning"]
YesNo = Literal["yes", "no"]
OpsTeam = Literal["none", "some", "dedicated"]
Traffic = Literal["steady", "spiky", "unknown"]
Priority = Literal["cost", "simplicity", "control"]

FACET_VALUES: dict[Facet, tuple[str, ...]] = {
    Facet.CONTAINERIZED: get_args(Containerized),
    Facet.HOST_CONTROL: get_args(YesNo),
    Facet.GPU: get_args(YesNo),
    Facet.OPS_TEAM: get_args(OpsTeam),
    Facet.TRAFFIC: get_args(Traffic),
    Facet.PRIORITY: get_args(Priority),
}
SIZING_FIELDS = ("vcpu", "memory_gb", "count", "hours_per_month")
DEFAULT_HOURS_PER_MONTH = 730.0
# Generous sanity bounds: they catch typos, not real workloads.
MAX_VCPU = 1024.0
MAX_MEMORY_GB = 24576.0
MAX_COUNT = 100_000
MAX_HOURS_PER_MONTH = 744.0  # 31 days


class AnswerError(ValueError):
    """An answer names an unknown facet or a value the facet does not take."""


class Answers(BaseModel):
    """Answers to the facets (None = not answered) and the optional workload size."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    containerized: Containerized | None = None
    host_control: YesNo | None = None
    gpu: YesNo | None = None
    ops_team: OpsTeam | None = None
    traffic: Traffic | None = None
    priority: Priority | None = None
    vcpu: float | None = Field(default=None, gt=0, le=MAX_VCPU)
    memory_gb: float | None = Field(default=None, gt=0, le=MAX_MEMORY_GB)
    count: int = Field(default=1, ge=1, le=MAX_COUNT)
    hours_per_month: float = Field(default=DEFAULT_HOURS_PER_MONTH, gt=0, le=MAX_HOURS_PER_MONTH)

    def get(self, facet: Facet) -> str | None:
        """The answer to `facet`, or None when it was not answered."""
        value: str | None = getattr(self, facet.value)
        return value

    def answered(self) -> dict[Facet, str]:
        """The answered facets and their values, in asking order."""
        return {f: v for f in Facet if (v := self.get(f)) is not None}


SIZING_LABELS = {
    "vcpu": "vCPU per task or instance",
    "memory_gb": "Memory (GB) per task or instance",
    "count": "How many tasks or instances",
    "hours_per_month": "Hours each runs per month (default 730)",
}
SIZING_HELP = {
    "vcpu": f"vCPUs per task or instance, a number above 0 and at most {MAX_VCPU:g}",
    "memory_gb": f"memory in GB per task or instance, above 0 and at most {MAX_MEMORY_GB:g}",
    "count": f"how many tasks or instances, a whole number from 1 to {MAX_COUNT}",
    "hours_per_month": f"hours each runs per month, above 0 and at most {MAX_HOURS_PER_MONTH:g}",
}


def _facet(name: str) -> Facet | None:
    try:
        return Facet(name)
    except ValueError:
        return None


def check_answer(name: str, value: str) -> None:
    """Raise AnswerError unless `name=value` names a known facet or sizing field and valid value."""
    valid_names = [f.value for f in Facet] + list(SIZING_FIELDS)
    if name not in valid_names:
        raise AnswerError(f"unknown facet {name!r}; valid facets: {', '.join(valid_names)}")
    facet = _facet(name)
    if facet is not None and value not in FACET_VALUES[facet]:
        valid = ", ".join(FACET_VALUES[facet])
        raise AnswerError(f"invalid value {value!r} for {name}; valid values: {valid}")
    if facet is None:
        try:
            Answers.model_validate({name: value})
        except ValidationError:
            raise AnswerError(
                f"invalid value {value!r} for {name}; expected {SIZING_HELP[name]}"
            ) from None


def parse_answers(pairs: Iterable[str]) -> Answers:
    """Answers from `facet=value` strings; raise AnswerError naming the valid facets or values."""
    raw: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        name, value = name.strip(), value.strip()
        if not sep:
            raise AnswerError(f"expected FACET=VALUE, got {pair!r}")
        check_answer(name, value)
        if name in raw:
            raise AnswerError(f"{name} is answered twice ({raw[name]!r} and {value!r})")
        raw[name] = value
    return Answers.model_validate(raw)
