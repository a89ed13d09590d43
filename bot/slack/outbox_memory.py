"""The outbox in this process: the default without a database, and where posts wait while
the database is down. Same rules as the database's: one post at a time per conversation."""

from __future__ import annotations

import itertools
from collections import OrderedDict
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from bot.ports import Post

RECENT_KEYS = 10_000  # keys remembered after delivery, so a repeated post is still dropped


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class MemoryQueued:
    """A post held in memory (fits `bot.ports.Queued`)."""

    id: int
    key: str
    kind: str
    team_id: str
    channel: str
    thread_ts: str
    text: str
    blocks: str | None
    attempts: int
    in_doubt: bool
    created_at: datetime
    give_up_at: datetime
    next_attempt_at: datetime
    leased: bool


class MemoryOutbox:
    """Posts waiting in this process (lost with it: the database outbox survives restarts)."""

    def __init__(self) -> None:
        self._posts: dict[int, MemoryQueued] = {}
        self._keys: OrderedDict[str, None] = OrderedDict()
        self._ids = itertools.count(1)

    async def add(
        self,
        post: Post,
        *,
        owner: str | None,
        lease_seconds: float,
        give_up_seconds: float,
        attempted: bool = False,
    ) -> int | None:
        """Keep `post`; its id when `owner` may send it now (nothing earlier waits, or it was
        `attempted` already)."""
        if post.key in self._keys:
            return None
        now = _now()
        waits = not attempted and any(_same_conversation(q, post) for q in self._posts.values())
        send_now = owner is not None and not waits
        queued = MemoryQueued(
            id=next(self._ids),
            **{f: getattr(post, f) for f in ("key", "kind", "team_id", "channel", "thread_ts")},
            text=post.text,
            blocks=post.blocks,
            attempts=1 if send_now else 0,
            in_doubt=send_now,
            created_at=now,
            give_up_at=now + timedelta(seconds=give_up_seconds),
            next_attempt_at=now,
            leased=send_now,
        )
        self._posts[queued.id] = queued
        self._keys[post.key] = None
        while len(self._keys) > RECENT_KEYS:
            self._keys.popitem(last=False)
        return queued.id if send_now else None

    async def due(self, *, owner: str, lease_seconds: float, limit: int = 20) -> list[MemoryQueued]:
        """Claim due posts: the oldest waiting one of each conversation."""
        now, seen = _now(), set()
        claimed: list[MemoryQueued] = []
        for queued in sorted(self._posts.values(), key=lambda q: q.id):
            conversation = (queued.channel, queued.thread_ts)
            if conversation in seen:
                continue
            seen.add(conversation)
            if not queued.leased and queued.next_attempt_at <= now and len(claimed) < limit:
                taken = replace(queued, attempts=queued.attempts + 1, in_doubt=True, leased=True)
                self._posts[queued.id] = taken
                claimed.append(replace(taken, in_doubt=queued.in_doubt))
        return claimed

    async def delivered(self, post_id: int) -> None:
        """Slack has it: forget it."""
        self._posts.pop(post_id, None)

    async def given_up(self, post_id: int, error: str) -> None:
        """Stop trying: forget it."""
        self._posts.pop(post_id, None)

    async def retry(self, post_id: int, *, after: float, error: str, in_doubt: bool) -> None:
        """Try again in `after` seconds."""
        queued = self._posts.get(post_id)
        if queued is not None:
            at = _now() + timedelta(seconds=after)
            self._posts[post_id] = replace(
                queued, next_attempt_at=at, in_doubt=in_doubt, leased=False
            )

    async def flush(self) -> None:
        """Nothing is held back."""

    def __len__(self) -> int:
        return len(self._posts)


def _same_conversation(queued: MemoryQueued, post: Post) -> bool:
    return (queued.channel, queued.thread_ts) == (post.channel, post.thread_ts)
