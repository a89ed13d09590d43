"""Bolt's listener runner, woken by the ack itself instead of looking for it every 10 ms.

Bolt (slack_bolt.listener.asyncio_runner) starts a listener in the background and then sleeps
in 10 ms steps until the listener has acked. Every request therefore waits up to 10 ms after its
ack is ready (a slash command answered in 1 ms goes back after 10), and under load the sleeping
requests wake the event loop a hundred times a second each. Here the ack resolves a future the
runner waits on: the response leaves as soon as it exists. Everything else is Bolt's: the same
start, error and completion handlers, the same ack timeout, the same responses.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.listener.async_listener import AsyncListener
from slack_bolt.listener.asyncio_runner import AsyncioListenerRunner
from slack_bolt.logger.messages import warning_did_not_call_ack
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

__all__ = ["PromptAck", "PromptAckRunner"]


class PromptAck(AsyncAck):
    """Bolt's ack, which also resolves `given` (on the running loop) once it has been called."""

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.given: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    async def __call__(self, *args: Any, **kwargs: Any) -> BoltResponse:
        """Set the response as Bolt's ack does (same arguments), then wake the runner."""
        response = await super().__call__(*args, **kwargs)
        if not self.given.done():
            self.given.set_result(None)
        return response


class PromptAckRunner(AsyncioListenerRunner):
    """Runs a listener as Bolt's runner does (it acks, then goes on in the background) and
    returns the ack's response the moment the listener acks, or when it fails or times out."""

    async def run(
        self,
        request: AsyncBoltRequest,
        response: BoltResponse,
        listener_name: str,
        listener: AsyncListener,
        starting_time: float | None = None,
    ) -> BoltResponse | None:
        """Bolt's `run` for an app that acks before processing; anything else (lazy
        listeners, process_before_response) is left to Bolt's own."""
        if self.process_before_response or request.lazy_only or listener.lazy_functions:
            return await super().run(request, response, listener_name, listener, starting_time)
        started = starting_time if starting_time is not None else time.time()
        ack = request.context.ack
        if ack.response is None:
            ack = PromptAck()
            request.context["ack"] = ack
        if listener.auto_acknowledgement:
            await ack()  # events are acked before their listener starts, as Bolt does
        running = asyncio.ensure_future(self._run_listener(request, response, listener))
        if ack.response is None and isinstance(ack, PromptAck):
            await self._until_acked(ack, running, listener.ack_timeout - (time.time() - started))
        if ack.response is None:
            self.logger.warning(warning_did_not_call_ack(listener_name))
            return None
        return response if response is not None else ack.response

    @staticmethod
    async def _until_acked(ack: PromptAck, running: asyncio.Future[None], timeout: float) -> None:
        """Wait for the ack, at most `timeout` seconds; a listener that ends without acking is
        given the rest of the time too (something it started may still ack), as in Bolt."""
        deadline = time.monotonic() + timeout
        await asyncio.wait(
            {ack.given, running}, timeout=max(timeout, 0), return_when=asyncio.FIRST_COMPLETED
        )
        if ack.response is None and not ack.given.done():
            rest = deadline - time.monotonic()
            if rest > 0:
                await asyncio.wait({ack.given}, timeout=rest)

    async def _run_listener(
        self, request: AsyncBoltRequest, response: BoltResponse | None, listener: AsyncListener
    ) -> None:
        """The listener with Bolt's start, error and completion handlers around it."""
        ack = request.context.ack
        try:
            await self.listener_start_handler.handle(request=request, response=response)
            await listener.run_ack_function(request=request, response=response)  # type: ignore[arg-type]
        except Exception as e:
            if response is None:
                response = BoltResponse(status=500)
            response.status = 500
            if ack.response is not None:  # already acknowledged
                response = None
            await self.listener_error_handler.handle(error=e, request=request, response=response)
            ack.response = response
            if isinstance(ack, PromptAck) and not ack.given.done():
                ack.given.set_result(None)
        finally:
            await self.listener_completion_handler.handle(request=request, response=response)
