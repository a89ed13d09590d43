"""Starting the playground: the stand-in, the real Bolt HTTP app and the page, in one process.

Everything listens on 127.0.0.1: the Web API stand-in and the Bolt app on free ports, the
page on the port asked for. The Bolt app is the one `ecsbot serve` runs, with a signing
secret and bot token generated for this run, and its Web API client pointed at the stand-in.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import signal
from collections.abc import Callable

import aiohttp
from aiohttp import web
from pydantic import SecretStr

from bot.playground.session import Playground
from bot.playground.web import create_page_app
from bot.settings import Settings
from bot.slack import Services, create_app, create_web_app
from bot.slack.shutdown import drain
from bot.slack.standin import SlackStandIn

logger = logging.getLogger(__name__)

HOST = "127.0.0.1"
DRAIN_SECONDS = 5.0  # a local page: no load balancer waiting, but no answer cut off either


# One person trying the bot asks faster than a workspace member should: a demo that hits
# "you're asking faster than I can keep up with" within a minute teaches nothing.
PLAYGROUND_RATE_LIMIT_PER_MINUTE = 600


def local_settings(settings: Settings) -> Settings:
    """`settings` for the playground: a generated bot token and signing secret instead of any
    Slack credentials, no Redis (nothing leaves the machine), and a per-user rate limit of
    PLAYGROUND_RATE_LIMIT_PER_MINUTE unless RATE_LIMIT_PER_MINUTE is set."""
    limit = (
        settings.rate_limit_per_minute
        if "rate_limit_per_minute" in settings.model_fields_set
        else PLAYGROUND_RATE_LIMIT_PER_MINUTE
    )
    return settings.model_copy(
        update={
            "rate_limit_per_minute": limit,
            "slack_bot_token": SecretStr(f"xoxb-playground-{secrets.token_hex(16)}"),
            "slack_signing_secret": SecretStr(secrets.token_hex(32)),
            "slack_app_token": None,
            "slack_client_id": None,
            "slack_client_secret": None,
            "redis_url": None,
        }
    )


class PlaygroundServer:
    """The three servers of a running playground; `url` is the page."""

    def __init__(self, settings: Settings) -> None:
        bot_token = settings.slack_bot_token
        signing_secret = settings.slack_signing_secret
        if bot_token is None or signing_secret is None:
            raise ValueError("the playground needs local_settings(...)")
        self.settings = settings
        self.playground = Playground(signing_secret.get_secret_value())
        self.standin = SlackStandIn(
            bot_token=bot_token.get_secret_value(), on_call=self.playground.record
        )
        self.playground.conversation.stamp = self.standin.new_ts
        self._runners: list[web.AppRunner] = []
        self.url = ""

    async def _listen(self, app: web.Application, port: int) -> str:
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        self._runners.append(runner)
        await web.TCPSite(runner, HOST, port).start()
        return f"http://{HOST}:{runner.addresses[0][1]}"

    async def start(self, services: Services, *, port: int) -> str:
        """Start everything, the bot on `services` (its answerer, recommender and storage
        ports); the page's URL. OSError when `port` is taken."""
        logging.getLogger("aiohttp.access").setLevel(logging.WARNING)  # the stand-in's, per call
        await self.standin.start()
        settings = self.settings.model_copy(update={"slack_api_url": self.standin.api_url})
        bolt = create_app(
            settings,
            services.answerer,
            recorder=services.recorder,
            deduper=services.deduper,
            limiter=services.limiter,
            recommender=services.recommender,
            memory=services.memory,
            # Posts wait in this process's outbox, not the database's: the stand-in is local
            # and never fails, and a database outbox would replay one run's posts in the next.
            outbox=None,
        )
        self.playground.session = aiohttp.ClientSession()
        self.playground.response_base = self.standin.response_url("")
        self.playground.events_url = await self._listen(create_web_app(bolt), 0) + "/slack/events"
        self.url = await self._listen(create_page_app(self.playground), port) + "/"
        return self.url

    async def stop(self) -> None:
        """Stop the page and the Bolt app, let the answers in flight reach the stand-in (and
        their records the database), then stop the stand-in."""
        for runner in reversed(self._runners):
            await runner.cleanup()
        await drain(DRAIN_SECONDS)
        if self.playground.session is not None:
            await self.playground.session.close()
        await self.standin.close()


async def serve_playground(
    server: PlaygroundServer,
    services: Services,
    *,
    port: int,
    ready: Callable[[str], None],
    stop: asyncio.Event | None = None,
) -> None:
    """Run the playground until `stop` is set or SIGINT / SIGTERM; `ready` gets the page URL."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)
    try:
        ready(await server.start(services, port=port))
        await stop.wait()
    finally:
        await server.stop()
        logger.info("Stopped the playground")
