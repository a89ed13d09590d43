"""Waiting for background work in tests: poll a condition instead of sleeping a guessed time.

Every deadline here only guards against a hang: a poll returns as soon as its condition holds,
so a long deadline costs nothing when the code works, while a short one fails a correct run on
a loaded machine (CI shares 2 cores with other jobs and a browser session).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

# Background work inside the test process (a write-behind batch, a queued post): normally done
# in well under a second; 30 s leaves room for a machine many times slower.
BACKGROUND_SECONDS = 30.0

# A child process (`ecsbot serve`, the playground) importing scikit-learn and building the
# matcher until it listens. Measured on the 2-core box: ~6 s alone; 16 s with two busy-loop
# CPU hogs beside it; ~35 s each for three started together with the hogs (the replicas
# bench). 120 s stays well inside pytest-timeout's 300 s per test.
STARTUP_SECONDS = 120.0

# A child process's clean shutdown after SIGTERM (closing database and Redis connections):
# tests assert it exits 0, so the wait before SIGKILL must not be the thing that fails.
SHUTDOWN_SECONDS = 60.0


async def eventually(
    condition: Callable[[], object], *, timeout: float = BACKGROUND_SECONDS
) -> None:
    """Return once `condition()` is truthy, polling every 10 ms; TimeoutError after `timeout` s.

    Write-behind batches run in worker threads: on a loaded CI machine a batch due in 50 ms
    can take far longer, so a fixed sleep makes a test that fails on timing, not behaviour.
    """
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.01)
