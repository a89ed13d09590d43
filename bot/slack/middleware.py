"""The app's own middleware: hand listeners their services, and answer each delivery once.

Slack retries events it thinks went unanswered (X-Slack-Retry-Num), and behind a load
balancer a retry, or the same click, can reach another replica. Each event and each button
click claims a key in the shared deduper; whoever claims it first handles it, every other
copy is acknowledged and dropped.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.response import BoltResponse

from bot import metrics
from bot.ports import EventDeduper
from bot.slack.delivery_scope import open_delivery_scope
from bot.slack.services import Services

logger = logging.getLogger(__name__)

Middleware = Callable[..., Awaitable[BoltResponse | None]]
MAX_KEY_CHARS = 255  # the database fallback's key column


def _bounded(key: str) -> str:
    """`key`, or for an overlong one its start and a hash, to fit every store."""
    if len(key) <= MAX_KEY_CHARS:
        return key
    return f"{key[:180]}:{hashlib.sha256(key.encode()).hexdigest()}"


def dedupe_key(body: dict[str, Any]) -> str | None:
    """The key a delivery claims: its event_id, or for a click its action_ts, user and
    action_id; None for what Slack never repeats (commands, modal submissions)."""
    if body.get("type") == "event_callback":
        event_id = body.get("event_id")
        return _bounded(f"event:{event_id}") if isinstance(event_id, str) and event_id else None
    if body.get("type") == "block_actions":
        actions = body.get("actions")
        action = actions[0] if isinstance(actions, list) and actions else None
        user = body.get("user")
        if not isinstance(action, dict) or not isinstance(user, dict):
            return None
        action_ts, action_id = action.get("action_ts"), action.get("action_id")
        if not action_ts or not action_id:
            return None
        return _bounded(f"action:{action_ts}:{user.get('id')}:{action_id}")
    return None


def inject_services_and_dedupe(services: Services, deduper: EventDeduper) -> Middleware:
    """The middleware: drop repeats of a delivery, give listeners `services`, and open the
    request's delivery scope (its posts go through the outbox, keyed by the request)."""

    async def middleware(
        body: dict[str, Any], context: dict[str, Any], next: Callable[[], Awaitable[None]]
    ) -> BoltResponse | None:
        key = dedupe_key(body)
        if key is not None and not await deduper.first_time(key):
            logger.info("Skipping %s: already handled (a Slack retry or another replica)", key)
            metrics.dedupe_hit(key)
            return BoltResponse(status=200, body="")
        context["services"] = services
        if services.deliverer is not None:
            open_delivery_scope(services.deliverer, key, context.get("team_id"))
        await next()
        return None

    return middleware
