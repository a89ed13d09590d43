"""Knowledge entries: precise questions under a topic, validated like topics."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.knowledge import KnowledgeBase, KnowledgeErrors, load_knowledge
from tests.conftest import TINY_TOPIC, write_topic

ENTRY = """\
entries:
  - id: {id}
    questions: ["How big can alpha get?"]
    answer: "{answer}"
"""


def topic_with_entry(directory: Path, topic_id: str, entry_id: str, answer: str) -> None:
    """Write a topic file `topic_id` carrying one entry."""
    text = TINY_TOPIC.format(
        id=topic_id,
        title=topic_id.title(),
        question=f"What is {topic_id}?",
        keyword=topic_id,
        answer="An answer.",
        related="",
    ) + ENTRY.format(id=entry_id, answer=answer)
    write_topic(directory, f"{topic_id}.yaml", text)


def errors_of(directory: Path) -> list[str]:
    """The messages of every problem in `directory`."""
    with pytest.raises(KnowledgeErrors) as info:
        load_knowledge(directory)
    return [str(e) for e in info.value.errors]


def test_entry_loads_and_inherits_topic_sources(tmp_path: Path) -> None:
    """A topic with an entry loads; the entry without sources cites the topic's pages."""
    topic_with_entry(tmp_path, "alpha", "alpha-size", "Up to 16 vCPU.")
    kb = load_knowledge(tmp_path)
    found = kb.entry("alpha-size")
    assert found is not None
    topic, entry = found
    assert topic.id == "alpha" and entry.answer == "Up to 16 vCPU."
    assert topic.entry_sources(entry) == list(topic.sources)


def test_entry_answer_over_300_characters_is_named(tmp_path: Path) -> None:
    """A 301-character entry answer is one error naming file, topic, entry and field."""
    topic_with_entry(tmp_path, "alpha", "alpha-size", "x" * 301)
    [message] = errors_of(tmp_path)
    assert "alpha.yaml" in message and "topic 'alpha'" in message
    assert "entries[alpha-size].answer" in message and "300" in message


def test_entry_answer_of_300_characters_loads(tmp_path: Path) -> None:
    """Exactly 300 characters is allowed."""
    topic_with_entry(tmp_path, "alpha", "alpha-size", "x" * 300)
    assert load_knowledge(tmp_path).entry("alpha-size") is not None


def test_unknown_entry_field_is_an_error(tmp_path: Path) -> None:
    """An entry field the schema does not know is named, not ignored."""
    topic_with_entry(tmp_path, "alpha", "alpha-size", "Fact.")
    path = tmp_path / "topics" / "alpha.yaml"
    path.write_text(path.read_text() + "    colour: blue\n")
    [message] = errors_of(tmp_path)
    assert "entries[alpha-size].colour" in message and "unknown field" in message


def test_entry_ids_are_unique_across_topics(tmp_path: Path) -> None:
    """Two topics cannot both own an entry id, nor may an entry reuse a topic id."""
    topic_with_entry(tmp_path, "alpha", "shared-id", "Fact.")
    topic_with_entry(tmp_path, "beta", "shared-id", "Fact.")
    [message] = errors_of(tmp_path)
    assert "duplicate entry id" in message and "entries[shared-id].id" in message


def test_every_shipped_topic_has_a_short_lead(kb: KnowledgeBase) -> None:
    """Every topic has a lead (its answer to the broad question) of at most 300 characters."""
    missing = [t.id for t in kb if not t.lead]
    assert not missing
    assert all(len(t.lead_for()) <= 300 for t in kb)


def test_shipped_knowledge_has_at_least_200_entries(kb: KnowledgeBase) -> None:
    """Precise questions are answered by entries: at least 200, each with 5+ phrasings."""
    entries = list(kb.entries())
    assert len(entries) >= 200
    thin = [entry.id for _, entry in entries if len(entry.questions) < 5]
    assert not thin
