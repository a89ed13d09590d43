"""The real PostgreSQL and Redis going away while the bot runs, and coming back: answers never
stop, votes say "not saved" during the outage and are saved after it. Marker `services`."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from sqlalchemy import func, make_url, select

from bot.answering import Answerer
from bot.cli.serve import build_app
from bot.slack.listeners.actions import THANKS_HELPFUL, VOTE_NOT_SAVED
from bot.slack.standin import SlackStandIn
from bot.storage.models import Feedback
from bot.storage.services import Storage, open_storage
from tests.plugins.storage import REDIS_URL
from tests.slack import payloads
from tests.slack.conftest import BotUnderTest, bot_settings
from tests.slack.faults import retry_headers, vote
from tests.slack.proxy import Proxy
from tests.slack.serving import serving

pytestmark = [pytest.mark.services, pytest.mark.asyncio]


@pytest_asyncio.fixture
async def proxies(pg_url: str) -> AsyncIterator[tuple[Proxy, Proxy]]:
    """Cuttable proxies in front of the test's PostgreSQL and Redis."""
    pg, rd = make_url(pg_url), make_url(REDIS_URL)
    database = Proxy(pg.host or "127.0.0.1", pg.port or 5432)
    cache = Proxy(rd.host or "127.0.0.1", rd.port or 6379)
    for proxy in (database, cache):
        await proxy.restore()
    yield database, cache
    for proxy in (database, cache):
        await proxy.cut()


@pytest_asyncio.fixture
async def storage(
    slack_api: SlackStandIn, pg_url: str, redis_prefix: str, proxies: tuple[Proxy, Proxy]
) -> AsyncIterator[Storage]:
    """Storage as `ecsbot serve` opens it, through the proxies (opened off the event loop,
    which runs the proxies)."""
    database, cache = proxies
    settings = bot_settings(
        slack_api,
        database_url=make_url(pg_url).set(port=database.port).render_as_string(hide_password=False),
        redis_url=make_url(REDIS_URL).set(port=cache.port).render_as_string(),
        redis_key_prefix=redis_prefix,
    )
    opened = await asyncio.to_thread(open_storage, settings)
    yield opened
    await opened.aclose()


async def ask_and_vote(bot: BotUnderTest, answers: int, notes: int) -> str:
    """A DM answered (the `answers`-th post), then a vote; the note it got (the `notes`-th)."""
    await bot.event(payloads.im_message("how is fargate billed?"))
    await bot.api.wait_for("chat.postMessage", answers)
    await vote(bot)
    return (await bot.api.wait_for("response_url", notes))[-1].body["text"]


async def test_database_outage_and_recovery(
    slack_api: SlackStandIn,
    slack_answerer: Answerer,
    storage: Storage,
    proxies: tuple[Proxy, Proxy],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Before: vote saved. PostgreSQL gone: answered, "not saved". Back: saved again."""
    database, _ = proxies
    app = build_app(bot_settings(slack_api), slack_answerer, storage)
    async with serving(app, slack_api) as bot:
        assert await ask_and_vote(bot, 1, 1) == THANKS_HELPFUL
        await database.cut()
        with caplog.at_level(logging.ERROR):
            assert await ask_and_vote(bot, 2, 2) == VOTE_NOT_SAVED
        await database.restore()
        assert await ask_and_vote(bot, 3, 3) == THANKS_HELPFUL
    assert all(c.body["text"].startswith("How ECS") for c in slack_api.of("chat.postMessage"))
    assert "Failed to record feedback" in caplog.text
    assert await asyncio.to_thread(count_votes, storage) == 2


def count_votes(storage: Storage) -> int:
    """Votes saved (run off the event loop: the proxies live on it)."""
    with storage.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(Feedback)).scalar_one())


async def test_redis_outage_while_running_keeps_exactly_one_reply(
    slack_api: SlackStandIn,
    slack_answerer: Answerer,
    storage: Storage,
    proxies: tuple[Proxy, Proxy],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Redis dies mid-run: a new event and its retries still get exactly one reply, the
    database claiming the event id; the log warns once."""
    _, cache = proxies
    app = build_app(bot_settings(slack_api), slack_answerer, storage)
    async with serving(app, slack_api) as bot:
        await bot.event(payloads.im_message("what is fargate?"), event_id="Ev0BEFORE")
        await slack_api.wait_for("chat.postMessage")
        await cache.cut()
        with caplog.at_level(logging.WARNING):
            body = payloads.event_callback(
                payloads.im_message("what is fargate?"), event_id="Ev0DURING"
            )
            for retry in (None, 1, 2):
                await bot.post(body, form=False, headers=retry_headers(body, retry))
            await slack_api.wait_for("chat.postMessage", 2)
            await asyncio.sleep(0.3)
    assert len(slack_api.of("chat.postMessage")) == 2
    warnings = [
        r.getMessage() for r in caplog.records if "falls back to the database" in r.getMessage()
    ]
    assert len([w for w in warnings if "event dedupe" in w]) == 1
