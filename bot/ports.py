"""The ports storage plugs into: recording, deduplicating deliveries, rate limiting, memory,
erasing.

`bot.storage` implements these protocols (by shape: it never imports this module); the Slack
app depends only on them (`bot.slack.services`). The defaults here keep nothing and limit
nothing, for tests and the terminal. Both sides can import this module without a cycle.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import Literal, Protocol

from bot.answering.conversation import DEFAULT_TURN_TTL_SECONDS, Turn
from bot.matching import Match

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


class ConversationMemory(Protocol):
    """Remembers each conversation's last answered turn for a while, shared by replicas."""

    async def recall(self, conversation: str) -> Turn | None:
        """The last turn of `conversation` if it is younger than the time-to-live, else None."""
        ...

    async def remember(self, conversation: str, turn: Turn) -> None:
        """Keep `turn` as the last of `conversation` (replacing the one before)."""
        ...


class MemoryConversations:
    """The default ConversationMemory: recent turns in this process, forgotten after a TTL."""

    def __init__(
        self, ttl_seconds: float = DEFAULT_TURN_TTL_SECONDS, max_size: int = 10_000
    ) -> None:
        self._ttl = ttl_seconds
        self._max_size = max_size
        self._turns: OrderedDict[str, tuple[float, Turn]] = OrderedDict()

    async def recall(self, conversation: str) -> Turn | None:
        """The last turn of `conversation` within the time-to-live, else None."""
        found = self._turns.get(conversation)
        if found is None or found[0] < time.monotonic() - self._ttl:
            return None
        return found[1]

    async def remember(self, conversation: str, turn: Turn) -> None:
        """Keep `turn` as the last of `conversation`, dropping the oldest past `max_size`."""
        self._turns.pop(conversation, None)
        self._turns[conversation] = (time.monotonic(), turn)
        while len(self._turns) > self._max_size:
            self._turns.popitem(last=False)


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


class WorkspaceEraser(Protocol):
    """Forgets a workspace's records some time after it uninstalls the bot."""

    async def schedule(self, workspace: str) -> None:
        """Erase `workspace`'s records once its grace period is over."""
        ...

    async def erase_due(self) -> list[str]:
        """Erase every workspace whose grace period is over; the workspaces erased."""
        ...


class NullEraser:
    """The default WorkspaceEraser: with nothing kept, there is nothing to erase."""

    async def schedule(self, workspace: str) -> None:
        """Nothing to do."""

    async def erase_due(self) -> list[str]:
        """Nothing to do."""
        return []
