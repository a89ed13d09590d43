"""Stopping cleanly: ECS sends SIGTERM, waits (30 s by default), then SIGKILL.

Bolt acknowledges a request at once and answers in a task of its own, after the HTTP
response; the record of the question is written after the answer. So when the server has
stopped taking requests, that work is still running: it gets DRAIN_SECONDS to finish before
storage closes.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

logger = logging.getLogger(__name__)

DRAIN_SECONDS = 20.0

Cleanup = Callable[[], Awaitable[None]]


def _others() -> set[asyncio.Task[object]]:
    current = asyncio.current_task()
    return {task for task in asyncio.all_tasks() if task is not current and not task.done()}


async def drain(timeout: float = DRAIN_SECONDS) -> None:
    """Wait up to `timeout` seconds for work still running after its ack (listeners answering,
    record writes); what is left after that is cancelled when the loop closes."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while pending := _others():
        left = deadline - loop.time()
        if left <= 0:
            logger.warning(
                "Stopping with %d task(s) unfinished after %.0f s", len(pending), timeout
            )
            return
        logger.info("Finishing %d task(s) in flight before stopping", len(pending))
        await asyncio.wait(pending, timeout=left)


def drained(cleanup: Cleanup | None) -> Cleanup:
    """`cleanup`, after the work in flight has finished (or DRAIN_SECONDS have passed)."""

    async def drain_then_clean_up() -> None:
        await drain()
        if cleanup is not None:
            await cleanup()

    return drain_then_clean_up
