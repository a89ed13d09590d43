"""Problems in a knowledge directory: one KnowledgeError each, naming file, topic and field.

Loaders (topics here, recommendation and pricing in bot.recommend) turn pydantic's
ValidationError into these with `validation_errors`, so every problem reads the same way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError


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


def _field_name(loc: tuple[int | str, ...], data: Any = None) -> str:
    """A dotted field path; an entry is named by its id (`entries[fargate-limits].answer`)."""
    parts = [str(part) for part in loc]
    if len(loc) >= 2 and loc[0] == "entries" and isinstance(loc[1], int):
        entries = data.get("entries") if isinstance(data, dict) else None
        entry = entries[loc[1]] if isinstance(entries, list) and loc[1] < len(entries) else None
        entry_id = entry.get("id") if isinstance(entry, dict) else None
        label = f"entries[{entry_id}]" if isinstance(entry_id, str) else f"entries[{loc[1]}]"
        parts = [label, *parts[2:]]
    return ".".join(parts) or "(topic)"


def validation_errors(
    path: Path, topic_id: str | None, exc: ValidationError, data: Any = None
) -> list[KnowledgeError]:
    """One KnowledgeError per problem pydantic found in `path`, naming its field."""
    errors = []
    for err in exc.errors():
        message = err["msg"]
        if err["type"] == "extra_forbidden":
            message = "unknown field"
        elif err["type"] == "missing":
            message = "missing field"
        errors.append(
            KnowledgeError(message, file=path, topic=topic_id, field=_field_name(err["loc"], data))
        )
    return errors
