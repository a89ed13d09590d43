"""The ports storage plugs into: recording, deduplicating deliveries, rate limiting, memory,
the outbox, erasing.

`bot.storage` implements these protocols (by shape: it never imports this module); the Slack
app depends only on them (`bot.slack.services`). The defaults here keep nothing and limit
nothing, for tests and the terminal. Both sides can import this module without a cycle.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol, runtime_checkable

from bot.answering.conversation import DEFAULT_TURN_TTL_SECONDS, Turn
from bot.matching import Match

EntryPoint = Literal["slash", "mention", "dm", "button", "home"]
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

    async def flush(self) -> bool:
        """Write whatever is still queued; False if some of it could not be written."""
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

    async def flush(self) -> bool:
        """Nothing is queued."""
        return True


class EventDeduper(Protocol):
    """Claims keys: Slack retries events, and Bolt does not deduplicate them."""

    async def first_time(self, key: str) -> bool:
        """True exactly once per key (within a time-to-live)."""
        ...


@runtime_checkable
class ClaimsInOrder(Protocol):
    """An EventDeduper that claims several keys in order itself, in one round trip."""

    async def first_repeat(self, keys: Sequence[str]) -> str | None:
        """Claim `keys` one after another, stopping at the first claimed before: that key, or
        None when every key was new (and is now claimed)."""
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


@dataclass(frozen=True)
class Post:
    """One chat.postMessage to deliver. `key` is unique per post and rides in the message's
    metadata; `thread_ts` is "" for none; `blocks` is JSON or None."""

    key: str
    kind: Literal["answer", "apology"]
    team_id: str
    channel: str
    thread_ts: str
    text: str
    blocks: str | None


class Queued(Protocol):
    """A post the outbox holds; `in_doubt` when Slack may already have it; `attempts` counts
    this one."""

    @property
    def id(self) -> int: ...
    @property
    def key(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def team_id(self) -> str: ...
    @property
    def channel(self) -> str: ...
    @property
    def thread_ts(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def blocks(self) -> str | None: ...
    @property
    def attempts(self) -> int: ...
    @property
    def in_doubt(self) -> bool: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def give_up_at(self) -> datetime: ...


class OutboxStore(Protocol):
    """Where posts wait until Slack has them; every method may raise the store's errors."""

    async def add(
        self,
        post: Post,
        *,
        owner: str | None,
        lease_seconds: float,
        give_up_seconds: float,
        attempted: bool = False,
    ) -> int | None:
        """Keep `post`; its id when `owner` may send it now (or, `attempted`, has sent it
        once already), else None (workers send it)."""
        ...

    async def due(self, *, owner: str, lease_seconds: float, limit: int = 20) -> Sequence[Queued]:
        """Claim the posts whose attempt is due, the oldest of each conversation first."""
        ...

    async def delivered(self, post_id: int) -> None:
        """Slack has the post."""
        ...

    async def given_up(self, post_id: int, error: str) -> None:
        """Stop trying to send the post."""
        ...

    async def retry(self, post_id: int, *, after: float, error: str, in_doubt: bool) -> None:
        """Try again in `after` seconds."""
        ...

    async def flush(self) -> None:
        """Write whatever the store still holds back (delivered marks written in batches)."""
        ...


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
