"""Knowledge-base loading: the shipped topics, and every way a file can be wrong."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.knowledge import KnowledgeBase, KnowledgeErrors, load_knowledge
from tests.conftest import REQUIRED_TOPIC_IDS, TINY_TOPIC, write_topic

# The seed text's known errors (see shared/facts): the bot must never repeat them.
SEED_ERRORS = [
    re.compile(r"billed by the hour", re.I),
    re.compile(r"built-in load balancer", re.I),
    re.compile(r"charges? for the number of container instances", re.I),
]


def only_error(directory: Path) -> str:
    """Load `directory` expecting exactly one problem, and return its message."""
    with pytest.raises(KnowledgeErrors) as info:
        load_knowledge(directory)
    assert len(info.value.errors) == 1, info.value.errors
    return str(info.value.errors[0])


def test_shipped_kb_has_every_required_topic(kb: KnowledgeBase) -> None:
    """The knowledge base has at least the 26 topic ids the evaluation expects."""
    missing = [tid for tid in REQUIRED_TOPIC_IDS if kb.get(tid) is None]
    assert not missing


def test_every_topic_cites_aws_documentation(kb: KnowledgeBase) -> None:
    """Each topic cites at least one AWS page."""
    for topic in kb:
        assert topic.sources, topic.id
        assert all("aws.amazon.com" in s.url for s in topic.sources), topic.id


@pytest.mark.parametrize("pattern", SEED_ERRORS, ids=lambda p: p.pattern)
def test_seed_errors_are_not_repeated(kb: KnowledgeBase, pattern: re.Pattern[str]) -> None:
    """No answer or comparison point repeats a known error of the seed text."""
    for topic in kb:
        text = " ".join([topic.answer, *topic.ecs, *topic.ec2])
        assert not pattern.search(text), topic.id


def test_prices_carry_their_snapshot_date(kb: KnowledgeBase) -> None:
    """Wherever an answer quotes a dollar price, it says when the price was read."""
    for topic in kb:
        text = " ".join([topic.answer, *topic.ecs, *topic.ec2])
        if re.search(r"\$\d", text):
            assert "2026-09" in text or "snapshot" in text.lower(), topic.id


def test_tiny_kb_loads(tiny_kb_dir: Path) -> None:
    """A valid directory loads with its topics in file order."""
    kb = load_knowledge(tiny_kb_dir)
    assert [t.id for t in kb] == ["alpha", "beta"]


def test_yaml_syntax_error_names_file_and_line(tiny_kb_dir: Path) -> None:
    """A YAML syntax error is reported with the file and the line."""
    write_topic(tiny_kb_dir, "broken.yaml", "id: broken\nquestions: [unclosed\n")
    message = only_error(tiny_kb_dir)
    assert "broken.yaml" in message
    assert re.search(r"line \d+", message)


@pytest.mark.parametrize(
    ("replace", "by", "field", "needle"),
    [
        ("keywords:", "colour: blue\nkeywords:", "colour", "unknown field"),
        ('questions: ["What is alpha?"]\n', "", "questions", "missing field"),
        ('questions: ["What is alpha?"]', "questions: []", "questions", "at least 1"),
        ('answer: "Alpha answer."', f'answer: "{"x" * 3001}"', "answer", "3000"),
        ("related: [beta]", "related: [nowhere]", "related.0", "nowhere"),
        ("related: [beta]", "related: [beta]\nwithin: nowhere", "within", "nowhere"),
        ("url: https://docs.aws", "url: https://example.com/docs.aws", "sources.0.url", "AWS page"),
        ("reviewed: 2026-11-26", "reviewed: someday", "reviewed", "date"),
    ],
    ids=[
        "unknown",
        "missing",
        "empty-questions",
        "long-answer",
        "bad-related",
        "bad-within",
        "non-aws",
        "date",
    ],
)
def test_bad_topic_names_file_topic_and_field(
    tiny_kb_dir: Path, replace: str, by: str, field: str, needle: str
) -> None:
    """Each kind of bad field is reported once, naming file, topic id and field."""
    path = tiny_kb_dir / "topics" / "alpha.yaml"
    text = path.read_text()
    assert replace in text
    path.write_text(text.replace(replace, by, 1))
    message = only_error(tiny_kb_dir)
    assert "alpha.yaml" in message
    assert "topic 'alpha'" in message
    assert f"field '{field}'" in message
    assert needle in message


def test_a_finer_topic_is_filed_only_within_a_broad_one(tiny_kb_dir: Path) -> None:
    """`within` names a broad topic: pointing at another finer topic is an error."""
    for name, within in (("alpha", "beta"), ("beta", "alpha")):
        path = tiny_kb_dir / "topics" / f"{name}.yaml"
        path.write_text(path.read_text() + f"within: {within}\n")
    with pytest.raises(KnowledgeErrors) as info:
        load_knowledge(tiny_kb_dir)
    assert len(info.value.errors) == 2
    assert "itself a finer topic" in str(info.value) and "field 'within'" in str(info.value)


def test_an_entry_is_filed_elsewhere_only_in_a_finer_topic(tiny_kb_dir: Path) -> None:
    """A broad topic's entries are filed under it: `within` on one of them is an error."""
    path = tiny_kb_dir / "topics" / "alpha.yaml"
    path.write_text(
        path.read_text()
        + "entries:\n- id: alpha-one\n  within: beta\n  questions: [q]\n  answer: a\n"
    )
    message = only_error(tiny_kb_dir)
    assert "field 'entries[alpha-one].within'" in message and "finer topic" in message


def test_shipped_finer_topics_are_filed_within_required_ones(kb: KnowledgeBase) -> None:
    """Every topic beyond the 26 required ids, and each of its entries, is filed under one of
    them; the required topics are filed under nothing."""
    required = set(REQUIRED_TOPIC_IDS)
    for topic in kb:
        if topic.id in required:
            assert topic.within is None and all(e.within is None for e in topic.entries)
        else:
            assert topic.within in required, topic.id
            assert {e.within for e in topic.entries} <= required | {None}, topic.id


def test_duplicate_id_is_reported(tiny_kb_dir: Path) -> None:
    """Two files defining the same id are an error naming both."""
    text = (tiny_kb_dir / "topics" / "alpha.yaml").read_text()
    write_topic(tiny_kb_dir, "zz-copy.yaml", text)
    message = only_error(tiny_kb_dir)
    assert "zz-copy.yaml" in message
    assert "duplicate id" in message
    assert "alpha.yaml" in message


def test_every_problem_is_listed(tiny_kb_dir: Path) -> None:
    """Several broken files give one error each, not just the first."""
    write_topic(
        tiny_kb_dir,
        "c.yaml",
        TINY_TOPIC.format(
            id="c", title="C", question="q", keyword="k", answer="a", related="nowhere"
        ),
    )
    write_topic(tiny_kb_dir, "d.yaml", "- not a mapping\n")
    with pytest.raises(KnowledgeErrors) as info:
        load_knowledge(tiny_kb_dir)
    assert len(info.value.errors) == 2


def test_empty_directory_is_an_error(tmp_path: Path) -> None:
    """A directory without topic files is an error, not an empty bot."""
    message = only_error(tmp_path)
    assert "no topic files" in message


def test_bad_vocabulary_is_reported(tiny_kb_dir: Path) -> None:
    """The matcher vocabulary is validated too."""
    (tiny_kb_dir / "vocabulary.yaml").write_text("synonyms: {ec2: [x]}\nextra: 1\n")
    message = only_error(tiny_kb_dir)
    assert "vocabulary.yaml" in message
    assert "extra" in message


def test_non_utf8_file_is_reported(tiny_kb_dir: Path) -> None:
    """A file that is not UTF-8 is a clear error, not a crash."""
    (tiny_kb_dir / "topics" / "latin1.yaml").write_bytes(b"id: caf\xe9\n")
    message = only_error(tiny_kb_dir)
    assert "latin1.yaml" in message
    assert "UTF-8" in message
