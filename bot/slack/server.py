"""Running the Bolt app: an aiohttp server (HTTP mode) or a Socket Mode connection."""

from __future__ import annotations

import asyncio
import json
import logging
import signal
from collections.abc import Sequence
from typing import Any

from aiohttp import ClientSession, ClientTimeout, web
from aiohttp import log as aiohttp_log
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.request.async_internals import build_async_context
from slack_bolt.request.async_request import AsyncBoltRequest

from bot.slack.app import SlackApp, authorize_once
from bot.slack.delivery import deliverer_of
from bot.slack.edge import FORM_TYPE, JSON_TYPE, EdgeRefusal, checked_body, signature_problem
from bot.slack.observability import bind_request_id, handle_metrics
from bot.slack.shutdown import Cleanup, drained

logger = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
METRICS_PATH = "/metrics"
# ECS sends SIGTERM, then SIGKILL 30 s later (the default stopTimeout): requests get 5 s to
# finish (an ack takes milliseconds), then listeners and record writes up to DRAIN_SECONDS.
REQUEST_GRACE_SECONDS = 5.0
MAX_BODY_BYTES = 1024 * 1024  # Slack's payloads are far smaller; anything bigger gets 413.
# Slack posts events as JSON and commands and interactions as a form; nothing else.
SLACK_CONTENT_TYPES = frozenset({JSON_TYPE, FORM_TYPE})
BOLT_APP = web.AppKey("bolt_app", SlackApp)
ERRORS = {401: "invalid request", 415: "unsupported content type"}  # as Bolt words them


def _bad_request(status: int, error: str) -> web.Response:
    return web.json_response({"error": error}, status=status)


def _refused(request: web.Request, size: int, refusal: EdgeRefusal) -> web.Response:
    """One short line for a refused request: why, how big, what type; never its body."""
    content_type = request.headers.get("Content-Type", "")[:80]
    log = logger.info if refusal.status == 401 else logger.warning
    log("Refused a request: %s (%d bytes, %r)", refusal.reason[:160], size, content_type)
    return _bad_request(refusal.status, ERRORS.get(refusal.status, "bad request"))


async def _bolt_request(request: web.Request) -> AsyncBoltRequest | web.Response:
    """Slack's request for Bolt, or the 4xx for a body Bolt cannot parse (OAuth pages)."""
    try:
        return await to_bolt_request(request)
    except (ValueError, TypeError, AttributeError, KeyError, LookupError):
        logger.warning("Refused a malformed %r request to %s", request.content_type, request.path)
        return _bad_request(400, "malformed request")


class CheckedRequest(AsyncBoltRequest):
    """Bolt's request for a body the edge has already parsed and checked: Bolt takes the dict
    as it is, instead of a JSON string of it that it would parse again."""

    def __init__(
        self, *, body: dict[str, Any], query: str, headers: dict[str, str | Sequence[str]]
    ) -> None:
        super().__init__(body="", query=query, headers=headers)
        self.body = body
        self.context = build_async_context(AsyncBoltContext({}), body)

    def to_copyable(self) -> AsyncBoltRequest:
        """A plain copy, with the body as JSON (Bolt copies requests for lazy listeners)."""
        return AsyncBoltRequest(
            body=json.dumps(self.body),
            query=self.query,
            headers=self.headers,
            context=self.context.to_copyable(),
            mode=self.mode,
        )


def _edge(request: web.Request, raw: bytes) -> AsyncBoltRequest:
    """Check `raw` at the edge (signature first, then type, format and shape) and build the
    request Bolt gets: the checked, cleaned body; EdgeRefusal otherwise."""
    problem = signature_problem(raw, request.headers, request.app[BOLT_APP].signing_secret)
    if problem is not None:
        raise EdgeRefusal(401, problem)
    if request.content_type not in SLACK_CONTENT_TYPES:
        raise EdgeRefusal(415, "unsupported content type")
    body = checked_body(raw, request.content_type)
    headers: dict[str, str | Sequence[str]] = {k.lower(): v for k, v in request.headers.items()}
    headers["content-type"] = JSON_TYPE  # the body Bolt gets is JSON, whatever Slack sent
    try:
        return CheckedRequest(body=body, query=request.query_string, headers=headers)
    except (ValueError, TypeError, AttributeError, KeyError, IndexError):
        raise EdgeRefusal(400, "unexpected shape") from None


async def handle_slack_events(request: web.Request) -> web.Response:
    """Check a Slack request (command, event, interaction) at the edge, then hand it to Bolt."""
    raw = await request.read()
    try:
        bolt_request = _edge(request, raw)
    except EdgeRefusal as refusal:
        return _refused(request, len(raw), refusal)
    bolt_response = await request.app[BOLT_APP].async_dispatch(bolt_request)
    return await to_aiohttp_response(bolt_response)


async def handle_install(request: web.Request) -> web.Response:
    """The OAuth install page: an "Add to Slack" link carrying a fresh state."""
    oauth_flow = request.app[BOLT_APP].oauth_flow
    assert oauth_flow is not None  # the route exists only with OAuth
    bolt_request = await _bolt_request(request)
    if isinstance(bolt_request, web.Response):
        return bolt_request
    return await to_aiohttp_response(await oauth_flow.handle_installation(bolt_request))


async def handle_oauth_redirect(request: web.Request) -> web.Response:
    """Where Slack sends the installer back: the installation is saved to the database."""
    oauth_flow = request.app[BOLT_APP].oauth_flow
    assert oauth_flow is not None  # the route exists only with OAuth
    bolt_request = await _bolt_request(request)
    if isinstance(bolt_request, web.Response):
        return bolt_request
    return await to_aiohttp_response(await oauth_flow.handle_callback(bolt_request))


async def handle_healthz(request: web.Request) -> web.Response:
    """Liveness: the process is up and serving."""
    return web.json_response({"status": "ok"})


async def open_web_api_session(bolt_app: SlackApp) -> ClientSession:
    """Give the app's Web API client one aiohttp session for every call, so calls reuse
    connections instead of opening one each (slack_sdk's default); close it at shutdown."""
    # A session's own timeout is the one slack_sdk applies to calls through it.
    session = ClientSession(timeout=ClientTimeout(total=bolt_app.client.timeout))
    bolt_app.client.session = session  # Bolt hands this session to each request's client
    deliverer = deliverer_of(bolt_app)
    if deliverer is not None:  # the outbox, which sends every chat.postMessage
        deliverer.share_session(session)
    return session


def create_web_app(bolt_app: SlackApp, *, cleanup: Cleanup | None = None) -> web.Application:
    """The aiohttp application: POST /slack/events, GET /healthz, GET /metrics, and with OAuth
    the install and redirect pages; bodies up to 1 MB; one Web API session while it runs;
    `cleanup` runs when the server shuts down, before that session closes."""
    web_app = web.Application(client_max_size=MAX_BODY_BYTES, middlewares=[bind_request_id])
    web_app[BOLT_APP] = bolt_app
    sessions: list[ClientSession] = []

    async def on_startup(_app: web.Application) -> None:
        sessions.append(await open_web_api_session(bolt_app))
        await authorize_once(bolt_app)

    web_app.on_startup.append(on_startup)
    web_app.router.add_post(EVENTS_PATH, handle_slack_events)
    web_app.router.add_get(HEALTH_PATH, handle_healthz)
    web_app.router.add_get(METRICS_PATH, handle_metrics)
    oauth_flow = bolt_app.oauth_flow
    if oauth_flow is not None:
        web_app.router.add_get(oauth_flow.install_path, handle_install)
        web_app.router.add_get(oauth_flow.redirect_uri_path, handle_oauth_redirect)
    _run_outbox_worker(web_app, bolt_app)
    if cleanup is not None:

        async def on_cleanup(_app: web.Application) -> None:
            await cleanup()

        web_app.on_cleanup.append(on_cleanup)

    async def close_session(_app: web.Application) -> None:  # last: the outbox posts until here
        for session in sessions:
            await session.close()

    web_app.on_cleanup.append(close_session)
    return web_app


def _run_outbox_worker(web_app: web.Application, bolt_app: SlackApp) -> None:
    """Start the app's outbox worker with the server; stop it before storage closes."""
    deliverer = deliverer_of(bolt_app)
    if deliverer is None:
        return

    async def start(_app: web.Application) -> None:
        deliverer.start()

    async def stop(_app: web.Application) -> None:
        await deliverer.stop()

    web_app.on_startup.append(start)
    web_app.on_cleanup.append(stop)


def run_http(
    bolt_app: SlackApp, *, port: int, host: str = "0.0.0.0", cleanup: Cleanup | None = None
) -> None:
    """Serve Slack's requests over HTTP until SIGTERM or SIGINT; then stop listening, let
    requests and listeners in flight finish, and run `cleanup`."""
    logger.info("Serving Slack requests on http://%s:%d%s (HTTP mode)", host, port, EVENTS_PATH)
    if bolt_app.oauth_flow is not None:
        logger.info("OAuth install page at %s", bolt_app.oauth_flow.install_path)
    web_app = create_web_app(bolt_app, cleanup=drained(cleanup))
    web_app.on_shutdown.append(_log_stopping)
    # A line per request costs about a tenth of an answer's time; a load balancer logs them
    # anyway, so only LOG_LEVEL=DEBUG asks for them here.
    access_log = aiohttp_log.access_logger if logger.isEnabledFor(logging.DEBUG) else None
    web.run_app(
        web_app,
        host=host,
        port=port,
        print=None,
        shutdown_timeout=REQUEST_GRACE_SECONDS,
        access_log=access_log,
    )
    logger.info("Stopped")


async def _log_stopping(_app: web.Application) -> None:
    logger.info("Stopping: no new requests; finishing those in flight")


async def serve_socket_mode(
    bolt_app: SlackApp,
    app_token: str,
    stop: asyncio.Event | None = None,
    *,
    cleanup: Cleanup | None = None,
) -> None:
    """Stay connected to Slack over Socket Mode until `stop` is set (or forever)."""
    handler = AsyncSocketModeHandler(bolt_app, app_token)
    deliverer = deliverer_of(bolt_app)
    session = await open_web_api_session(bolt_app)
    await authorize_once(bolt_app)
    try:
        await handler.connect_async()  # type: ignore[no-untyped-call]
        if deliverer is not None:
            deliverer.start()
        await (stop or asyncio.Event()).wait()
    finally:
        await handler.close_async()  # type: ignore[no-untyped-call]
        if deliverer is not None:
            await deliverer.stop()
        if cleanup is not None:
            await cleanup()
        await session.close()


async def _serve_until_signalled(
    bolt_app: SlackApp, app_token: str, cleanup: Cleanup | None
) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await serve_socket_mode(bolt_app, app_token, stop, cleanup=drained(cleanup))


def run_socket_mode(bolt_app: SlackApp, app_token: str, *, cleanup: Cleanup | None = None) -> None:
    """Connect to Slack over Socket Mode (no public URL needed) until SIGTERM or SIGINT; then
    disconnect, let listeners in flight finish, and run `cleanup`."""
    logger.info("Connecting to Slack in Socket Mode")
    asyncio.run(_serve_until_signalled(bolt_app, app_token, cleanup))
    logger.info("Stopped")
