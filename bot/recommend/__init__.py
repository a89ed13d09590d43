"""The "Help me choose" recommender: answers in, ec2 / ecs-ec2 / ecs-fargate out, with reasons.

Pure Python: no Slack imports. Weights and wording come from knowledge/recommendation.yaml,
prices from knowledge/pricing.yaml; both are validated like the knowledge base.
"""

from __future__ import annotations

from bot.recommend.config import (
    MAX_SIZE_PRESETS,
    SIZE_VALUE_PATTERN,
    FacetConfig,
    Option,
    OutcomeConfig,
    RecommendationConfig,
    SizePreset,
    SizeValue,
    SizingConfig,
)
from bot.recommend.engine import Recommendation, recommend
from bot.recommend.facets import (
    FACET_VALUES,
    OUTCOMES,
    SIZING_FIELDS,
    SIZING_HELP,
    SIZING_LABELS,
    AnswerError,
    Answers,
    Facet,
    Outcome,
    check_answer,
    parse_answers,
)
from bot.recommend.loading import (
    PRICING_FILE,
    RECOMMENDATION_FILE,
    load_pricing,
    load_recommendation_config,
)
from bot.recommend.pricing import (
    FARGATE_MAX_MEMORY_GB,
    FARGATE_MAX_VCPU,
    CostLine,
    MonthlyCost,
    Pricing,
    monthly_cost,
)

__all__ = [
    "FACET_VALUES",
    "FARGATE_MAX_MEMORY_GB",
    "FARGATE_MAX_VCPU",
    "MAX_SIZE_PRESETS",
    "OUTCOMES",
    "PRICING_FILE",
    "RECOMMENDATION_FILE",
    "SIZE_VALUE_PATTERN",
    "SIZING_FIELDS",
    "SIZING_HELP",
    "SIZING_LABELS",
    "AnswerError",
    "Answers",
    "CostLine",
    "Facet",
    "FacetConfig",
    "MonthlyCost",
    "Option",
    "Outcome",
    "OutcomeConfig",
    "Pricing",
    "Recommendation",
    "RecommendationConfig",
    "SizePreset",
    "SizeValue",
    "SizingConfig",
    "check_answer",
    "load_pricing",
    "load_recommendation_config",
    "monthly_cost",
    "parse_answers",
    "recommend",
]
