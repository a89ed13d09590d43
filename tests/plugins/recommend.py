"""Fixtures for the recommender: the shipped config and prices, and a copy to break or point at.

A pytest plugin (tests/conftest.py loads it): tests/recommend, tests/blocks and tests/cli use them.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.knowledge import KnowledgeBase, default_knowledge_dir, load_knowledge
from bot.recommend import (
    PRICING_FILE,
    RECOMMENDATION_FILE,
    Answers,
    Pricing,
    Recommendation,
    RecommendationConfig,
    load_pricing,
    load_recommendation_config,
    recommend,
)
from tests.conftest import REQUIRED_TOPIC_IDS, TINY_TOPIC, write_topic


@pytest.fixture(scope="session")
def config() -> RecommendationConfig:
    """The shipped recommendation.yaml, checked against the knowledge base's topic ids."""
    return load_recommendation_config(default_knowledge_dir(), topic_ids=REQUIRED_TOPIC_IDS)


@pytest.fixture(scope="session")
def pricing() -> Pricing:
    """The shipped pricing.yaml."""
    return load_pricing(default_knowledge_dir())


@pytest.fixture(scope="session")
def run(config: RecommendationConfig, pricing: Pricing) -> Callable[..., Recommendation]:
    """recommend() over keyword answers."""

    def _run(**answers: Any) -> Recommendation:
        return recommend(Answers(**answers), config, pricing)

    return _run


def write_topics(directory: Path, ids: list[str]) -> None:
    """One tiny valid topic file per id."""
    for topic_id in ids:
        text = TINY_TOPIC.format(
            id=topic_id,
            title=f"Title of {topic_id}",
            question=f"what about {topic_id}",
            keyword=topic_id,
            answer=f"Answer about {topic_id}.",
            related="",
        )
        write_topic(directory, f"{topic_id}.yaml", text)


@pytest.fixture
def rec_dir(tmp_path: Path) -> Path:
    """A knowledge directory: tiny topics for every id plus copies of the shipped YAML files."""
    directory = tmp_path / "knowledge"
    write_topics(directory, REQUIRED_TOPIC_IDS)
    for name in (RECOMMENDATION_FILE, PRICING_FILE):
        shutil.copy(default_knowledge_dir() / name, directory / name)
    return directory


def read_yaml(path: Path) -> Any:
    """A YAML file as Python data."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def write_yaml(path: Path, data: Any) -> None:
    """Python data as a YAML file (yes/no strings stay quoted)."""
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


@pytest.fixture(scope="session")
def tiny_kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    """A knowledge base with a tiny topic for every id (session-wide, for hypothesis tests)."""
    directory = tmp_path_factory.mktemp("kb")
    write_topics(directory, REQUIRED_TOPIC_IDS)
    return load_knowledge(directory)
