"""Loading a knowledge directory: YAML files read, validated, and every problem named."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from bot.knowledge.errors import KnowledgeError, KnowledgeErrors, validation_errors
from bot.knowledge.models import KnowledgeBase, Topic, Vocabulary

# Valid topics by id, each with the file it came from (for error messages).
TopicsByFile = dict[str, tuple[Path, Topic]]


def topic_files(directory: Path) -> list[Path]:
    """The topic files of a knowledge directory, in a stable order."""
    topics_dir = directory / "topics"
    return sorted(topics_dir.glob("*.yaml")) + sorted(topics_dir.glob("*.yml"))


# libyaml's safe loader when PyYAML was built with it (its wheels are): the same documents and
# errors, parsed in C (start-up read the knowledge base with the pure-Python one in ~1 s).
SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path) -> Any:
    """The parsed YAML in `path`; raise KnowledgeError for bad encoding or syntax."""
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
    except UnicodeDecodeError as exc:
        raise KnowledgeError(f"not UTF-8 text ({exc.reason})", file=path) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise KnowledgeError(f"{line}YAML syntax error: {problem}", file=path) from None


def _declared_id(data: Any) -> str | None:
    """The id a topic file declares, even if the topic is invalid; None if it has none."""
    raw_id = data.get("id") if isinstance(data, dict) else None
    return raw_id if isinstance(raw_id, str) else None


def _parse_topic(path: Path, data: Any) -> tuple[Topic | None, list[KnowledgeError]]:
    if not isinstance(data, dict):
        return None, [KnowledgeError("expected a mapping of topic fields", file=path)]
    try:
        return Topic.model_validate(data), []
    except ValidationError as exc:
        return None, validation_errors(path, _declared_id(data), exc, data)


def _add_topic(topics: TopicsByFile, path: Path, topic: Topic) -> list[KnowledgeError]:
    """Add `topic` to `topics`, or name it as a duplicate of the first with its id."""
    if topic.id in topics:
        message = f"duplicate id, first defined in {topics[topic.id][0]}"
        return [KnowledgeError(message, file=path, topic=topic.id, field="id")]
    topics[topic.id] = (path, topic)
    return []


def _read_topics(files: list[Path]) -> tuple[TopicsByFile, set[str], list[KnowledgeError]]:
    """The valid topics, the ids every file declares (valid or not), and the problems found."""
    topics: TopicsByFile = {}
    declared: set[str] = set()
    errors: list[KnowledgeError] = []
    for path in files:
        try:
            data = read_yaml(path)
        except KnowledgeError as exc:
            errors.append(exc)
            continue
        topic, problems = _parse_topic(path, data)
        errors.extend(problems)
        if (topic_id := _declared_id(data)) is not None:
            declared.add(topic_id)
        if topic is not None:
            errors.extend(_add_topic(topics, path, topic))
    return topics, declared, errors


def _load_vocabulary(directory: Path) -> tuple[Vocabulary, list[KnowledgeError]]:
    path = directory / "vocabulary.yaml"
    if not path.exists():
        return Vocabulary(), []
    try:
        return Vocabulary.model_validate(read_yaml(path) or {}), []
    except KnowledgeError as exc:
        return Vocabulary(), [exc]
    except ValidationError as exc:
        return Vocabulary(), validation_errors(path, None, exc)


def _check_entry_ids(topics: TopicsByFile) -> list[KnowledgeError]:
    """Entry ids are unique across the knowledge base and never reuse a topic id."""
    errors = []
    seen: dict[str, str] = {}
    for topic_id, (path, topic) in topics.items():
        for entry in topic.entries:
            first = seen.get(entry.id) or (entry.id if entry.id in topics else None)
            if first is not None:
                errors.append(
                    KnowledgeError(
                        f"duplicate entry id, also used by {first!r}",
                        file=path,
                        topic=topic_id,
                        field=f"entries[{entry.id}].id",
                    )
                )
            seen.setdefault(entry.id, f"topic {topic_id}")
    return errors


def _check_links(topics: TopicsByFile, declared: set[str]) -> list[KnowledgeError]:
    # `declared` includes ids of topics that failed validation, so one bad file
    # does not also make every topic linking to it an error.
    errors = []
    for topic_id, (path, topic) in topics.items():
        links = [(f"related.{index}", linked) for index, linked in enumerate(topic.related)]
        filed = [("within", topic.within)] + [
            (f"entries[{entry.id}].within", entry.within) for entry in topic.entries
        ]
        for field, linked in filed:
            if linked is None:
                continue
            if field != "within" and topic.within is None:
                errors.append(
                    KnowledgeError(
                        "only an entry of a finer topic (one with `within`) is filed elsewhere",
                        file=path,
                        topic=topic_id,
                        field=field,
                    )
                )
            links.append((field, linked))
        for field, linked in links:
            if linked not in declared:
                problem = f"points to no topic: {linked!r}"
            elif field.endswith("within") and linked in topics and topics[linked][1].within:
                problem = f"is filed within {linked!r}, itself a finer topic"
            else:
                continue
            errors.append(KnowledgeError(problem, file=path, topic=topic_id, field=field))
    return errors


def collect_problems(directory: Path) -> tuple[KnowledgeBase, list[KnowledgeError]]:
    """Load what can be loaded from `directory` and list every problem found."""
    files = topic_files(directory)
    errors: list[KnowledgeError] = []
    if not files:
        errors.append(KnowledgeError("no topic files (*.yaml) found", file=directory / "topics"))
    topics, declared, topic_errors = _read_topics(files)
    errors.extend(topic_errors)
    errors.extend(_check_links(topics, declared))
    errors.extend(_check_entry_ids(topics))
    vocabulary, vocab_errors = _load_vocabulary(directory)
    errors.extend(vocab_errors)
    kb = KnowledgeBase(
        topics={tid: topic for tid, (_, topic) in topics.items()}, vocabulary=vocabulary
    )
    return kb, errors


def load_knowledge(directory: Path | str) -> KnowledgeBase:
    """Load and validate a knowledge directory; raise KnowledgeErrors listing every problem."""
    kb, errors = collect_problems(Path(directory))
    if errors:
        raise KnowledgeErrors(errors)
    return kb


# Where the wheel carries the repository's `knowledge/` (pyproject.toml, force-include).
SHIPPED_DIR = "shipped"


def default_knowledge_dir() -> Path:
    """The knowledge base the package ships: its package data when installed from a wheel,
    else (a checkout, an editable install) the repository's `knowledge/`."""
    shipped = resources.files(__package__) / SHIPPED_DIR
    if isinstance(shipped, Path) and shipped.is_dir():
        return shipped
    return Path(__file__).resolve().parents[2] / "knowledge"
