"""Follow-ups across real `ecsbot serve` processes: the context outlives a restart on the same
SQLite file, and two replicas on one PostgreSQL and Redis share it."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
import pytest
from redis.asyncio import Redis

from bot.answering import Turn, conversation_key
from bot.ports import ConversationMemory
from bot.settings import Settings
from bot.slack.standin import BOT_TOKEN, TEAM_ID, SlackStandIn
from tests.plugins.storage import REDIS_URL
from tests.slack import payloads
from tests.slack.followups import GPU_QUESTION, MENTION, answered_topic, remembered
from tests.slack.serving import storage_for
from tests.slack.test_replicas import Replica, _until_healthy, deliver, started

pytestmark = pytest.mark.asyncio


@asynccontextmanager
async def serving_process(env: dict[str, str], log: Path) -> AsyncIterator[Replica]:
    """One `ecsbot serve` process with `env`, once it answers /healthz; stopped afterwards."""
    with started(env, log) as replica:
        async with aiohttp.ClientSession() as session:
            await _until_healthy(session, replica)
        yield replica


@asynccontextmanager
async def memory_of(env: dict[str, str]) -> AsyncIterator[ConversationMemory]:
    """The conversation memory the processes with `env` share, as the test sees it."""
    settings = Settings(
        slack_signing_secret=env["SLACK_SIGNING_SECRET"],
        database_url=env["DATABASE_URL"],
        redis_url=env.get("REDIS_URL"),
        redis_key_prefix=env.get("REDIS_KEY_PREFIX", "ecsbot:"),
    )
    async with storage_for(settings, migrate=False) as storage:
        yield storage.conversations(Turn)


def serve_env(api: SlackStandIn, database_url: str, **extra: str) -> dict[str, str]:
    """HTTP mode against the stand-in, on `database_url`, answering from the shipped KB."""
    return {
        **os.environ,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": payloads.SIGNING_SECRET,
        "SLACK_API_URL": api.api_url,
        "DATABASE_URL": database_url,
        **extra,
    }


async def ask(replica: Replica, api: SlackStandIn, text: str, root: str, *, first: bool) -> str:
    """Mention the bot at `replica`: the thread's root message, or a reply in its thread; the
    topic of the bot's answer."""
    ts = root if first else payloads.new_ts()
    event = payloads.app_mention(f"{MENTION} {text}", ts=ts, thread_ts=None if first else root)
    before = len(api.of("chat.postMessage"))
    await deliver([(replica, None)], payloads.event_callback(event))
    reply = (await api.wait_for("chat.postMessage", before + 1, timeout=10))[before]
    assert reply.body["thread_ts"] == root
    return str(answered_topic(reply))


async def test_context_survives_a_restart_of_ecsbot_serve(
    slack_api: SlackStandIn, sqlite_url: str, tmp_path: Path
) -> None:
    """The GPU question before a restart, "what about windows?" in its thread after it, on the
    same SQLite file: the answer is about Windows."""
    env = serve_env(slack_api, sqlite_url)
    root = payloads.new_ts()
    thread = conversation_key(TEAM_ID, payloads.CHANNEL_ID, thread_ts=root)
    async with serving_process(env, tmp_path / "before.log") as before:
        assert await ask(before, slack_api, GPU_QUESTION, root, first=True) == "gpu"
        async with memory_of(env) as memory:
            await remembered(memory, thread, "gpu")
    async with serving_process(env, tmp_path / "after.log") as after:
        topic = await ask(after, slack_api, "what about windows?", root, first=False)
    assert topic == "windows-containers"


@pytest.mark.services
async def test_two_replicas_share_the_context(
    slack_api: SlackStandIn, pg_url: str, redis: Redis, redis_prefix: str, tmp_path: Path
) -> None:
    """On one PostgreSQL and Redis, the GPU question at replica A and the follow-up at
    replica B: B reads it in A's context (kept in Redis, under a hashed key)."""
    env = serve_env(slack_api, pg_url, REDIS_URL=REDIS_URL, REDIS_KEY_PREFIX=redis_prefix)
    root = payloads.new_ts()
    thread = conversation_key(TEAM_ID, payloads.CHANNEL_ID, thread_ts=root)
    async with (
        serving_process(env, tmp_path / "a.log") as a,
        serving_process(env, tmp_path / "b.log") as b,
    ):
        assert await ask(a, slack_api, GPU_QUESTION, root, first=True) == "gpu"
        async with memory_of(env) as memory:
            await remembered(memory, thread, "gpu")
        [key] = [k.decode() async for k in redis.scan_iter(match=f"{redis_prefix}turn:*")]
        assert root not in key and payloads.CHANNEL_ID not in key
        topic = await ask(b, slack_api, "what about windows?", root, first=False)
    assert topic == "windows-containers"
