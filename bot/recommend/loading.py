"""Loading recommendation.yaml and pricing.yaml, every problem a KnowledgeError naming its field."""

from __future__ import annotations

import string
from collections.abc import Collection
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from bot.knowledge import (
    KnowledgeError,
    KnowledgeErrors,
    read_yaml,
    topic_files,
    validation_errors,
)
from bot.recommend.config import PLACEHOLDERS, RecommendationConfig
from bot.recommend.facets import FACET_VALUES, OUTCOMES, Facet
from bot.recommend.pricing import Pricing

RECOMMENDATION_FILE = "recommendation.yaml"
PRICING_FILE = "pricing.yaml"

ModelT = TypeVar("ModelT", bound=BaseModel)


def _load_model(path: Path, model: type[ModelT]) -> ModelT:
    if not path.exists():
        raise KnowledgeErrors([KnowledgeError("file not found", file=path)])
    try:
        data = read_yaml(path)
    except KnowledgeError as exc:
        raise KnowledgeErrors([exc]) from None
    if not isinstance(data, dict):
        raise KnowledgeErrors([KnowledgeError("expected a mapping of fields", file=path)])
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise KnowledgeErrors(validation_errors(path, None, exc)) from None


def declared_topic_ids(directory: Path) -> set[str]:
    """The ids the topic files of a knowledge directory declare (valid or not)."""
    ids = set()
    for path in topic_files(directory):
        try:
            data = read_yaml(path)
        except KnowledgeError:
            continue  # `ecsbot kb validate` reports it
        if isinstance(data, dict) and isinstance(data.get("id"), str):
            ids.add(data["id"])
    return ids


def _check_options(config: RecommendationConfig) -> list[tuple[str, str]]:
    problems = []
    for facet in Facet:
        valid = FACET_VALUES[facet]
        values = [o.value for o in config.facet(facet).options]
        where = f"facets.{facet.value}.options"
        for index, value in enumerate(values):
            if value not in valid:
                problems.append(
                    (
                        f"{where}.{index}.value",
                        f"unknown value {value!r}; valid: {', '.join(valid)}",
                    )
                )
            elif values.index(value) != index:
                problems.append((f"{where}.{index}.value", f"duplicate value {value!r}"))
        problems += [(where, f"missing value {v!r}") for v in valid if v not in values]
    return problems


def _check_sizes(config: RecommendationConfig) -> list[tuple[str, str]]:
    values = [size.value for size in config.sizing.sizes]
    return [
        (f"sizing.sizes.{index}.value", f"duplicate value {value!r}")
        for index, value in enumerate(values)
        if values.index(value) != index
    ]


def _check_outcomes(config: RecommendationConfig) -> list[tuple[str, str]]:
    problems = [
        ("outcomes", f"missing outcome {o!r}") for o in OUTCOMES if o not in config.outcomes
    ]
    if sorted(config.tie_break) != sorted(OUTCOMES):
        problems.append(("tie_break", f"must list each outcome once: {', '.join(OUTCOMES)}"))
    if not any(level.min_share == 0 for level in config.confidence):
        problems.append(("confidence", "needs a level with min_share: 0"))
    return problems


def _check_caveats(config: RecommendationConfig) -> list[tuple[str, str]]:
    problems = []
    for index, caveat in enumerate(config.caveats):
        for facet, values in caveat.when.items():
            valid = FACET_VALUES[facet]
            for value in values:
                if value not in valid:
                    problems.append(
                        (
                            f"caveats.{index}.when.{facet.value}",
                            f"unknown value {value!r}; valid: {', '.join(valid)}",
                        )
                    )
    return problems


def _placeholder_problem(text: str, allowed: frozenset[str]) -> str | None:
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError as exc:
        return f"malformed template: {exc}"
    unknown = sorted(names - allowed)
    if not unknown:
        return None
    return f"unknown placeholder {{{unknown[0]}}}; allowed: {', '.join(sorted(allowed)) or 'none'}"


def _check_templates(config: RecommendationConfig) -> list[tuple[str, str]]:
    texts = {
        f"{group}.{name}": text
        for group in ("templates", "constraints")
        for name, text in getattr(config, group).model_dump().items()
    }
    texts |= {f"confidence.{i}.text": lv.text for i, lv in enumerate(config.confidence)}
    problems = []
    for where, text in texts.items():
        allowed = PLACEHOLDERS["confidence" if where.startswith("confidence") else where]
        if (problem := _placeholder_problem(text, allowed)) is not None:
            problems.append((where, problem))
    return problems


def _check_related(
    config: RecommendationConfig, topic_ids: Collection[str]
) -> list[tuple[str, str]]:
    links = [(f"outcomes.{o}.related", out.related) for o, out in config.outcomes.items()]
    for facet in Facet:
        for index, option in enumerate(config.facet(facet).options):
            links.append((f"facets.{facet.value}.options.{index}.related", option.related))
    return [
        (f"{where}.{i}", f"points to no topic: {tid!r}")
        for where, ids in links
        for i, tid in enumerate(ids)
        if tid not in topic_ids
    ]


def check_recommendation_config(
    config: RecommendationConfig, topic_ids: Collection[str]
) -> list[tuple[str, str]]:
    """Every (field, problem) pydantic cannot see: contract values, sizes, templates, topics."""
    return [
        *_check_options(config),
        *_check_sizes(config),
        *_check_outcomes(config),
        *_check_caveats(config),
        *_check_templates(config),
        *_check_related(config, topic_ids),
    ]


def load_recommendation_config(
    directory: Path | str, *, topic_ids: Collection[str] | None = None
) -> RecommendationConfig:
    """Load recommendation.yaml, checked against `topic_ids` (default: the directory's topics)."""
    directory = Path(directory)
    path = directory / RECOMMENDATION_FILE
    config = _load_model(path, RecommendationConfig)
    ids = declared_topic_ids(directory) if topic_ids is None else topic_ids
    problems = check_recommendation_config(config, ids)
    if problems:
        raise KnowledgeErrors([KnowledgeError(msg, file=path, field=f) for f, msg in problems])
    return config


def load_pricing(directory: Path | str) -> Pricing:
    """Load and validate pricing.yaml; raise KnowledgeErrors listing every problem."""
    return _load_model(Path(directory) / PRICING_FILE, Pricing)
