"""recommendation.yaml and pricing.yaml are validated like the knowledge base, naming each field."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot.knowledge import KnowledgeErrors, default_knowledge_dir
from bot.recommend import (
    PRICING_FILE,
    RECOMMENDATION_FILE,
    load_pricing,
    load_recommendation_config,
)
from tests.plugins.recommend import read_yaml, write_yaml

Mutation = Callable[[dict[str, Any]], None]
SIZE = {"value": "small", "label": "Small", "vcpu": 0.5, "memory_gb": 1, "count": 2}


def _set(path: str, value: Any) -> Mutation:
    """A mutation setting the dotted `path` (list indexes as numbers) to `value`."""

    def mutate(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = data
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        node[int(last) if isinstance(node, list) else last] = value

    return mutate


def _delete(path: str) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = data
        for part in parents:
            node = node[part]
        del node[last]

    return mutate


def _problems(directory: Path, name: str, mutate: Mutation) -> list[tuple[str | None, str]]:
    path = directory / name
    data = read_yaml(path)
    mutate(data)
    write_yaml(path, data)
    loader = load_recommendation_config if name == RECOMMENDATION_FILE else load_pricing
    with pytest.raises(KnowledgeErrors) as info:
        loader(directory)
    assert all(e.file == str(path) for e in info.value.errors)
    return [(e.field, e.message) for e in info.value.errors]


RECOMMENDATION_CASES = [
    ("weight out of range", _set("facets.gpu.options.0.weights.ec2", 99), "facets.gpu.options.0.weights.ec2", "less than or equal to 10"),
    ("weight not a number", _set("facets.gpu.options.0.weights.ec2", "lots"), "facets.gpu.options.0.weights.ec2", "valid integer"),
    ("weight for an unknown outcome", _set("facets.gpu.options.0.weights.ecs-eks", 1), "facets.gpu.options.0.weights.ecs-eks.[key]", "'ec2', 'ecs-ec2' or 'ecs-fargate'"),
    ("unknown field", _set("facets.gpu.colour", "blue"), "facets.gpu.colour", "unknown field"),
    ("unknown top-level field", _set("extra", 1), "extra", "unknown field"),
    ("unknown facet", _set("facets.colour", {}), "facets.colour", "unknown field"),
    ("missing facet", _delete("facets.gpu"), "facets.gpu", "missing field"),
    ("unknown option value", _set("facets.gpu.options.0.value", "maybe"), "facets.gpu.options.0.value", "unknown value 'maybe'; valid: yes, no"),
    ("yes left unquoted", _set("facets.gpu.options.0.value", True), "facets.gpu.options.0.value", "valid string"),
    ("duplicate option value", _set("facets.gpu.options.1.value", "yes"), "facets.gpu.options.1.value", "duplicate value 'yes'"),
    ("unknown related topic", _set("outcomes.ec2.related.0", "nope"), "outcomes.ec2.related.0", "points to no topic: 'nope'"),
    ("unknown related topic on an option", _set("facets.gpu.options.0.related", ["nope"]), "facets.gpu.options.0.related.0", "points to no topic"),
    ("missing outcome", _delete("outcomes.ec2"), "outcomes", "missing outcome 'ec2'"),
    ("tie break missing an outcome", _set("tie_break", ["ec2", "ecs-ec2"]), "tie_break", "each outcome once"),
    ("unknown placeholder", _set("templates.answer", "{facet} {oops}"), "templates.answer", "unknown placeholder {oops}"),
    ("malformed template", _set("templates.answer", "{facet"), "templates.answer", "malformed template"),
    ("placeholder in a fixed sentence", _set("constraints.gpu", "{vcpu}"), "constraints.gpu", "allowed: none"),
    ("caveat on an unknown value", _set("caveats.0.when", {"gpu": ["maybe"]}), "caveats.0.when.gpu", "unknown value 'maybe'"),
    ("caveat on an unknown facet", _set("caveats.0.when", {"colour": ["x"]}), "caveats.0.when.colour.[key]", "Input should be 'containerized'"),
    ("no zero confidence level", _set("confidence.2.min_share", 0.1), "confidence", "min_share: 0"),
    ("label too long for a button", _set("facets.gpu.options.0.label", "x" * 76), "facets.gpu.options.0.label", "at most 75"),
    ("missing size step", _delete("sizing"), "sizing", "missing field"),
    ("duplicate size value", _set("sizing.sizes.1.value", "small"), "sizing.sizes.1.value", "duplicate value 'small'"),
    ("size value unsafe in an action id", _set("sizing.sizes.0.value", "small:1"), "sizing.sizes.0.value", "should match pattern"),
    ("size value with capitals", _set("sizing.sizes.0.value", "Small"), "sizing.sizes.0.value", "should match pattern"),
    ("size value too long", _set("sizing.sizes.0.value", "s" * 21), "sizing.sizes.0.value", "at most 20"),
    ("zero vCPU", _set("sizing.sizes.0.vcpu", 0), "sizing.sizes.0.vcpu", "greater than 0"),
    ("negative memory", _set("sizing.sizes.0.memory_gb", -1), "sizing.sizes.0.memory_gb", "greater than 0"),
    ("vCPU as text", _set("sizing.sizes.0.vcpu", "0.5"), "sizing.sizes.0.vcpu", "valid number"),
    ("fractional count", _set("sizing.sizes.0.count", 2.5), "sizing.sizes.0.count", "valid integer"),
    ("zero count", _set("sizing.sizes.0.count", 0), "sizing.sizes.0.count", "greater than or equal to 1"),
    ("unknown size field", _set("sizing.sizes.0.hours", 100), "sizing.sizes.0.hours", "unknown field"),
    ("no sizes", _set("sizing.sizes", []), "sizing.sizes", "at least 1"),
    ("too many sizes", _set("sizing.sizes", [dict(SIZE, value=f"s{i}") for i in range(6)]), "sizing.sizes", "at most 5"),
    ("size label too long for a button", _set("sizing.sizes.0.label", "x" * 76), "sizing.sizes.0.label", "at most 75"),
    ("size step without a question", _delete("sizing.question"), "sizing.question", "missing field"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("mutate", "field", "message"),
    [case[1:] for case in RECOMMENDATION_CASES],
    ids=[case[0] for case in RECOMMENDATION_CASES],
)
def test_recommendation_problems_name_the_field(
    rec_dir: Path, mutate: Mutation, field: str, message: str
) -> None:
    """Each broken recommendation.yaml is rejected with the field and what is wrong."""
    problems = _problems(rec_dir, RECOMMENDATION_FILE, mutate)
    assert any(f == field and message in m for f, m in problems), problems


def test_every_problem_is_reported_at_once(rec_dir: Path) -> None:
    """Two unrelated problems give two errors, not just the first."""

    def mutate(data: dict[str, Any]) -> None:
        _set("outcomes.ec2.related.0", "nope")(data)
        _set("templates.answer", "{oops}")(data)

    fields = {f for f, _ in _problems(rec_dir, RECOMMENDATION_FILE, mutate)}
    assert {"outcomes.ec2.related.0", "templates.answer"} <= fields


def test_related_topics_are_checked_against_the_directory(rec_dir: Path) -> None:
    """Without explicit ids, a topic missing from the directory's topics/ is an error."""
    (rec_dir / "topics" / "fargate.yaml").unlink()
    with pytest.raises(KnowledgeErrors, match="points to no topic: 'fargate'"):
        load_recommendation_config(rec_dir)


def test_shipped_files_load_against_the_shipped_topics() -> None:
    """The repository's recommendation.yaml links only to topics the knowledge base has."""
    config = load_recommendation_config(default_knowledge_dir())
    assert config.tie_break[0] == "ecs-fargate"
    assert [s.value for s in config.sizing.sizes] == ["small", "medium", "large", "x-large"]
    assert load_pricing(default_knowledge_dir()).snapshot == "2026-09"


@pytest.mark.parametrize("name", [RECOMMENDATION_FILE, PRICING_FILE])
def test_missing_file_is_named(rec_dir: Path, name: str) -> None:
    """A missing file is one clear error naming it."""
    (rec_dir / name).unlink()
    loader = load_recommendation_config if name == RECOMMENDATION_FILE else load_pricing
    with pytest.raises(KnowledgeErrors, match=f"{name}: file not found"):
        loader(rec_dir)


@pytest.mark.parametrize("name", [RECOMMENDATION_FILE, PRICING_FILE])
def test_yaml_syntax_error_gives_the_line(rec_dir: Path, name: str) -> None:
    """Broken YAML is reported with its line number."""
    (rec_dir / name).write_text("version: 1\nfacets: [unclosed\n", encoding="utf-8")
    loader = load_recommendation_config if name == RECOMMENDATION_FILE else load_pricing
    with pytest.raises(KnowledgeErrors, match="line 3: YAML syntax error"):
        loader(rec_dir)


PRICING_CASES = [
    ("negative price", _set("fargate.x86.vcpu_hour", -1), "fargate.x86.vcpu_hour", "greater than 0"),
    ("snapshot not a month", _set("snapshot", "September"), "snapshot", "should match pattern"),
    ("source not an AWS page", _set("ec2.source", "https://example.com/prices"), "ec2.source", "should match pattern"),
    ("unknown instance field", _set("ec2.instances.0.colour", "red"), "ec2.instances.0.colour", "unknown field"),
    ("instance listed twice", _set("ec2.instances.1.type", "t3.medium"), "ec2.instances", "listed twice: t3.medium"),
    ("missing ARM rates", _delete("fargate.arm"), "fargate.arm", "missing field"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("mutate", "field", "message"),
    [case[1:] for case in PRICING_CASES],
    ids=[case[0] for case in PRICING_CASES],
)
def test_pricing_problems_name_the_field(
    rec_dir: Path, mutate: Mutation, field: str, message: str
) -> None:
    """Each broken pricing.yaml is rejected with the field and what is wrong."""
    problems = _problems(rec_dir, PRICING_FILE, mutate)
    assert any(f == field and message in m for f, m in problems), problems
