"""A per-user question limit: past it a friendly note to the asker alone, nothing else."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from bot.answering import Answerer
from bot.slack import create_app
from bot.slack.listeners.common import SLOW_DOWN
from bot.slack.standin import SlackStandIn
from bot.storage.ratelimit import MemoryRateLimiter
from tests.slack import payloads
from tests.slack.conftest import BotUnderTest, FakeRecorder, bot_settings
from tests.slack.serving import served_with_storage, serving, well_inside_a_minute

LIMIT = 2


@pytest_asyncio.fixture
async def limited(
    slack_api: SlackStandIn, slack_answerer: Answerer, recorder: FakeRecorder
) -> AsyncIterator[BotUnderTest]:
    """The app with a limit of LIMIT questions per user in one (frozen) minute."""
    limiter = MemoryRateLimiter(LIMIT, clock=lambda: 1_700_000_000.0)
    app = create_app(bot_settings(slack_api), slack_answerer, recorder=recorder, limiter=limiter)
    async with serving(app, slack_api) as bot:
        yield bot


async def quiet() -> None:
    """Time for anything else to be posted, were there going to be more."""
    await asyncio.sleep(0.2)


@pytest.mark.asyncio
async def test_dm_past_the_limit_gets_the_note_in_the_dm(
    limited: BotUnderTest, recorder: FakeRecorder
) -> None:
    """The third DM in a minute is answered with the note, in the DM, and not recorded."""
    for _ in range(LIMIT + 1):
        await limited.event(payloads.im_message("what is fargate?"))
    calls = await limited.api.wait_for("chat.postMessage", LIMIT + 1)
    await quiet()
    assert len(limited.api.calls) == LIMIT + 1
    [note] = [c for c in calls if c.body["text"] == SLOW_DOWN]
    assert note.body["channel"] == payloads.DM_CHANNEL_ID
    assert len(await recorder.asked(LIMIT)) == LIMIT


@pytest.mark.asyncio
async def test_mention_past_the_limit_gets_an_ephemeral_note(limited: BotUnderTest) -> None:
    """Past the limit a mention gets a note only the asker sees; the channel sees nothing."""
    mention = f"<@{payloads.BOT_USER_ID}> what is fargate?"
    for _ in range(LIMIT + 1):
        await limited.event(payloads.app_mention(mention, ts=payloads.new_ts()))
    [note] = await limited.api.wait_for("chat.postEphemeral")
    await quiet()
    assert len(limited.api.of("chat.postMessage")) == LIMIT
    assert (note.body["channel"], note.body["user"]) == (payloads.CHANNEL_ID, payloads.USER_ID)
    assert note.body["text"] == SLOW_DOWN


@pytest.mark.asyncio
async def test_slash_command_past_the_limit_gets_an_ephemeral_note(limited: BotUnderTest) -> None:
    """Past the limit the slash command answers privately with the note."""
    replies = [(await limited.command("what is fargate?")).reply() for _ in range(LIMIT + 1)]
    await quiet()
    assert limited.api.calls == []
    [note] = [r for r in replies if r.body["text"] == SLOW_DOWN]
    assert note.body["response_type"] == "ephemeral"
    assert "blocks" not in note.body


@pytest.mark.asyncio
async def test_the_limit_is_per_user_and_buttons_are_not_counted(limited: BotUnderTest) -> None:
    """Another user still gets answers, and clicking answer buttons is never limited."""
    for _ in range(LIMIT):
        await limited.event(payloads.im_message("what is fargate?"))
    container = payloads.message_container(payloads.DM_CHANNEL_ID, payloads.new_ts())
    await limited.click("answer_topic:0", "cost", container=container)
    await limited.event(payloads.im_message("what is fargate?", user="U0BOB"))
    calls = await limited.api.wait_for("chat.postMessage", LIMIT + 2)
    await quiet()
    assert SLOW_DOWN not in [c.body["text"] for c in calls]


@pytest.mark.asyncio
async def test_storage_limiter_counts_rate_limit_per_minute(
    slack_api: SlackStandIn, slack_answerer: Answerer, tmp_path: Path
) -> None:
    """As `ecsbot serve` wires it: RATE_LIMIT_PER_MINUTE questions, counted in the database."""
    settings = bot_settings(
        slack_api, rate_limit_per_minute=1, database_url=f"sqlite:///{tmp_path / 'db.sqlite'}"
    )
    async with served_with_storage(settings, slack_answerer, slack_api) as (bot, _):
        await well_inside_a_minute(margin=3)
        # With a limit of 1 each question is counted in the database before it is answered.
        first, second = [await bot.ask("what is fargate?") for _ in range(2)]
    assert first.body["text"].startswith("What AWS Fargate is")
    assert second.body["text"] == SLOW_DOWN
