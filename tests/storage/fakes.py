"""What storage sees of the matcher's verdict, without building a knowledge base."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FakeTopic:
    """A knowledge-base topic as far as storage cares."""

    id: str


@dataclass(frozen=True)
class FakeMatch:
    """A matcher verdict as far as storage cares."""

    topic: FakeTopic | None
    confident: bool
