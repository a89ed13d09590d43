"""Running the real app on real storage in a test: open storage, serve, settle, close."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiohttp.test_utils import TestClient, TestServer
from slack_bolt.async_app import AsyncApp

from bot.answering import Answerer
from bot.cli.serve import build_app
from bot.settings import Settings
from bot.slack import create_web_app
from bot.slack.standin import SlackStandIn
from bot.storage.services import Storage, open_storage
from tests.slack.conftest import BotUnderTest, settle


async def well_inside_a_minute(margin: float) -> None:
    """Wait, if need be, so the next `margin` seconds fall in one rate-limit window (the
    limiter counts per clock minute)."""
    left = 60 - time.time() % 60
    if left < margin:
        await asyncio.sleep(left + 0.05)


@asynccontextmanager
async def storage_for(settings: Settings, *, migrate: bool = True) -> AsyncIterator[Storage]:
    """`open_storage(settings)`, as `ecsbot serve` opens it, closed afterwards."""
    storage = open_storage(settings, migrate=migrate)
    try:
        yield storage
    finally:
        await storage.aclose()


@asynccontextmanager
async def serving(app: AsyncApp, api: SlackStandIn) -> AsyncIterator[BotUnderTest]:
    """The aiohttp + Bolt app on a free port; listeners still running are let finish."""
    async with TestClient(TestServer(create_web_app(app), host="127.0.0.1")) as client:
        yield BotUnderTest(client, api)
    await settle()


@asynccontextmanager
async def served_with_storage(
    settings: Settings, answerer: Answerer, api: SlackStandIn, *, migrate: bool = True
) -> AsyncIterator[tuple[BotUnderTest, Storage]]:
    """The app exactly as `ecsbot serve` builds it (storage, OAuth when configured)."""
    async with (
        storage_for(settings, migrate=migrate) as storage,
        serving(build_app(settings, answerer, storage), api) as bot,
    ):
        yield bot, storage
