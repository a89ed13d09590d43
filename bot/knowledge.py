"""The knowledge base: topics loaded from YAML, validated with pydantic."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
)

# Slack rejects a section block whose text is longer than this.
SECTION_TEXT_LIMIT = 3000
TOPIC_ID_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
AWS_SOURCE_PREFIXES = ("https://docs.aws.amazon.com/", "https://aws.amazon.com/")

NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
TopicId = Annotated[str, StringConstraints(pattern=TOPIC_ID_PATTERN)]


class KnowledgeError(Exception):
    """One problem in the knowledge base, naming the file, topic and field."""

    def __init__(
        self, message: str, *, file: Path | str, topic: str | None = None, field: str | None = None
    ) -> None:
        self.message = message
        self.file = str(file)
        self.topic = topic
        self.field = field
        super().__init__(str(self))

    def __str__(self) -> str:
        where = [self.file]
        if self.topic:
            where.append(f"topic {self.topic!r}")
        if self.field:
            where.append(f"field {self.field!r}")
        return f"{', '.join(where)}: {self.message}"


class KnowledgeErrors(Exception):
    """Every problem found in a knowledge directory; the first is the headline."""

    def __init__(self, errors: list[KnowledgeError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


class Source(BaseModel):
    """An AWS documentation page that backs a topic's answer."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: NonEmpty
    url: NonEmpty

    @field_validator("url")
    @classmethod
    def _aws_page(cls, url: str) -> str:
        if not url.startswith(AWS_SOURCE_PREFIXES):
            raise ValueError(
                f"must be an AWS page ({' or '.join(AWS_SOURCE_PREFIXES)}), got {url!r}"
            )
        return url


class Topic(BaseModel):
    """One question area the bot can answer, with its side-by-side comparison."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: TopicId
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=150)]
    questions: list[NonEmpty] = Field(min_length=1)
    keywords: list[NonEmpty] = Field(default_factory=list)
    answer: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=SECTION_TEXT_LIMIT)
    ]
    ecs: list[NonEmpty] = Field(default_factory=list)
    ec2: list[NonEmpty] = Field(default_factory=list)
    sources: list[Source] = Field(min_length=1)
    related: list[TopicId] = Field(default_factory=list)
    reviewed: dt.date


class Vocabulary(BaseModel):
    """Matcher data: synonyms to fold, and terms that put a question in or out of scope."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    synonyms: dict[NonEmpty, list[NonEmpty]] = Field(default_factory=dict)
    domain_terms: list[NonEmpty] = Field(default_factory=list)
    related_terms: list[NonEmpty] = Field(default_factory=list)
    out_of_scope_terms: list[NonEmpty] = Field(default_factory=list)
    glue_terms: list[NonEmpty] = Field(default_factory=list)
    contrasts: list[tuple[NonEmpty, NonEmpty]] = Field(default_factory=list)
    stopwords: list[NonEmpty] = Field(default_factory=list)


@dataclass(frozen=True)
class KnowledgeBase:
    """All topics, by id and in file order, plus the matcher vocabulary."""

    topics: dict[str, Topic]
    vocabulary: Vocabulary = field(default_factory=Vocabulary)

    def __iter__(self) -> Iterator[Topic]:
        return iter(self.topics.values())

    def __len__(self) -> int:
        return len(self.topics)

    def get(self, topic_id: str) -> Topic | None:
        """The topic with this id, or None."""
        return self.topics.get(topic_id)


def topic_files(directory: Path) -> list[Path]:
    """The topic files of a knowledge directory, in a stable order."""
    topics_dir = directory / "topics"
    return sorted(topics_dir.glob("*.yaml")) + sorted(topics_dir.glob("*.yml"))


def read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise KnowledgeError(f"not UTF-8 text ({exc.reason})", file=path) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise KnowledgeError(f"{line}YAML syntax error: {problem}", file=path) from None


def _field_name(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc) or "(topic)"


def validation_errors(
    path: Path, topic_id: str | None, exc: ValidationError
) -> list[KnowledgeError]:
    errors = []
    for err in exc.errors():
        message = err["msg"]
        if err["type"] == "extra_forbidden":
            message = "unknown field"
        elif err["type"] == "missing":
            message = "missing field"
        errors.append(
            KnowledgeError(message, file=path, topic=topic_id, field=_field_name(err["loc"]))
        )
    return errors


def _parse_topic(path: Path, data: Any) -> tuple[Topic | None, list[KnowledgeError]]:
    if not isinstance(data, dict):
        return None, [KnowledgeError("expected a mapping of topic fields", file=path)]
    raw_id = data.get("id")
    topic_id = raw_id if isinstance(raw_id, str) else None
    try:
        return Topic.model_validate(data), []
    except ValidationError as exc:
        return None, validation_errors(path, topic_id, exc)


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


def _check_links(topics: dict[str, tuple[Path, Topic]], declared: set[str]) -> list[KnowledgeError]:
    # `declared` includes ids of topics that failed validation, so one bad file
    # does not also make every topic linking to it an error.
    errors = []
    for topic_id, (path, topic) in topics.items():
        for index, related in enumerate(topic.related):
            if related not in declared:
                errors.append(
                    KnowledgeError(
                        f"points to no topic: {related!r}",
                        file=path,
                        topic=topic_id,
                        field=f"related.{index}",
                    )
                )
    return errors


def collect_problems(directory: Path) -> tuple[KnowledgeBase, list[KnowledgeError]]:
    """Load what can be loaded from `directory` and list every problem found."""
    errors: list[KnowledgeError] = []
    files = topic_files(directory)
    if not files:
        errors.append(KnowledgeError("no topic files (*.yaml) found", file=directory / "topics"))
    topics: dict[str, tuple[Path, Topic]] = {}
    declared: set[str] = set()
    for path in files:
        try:
            data = read_yaml(path)
        except KnowledgeError as exc:
            errors.append(exc)
            continue
        topic, problems = _parse_topic(path, data)
        errors.extend(problems)
        if isinstance(data, dict) and isinstance(data.get("id"), str):
            declared.add(data["id"])
        if topic is None:
            continue
        if topic.id in topics:
            first = topics[topic.id][0]
            errors.append(
                KnowledgeError(
                    f"duplicate id, first defined in {first}", file=path, topic=topic.id, field="id"
                )
            )
            continue
        topics[topic.id] = (path, topic)
    errors.extend(_check_links(topics, declared))
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


def default_knowledge_dir() -> Path:
    """The knowledge directory shipped beside the package (the repository's `knowledge/`)."""
    return Path(__file__).resolve().parent.parent / "knowledge"
