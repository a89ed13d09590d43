"""What operators see of each request: its ids in every log line, its count in /metrics.

The aiohttp middleware binds a request id (the load balancer's X-Amzn-Trace-Id, or a fresh
one) as soon as a request arrives; the Bolt middleware, once the body is parsed, binds the
Slack event id and counts the delivery by entry point. Bolt starts listeners from the same
context, so their log lines carry both ids too.
"""

from __future__ import annotations

import itertools
import re
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from slack_bolt.response import BoltResponse

from bot import metrics
from bot.logs import bind_log_context

TRACE_HEADER = "X-Amzn-Trace-Id"
# What a trace id may look like ("Root=1-5759e988-bd862e3fe1be46a994272793;Self=…"); anything
# else a client sends is replaced, so log fields stay short and plain.
_TRACE_ID = re.compile(r"^[A-Za-z0-9=;.\-]{1,200}$")
MAX_ID_CHARS = 100

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


# A new id is this process's random prefix and a serial: unique across replicas without
# reading the system's random source (a system call) for every request.
_PROCESS = uuid.uuid4().hex[:16]
_serials = itertools.count(1)


def request_id(request: web.Request) -> str:
    """The load balancer's trace id for `request` when it has a sane one, else a new id."""
    trace = request.headers.get(TRACE_HEADER, "")
    return trace if _TRACE_ID.match(trace) else f"{_PROCESS}{next(_serials):016x}"


@web.middleware
async def bind_request_id(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Put the request id in every log line written while handling `request`."""
    bind_log_context(request_id=request_id(request))
    return await handler(request)


def entry_point(body: dict[str, Any]) -> str:
    """Where a delivery comes from: slash, mention, dm, home, button or view (else other)."""
    if body.get("command"):
        return "slash"
    kind = body.get("type")
    if kind == "event_callback":
        event = body.get("event")
        event = event if isinstance(event, dict) else {}
        if event.get("type") == "app_mention":
            return "mention"
        if event.get("type") == "message" and event.get("channel_type") == "im":
            return "dm"
        return "home" if event.get("type") == "app_home_opened" else metrics.OTHER
    if kind == "block_actions":
        return "button"
    return "view" if kind in ("view_submission", "view_closed") else metrics.OTHER


async def observe_delivery(
    body: dict[str, Any], next: Callable[[], Awaitable[None]], **_: Any
) -> BoltResponse | None:
    """Bolt middleware: bind the event id to the log context and count the delivery (takes
    `context` too, unused, like every `bot.slack.middleware.Direct` function)."""
    event_id = body.get("event_id")
    bind_log_context(event_id=event_id[:MAX_ID_CHARS] if isinstance(event_id, str) else None)
    metrics.request_received(entry_point(body))
    await next()
    return None


async def handle_metrics(request: web.Request) -> web.Response:
    """GET /metrics: every metric in Prometheus' text format."""
    body, content_type = metrics.exposition()
    return web.Response(body=body, headers={"Content-Type": content_type})
