"""Running the Bolt app: an aiohttp server (HTTP mode) or a Socket Mode connection."""

from __future__ import annotations

import asyncio
import logging
import re

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp

logger = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
MAX_BODY_BYTES = 1024 * 1024  # Slack's payloads are far smaller; anything bigger gets 413.
BOLT_APP = web.AppKey("bolt_app", AsyncApp)
_SECRET = re.compile(r"\b(xox[a-z]|xapp)-[A-Za-z0-9-]+")


class RedactSecrets(logging.Filter):
    """Masks Slack tokens in log records, whichever library logs them."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record's message with tokens masked; never drop it."""
        message = record.getMessage()
        masked = _SECRET.sub(lambda m: f"{m.group(1)}-[redacted]", message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


def configure_logging(level: str) -> None:
    """Log to stderr at `level`, once, with Slack tokens masked."""
    root = logging.getLogger()
    if any(isinstance(f, RedactSecrets) for h in root.handlers for f in h.filters):
        return
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for handler in root.handlers:
        handler.addFilter(RedactSecrets())


async def handle_slack_events(request: web.Request) -> web.Response:
    """Hand a Slack request (command, event, interaction) to Bolt, which verifies it."""
    bolt_response = await request.app[BOLT_APP].async_dispatch(await to_bolt_request(request))
    return await to_aiohttp_response(bolt_response)


async def handle_healthz(request: web.Request) -> web.Response:
    """Liveness: the process is up and serving."""
    return web.json_response({"status": "ok"})


def create_web_app(bolt_app: AsyncApp) -> web.Application:
    """The aiohttp application: POST /slack/events and GET /healthz, bodies up to 1 MB."""
    web_app = web.Application(client_max_size=MAX_BODY_BYTES)
    web_app[BOLT_APP] = bolt_app
    web_app.router.add_post(EVENTS_PATH, handle_slack_events)
    web_app.router.add_get(HEALTH_PATH, handle_healthz)
    return web_app


def run_http(bolt_app: AsyncApp, *, port: int, host: str = "0.0.0.0") -> None:
    """Serve Slack's requests over HTTP until interrupted."""
    logger.info("Serving Slack requests on http://%s:%d%s (HTTP mode)", host, port, EVENTS_PATH)
    web.run_app(create_web_app(bolt_app), host=host, port=port, print=None)


async def serve_socket_mode(
    bolt_app: AsyncApp, app_token: str, stop: asyncio.Event | None = None
) -> None:
    """Stay connected to Slack over Socket Mode until `stop` is set (or forever)."""
    handler = AsyncSocketModeHandler(bolt_app, app_token)
    try:
        await handler.connect_async()  # type: ignore[no-untyped-call]
        await (stop or asyncio.Event()).wait()
    finally:
        await handler.close_async()  # type: ignore[no-untyped-call]


def run_socket_mode(bolt_app: AsyncApp, app_token: str) -> None:
    """Connect to Slack over Socket Mode (no public URL needed) until interrupted."""
    logger.info("Connecting to Slack in Socket Mode")
    try:
        asyncio.run(serve_socket_mode(bolt_app, app_token))
    except KeyboardInterrupt:
        logger.info("Stopped")
