"""The playground's web server: the page, its static files, its actions and its event stream.

The page (static/) loads only from this server: a Content-Security-Policy says so to the
browser. Actions are small JSON posts (`/api/...`); everything the page shows arrives as
server-sent events on `/events`, starting with a snapshot, so a reload loses nothing.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.playground.session import Playground, PlaygroundError
from bot.playground.surfaces import Raw

logger = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"
PLAYGROUND = web.AppKey("playground", Playground)
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost"})
MAX_TEXT = 40_000  # Slack's message limit
# Everything from this server only; inline scripts and styles refused too.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
M = TypeVar("M", bound=BaseModel)


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Say(_Request):
    """Text typed in a channel's message box."""

    channel: str
    text: str = Field(min_length=1, max_length=MAX_TEXT)
    # A reply in the thread of this message (a channel message's ts).
    thread_ts: str | None = Field(default=None, max_length=32)


class Act(_Request):
    """A click (or a chosen option) on an element of a message (by key) or a view (by id)."""

    message: str | None = None
    view: str | None = None
    block_id: str
    action_id: str
    value: str | None = None


class Submit(_Request):
    """A modal's Submit button, with what was entered in each input block."""

    view: str
    values: dict[str, Raw] = Field(default_factory=dict)


class Close(_Request):
    """A modal's Cancel button."""

    view: str


def _error(status: int, text: str) -> web.Response:
    return web.json_response({"ok": False, "error": text}, status=status)


def _refusal(kind: type[web.HTTPClientError], text: str) -> web.HTTPClientError:
    return kind(text=json.dumps({"ok": False, "error": text}), content_type="application/json")


async def _read(request: web.Request, model: type[M]) -> M:
    """The request's JSON body as `model`; 400 with a readable reason when it is not one."""
    if request.content_type != "application/json":  # also keeps other sites' forms out
        raise _refusal(web.HTTPUnsupportedMediaType, "expected application/json")
    try:
        return model.model_validate_json(await request.read())
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "body"
        raise _refusal(web.HTTPBadRequest, f"{where}: {first['msg']}") from None


@web.middleware
async def local_only(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Refuse requests for any other host name (a web page using DNS rebinding), and name the
    page's own files as the only thing it may load."""
    if (request.url.host or "") not in LOCAL_HOSTS:
        return _error(421, "the playground answers on 127.0.0.1 only")
    try:
        response = await handler(request)
    except PlaygroundError as exc:
        return _error(409, str(exc))
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("Cache-Control", "no-store")
    return response


async def index(request: web.Request) -> web.FileResponse:
    """The page."""
    return web.FileResponse(STATIC / "index.html")


async def events(request: web.Request) -> web.StreamResponse:
    """Server-sent events: a snapshot of everything, then each change as it happens."""
    playground = request.app[PLAYGROUND]
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
    await response.prepare(request)
    queue = playground.hub.subscribe()
    try:
        event: dict[str, Any] | None = playground.snapshot()
        while event is not None:
            await response.write(f"data: {json.dumps(event)}\n\n".encode())
            event = await queue.get()
    except ConnectionResetError:
        pass  # the page went away
    finally:
        playground.hub.unsubscribe(queue)
    return response


async def say(request: web.Request) -> web.Response:
    """Send a message (or run a slash command) in a channel."""
    body = await _read(request, Say)
    await request.app[PLAYGROUND].say(body.channel, body.text, body.thread_ts)
    return web.json_response({"ok": True})


async def act(request: web.Request) -> web.Response:
    """Click a button or choose an option, in a message or in a view."""
    body = await _read(request, Act)
    playground = request.app[PLAYGROUND]
    if body.message is not None:
        await playground.act_in_message(body.message, body.block_id, body.action_id, body.value)
    elif body.view is not None:
        await playground.act_in_view(body.view, body.block_id, body.action_id, body.value)
    else:
        return _error(400, "say which message or view was clicked")
    return web.json_response({"ok": True})


async def submit(request: web.Request) -> web.Response:
    """Submit a modal."""
    body = await _read(request, Submit)
    await request.app[PLAYGROUND].submit(body.view, body.values)
    return web.json_response({"ok": True})


async def close(request: web.Request) -> web.Response:
    """Close a modal without submitting it."""
    body = await _read(request, Close)
    await request.app[PLAYGROUND].close_view(body.view)
    return web.json_response({"ok": True})


async def open_home(request: web.Request) -> web.Response:
    """Open the App Home tab (Slack sends app_home_opened each time)."""
    await request.app[PLAYGROUND].open_home()
    return web.json_response({"ok": True})


def create_page_app(playground: Playground) -> web.Application:
    """The page's aiohttp application; its event streams end when it shuts down."""
    app = web.Application(middlewares=[local_only], client_max_size=256 * 1024)
    app[PLAYGROUND] = playground
    app.router.add_get("/", index)
    app.router.add_get("/events", events)
    app.router.add_post("/api/say", say)
    app.router.add_post("/api/act", act)
    app.router.add_post("/api/submit", submit)
    app.router.add_post("/api/close", close)
    app.router.add_post("/api/home", open_home)
    app.router.add_static("/static/", STATIC)

    async def end_streams(_app: web.Application) -> None:
        playground.hub.close()

    app.on_shutdown.append(end_streams)
    return app
