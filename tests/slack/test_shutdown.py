"""SIGTERM, as ECS sends it before stopping a task: a real `ecsbot serve` stops taking requests,
finishes the answer in flight and its record, closes storage and exits 0."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from sqlalchemy import create_engine, select

from bot.slack.standin import APP_TOKEN, BOT_TOKEN, SlackStandIn
from bot.storage.models import ServedAnswer
from tests.ports import free_port
from tests.slack import payloads
from tests.waiting import BACKGROUND_SECONDS, SHUTDOWN_SECONDS, STARTUP_SECONDS

SERVE = [sys.executable, "-c", "from bot.cli import main; main()", "serve", "--host", "127.0.0.1"]
HELD = "chat.postMessage"


class Gate:
    """A front for the Web API stand-in that holds the first `chat.postMessage` until the test
    opens the gate: an answer in flight for as long as the test needs one."""

    def __init__(self, api: SlackStandIn) -> None:
        self.api = api
        self.held = asyncio.Event()
        self.open = asyncio.Event()
        app = web.Application()
        app.router.add_post("/api/{method}", self._forward)
        self.server = TestServer(app, host="127.0.0.1")

    @property
    def api_url(self) -> str:
        """What SLACK_API_URL should be."""
        return str(self.server.make_url("/api/"))

    async def _forward(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if method == HELD and not self.held.is_set():
            self.held.set()
            await self.open.wait()
        headers = {k: v for k, v in request.headers.items() if k.lower() != "host"}
        async with (
            aiohttp.ClientSession() as session,
            session.post(
                f"{self.api.api_url}{method}", data=await request.read(), headers=headers
            ) as answer,
        ):
            return web.Response(
                body=await answer.read(), status=answer.status, content_type=answer.content_type
            )


@asynccontextmanager
async def gate_before(api: SlackStandIn) -> AsyncIterator[Gate]:
    """A Gate in front of `api`, listening on a free port."""
    gate = Gate(api)
    await gate.server.start_server()
    try:
        yield gate
    finally:
        gate.open.set()
        await gate.server.close()


async def healthy(session: aiohttp.ClientSession, url: str) -> bool:
    """True when /healthz answers 200; False when nothing accepts the connection."""
    try:
        async with session.get(f"{url}/healthz") as resp:
            return resp.status == 200
    except aiohttp.ClientConnectionError:
        return False


async def until(
    proc: subprocess.Popen[bytes], log: Path, check: Callable[[], Awaitable[bool]], want: bool
) -> None:
    """Poll `check()` until it returns `want`, the process staying alive all the while;
    AssertionError after STARTUP_SECONDS (a deadline: under load each try is slower)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + STARTUP_SECONDS
    while loop.time() < deadline:
        assert proc.poll() is None, log.read_text()
        if await check() == want:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"never got {want}:\n{log.read_text()}")


@asynccontextmanager
async def serve_process(
    env: dict[str, str], log: Path, ready: Callable[[], Awaitable[bool]]
) -> AsyncIterator[subprocess.Popen[bytes]]:
    """`ecsbot serve` with `env`, once `ready()`; killed if the test left it running."""
    with log.open("wb") as sink:
        proc = subprocess.Popen(SERVE, env=env, stdout=sink, stderr=subprocess.STDOUT)
    try:
        await until(proc, log, ready, True)
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def bot_env(gate: Gate, slack_kb_dir: Path, database: Path, **extra: str) -> dict[str, str]:
    """The environment of a bot whose Web API calls pass the gate."""
    return {
        **os.environ,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_API_URL": gate.api_url,
        "KNOWLEDGE_DIR": str(slack_kb_dir),
        "DATABASE_URL": f"sqlite:///{database}",
        **extra,
    }


async def stopped_mid_answer(proc: subprocess.Popen[bytes], gate: Gate) -> int:
    """SIGTERM while the answer is held at the gate; open it; the exit code."""
    await asyncio.wait_for(gate.held.wait(), timeout=BACKGROUND_SECONDS)
    proc.send_signal(signal.SIGTERM)
    return await asyncio.to_thread(proc.wait, SHUTDOWN_SECONDS)


def assert_answered_and_recorded(api: SlackStandIn, database: Path, log: Path) -> None:
    """One answer posted, its question recorded before storage closed."""
    output = log.read_text()
    [answer] = api.of("chat.postMessage")
    assert answer.body["text"].startswith("How ECS and EC2 are priced"), output
    with create_engine(f"sqlite:///{database}").connect() as connection:
        served = connection.execute(select(ServedAnswer.topic_id, ServedAnswer.entry_point))
        assert served.all() == [("cost", "dm")]
    assert output.index("Finishing 1 task(s) in flight") < output.index("Closed the database")


@pytest.mark.asyncio
async def test_sigterm_finishes_the_answer_in_flight_and_its_record_then_exits_0(
    slack_api: SlackStandIn, slack_kb_dir: Path, tmp_path: Path
) -> None:
    """HTTP mode (ECS): a DM is acked and its answer is still on its way to Slack when
    SIGTERM arrives: the server stops accepting connections at once, yet the answer is
    posted, the question is recorded, storage is closed, and the exit code is 0."""
    port, log, database = free_port(), tmp_path / "serve.log", tmp_path / "bot.db"
    url = f"http://127.0.0.1:{port}"
    async with gate_before(slack_api) as gate, aiohttp.ClientSession() as session:
        env = bot_env(
            gate,
            slack_kb_dir,
            database,
            SLACK_SIGNING_SECRET=payloads.SIGNING_SECRET,
            PORT=str(port),
        )
        async with serve_process(env, log, lambda: healthy(session, url)) as proc:
            body = payloads.event_callback(payloads.im_message("how is fargate billed?"))
            headers = payloads.signed_headers(body, form=False)
            async with session.post(f"{url}/slack/events", data=body, headers=headers) as ack:
                assert ack.status == 200
            stopping = asyncio.create_task(stopped_mid_answer(proc, gate))
            await until(proc, log, lambda: healthy(session, url), False)  # no new requests
            gate.open.set()
            assert await stopping == 0, log.read_text()
    assert_answered_and_recorded(slack_api, database, log)


@pytest.mark.asyncio
async def test_sigterm_in_socket_mode_finishes_the_answer_in_flight_then_exits_0(
    slack_api: SlackStandIn, slack_kb_dir: Path, tmp_path: Path
) -> None:
    """Socket Mode: the same, over the WebSocket: disconnect, finish, close, exit 0."""
    log, database = tmp_path / "serve.log", tmp_path / "bot.db"
    async with gate_before(slack_api) as gate:
        env = bot_env(gate, slack_kb_dir, database, SLACK_APP_TOKEN=APP_TOKEN)

        async def connected() -> bool:
            return bool(slack_api.sockets) and not slack_api.sockets[-1].closed

        async with serve_process(env, log, connected) as proc:
            event = json.loads(
                payloads.event_callback(payloads.im_message("how is fargate billed?"))
            )
            await slack_api.push({"envelope_id": "env-1", "type": "events_api", "payload": event})
            stopping = asyncio.create_task(stopped_mid_answer(proc, gate))
            await until(proc, log, connected, False)  # disconnected: no new events
            gate.open.set()
            assert await stopping == 0, log.read_text()
    assert_answered_and_recorded(slack_api, database, log)
