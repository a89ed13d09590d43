"""Pydantic models of knowledge/recommendation.yaml: questions, weights, wording, caveats."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from bot.knowledge import TopicId
from bot.recommend.facets import MAX_COUNT, MAX_MEMORY_GB, MAX_VCPU, Facet, Outcome


def _text(max_length: int) -> StringConstraints:
    return StringConstraints(strip_whitespace=True, min_length=1, max_length=max_length)


Label = Annotated[str, _text(75)]  # Slack's button and option text limit
Short = Annotated[str, _text(40)]
Title = Annotated[str, _text(150)]
Line = Annotated[str, _text(300)]
Paragraph = Annotated[str, _text(1000)]
Weight = Annotated[int, Field(strict=True, ge=-10, le=10)]

# A size preset's value becomes part of a button's action id (`recommend_size:<value>`).
SIZE_VALUE_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
SizeValue = Annotated[str, StringConstraints(pattern=SIZE_VALUE_PATTERN, max_length=20)]
MAX_SIZE_PRESETS = 5  # with Skip, one row of buttons that stays readable in Slack

_FROZEN = ConfigDict(extra="forbid", frozen=True)


class Option(BaseModel):
    """One answer to a facet: its label, how it moves each outcome's score, and why."""

    model_config = _FROZEN

    value: Short
    label: Label
    weights: dict[Outcome, Weight] = Field(default_factory=dict)
    reason: Line
    related: list[TopicId] = Field(default_factory=list)

    def weight(self, outcome: Outcome) -> int:
        """Points this answer gives `outcome` (0 when the file leaves it out)."""
        return self.weights.get(outcome, 0)


class FacetConfig(BaseModel):
    """The wording of one facet's question and its options."""

    model_config = _FROZEN

    short: Short
    question: Line
    help: Line
    options: list[Option] = Field(min_length=2, max_length=10)

    def option(self, value: str) -> Option | None:
        """The option with this value, or None."""
        return next((o for o in self.options if o.value == value), None)


class Facets(BaseModel):
    """One entry per facet of the public contract; unknown or missing facets are errors."""

    model_config = _FROZEN

    containerized: FacetConfig
    host_control: FacetConfig
    gpu: FacetConfig
    ops_team: FacetConfig
    traffic: FacetConfig
    priority: FacetConfig


class SizePreset(BaseModel):
    """A workload size offered as one button: `count` tasks or instances of vCPU and memory."""

    model_config = _FROZEN

    value: SizeValue
    label: Label
    vcpu: float = Field(strict=True, gt=0, le=MAX_VCPU)
    memory_gb: float = Field(strict=True, gt=0, le=MAX_MEMORY_GB)
    count: int = Field(default=1, strict=True, ge=1, le=MAX_COUNT)

    def sizing(self) -> dict[str, float | int]:
        """The preset as the engine's sizing answers (hours per month left at the default)."""
        return {"vcpu": self.vcpu, "memory_gb": self.memory_gb, "count": self.count}


class SizingConfig(BaseModel):
    """The dialog's optional last step: preset sizes for a monthly cost comparison."""

    model_config = _FROZEN

    question: Line
    help: Line
    sizes: list[SizePreset] = Field(min_length=1, max_length=MAX_SIZE_PRESETS)

    def size(self, value: str) -> SizePreset | None:
        """The preset with this value, or None."""
        return next((s for s in self.sizes if s.value == value), None)


class OutcomeConfig(BaseModel):
    """How an outcome is named and summed up, and which topics to read next."""

    model_config = _FROZEN

    label: Short
    title: Title
    summary: Paragraph
    related: list[TopicId] = Field(min_length=1, max_length=5)


class Caveat(BaseModel):
    """A warning shown when every `when` facet has one of its listed values and the outcome fits."""

    model_config = _FROZEN

    text: Line
    when: dict[Facet, list[Short]] = Field(default_factory=dict)
    outcomes: list[Outcome] = Field(default_factory=list)


class Constraints(BaseModel):
    """The wording of the hard constraints; the rules themselves are facts kept in code."""

    model_config = _FROZEN

    not_containerized: Line
    gpu: Line
    host_control: Line
    fargate_size: Line


class Templates(BaseModel):
    """Sentences the engine fills in; placeholders are checked on load."""

    model_config = _FROZEN

    answer: Line
    answer_neutral: Line
    no_answers: Line
    sizing_incomplete: Line
    forced: Line


class ConfidenceLevel(BaseModel):
    """The words for a confidence at or above `min_share` of the facets answered."""

    model_config = _FROZEN

    min_share: float = Field(ge=0, le=1)
    text: Line


# Placeholders each template may use; anything else is a typo caught on load.
PLACEHOLDERS: dict[str, frozenset[str]] = {
    "templates.answer": frozenset({"facet", "answer", "reason", "toward"}),
    "templates.answer_neutral": frozenset({"facet", "answer", "reason"}),
    "templates.no_answers": frozenset({"outcome"}),
    "templates.sizing_incomplete": frozenset(),
    "templates.forced": frozenset({"outcome", "answered", "total"}),
    "constraints.not_containerized": frozenset(),
    "constraints.gpu": frozenset(),
    "constraints.host_control": frozenset(),
    "constraints.fargate_size": frozenset({"vcpu", "memory_gb", "max_vcpu", "max_memory_gb"}),
    "confidence": frozenset({"answered", "total"}),
}


class RecommendationConfig(BaseModel):
    """Everything tunable about recommendations, validated like the knowledge base."""

    model_config = _FROZEN

    version: Literal[1]
    tie_break: list[Outcome]
    outcomes: dict[Outcome, OutcomeConfig]
    facets: Facets
    sizing: SizingConfig
    constraints: Constraints
    templates: Templates
    confidence: list[ConfidenceLevel] = Field(min_length=1)
    caveats: list[Caveat] = Field(default_factory=list)

    def facet(self, facet: Facet) -> FacetConfig:
        """The wording and options of `facet`."""
        config: FacetConfig = getattr(self.facets, facet.value)
        return config

    def outcome(self, outcome: Outcome) -> OutcomeConfig:
        """The wording of `outcome`."""
        return self.outcomes[outcome]

    def confidence_text(self, share: float) -> str:
        """The confidence template for the highest level `share` reaches."""
        levels = sorted(self.confidence, key=lambda level: level.min_share, reverse=True)
        return next((lv.text for lv in levels if share >= lv.min_share), levels[-1].text)
