"""Durable chat.postMessage: every post goes through an outbox until Slack has it.

A listener's post is sent at once; unless Slack confirms it within `keep_after` seconds, it
is kept (in the database outbox, or in this process while the database is down), leased to
this replica and in doubt, so whoever attempts it next looks for it in Slack first. While
this process knows of posts waiting, a new post is kept first and sent after, as before, so
it does not overtake them. A post that fails is retried with exponential backoff by a worker
on every replica, oldest first in each conversation, for `give_up_after` seconds; then it is
given up and the asker gets one apology (through the outbox too, keyed so there is only ever
one).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import random
import socket
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from weakref import WeakKeyDictionary

from aiohttp import ClientSession
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot import metrics
from bot.ports import OutboxStore, Post, Queued
from bot.settings import Settings
from bot.slack.delivery_attempt import Blocks, Outcome, attempt
from bot.slack.outbox_memory import MemoryOutbox, MemoryQueued

logger = logging.getLogger(__name__)

TokenFor = Callable[[str], Awaitable[str | None]]
MAX_OPEN_POSTS = 10_000  # past this (an outage), posts are kept first anyway: backlog is set
# The conversation is gone or closed to the bot: an apology would not get through either.
NO_APOLOGY_ERRORS = frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "invalid_auth",
        "account_inactive",
        "token_revoked",
        "no_token",
    }
)


@dataclass(frozen=True)
class DeliveryPolicy:
    """How long and how often to retry; seconds. OUTBOX_* settings."""

    give_up_after: float = 900.0
    retry_base: float = 2.0
    retry_max: float = 60.0
    poll_every: float = 1.0
    lease: float = 60.0  # longer than one attempt (a look-up and a post, each timed out)
    # A first attempt Slack has not confirmed within this is kept in the outbox meanwhile.
    keep_after: float = 0.5

    @classmethod
    def from_settings(cls, settings: Settings) -> DeliveryPolicy:
        """The policy set by OUTBOX_GIVE_UP_SECONDS, OUTBOX_RETRY_BASE_SECONDS and friends."""
        return cls(
            give_up_after=settings.outbox_give_up_seconds,
            retry_base=settings.outbox_retry_base_seconds,
            retry_max=settings.outbox_retry_max_seconds,
            poll_every=settings.outbox_poll_seconds,
            lease=3 * settings.slack_api_timeout + 2,
        )

    def delay(self, attempts: int) -> float:
        """Seconds before the next attempt after `attempts` failed ones: doubling, capped,
        jittered by ±20% so replicas do not retry in step."""
        base = min(self.retry_base * 2.0 ** max(0, attempts - 1), self.retry_max)
        return float(base * random.uniform(0.8, 1.2))


@dataclass
class DeliveryCounters:
    """This process's delivery numbers since it started (for /metrics)."""

    delivered: int = 0
    retried: int = 0
    delivered_late: int = 0
    given_up: int = 0


class Deliverer:
    """Posts through the outbox; `start()` runs the worker that retries what failed."""

    def __init__(
        self,
        client: AsyncWebClient,
        store: OutboxStore | None = None,
        *,
        token_for: TokenFor,
        policy: DeliveryPolicy | None = None,
        apology_text: str,
    ) -> None:
        self._client, self._store, self._token_for = client, store, token_for
        self._memory = MemoryOutbox()
        self.policy = policy or DeliveryPolicy()
        self._apology_text = apology_text
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.counters = DeliveryCounters()
        self._store_down = False
        self._task: asyncio.Task[None] | None = None
        self._wake: asyncio.Event | None = None
        self._stopping = False
        # Posts may be waiting for the worker: a delivery then wakes it for the next one.
        self._backlog = False
        # Posts this process kept and has not settled, and their conversations: a new post
        # in one of those conversations is kept first, so it cannot overtake them.
        self._open: dict[str, tuple[str, str]] = {}
        self._open_conversations: Counter[tuple[str, str]] = Counter()

    def share_session(self, session: ClientSession) -> None:
        """Post through `session`, the server's one Web API session (kept-alive connections)."""
        self._client.session = session

    async def post(self, post: Post, *, token: str | None, blocks: Blocks | None = None) -> None:
        """Send `post` now, or leave it queued for the worker when sending failed or an earlier
        post in its conversation is waiting. Raises SlackApiError if Slack refuses it for good.
        `blocks`: the post's blocks as dicts, sent as they are; `post.blocks` (their JSON) may
        then be None, and is written from them only if the post is kept."""
        if self._store is None or self._backlog or _conversation(post) in self._open_conversations:
            await self._keep_then_send(post, token, blocks)
        else:
            await self._send_then_keep(post, token, blocks)

    async def _keep_then_send(self, post: Post, token: str | None, blocks: Blocks | None) -> None:
        """Keep the post first, then send it unless an earlier one in its conversation waits."""
        post = _with_json(post, blocks)
        store, post_id = await self._add(post, owner=self.owner)
        if post_id is None:
            self._backlog = True
            self._wake_up()
            return
        queued = _fresh(post_id, post, self.policy.give_up_after)
        outcome = await attempt(self._client, queued, token, blocks=blocks)
        await self._settle(store, queued, outcome, apologise=False)
        if outcome.exc is not None:
            raise outcome.exc

    async def _send_then_keep(self, post: Post, token: str | None, blocks: Blocks | None) -> None:
        """Send at once, and keep the post in the outbox (leased, in doubt, as an attempted
        one) only when Slack has not confirmed it within `keep_after` seconds or refused it:
        a post Slack takes at once costs no database write."""
        queued = _fresh(0, post, self.policy.give_up_after)
        keeping: list[asyncio.Task[tuple[OutboxStore, int | None]]] = []

        def keep() -> None:  # Slack is slow: keep the post while the attempt goes on
            kept = self._add(_with_json(post, blocks), owner=self.owner, attempted=True)
            keeping.append(asyncio.ensure_future(kept))

        timer = asyncio.get_running_loop().call_later(self.policy.keep_after, keep)
        try:
            outcome = await attempt(self._client, queued, token, blocks=blocks)
        finally:
            timer.cancel()
        if not keeping and outcome.status == "delivered":
            self._count_delivered(queued)
            return
        if keeping:
            store, post_id = await keeping[0]
        else:
            kept = _with_json(post, blocks)
            store, post_id = await self._add(kept, owner=self.owner, attempted=True)
        if post_id is not None:  # None: the key was kept already, a repeat of this post
            await self._settle(store, replace(queued, id=post_id), outcome, apologise=False)
        if outcome.exc is not None:
            raise outcome.exc

    def start(self) -> None:
        """Run the worker on the current event loop (once)."""
        if self._task is None:
            self._wake = asyncio.Event()
            self._stopping = False
            self._task = asyncio.create_task(self._run(), name="outbox-worker")

    async def stop(self) -> None:
        """Stop the worker; what it has not sent stays in the database outbox, and what Slack
        has is marked there."""
        task, self._task = self._task, None
        if task is not None:
            # The flag ends the loop even if a cancellation is lost in a wake-up race.
            self._stopping = True
            self._wake_up()
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._store is not None:
            try:
                await self._store.flush()
            except Exception as exc:
                # Unmarked posts stay leased; whoever takes one later finds it in Slack first.
                self._note_store(exc)

    async def work_once(self) -> int:
        """Attempt every post that is due, in both outboxes; how many were attempted."""
        batch: list[tuple[OutboxStore, Queued]] = []
        for store in self._stores():
            try:
                due = await store.due(owner=self.owner, lease_seconds=self.policy.lease)
            except Exception as exc:
                self._note_store(exc)
                continue
            batch += [(store, queued) for queued in due]
        self._backlog = bool(batch)
        await asyncio.gather(*(self._deliver_queued(store, queued) for store, queued in batch))
        return len(batch)

    async def _run(self) -> None:
        assert self._wake is not None
        while not self._stopping:
            try:
                await self.work_once()
            except Exception:
                logger.exception("Failed to run the outbox worker; trying again")
            # asyncio.timeout, not wait_for: on Python 3.11 wait_for can swallow a
            # cancellation that races with the wake-up, and stop() would wait forever.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.policy.poll_every):
                    await self._wake.wait()
            self._wake.clear()

    def _wake_up(self) -> None:
        if self._wake is not None:
            self._wake.set()

    def _stores(self) -> list[OutboxStore]:
        return [self._memory] if self._store is None else [self._store, self._memory]

    async def _add(
        self, post: Post, *, owner: str | None, patience: float = 1.0, attempted: bool = False
    ) -> tuple[OutboxStore, int | None]:
        """Keep `post` in the database outbox, or in memory while the database is down; it is
        given up after `patience` times the policy's `give_up_after`. An `attempted` post
        stays leased to `owner` whatever waits before it."""
        give_up = self.policy.give_up_after * patience
        if self._store is not None:
            try:
                post_id = await self._store.add(
                    post,
                    owner=owner,
                    lease_seconds=self.policy.lease,
                    give_up_seconds=give_up,
                    attempted=attempted,
                )
            except Exception as exc:
                self._note_store(exc)
            else:
                self._note_store(None)
                self._opened(post)
                return self._store, post_id
        post_id = await self._memory.add(
            post,
            owner=owner,
            lease_seconds=self.policy.lease,
            give_up_seconds=give_up,
            attempted=attempted,
        )
        self._opened(post)
        return self._memory, post_id

    def _opened(self, post: Post) -> None:
        if post.key not in self._open and len(self._open) < MAX_OPEN_POSTS:
            self._open[post.key] = _conversation(post)
            self._open_conversations[_conversation(post)] += 1

    def _settled(self, queued: Queued) -> None:
        conversation = self._open.pop(queued.key, None)
        if conversation is not None:
            self._open_conversations[conversation] -= 1
            if self._open_conversations[conversation] <= 0:
                del self._open_conversations[conversation]

    def _note_store(self, exc: BaseException | None) -> None:
        """One WARNING when the outbox database goes away, one when it is back."""
        if exc is not None and not self._store_down:
            logger.warning(
                "The outbox database is unreachable (%s): posts wait in this process until "
                "Slack takes them",
                type(exc).__name__,
            )
        elif exc is None and self._store_down:
            logger.warning("The outbox database is reachable again")
        self._store_down = exc is not None

    async def _deliver_queued(self, store: OutboxStore, queued: Queued) -> None:
        try:
            token = await self._token_for(queued.team_id)
        except Exception as exc:
            outcome = Outcome("retry", type(exc).__name__, in_doubt=queued.in_doubt)
        else:
            if token is None:
                outcome = Outcome("rejected", "no_token")
            else:
                outcome = await attempt(self._client, queued, token)
        await self._settle(store, queued, outcome, apologise=True)

    async def _settle(
        self, store: OutboxStore, queued: Queued, outcome: Outcome, *, apologise: bool
    ) -> None:
        """Record what came of an attempt; a store failure leaves the post leased and in
        doubt, so another attempt looks for it before posting again."""
        try:
            await self._record(store, queued, outcome, apologise=apologise)
        except Exception as exc:
            if store is self._memory:
                raise
            self._note_store(exc)

    async def _record(
        self, store: OutboxStore, queued: Queued, outcome: Outcome, *, apologise: bool
    ) -> None:
        if outcome.status == "delivered":
            await store.delivered(queued.id)
            self._settled(queued)
            self._count_delivered(queued)
            if self._backlog:
                self._wake_up()  # the next post in its conversation may go now
            return
        after = outcome.retry_after
        after = self.policy.delay(queued.attempts) if after is None else after
        deadline = queued.give_up_at - timedelta(seconds=after)
        if outcome.status == "retry" and datetime.now(UTC) < deadline:
            await store.retry(
                queued.id, after=after, error=outcome.error, in_doubt=outcome.in_doubt
            )
            self._backlog = True
            self.counters.retried += 1
            metrics.outbox_post("retried")
            if outcome.reason:
                metrics.slack_api_retried("chat.postMessage", outcome.reason)
            logger.info(
                "Could not post %s (%s); attempt %d in %.1fs",
                queued.key, outcome.error, queued.attempts + 1, after,
            )  # fmt: skip
            return
        if outcome.reason:
            metrics.slack_api_failed("chat.postMessage", outcome.reason)
        await self._give_up(store, queued, outcome.error, apologise=apologise)

    def _count_delivered(self, queued: Queued) -> None:
        self.counters.delivered += 1
        metrics.outbox_post("delivered")
        if queued.attempts > 1:
            self.counters.delivered_late += 1
            metrics.outbox_post("delivered_late")
            logger.info("Delivered post %s at attempt %d", queued.key, queued.attempts)

    async def _give_up(
        self, store: OutboxStore, queued: Queued, error: str, *, apologise: bool
    ) -> None:
        await store.given_up(queued.id, error)
        self._settled(queued)
        self.counters.given_up += 1
        metrics.outbox_post("given_up")
        # A first attempt's refusal is raised to the listener, whose WARNING line reports it.
        level = logging.WARNING if apologise else logging.INFO
        logger.log(
            level, "Gave up post %s after %d attempt(s): %s", queued.key, queued.attempts, error
        )
        if apologise and queued.kind == "answer" and error not in NO_APOLOGY_ERRORS:
            # Slack has been failing for a while: give the apology twice as long.
            await self._add(self._apology_for(queued), owner=None, patience=2.0)
            self._wake_up()

    def _apology_for(self, queued: Queued) -> Post:
        return Post(
            key=apology_key(queued.key),
            kind="apology",
            team_id=queued.team_id,
            channel=queued.channel,
            thread_ts=queued.thread_ts,
            text=self._apology_text,
            blocks=None,
        )


def _with_json(post: Post, blocks: Blocks | None) -> Post:
    """`post` as the outbox keeps it: with its blocks' JSON, written from `blocks` if it has
    none yet (a post Slack takes at once is never serialised)."""
    if post.blocks is not None or not blocks:
        return post
    return replace(post, blocks=json.dumps(list(blocks)))


def _conversation(post: Post | Queued) -> tuple[str, str]:
    return (post.channel, post.thread_ts)


def apology_key(post_key: str) -> str:
    """The one apology a request may get: its key with "#apology" for the post number."""
    return f"{post_key.rpartition('#')[0] or post_key}#apology"


def _fresh(post_id: int, post: Post, give_up_after: float) -> MemoryQueued:
    """The post as just added, for its first attempt."""
    now = datetime.now(UTC)
    return MemoryQueued(
        id=post_id,
        key=post.key,
        kind=post.kind,
        team_id=post.team_id,
        channel=post.channel,
        thread_ts=post.thread_ts,
        text=post.text,
        blocks=post.blocks,
        attempts=1,
        in_doubt=False,
        created_at=now,
        give_up_at=now + timedelta(seconds=give_up_after),
        next_attempt_at=now,
        leased=True,
    )


_DELIVERERS: WeakKeyDictionary[AsyncApp, Deliverer] = WeakKeyDictionary()


def attach_deliverer(app: AsyncApp, deliverer: Deliverer) -> None:
    """Remember `app`'s deliverer, so the server starts and stops its worker with the app."""
    _DELIVERERS[app] = deliverer


def deliverer_of(app: AsyncApp) -> Deliverer | None:
    """The deliverer `create_app` attached to `app`, if any."""
    return _DELIVERERS.get(app)
