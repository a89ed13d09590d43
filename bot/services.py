"""What listeners need besides Slack: the answerer, and the ports storage plugs into.

The protocols here are what `bot.storage` implements (recorder, deduper, rate limiter); the
defaults keep nothing and limit nothing, for tests and the terminal.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Literal, Protocol

from bot.answering import Answerer, Recommender
from bot.matching import Match

logger = logging.getLogger(__name__)

UNKNOWN = "unknown"

EntryPoint = Literal["slash", "mention", "dm", "button", "home", "cli"]
Vote = Literal["helpful", "not_helpful"]


class Recorder(Protocol):
    """Where questions, answers served and feedback votes go."""

    async def record_question(
        self, workspace: str, text: str, match: Match, entry_point: EntryPoint = "slash"
    ) -> bool:
        """Note a question asked in `workspace` and what it matched; False if not saved."""
        ...

    async def record_served(self, workspace: str, topic_id: str, entry_point: EntryPoint) -> bool:
        """Note an answer on `topic_id` shown without a typed question (a button, App Home)."""
        ...

    async def record_feedback(
        self, workspace: str, user_id: str, topic_id: str, answer_ref: str, vote: Vote
    ) -> bool:
        """Note a vote on the answer `answer_ref` about `topic_id`; False if not saved."""
        ...


class NullRecorder:
    """The default Recorder: keeps nothing."""

    async def record_question(
        self, workspace: str, text: str, match: Match, entry_point: EntryPoint = "slash"
    ) -> bool:
        """Keep nothing."""
        return True

    async def record_served(self, workspace: str, topic_id: str, entry_point: EntryPoint) -> bool:
        """Keep nothing."""
        return True

    async def record_feedback(
        self, workspace: str, user_id: str, topic_id: str, answer_ref: str, vote: Vote
    ) -> bool:
        """Keep nothing."""
        return True


class EventDeduper(Protocol):
    """Claims keys: Slack retries events, and Bolt does not deduplicate them."""

    async def first_time(self, key: str) -> bool:
        """True exactly once per key (within a time-to-live)."""
        ...


class MemoryEventDeduper:
    """The default EventDeduper: recent keys in this process, forgotten after `ttl_seconds`."""

    def __init__(self, ttl_seconds: float = 3600.0, max_size: int = 10_000) -> None:
        self._ttl = ttl_seconds
        self._max_size = max_size
        self._seen: OrderedDict[str, float] = OrderedDict()

    async def first_time(self, key: str) -> bool:
        """True the first time `key` is seen within the time-to-live."""
        now = time.monotonic()
        while self._seen and (
            len(self._seen) >= self._max_size or next(iter(self._seen.values())) < now - self._ttl
        ):
            self._seen.popitem(last=False)
        if key in self._seen:
            return False
        self._seen[key] = now
        return True


class RateLimiter(Protocol):
    """Counts questions per key, shared by every replica when storage provides it."""

    async def allow(self, key: str) -> bool:
        """Count one request for `key`; False once its limit for the window is passed."""
        ...


class NoRateLimit:
    """The default RateLimiter: allows everything."""

    async def allow(self, key: str) -> bool:
        """Allow."""
        return True


@dataclass(frozen=True)
class Services:
    """What listeners need besides Slack, handed to them as the `services` argument.

    Every method here logs its own failures and never raises: answering goes on.
    """

    answerer: Answerer
    recorder: Recorder = field(default_factory=NullRecorder)
    limiter: RateLimiter = field(default_factory=NoRateLimit)
    # The "Help me choose" dialog: its config and key, and the deduper for repeated clicks.
    deduper: EventDeduper = field(default_factory=MemoryEventDeduper)
    recommender: Recommender | None = None

    async def question_allowed(self, workspace: str | None, user_id: str | None) -> bool:
        """True while the user is within the per-minute question limit (True if unsure)."""
        try:
            return await self.limiter.allow(f"{workspace or UNKNOWN}:{user_id or UNKNOWN}")
        except Exception:
            logger.exception("Failed to check the rate limit; allowing the question")
            return True

    async def question_asked(
        self, workspace: str | None, text: str, match: Match, entry_point: EntryPoint
    ) -> None:
        """Record a typed question and what it matched."""
        try:
            await self.recorder.record_question(workspace or UNKNOWN, text, match, entry_point)
        except Exception:
            logger.exception("Failed to record a question")

    async def answer_served(
        self, workspace: str | None, topic_id: str, entry_point: EntryPoint
    ) -> None:
        """Record an answer shown from a button (in a message or on App Home)."""
        try:
            await self.recorder.record_served(workspace or UNKNOWN, topic_id, entry_point)
        except Exception:
            logger.exception("Failed to record a served answer")

    async def feedback_given(
        self, workspace: str | None, user_id: str, topic_id: str, answer_ref: str, vote: Vote
    ) -> bool:
        """Record a feedback vote; False when it was not saved (the user is told)."""
        try:
            return await self.recorder.record_feedback(
                workspace or UNKNOWN, user_id, topic_id, answer_ref, vote
            )
        except Exception:
            logger.exception("Failed to record feedback")
            return False
