"""Facts corrected on 2026-11-30 (shared/facts corrections log): each stays corrected.

Every text the bot can show is searched: topic leads, answers and comparison points, entry
answers, and the recommendation config's prose.
"""

from __future__ import annotations

import re

import pytest

from bot.knowledge import KnowledgeBase, default_knowledge_dir

RECOMMENDATION = default_knowledge_dir() / "recommendation.yaml"


def shown_texts(kb: KnowledgeBase) -> list[tuple[str, str]]:
    """(where, text) for every piece of prose the bot can show."""
    texts: list[tuple[str, str]] = []
    for topic in kb:
        parts = [topic.lead or "", topic.answer, *topic.ecs, *topic.ec2]
        texts += [(topic.id, part) for part in parts]
        texts += [(f"{topic.id}/{entry.id}", entry.answer) for entry in topic.entries]
    texts.append(("recommendation.yaml", RECOMMENDATION.read_text(encoding="utf-8")))
    return texts


def sentences(text: str) -> list[str]:
    """A text cut into sentences and list items."""
    return [s for s in re.split(r"(?<=[.;!?])\s+|\n+|•", text) if s.strip()]


def offending(kb: KnowledgeBase, pattern: str) -> list[str]:
    """Every sentence, with where it is, that matches `pattern` (case-insensitive)."""
    found = re.compile(pattern, re.IGNORECASE | re.DOTALL)
    return [
        f"{where}: {s}"
        for where, text in shown_texts(kb)
        for s in sentences(text)
        if found.search(s)
    ]


def test_fargate_spot_is_not_called_x86_only(kb: KnowledgeBase) -> None:
    """Fargate Spot runs Linux tasks on x86_64 and ARM64 (since Sept 2024)."""
    assert not offending(kb, r"spot.*x86(_64)?[ -]only|x86(_64)?[ -]only.*spot")
    saving = kb.topics["saving-money"]
    assert re.search(r"ARM64|Graviton", " ".join([saving.answer, *saving.ecs]))


def test_app2container_is_never_recommended(kb: KnowledgeBase) -> None:
    """Every mention of App2Container says it is closed to new customers."""
    for where, text in shown_texts(kb):
        if "app2container" in text.lower():
            assert re.search(r"closed to new customers", text, re.I), where


def test_circuit_breaker_covers_blue_green(kb: KnowledgeBase) -> None:
    """The circuit breaker is never said to cover rolling deployments only."""
    assert not offending(kb, r"circuit breaker[^.]*\bonly\b[^.]*rolling")
    assert not offending(kb, r"circuit breaker:?\*? fails a rolling deployment(?![^.]*blue)")
    deployments = kb.topics["deployments"]
    breaker = [s for s in sentences(deployments.answer) if "circuit breaker" in s.lower()]
    assert any("blue/green" in s.lower() for s in breaker), breaker


def test_ecs_anywhere_contrasts_servers_you_own(kb: KnowledgeBase) -> None:
    """EC2 runs on premises too (AWS Outposts), so ECS Anywhere's contrast is your own servers."""
    assert not offending(kb, r"EC2 (runs|is) only in (the )?AWS Regions")
    assert "Outposts" in kb.topics["ecs-anywhere"].answer


def test_fargate_one_minute_minimum_says_linux(kb: KnowledgeBase) -> None:
    """Fargate's 1-minute billing minimum is for Linux tasks, wherever it appears."""
    minimum = r"(1|one)[- ]minute minimum|minimum of (1|one) minute"
    for line in offending(kb, minimum):
        if "fargate" in line.lower() or "task" in line.lower():
            assert "linux" in line.lower(), line


def test_fargate_in_most_cases_is_our_advice(kb: KnowledgeBase) -> None:
    """'Fargate in most cases' is the bot's advice (AWS Batch guidance), never AWS's word on ECS."""
    assert not offending(kb, r"AWS (recommends|suggests|guidance favou?rs)[^.]*Fargate")
    assert not offending(kb, r"AWS guidance favou?rs \{outcome\}")


@pytest.mark.parametrize(
    ("topic_id", "page"),
    [
        ("deployments", "deployment-type-blue-green.html"),
        ("os-patching", "managed-instances-patching.html"),
    ],
)
def test_topics_cite_their_corrected_sources(kb: KnowledgeBase, topic_id: str, page: str) -> None:
    """The deployments and patching topics cite the pages the corrections came from."""
    assert any(s.url.endswith(page) for s in kb.topics[topic_id].sources)


def test_only_compute_savings_plans_cover_fargate(kb: KnowledgeBase) -> None:
    """EC2 Instance Savings Plans and Reserved Instances are never said to cover Fargate."""
    assert not offending(
        kb,
        r"(EC2 Instance Savings Plans?|Reserved Instances?) (also )?cover\b(?![^.]*\b(only|never|not)\b)[^.]*Fargate",
    )
    saving = kb.topics["saving-money"]
    assert "Compute Savings Plans" in " ".join([saving.answer, *(e.answer for e in saving.entries)])
