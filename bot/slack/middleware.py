"""The app's own middleware: hand listeners their services, and answer each delivery once.

Slack retries events it thinks went unanswered (X-Slack-Retry-Num), and behind a load
balancer a retry, or the same click, can reach another replica. Each event and each button
click claims its keys in the shared deduper; whoever claims them first handles it, every
other copy is acknowledged and dropped. A message a person sent is one question however it
arrives: under a new event_id during a Slack incident, or again as an edited mention; so
besides its event_id it claims its identity (`bot.slack.incoming.message_keys`).

Now and then (at most every ERASURE_CHECK_SECONDS) a request also starts, in the
background, the erasure of workspaces whose grace period after uninstalling is over.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any

from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from bot import metrics
from bot.ports import ClaimsInOrder, EventDeduper
from bot.slack.delivery_scope import open_delivery_scope
from bot.slack.incoming import message_keys
from bot.slack.services import Services

logger = logging.getLogger(__name__)

Middleware = Callable[..., Awaitable[BoltResponse | None]]
MAX_KEY_CHARS = 255  # the database fallback's key column
ERASURE_CHECK_SECONDS = 900.0
# An event's claim, made while Bolt acks it: its listeners wait for it before doing anything.
_event_claim: ContextVar[asyncio.Future[bool] | None] = ContextVar("ecsbot_event_claim")


def _bounded(key: str) -> str:
    """`key`, or for an overlong one its start and a hash, to fit every store."""
    if len(key) <= MAX_KEY_CHARS:
        return key
    return f"{key[:180]}:{hashlib.sha256(key.encode()).hexdigest()}"


def _event_keys(body: dict[str, Any]) -> list[str]:
    event_id = body.get("event_id")
    if not isinstance(event_id, str) or not event_id:
        return []
    event = body.get("event")
    team = body.get("team_id") or (event.get("team") if isinstance(event, dict) else None)
    found = message_keys(team, event) if isinstance(event, dict) else []
    return [f"event:{event_id}", *found]


def _click_key(body: dict[str, Any]) -> str | None:
    actions = body.get("actions")
    action = actions[0] if isinstance(actions, list) and actions else None
    user = body.get("user")
    if not isinstance(action, dict) or not isinstance(user, dict):
        return None
    action_ts, action_id = action.get("action_ts"), action.get("action_id")
    if not action_ts or not action_id:
        return None
    return f"action:{action_ts}:{user.get('id')}:{action_id}"


def dedupe_keys(body: dict[str, Any]) -> list[str]:
    """The keys a delivery claims: an event's event_id and, for a message a person sent, its
    identity; a click's action_ts, user and action_id; none for what Slack never repeats
    (commands, modal submissions)."""
    if body.get("type") == "event_callback":
        return [_bounded(key) for key in _event_keys(body)]
    if body.get("type") == "block_actions":
        key = _click_key(body)
        return [_bounded(key)] if key is not None else []
    return []


def dedupe_key(body: dict[str, Any]) -> str | None:
    """The first key `body` claims (its event_id or click), or None."""
    keys = dedupe_keys(body)
    return keys[0] if keys else None


def delivery_key(body: dict[str, Any]) -> str | None:
    """The key the request's posts are numbered under in the outbox: its first dedupe key, a
    click's hashed (it holds the user's id, and the outbox logs and stores post keys)."""
    key = dedupe_key(body)
    if key is not None and key.startswith("action:"):
        return f"action:{hashlib.sha256(key.encode()).hexdigest()[:40]}"
    return key


class _ErasureClock:
    """Starts `services.erase_due_workspaces` in the background at most every so often."""

    def __init__(self, services: Services, every: float) -> None:
        self._services = services
        self._every = every
        self._next = 0.0
        self._running: set[asyncio.Task[None]] = set()

    def tick(self) -> None:
        now = time.monotonic()
        if now < self._next:
            return
        self._next = now + self._every
        task = asyncio.create_task(self._services.erase_due_workspaces())
        self._running.add(task)  # keep a reference until it is done
        task.add_done_callback(self._running.discard)


async def _first_repeat(deduper: EventDeduper, keys: list[str]) -> str | None:
    """Claim the keys one after another, stopping at the first that was claimed before
    (returned; None when all are new). Two replicas handed one event (Slack's retry) race for
    its first key and only the winner goes on: claimed all at once, each replica could win
    one key and lose the other, and both dropped the event. A deduper that claims in order
    itself (the database's: one transaction) is handed them all."""
    if isinstance(deduper, ClaimsInOrder):
        return await deduper.first_repeat(keys)
    for key in keys:
        if not await deduper.first_time(key):
            return key
    return None


async def _claimed(deduper: EventDeduper, keys: list[str]) -> bool:
    """Claim `keys`: True when every one is new; a repeat is logged and counted."""
    repeated = await _first_repeat(deduper, keys)
    if repeated is None:
        return True
    # A click's key holds the user's id: it stays out of the log.
    what = "a repeated click" if repeated.startswith("action:") else repeated
    logger.info("Skipping %s: already handled (a retry, an edit or a replica)", what)
    metrics.dedupe_hit(repeated)
    return False


async def first_delivery() -> bool:
    """False when the event being handled is a repeat (its claim, made during the ack, was
    not the first); True for the first delivery and for requests claimed before their ack."""
    claim = _event_claim.get(None)
    return True if claim is None else await claim


class Direct(AsyncMiddleware):
    """A middleware function of `body`, `context` and `next`, run without Bolt's argument
    injection: Bolt wraps a plain function in AsyncCustomMiddleware, which inspects and builds
    every argument it could take (a logger, a Web API client...) for each request."""

    def __init__(self, func: Middleware) -> None:
        self.func = func

    async def async_process(
        self,
        *,
        req: AsyncBoltRequest,
        resp: BoltResponse,
        next: Callable[[], Awaitable[BoltResponse]],
    ) -> BoltResponse | None:
        """Call the function with the request's body and context."""
        return await self.func(body=req.body, context=req.context, next=next)

    @property
    def name(self) -> str:
        """The function's name (Bolt's debug lines name each middleware)."""
        return f"Direct({getattr(self.func, '__qualname__', self.func)})"


def inject_services_and_dedupe(
    services: Services, deduper: EventDeduper, *, erasure_every: float = ERASURE_CHECK_SECONDS
) -> Middleware:
    """The middleware: drop repeats of a delivery, give listeners `services`, and open the
    request's delivery scope (its posts go through the outbox, keyed by the request)."""
    erasures = _ErasureClock(services, erasure_every)

    async def middleware(
        body: dict[str, Any], context: dict[str, Any], next: Callable[[], Awaitable[None]]
    ) -> BoltResponse | None:
        erasures.tick()
        keys = dedupe_keys(body)
        _event_claim.set(None)  # aiohttp serves a keep-alive connection's requests in one task
        if keys and body.get("type") == "event_callback":
            # Bolt acks an event before its listener runs, so the ack need not wait for the
            # claim: the listener does (`first_delivery`), and nothing is answered before it.
            _event_claim.set(asyncio.ensure_future(_claimed(deduper, keys)))
        elif not await _claimed(deduper, keys):
            return BoltResponse(status=200, body="")
        context["services"] = services
        if services.deliverer is not None:
            open_delivery_scope(services.deliverer, delivery_key(body), context.get("team_id"))
        await next()
        return None

    return middleware
