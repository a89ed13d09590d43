"""Two real `ecsbot serve` processes sharing one PostgreSQL and one Redis: each event gets
exactly one reply, whichever replica Slack (or its retries) reaches, and the rate limit is
shared. Needs the real servers (marker `services`)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest
from redis.asyncio import Redis
from sqlalchemy import create_engine, make_url, select

from bot.slack.listeners.common import SLOW_DOWN
from bot.slack.standin import BOT_TOKEN, SlackStandIn
from bot.storage.models import ProcessedEvent
from tests.plugins.storage import REDIS_URL
from tests.ports import free_port
from tests.slack import payloads
from tests.slack.faults import DB_PASSWORD, retry_headers
from tests.slack.serving import well_inside_a_minute
from tests.waiting import SHUTDOWN_SECONDS, STARTUP_SECONDS

pytestmark = [pytest.mark.services, pytest.mark.asyncio]

SERVE = [sys.executable, "-c", "from bot.cli import main; main()", "serve", "--host", "127.0.0.1"]


@dataclass
class Replica:
    """One `ecsbot serve` process: where it listens and where its log goes."""

    url: str
    log: Path
    process: subprocess.Popen[bytes]

    def output(self) -> str:
        """Everything the process logged so far."""
        return self.log.read_text(encoding="utf-8", errors="replace")


@contextmanager
def started(
    env: dict[str, str], log: Path, stop_timeout: float = SHUTDOWN_SECONDS
) -> Iterator[Replica]:
    """Start one replica; terminate it and wait for it (SIGKILL after `stop_timeout` seconds),
    whatever happens."""
    port = free_port()
    with log.open("wb") as sink:
        process = subprocess.Popen(
            SERVE, env={**env, "PORT": str(port)}, stdout=sink, stderr=subprocess.STDOUT
        )
    try:
        yield Replica(f"http://127.0.0.1:{port}", log, process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=stop_timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@asynccontextmanager
async def replicas(
    env: dict[str, str], tmp_path: Path, stop_timeout: float = SHUTDOWN_SECONDS
) -> AsyncIterator[list[Replica]]:
    """Two replicas with `env`, once both answer /healthz; see `started` for `stop_timeout`."""
    with (
        started(env, tmp_path / "a.log", stop_timeout) as a,
        started(env, tmp_path / "b.log", stop_timeout) as b,
    ):
        async with aiohttp.ClientSession() as session:
            for replica in (a, b):
                await _until_healthy(session, replica)
        yield [a, b]


async def _until_healthy(session: aiohttp.ClientSession, replica: Replica) -> None:
    """Poll /healthz until it answers 200; fail if the process exits or after STARTUP_SECONDS
    (a deadline, not a count of tries: under load each try takes longer)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + STARTUP_SECONDS
    while loop.time() < deadline:
        assert replica.process.poll() is None, replica.output()
        try:
            async with session.get(f"{replica.url}/healthz") as resp:
                if resp.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.1)
    raise AssertionError(f"replica never came up:\n{replica.output()}")


@pytest.fixture
def env(
    slack_api: SlackStandIn, slack_kb_dir: Path, pg_url: str, redis_prefix: str
) -> dict[str, str]:
    """Both replicas' environment: the stand-in, a fresh schema, a Redis key prefix of their
    own; the database URL carries a password (ignored by trust auth) that must never show."""
    database_url = make_url(pg_url).set(password=DB_PASSWORD)
    return {
        **os.environ,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": payloads.SIGNING_SECRET,
        "SLACK_API_URL": slack_api.api_url,
        "KNOWLEDGE_DIR": str(slack_kb_dir),
        "DATABASE_URL": database_url.render_as_string(hide_password=False),
        "REDIS_URL": REDIS_URL,
        "REDIS_KEY_PREFIX": redis_prefix,
        "RATE_LIMIT_PER_MINUTE": "3",
        "LOG_LEVEL": "DEBUG",
    }


async def deliver(targets: list[tuple[Replica, int | None]], body: str) -> None:
    """POST the same signed event to each (replica, retry number) at once; all acked 200."""
    async with aiohttp.ClientSession() as session:

        async def one(replica: Replica, retry: int | None) -> int:
            headers = retry_headers(body, retry)
            async with session.post(f"{replica.url}/slack/events", data=body, headers=headers) as r:
                return r.status

        statuses = await asyncio.gather(*(one(r, n) for r, n in targets))
    assert statuses == [200] * len(targets)


async def one_reply_to_everything(api: SlackStandIn, pair: list[Replica], event_id: str) -> None:
    """The event at both replicas at once, then Slack's two retries at both: one post."""
    body = payloads.event_callback(payloads.im_message("how is fargate billed?"), event_id=event_id)
    await deliver([(r, None) for r in pair], body)
    await deliver([(r, retry) for retry in (1, 2) for r in pair], body)
    [answer] = await api.wait_for("chat.postMessage", timeout=10)
    await asyncio.sleep(1.0)  # time for a duplicate, were there one
    assert api.of("chat.postMessage") == [answer]
    assert answer.body["text"].startswith("How ECS and EC2 are priced")
    skipped = sum(r.output().count(f"Skipping event:{event_id}") for r in pair)
    assert skipped == 5


def assert_stopped_cleanly(pair: list[Replica]) -> None:
    """Both replicas closed their storage on SIGTERM, and neither log (at DEBUG) shows the
    token, the signing secret or the database password."""
    for replica in pair:
        assert replica.process.returncode == 0
        log = replica.output()
        assert "Closed the database and Redis connections" in log
        for secret in (BOT_TOKEN, payloads.SIGNING_SECRET, DB_PASSWORD):
            assert secret not in log


async def test_same_event_at_two_replicas_with_retries_gets_one_reply(
    slack_api: SlackStandIn, env: dict[str, str], redis: Redis, redis_prefix: str, tmp_path: Path
) -> None:
    """Shared Redis: the event id is claimed once across both processes."""
    async with replicas(env, tmp_path) as pair:
        await one_reply_to_everything(slack_api, pair, "Ev0TWINS")
        assert await redis.exists(f"{redis_prefix}dedupe:event:Ev0TWINS")
    assert_stopped_cleanly(pair)


async def test_with_redis_down_the_database_dedupes_across_replicas(
    slack_api: SlackStandIn, env: dict[str, str], pg_url: str, tmp_path: Path
) -> None:
    """Redis unreachable: both replicas fall back to the shared database (and say so)."""
    env = {**env, "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0"}
    async with replicas(env, tmp_path) as pair:
        await one_reply_to_everything(slack_api, pair, "Ev0NOREDIS")
    for replica in pair:
        assert "event dedupe falls back to the database" in replica.output()
    engine = create_engine(pg_url)
    try:
        with engine.connect() as connection:
            keys = connection.execute(select(ProcessedEvent.key)).scalars().all()
    finally:
        engine.dispose()
    # The event, and the message it carries (by channel and ts, and by client_msg_id).
    assert sorted(k.split(":", 1)[0] for k in keys) == ["event", "message", "message"]
    assert "event:Ev0NOREDIS" in keys
    assert_stopped_cleanly(pair)


async def test_rate_limit_is_shared_by_the_replicas(
    slack_api: SlackStandIn, env: dict[str, str], redis: Redis, redis_prefix: str, tmp_path: Path
) -> None:
    """RATE_LIMIT_PER_MINUTE=3: four DMs alternating between replicas, the fourth gets the note."""
    async with replicas(env, tmp_path) as pair:
        await well_inside_a_minute(margin=15)
        for n in range(4):
            body = payloads.event_callback(payloads.im_message(f"what is fargate? ({n})"))
            await deliver([(pair[n % 2], None)], body)
            await slack_api.wait_for("chat.postMessage", n + 1, timeout=10)
        assert [key async for key in redis.scan_iter(match=f"{redis_prefix}ratelimit:*")]
    texts = [c.body["text"] for c in slack_api.of("chat.postMessage")]
    assert [t == SLOW_DOWN for t in texts] == [False, False, False, True]
    assert_stopped_cleanly(pair)
