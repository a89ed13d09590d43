"""Waiting for background work in tests: poll a condition instead of sleeping a guessed time."""

from __future__ import annotations

import asyncio
from collections.abc import Callable


async def eventually(condition: Callable[[], object], *, timeout: float = 5.0) -> None:
    """Return once `condition()` is truthy, polling every 10 ms; TimeoutError after `timeout` s.

    Write-behind batches run in worker threads: on a loaded CI machine a batch due in 50 ms
    can take far longer, so a fixed sleep makes a test that fails on timing, not behaviour.
    """
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.01)
