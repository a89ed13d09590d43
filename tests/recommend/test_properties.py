"""Properties over every answer combination: a valid, explained, constrained, repeatable result."""

from __future__ import annotations

import itertools
import json

from hypothesis import given
from hypothesis import strategies as st

from bot.blocks import build_recommendation
from bot.knowledge import KnowledgeBase
from bot.recommend import (
    FACET_VALUES,
    FARGATE_MAX_MEMORY_GB,
    FARGATE_MAX_VCPU,
    OUTCOMES,
    Answers,
    Facet,
    Pricing,
    Recommendation,
    RecommendationConfig,
    recommend,
)

# Sizes straddle Fargate's 16 vCPU / 120 GB ceiling on purpose.
answers_strategy = st.builds(
    Answers,
    **{f.value: st.sampled_from([None, *FACET_VALUES[f]]) for f in Facet},
    vcpu=st.none() | st.floats(min_value=0.25, max_value=64),
    memory_gb=st.none() | st.floats(min_value=0.5, max_value=512),
    count=st.integers(min_value=1, max_value=500),
    hours_per_month=st.floats(min_value=1, max_value=744),
)


def assert_sound(answers: Answers, rec: Recommendation) -> None:
    """The result is a valid outcome with reasons, and every hard constraint holds."""
    assert rec.outcome in OUTCOMES
    assert rec.reasons
    assert all(reason.strip() for reason in rec.reasons)
    if answers.containerized == "no":
        assert rec.outcome == "ec2"
    if answers.gpu == "yes" or answers.host_control == "yes":
        assert rec.outcome != "ecs-fargate"
    too_big = (answers.vcpu or 0) > FARGATE_MAX_VCPU or (
        answers.memory_gb or 0
    ) > FARGATE_MAX_MEMORY_GB
    if too_big:
        assert rec.outcome != "ecs-fargate"


@given(answers=answers_strategy)
def test_every_answer_gives_a_sound_result(
    answers: Answers, config: RecommendationConfig, pricing: Pricing
) -> None:
    """Any answers, sized or not: a valid outcome, at least one reason, constraints hold."""
    assert_sound(answers, recommend(answers, config, pricing))


@given(answers=answers_strategy)
def test_the_result_is_deterministic(
    answers: Answers, config: RecommendationConfig, pricing: Pricing
) -> None:
    """The same answers, given in any order, give the same recommendation."""
    shuffled = Answers.model_validate(dict(reversed(answers.model_dump().items())))
    first = recommend(answers, config, pricing)
    assert recommend(shuffled, config, pricing) == first
    assert recommend(answers, config, pricing).to_json() == first.to_json()


@given(answers=answers_strategy)
def test_the_winner_has_the_best_allowed_score(
    answers: Answers, config: RecommendationConfig, pricing: Pricing
) -> None:
    """No outcome left allowed by the constraints scores higher than the one recommended."""
    rec = recommend(answers, config, pricing)
    allowed = [o for o in OUTCOMES if o not in rec.ruled_out]
    assert rec.outcome in allowed
    assert rec.scores[rec.outcome] == max(rec.scores[o] for o in allowed)


@given(answers=answers_strategy)
def test_cost_is_given_exactly_when_sized(
    answers: Answers, config: RecommendationConfig, pricing: Pricing
) -> None:
    """A cost comparison needs vCPU and memory; Fargate is priced only when it is allowed."""
    rec = recommend(answers, config, pricing)
    sized = answers.vcpu is not None and answers.memory_gb is not None
    assert (rec.monthly_cost is not None) == sized
    if rec.monthly_cost is not None:
        fargate = [c for c in rec.monthly_cost.lines if c.option.startswith("ecs-fargate")]
        priced = {c.monthly is not None for c in fargate}
        assert priced == {"ecs-fargate" not in rec.ruled_out}
        assert all(c.monthly is None or c.monthly > 0 for c in rec.monthly_cost.lines)


@given(answers=answers_strategy)
def test_every_result_renders_within_slack_limits(
    answers: Answers, config: RecommendationConfig, pricing: Pricing, tiny_kb: KnowledgeBase
) -> None:
    """The result blocks of any answers pass slack_sdk's checks and stay under 50 blocks."""
    blocks = build_recommendation(recommend(answers, config, pricing), tiny_kb)
    assert len(blocks) <= 50
    json.dumps([b.to_dict() for b in blocks])


def test_every_facet_combination_is_sound(config: RecommendationConfig, pricing: Pricing) -> None:
    """Exhaustively, all 2,304 facet combinations (each value or unanswered) are sound."""
    choices = [[None, *FACET_VALUES[f]] for f in Facet]
    count = 0
    for combo in itertools.product(*choices):
        answers = Answers.model_validate(dict(zip([f.value for f in Facet], combo, strict=True)))
        assert_sound(answers, recommend(answers, config, pricing))
        count += 1
    assert count == 4 * 3 * 3 * 4 * 4 * 4


facets_strategy = st.fixed_dictionaries(
    {f.value: st.sampled_from([None, *FACET_VALUES[f]]) for f in Facet}
)


@given(facets=facets_strategy, pick=st.integers(min_value=0, max_value=100))
def test_every_size_preset_gives_a_priced_result(
    facets: dict[str, str | None],
    pick: int,
    config: RecommendationConfig,
    pricing: Pricing,
    tiny_kb: KnowledgeBase,
) -> None:
    """Any answers sized by any shipped preset: a sound result with a cost comparison that fits."""
    preset = config.sizing.sizes[pick % len(config.sizing.sizes)]
    answers = Answers.model_validate(facets | preset.sizing())
    rec = recommend(answers, config, pricing)
    assert_sound(answers, rec)
    assert rec.monthly_cost is not None and rec.monthly_cost.count == preset.count
    json.dumps([b.to_dict() for b in build_recommendation(rec, tiny_kb)])
