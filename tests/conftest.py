"""Fixtures shared by every test: isolated environment, the real and a tiny knowledge base."""

from __future__ import annotations

import gc
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.answering import Answerer
from bot.knowledge import KnowledgeBase, default_knowledge_dir, load_knowledge
from bot.matching import Matcher
from bot.recommend import load_pricing

# Fixtures more than one folder uses: storage (tests/storage, tests/slack) and the recommender's
# config (tests/recommend, tests/blocks, tests/cli).
pytest_plugins = ["tests.plugins.recommend", "tests.plugins.storage"]

ENV_PREFIXES = (
    "SLACK_",
    "DATABASE_",
    "REDIS_",
    "KNOWLEDGE_DIR",
    "PORT",
    "LOG_",
    "RATE_LIMIT",
    "CONVERSATION_",
)


# The topic ids every knowledge base must have (shared/eval/README.md).
REQUIRED_TOPIC_IDS = [
    "key-differences",
    "what-is-ec2",
    "what-is-ecs",
    "abstraction-level",
    "scalability",
    "availability",
    "cost",
    "ease-of-use",
    "when-to-use-ec2",
    "when-to-use-ecs",
    "which-should-i-choose",
    "fargate",
    "load-balancing",
    "monitoring",
    "security",
    "networking",
    "os-patching",
    "saving-money",
    "docker-on-ec2",
    "migration",
    "ecs-vs-eks",
    "ecs-concepts",
    "deployments",
    "storage",
    "gpu",
    "ecs-anywhere",
]


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test sees the developer's Slack credentials, database or `.env`."""
    import os

    for name in list(os.environ):
        if name.startswith(ENV_PREFIXES) or name == "USER_HASH_SALT":
            monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.fixture(autouse=True)
def heap_unfrozen() -> Iterator[None]:
    """What a test froze by starting a server in-process (`settle_heap`) is collectable again."""
    yield
    gc.unfreeze()


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    """The shipped knowledge base."""
    return load_knowledge(default_knowledge_dir())


@pytest.fixture(scope="session")
def matcher(kb: KnowledgeBase) -> Matcher:
    """A matcher over the shipped knowledge base, built once per session."""
    return Matcher(kb)


@pytest.fixture(scope="session")
def answerer(kb: KnowledgeBase, matcher: Matcher) -> Answerer:
    """The answerer the CLI and Slack listeners use, with the shipped price snapshot."""
    return Answerer(kb, matcher, pricing=load_pricing(default_knowledge_dir()))


TINY_TOPIC = """\
id: {id}
title: {title}
questions: ["{question}"]
keywords: [{keyword}]
answer: "{answer}"
ecs: ["ECS point"]
ec2: ["EC2 point"]
sources:
  - title: Amazon ECS developer guide
    url: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/Welcome.html
related: [{related}]
reviewed: 2026-11-26
"""


def write_topic(directory: Path, name: str, text: str) -> Path:
    """Write one topic file into `directory/topics`."""
    topics = directory / "topics"
    topics.mkdir(parents=True, exist_ok=True)
    path = topics / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.fixture
def tiny_kb_dir(tmp_path: Path) -> Path:
    """A valid two-topic knowledge directory to break in tests."""
    directory = tmp_path / "kb"
    write_topic(
        directory,
        "alpha.yaml",
        TINY_TOPIC.format(
            id="alpha",
            title="Alpha",
            question="What is alpha?",
            keyword="alpha",
            answer="Alpha answer.",
            related="beta",
        ),
    )
    write_topic(
        directory,
        "beta.yaml",
        TINY_TOPIC.format(
            id="beta",
            title="Beta",
            question="What is beta?",
            keyword="beta",
            answer="Beta answer.",
            related="alpha",
        ),
    )
    return directory
