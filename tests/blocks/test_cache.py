"""Answers that do not depend on the question are built and serialised once, and stay right."""

from __future__ import annotations

from slack_sdk.models.blocks import SectionBlock

from bot.blocks import build_answer, build_entry_answer, build_help, to_dicts
from bot.blocks.cache import BlockCache
from bot.knowledge import KnowledgeBase, load_knowledge
from bot.knowledge.models import Topic


def test_an_answer_is_built_once_per_topic_and_shareable(kb: KnowledgeBase) -> None:
    """The same topic gives the same blocks and dicts; `shareable` and topics stay apart."""
    topic = kb.topics["cost"]
    first, again = build_answer(topic, kb, shareable=True), build_answer(topic, kb, shareable=True)
    assert first == again and all(a is b for a, b in zip(first, again, strict=True))
    assert to_dicts(first) == to_dicts(again)
    assert all(a is b for a, b in zip(to_dicts(first), to_dicts(again), strict=True))
    private = to_dicts(build_answer(topic, kb))
    assert "share_answer" in str(to_dicts(first)) and "share_answer" not in str(private)
    other = to_dicts(build_answer(kb.topics["fargate"], kb))
    assert other[0]["text"]["text"] == kb.topics["fargate"].title  # type: ignore[index]


def test_an_entry_answer_is_built_once_per_entry(kb: KnowledgeBase) -> None:
    """An entry's answer is cached per entry: another entry of the topic gets its own."""
    found = kb.entry("fargate-task-size-limits")
    assert found is not None
    topic, entry = found
    first = build_entry_answer(topic, entry, kb)
    assert all(a is b for a, b in zip(first, build_entry_answer(topic, entry, kb), strict=True))
    other = next(e for e in topic.entries if e.id != entry.id)
    assert to_dicts(build_entry_answer(topic, other, kb)) != to_dicts(first)
    assert entry.answer in str(to_dicts(first))


def test_a_reloaded_knowledge_base_is_not_served_from_the_old_one(tiny_kb_dir: object) -> None:
    """Another KnowledgeBase object (a reload after an edit) gets its own blocks."""
    old = load_knowledge(tiny_kb_dir)  # type: ignore[arg-type]
    topic = old.topics["alpha"]
    edited = Topic(**{**topic.model_dump(), "answer": "Alpha, revised."})
    new = KnowledgeBase(topics={**old.topics, "alpha": edited}, vocabulary=old.vocabulary)
    assert "Alpha, revised." not in str(to_dicts(build_answer(topic, old)))
    assert "Alpha, revised." in str(to_dicts(build_answer(edited, new)))
    assert to_dicts(build_help(old)) == to_dicts(build_help(new))


def test_the_cache_is_bounded_and_forgets_the_oldest() -> None:
    """Past max_entries the least recently used list goes, and its dicts with it."""
    cache = BlockCache(max_entries=2)
    owners = [object() for _ in range(3)]
    built = [cache.blocks((o,), (), lambda: [SectionBlock(text="x")]) for o in owners]
    assert cache.rendered(built[2][0]) == {
        "type": "section",
        "text": {"type": "mrkdwn", "text": "x"},
    }
    again = cache.blocks((owners[0],), (), lambda: [SectionBlock(text="y")])
    assert cache.rendered(again[0])["text"] == {"type": "mrkdwn", "text": "y"}


def test_blocks_not_from_the_cache_are_serialised_as_usual() -> None:
    """A block built per question (an echo of it) is never cached."""
    block = SectionBlock(text="just this once")
    assert to_dicts([block]) == [block.to_dict()]
