"""The recommendation engine: hard constraints first, then weighted scores, then the words."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from bot.recommend.config import Option, RecommendationConfig
from bot.recommend.facets import OUTCOMES, Answers, Facet, Outcome
from bot.recommend.pricing import (
    FARGATE_MAX_MEMORY_GB,
    FARGATE_MAX_VCPU,
    MonthlyCost,
    Pricing,
    fits_fargate,
    monthly_cost,
)

MAX_RELATED = 5


class Recommendation(BaseModel):
    """Where to run the workload, how each outcome scored, and why."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    outcome: Outcome
    label: str
    title: str
    summary: str
    labels: dict[Outcome, str]
    scores: dict[Outcome, int]
    ruled_out: list[Outcome]
    reasons: list[str] = Field(min_length=1)
    caveats: list[str]
    confidence: float = Field(ge=0, le=1)
    confidence_text: str
    related: list[str]
    monthly_cost: MonthlyCost | None
    answers: Answers

    def to_json(self) -> dict[str, Any]:
        """The JSON shape the CLI prints and tests compare."""
        return {
            "outcome": self.outcome,
            "scores": self.scores,
            "ruled_out": self.ruled_out,
            "reasons": self.reasons,
            "caveats": self.caveats,
            "confidence": {"share": self.confidence, "text": self.confidence_text},
            "related": self.related,
            "monthly_cost": self.monthly_cost.model_dump() if self.monthly_cost else None,
        }


def _num(value: float | None) -> str:
    return "?" if value is None else f"{value:g}"


def constraints(answers: Answers, config: RecommendationConfig) -> list[tuple[set[Outcome], str]]:
    """The hard constraints that apply: the outcomes each rules out, and why in words."""
    words = config.constraints
    found: list[tuple[set[Outcome], str]] = []
    if answers.containerized == "no":
        found.append(({"ecs-ec2", "ecs-fargate"}, words.not_containerized))
    if answers.gpu == "yes":
        found.append(({"ecs-fargate"}, words.gpu))
    if answers.host_control == "yes":
        found.append(({"ecs-fargate"}, words.host_control))
    if not fits_fargate(answers):
        size = words.fargate_size.format(
            vcpu=_num(answers.vcpu),
            memory_gb=_num(answers.memory_gb),
            max_vcpu=_num(FARGATE_MAX_VCPU),
            max_memory_gb=_num(FARGATE_MAX_MEMORY_GB),
        )
        found.append(({"ecs-fargate"}, size))
    return found


def _chosen(answers: Answers, config: RecommendationConfig) -> dict[Facet, Option]:
    answered = answers.answered().items()
    return {f: o for f, v in answered if (o := config.facet(f).option(v)) is not None}


def scores(answers: Answers, config: RecommendationConfig) -> dict[Outcome, int]:
    """Each outcome's score: the sum of the weights of the options answered."""
    chosen = _chosen(answers, config).values()
    return {outcome: sum(o.weight(outcome) for o in chosen) for outcome in OUTCOMES}


def _pick(
    totals: dict[Outcome, int], allowed: list[Outcome], config: RecommendationConfig
) -> Outcome:
    order = {outcome: rank for rank, outcome in enumerate(config.tie_break)}
    return max(allowed, key=lambda o: (totals[o], -order.get(o, len(order))))


def _answer_reason(facet: Facet, option: Option, config: RecommendationConfig) -> str:
    toward = sorted((o for o in OUTCOMES if option.weight(o) > 0), key=option.weight, reverse=True)
    words = {"facet": config.facet(facet).short, "answer": option.label, "reason": option.reason}
    if not toward:
        return config.templates.answer_neutral.format(**words)
    labels = " and ".join(config.outcome(o).label for o in toward)
    return config.templates.answer.format(**words, toward=labels)


def reasons(
    answers: Answers, outcome: Outcome, ruled: list[str], config: RecommendationConfig
) -> list[str]:
    """Constraint reasons first, then each answer, those that pushed hardest to `outcome` first."""
    chosen = sorted(_chosen(answers, config).items(), key=lambda fo: -fo[1].weight(outcome))
    said = [_answer_reason(facet, option, config) for facet, option in chosen]
    if not said:
        said = [config.templates.no_answers.format(outcome=config.outcome(outcome).label)]
    return [*ruled, *said]


def caveats(answers: Answers, outcome: Outcome, config: RecommendationConfig) -> list[str]:
    """The caveats whose conditions hold for these answers and this outcome."""
    found = [
        c.text
        for c in config.caveats
        if (not c.outcomes or outcome in c.outcomes)
        and all(answers.get(f) in values for f, values in c.when.items())
    ]
    if (answers.vcpu is None) != (answers.memory_gb is None):
        found.append(config.templates.sizing_incomplete)
    return found


def _confidence_text(
    answers: Answers, forced: bool, outcome: str, config: RecommendationConfig
) -> str:
    answered, total = len(answers.answered()), len(Facet)
    if forced:
        return config.templates.forced.format(outcome=outcome, answered=answered, total=total)
    return config.confidence_text(answered / total).format(answered=answered, total=total)


def _related(answers: Answers, outcome: Outcome, config: RecommendationConfig) -> list[str]:
    ids = [tid for o in _chosen(answers, config).values() for tid in o.related]
    ids += config.outcome(outcome).related
    return list(dict.fromkeys(ids))[:MAX_RELATED]


def recommend(answers: Answers, config: RecommendationConfig, pricing: Pricing) -> Recommendation:
    """Recommend ec2, ecs-ec2 or ecs-fargate for these answers, with scores, reasons and cost."""
    found = constraints(answers, config)
    excluded = {o for ruled_out, _ in found for o in ruled_out}
    allowed = [o for o in OUTCOMES if o not in excluded]
    totals = scores(answers, config)
    outcome = _pick(totals, allowed, config)
    words = config.outcome(outcome)
    return Recommendation(
        outcome=outcome,
        label=words.label,
        title=words.title,
        summary=words.summary,
        labels={o: config.outcome(o).label for o in OUTCOMES},
        scores=totals,
        ruled_out=[o for o in OUTCOMES if o in excluded],
        reasons=reasons(answers, outcome, [text for _, text in found], config),
        caveats=caveats(answers, outcome, config),
        confidence=round(len(answers.answered()) / len(Facet), 2),
        confidence_text=_confidence_text(answers, len(allowed) == 1, words.label, config),
        related=_related(answers, outcome, config),
        monthly_cost=monthly_cost(answers, pricing, fargate_available="ecs-fargate" in allowed),
        answers=answers,
    )
