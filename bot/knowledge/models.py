"""The knowledge base's shape: pydantic models for topics, their sources and the vocabulary."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

# Slack rejects a section block whose text is longer than this.
SECTION_TEXT_LIMIT = 3000
TOPIC_ID_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
AWS_SOURCE_PREFIXES = ("https://docs.aws.amazon.com/", "https://aws.amazon.com/")

NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
TopicId = Annotated[str, StringConstraints(pattern=TOPIC_ID_PATTERN)]


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


# An entry's answer is the first thing a reader sees: one fact, short enough to read at a glance.
ENTRY_ANSWER_LIMIT = 300
LEAD_LIMIT = 300

Phrase = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]


class Entry(BaseModel):
    """A precise question under a topic, answered with one short fact first."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: TopicId
    questions: list[Phrase] = Field(min_length=1)
    keywords: list[NonEmpty] = Field(default_factory=list)
    answer: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=ENTRY_ANSWER_LIMIT)
    ]
    sources: list[Source] = Field(default_factory=list)
    # In a finer topic: the broad topic this entry is filed under, when not the topic's own.
    within: TopicId | None = None


class Topic(BaseModel):
    """One question area the bot can answer, with its side-by-side comparison."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: TopicId
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=150)]
    questions: list[NonEmpty] = Field(min_length=1)
    keywords: list[NonEmpty] = Field(default_factory=list)
    lead: (
        Annotated[
            str, StringConstraints(strip_whitespace=True, min_length=1, max_length=LEAD_LIMIT)
        ]
        | None
    ) = None
    answer: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=SECTION_TEXT_LIMIT)
    ]
    ecs: list[NonEmpty] = Field(default_factory=list)
    ec2: list[NonEmpty] = Field(default_factory=list)
    sources: list[Source] = Field(min_length=1)
    related: list[TopicId] = Field(default_factory=list)
    # A finer topic (beyond the 26 every knowledge base keeps) is filed under a broad one;
    # its entries may each name another (Match.area).
    within: TopicId | None = None
    # The one service a directional topic is about ("what is ECS"): a question about the other
    # service is not this topic's, however alike the words.
    side: Literal["ecs", "ec2"] | None = None
    reviewed: dt.date
    entries: list[Entry] = Field(default_factory=list)

    def lead_for(self, entry: Entry | None = None) -> str:
        """The text shown first (mrkdwn, at most LEAD_LIMIT characters): the entry's answer,
        else the topic's lead, else the first line of its overview."""
        if entry is not None:
            return entry.answer
        if self.lead:
            return self.lead
        first = self.answer.strip().splitlines()[0]
        return first if len(first) <= LEAD_LIMIT else first[: LEAD_LIMIT - 1].rstrip() + "…"

    def entry_sources(self, entry: Entry) -> list[Source]:
        """The pages backing `entry`: its own, else the topic's."""
        return list(entry.sources) or list(self.sources)


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

    def entry(self, entry_id: str) -> tuple[Topic, Entry] | None:
        """The entry with this id and the topic it belongs to, or None."""
        for topic in self.topics.values():
            for entry in topic.entries:
                if entry.id == entry_id:
                    return topic, entry
        return None

    def entries(self) -> Iterator[tuple[Topic, Entry]]:
        """Every entry with its topic, in file order."""
        for topic in self.topics.values():
            for entry in topic.entries:
                yield topic, entry
