"""The listener runner (bot.slack.ack_runner): Bolt's behaviour, without its 10 ms ack poll."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from types import SimpleNamespace
from typing import Any

import pytest
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.listener import asyncio_runner
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from bot.slack.ack_runner import PromptAck, PromptAckRunner
from bot.slack.app import SlackApp
from tests.slack.conftest import BotUnderTest

Work = Callable[[AsyncAck], Awaitable[None]]


class Listener:
    """The part of Bolt's AsyncListener the runner uses, around `work(ack)`."""

    def __init__(self, work: Work, *, auto_ack: bool = False, ack_timeout: float = 3.0) -> None:
        self.lazy_functions: list[Any] = []
        self.work = work
        self.auto_acknowledgement = auto_ack
        self.ack_timeout = ack_timeout
        self.done = asyncio.Event()

    async def run_ack_function(self, *, request: AsyncBoltRequest, response: Any) -> None:
        """Run the work with the request's ack, as Bolt injects it."""
        try:
            await self.work(request.context.ack)
        finally:
            self.done.set()


@pytest.fixture
def runner() -> PromptAckRunner:
    """The runner as SlackApp installs it, with Bolt's own handlers."""
    app = SlackApp(signing_secret="not-a-real-secret", authorize=_no_authorize)
    runner = app._async_listener_runner
    assert isinstance(runner, PromptAckRunner)
    return runner


async def _no_authorize(**_: Any) -> None:
    return None


@pytest.fixture(autouse=True)
def no_polling(monkeypatch: pytest.MonkeyPatch) -> None:
    """Bolt's runner looks for the ack with asyncio.sleep(0.01); ours must never (the rest of
    asyncio is untouched, for the server and the test)."""

    async def polled(*_: Any) -> None:
        raise AssertionError("the runner polled for the ack")

    monkeypatch.setattr(
        asyncio_runner, "asyncio", SimpleNamespace(**{**vars(asyncio), "sleep": polled})
    )


async def run(runner: PromptAckRunner, listener: Listener) -> BoltResponse | None:
    """The runner's response for one request to `listener`."""
    request = AsyncBoltRequest(body={"type": "test"}, mode="socket_mode")
    return await runner.run(request, None, "listener", listener)  # type: ignore[arg-type]


@pytest.mark.asyncio
async def test_the_response_leaves_at_the_ack_while_the_listener_goes_on(
    runner: PromptAckRunner,
) -> None:
    """The ack's response comes back as soon as the listener acks; the listener then goes on."""
    go_on = asyncio.Event()

    async def work(ack: AsyncAck) -> None:
        await ack(text="the answer")
        await go_on.wait()

    listener = Listener(work)
    response = await run(runner, listener)
    assert response is not None and response.status == 200
    assert "the answer" in response.body
    assert not listener.done.is_set()
    go_on.set()
    await asyncio.wait_for(listener.done.wait(), 5)


@pytest.mark.asyncio
async def test_an_event_is_acked_before_its_listener_starts(runner: PromptAckRunner) -> None:
    """Auto-acknowledged listeners (events) get their 200 at once, as in Bolt."""
    started = asyncio.Event()

    async def work(_: AsyncAck) -> None:
        started.set()

    listener = Listener(work, auto_ack=True)
    response = await run(runner, listener)
    assert response is not None and response.status == 200
    await asyncio.wait_for(listener.done.wait(), 5)
    assert started.is_set()


@pytest.mark.asyncio
async def test_a_listener_failing_before_its_ack_gets_bolts_500(
    runner: PromptAckRunner, caplog: pytest.LogCaptureFixture
) -> None:
    """A listener that raises before acking: Bolt's error handler runs and Slack gets a 500."""

    async def work(_: AsyncAck) -> None:
        raise RuntimeError("broken listener")

    response = await run(runner, Listener(work))
    assert response is not None and response.status == 500


@pytest.mark.asyncio
async def test_a_listener_that_never_acks_times_out_with_bolts_warning(
    runner: PromptAckRunner, caplog: pytest.LogCaptureFixture
) -> None:
    """No ack within the listener's ack timeout: no response and Bolt's warning; a listener
    that ends without acking is still given the whole timeout (something it started may ack)."""
    acks: list[AsyncAck] = []

    async def work(ack: AsyncAck) -> None:
        acks.append(ack)

    with caplog.at_level(logging.WARNING):
        assert await run(runner, Listener(work, ack_timeout=0.05)) is None
    assert any("ack()" in r.getMessage() for r in caplog.records)

    late = Listener(work, ack_timeout=5.0)
    pending = asyncio.ensure_future(run(runner, late))
    await asyncio.wait_for(late.done.wait(), 5)
    assert not pending.done()
    await acks[-1](text="acked late")
    response = await asyncio.wait_for(pending, 5)
    assert response is not None and "acked late" in response.body


@pytest.mark.asyncio
async def test_an_ack_already_given_is_kept(runner: PromptAckRunner) -> None:
    """A request acked before the listener runs keeps that ack (no new one is put in)."""
    request = AsyncBoltRequest(body={"type": "test"}, mode="socket_mode")
    await request.context.ack(text="early")

    async def work(ack: AsyncAck) -> None:
        assert not isinstance(ack, PromptAck)

    listener = Listener(work)
    response = await runner.run(request, None, "listener", listener)  # type: ignore[arg-type]
    assert response is not None and "early" in response.body
    await asyncio.wait_for(listener.done.wait(), 5)


def test_the_app_runs_listeners_with_the_prompt_runner() -> None:
    """SlackApp swaps Bolt's runner for this one, keeping Bolt's handlers."""
    app = SlackApp(signing_secret="not-a-real-secret", authorize=_no_authorize)
    assert type(app._async_listener_runner) is PromptAckRunner


@pytest.mark.asyncio
async def test_a_slash_command_is_answered_in_its_ack_without_polling(bot: BotUnderTest) -> None:
    """End to end, a signed slash command gets its answer in the HTTP response itself, with
    Bolt's ack poll made to fail if anything used it."""
    reply = (await bot.command("how is fargate billed?")).reply()
    assert reply.body["response_type"] == "ephemeral"
    assert "Fargate" in json.dumps(reply.body["blocks"])
