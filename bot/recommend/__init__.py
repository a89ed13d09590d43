"""The "Help me choose" recommender: answers in, ec2 / ecs-ec2 / ecs-fargate out, with reasons.

Pure Python: no Slack imports. Weights and wording come from knowledge/recommendation.yaml,
prices from knowledge/pricing.yaml; both are validated like the knowledge base. The dialog
that collects the answers one step at a time keeps its state in signed tokens
(`dialog_state`, `reply_target`, both sealed by `signed_token`) that travel in Slack button
values and modal metadata but hold no Slack code.
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
from bot.recommend.dialog_state import (
    FACET_STEPS,
    QUESTION_COUNT,
    SIZE_STEP,
    STEP_COUNT,
    STEPS_IN_WORDS,
    DialogAction,
    DialogDone,
    DialogState,
    apply_action,
    decode_state,
    encode_state,
    new_dialog,
    progress,
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
    FARGATE_TASK_SIZES,
    CostLine,
    MonthlyCost,
    Pricing,
    fargate_task_size,
    monthly_cost,
)
from bot.recommend.reply_target import ReplyTarget, decode_reply_target, encode_reply_target
from bot.recommend.signed_token import DEFAULT_MAX_AGE, DialogStateError

__all__ = [
    "DEFAULT_MAX_AGE",
    "FACET_STEPS",
    "FACET_VALUES",
    "FARGATE_MAX_MEMORY_GB",
    "FARGATE_MAX_VCPU",
    "FARGATE_TASK_SIZES",
    "MAX_SIZE_PRESETS",
    "OUTCOMES",
    "PRICING_FILE",
    "QUESTION_COUNT",
    "RECOMMENDATION_FILE",
    "SIZE_STEP",
    "SIZE_VALUE_PATTERN",
    "SIZING_FIELDS",
    "SIZING_HELP",
    "SIZING_LABELS",
    "STEPS_IN_WORDS",
    "STEP_COUNT",
    "AnswerError",
    "Answers",
    "CostLine",
    "DialogAction",
    "DialogDone",
    "DialogState",
    "DialogStateError",
    "Facet",
    "FacetConfig",
    "MonthlyCost",
    "Option",
    "Outcome",
    "OutcomeConfig",
    "Pricing",
    "Recommendation",
    "RecommendationConfig",
    "ReplyTarget",
    "SizePreset",
    "SizeValue",
    "SizingConfig",
    "apply_action",
    "check_answer",
    "decode_reply_target",
    "decode_state",
    "encode_reply_target",
    "encode_state",
    "fargate_task_size",
    "load_pricing",
    "load_recommendation_config",
    "monthly_cost",
    "new_dialog",
    "parse_answers",
    "progress",
    "recommend",
]
