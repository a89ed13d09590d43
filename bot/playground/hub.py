"""Server-sent events: every change the playground makes reaches each open page."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from bot.playground.conversation import Event


class Hub:
    """Hands every event to each connected page (one queue per server-sent-event stream)."""

    def __init__(self) -> None:
        self._queues: set[asyncio.Queue[Event | None]] = set()

    def subscribe(self) -> asyncio.Queue[Event | None]:
        """A queue that receives every event from now on (None: the server is stopping)."""
        queue: asyncio.Queue[Event | None] = asyncio.Queue()
        self._queues.add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[Event | None]) -> None:
        """Stop sending to `queue`."""
        self._queues.discard(queue)

    def publish(self, events: Iterable[Event]) -> None:
        """Send `events` to every page."""
        for event in events:
            for queue in self._queues:
                queue.put_nowait(event)

    def close(self) -> None:
        """Tell every page's stream to end."""
        for queue in self._queues:
            queue.put_nowait(None)
