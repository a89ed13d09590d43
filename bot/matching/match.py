"""What matching answers: a Match (a topic or none, how sure) and its runner-up Suggestions.

Kept apart from the matcher so what reads a verdict (blocks, the answerer, the recorder) does
not depend on how it is reached.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.knowledge import Entry, Topic


@dataclass(frozen=True)
class Suggestion:
    """A topic the question might be about, with its score."""

    topic: Topic
    score: float


@dataclass(frozen=True)
class Match:
    """The matcher's verdict on one question: a topic (or none), how sure, and alternatives."""

    question: str
    topic: Topic | None
    score: float
    confident: bool
    suggestions: tuple[Suggestion, ...] = ()
    entry: Entry | None = None
    # True when the question was read in the context of the conversation's previous turn.
    followed_up: bool = False
    # The question a follow-up was read as on its own ("how is ec2 billed" for "and on ec2?"
    # after "how is fargate billed?"), when it was re-asked rather than read with its context.
    read_as: str | None = None

    @property
    def area(self) -> str | None:
        """The id of the broad topic this match is filed under: the topic's own, or for a
        finer topic (Topic.within) the one its entry or the topic itself names."""
        if self.topic is None:
            return None
        return (self.entry and self.entry.within) or self.topic.within or self.topic.id

    @property
    def in_scope(self) -> bool:
        """True when the question was matched to a topic."""
        return self.topic is not None
