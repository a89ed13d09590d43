"""Conversation turns without a round trip of their own per answer: read and stored in batches.

`save` only notes the turn; a background task stores what was noted, one round trip or
transaction per batch, `interval` seconds later. `load` answers from the turns noted here
first, so this process always reads its own latest turn; another replica sees it once it is
stored (within `interval`, well before a person types a follow-up). Loads made while one is
under way wait and go together in one query (or MGET). `aclose()` stores what is left:
`ecsbot serve` calls it on a clean shutdown.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping

from bot.storage.conversations import StoredTurn, TurnStore

logger = logging.getLogger(__name__)

STORE_INTERVAL_SECONDS = 0.1


class WriteBehindTurns:
    """A TurnStore that batches the saves of another."""

    def __init__(self, store: TurnStore, *, interval: float = STORE_INTERVAL_SECONDS) -> None:
        self._store, self._interval = store, interval
        self._noted: dict[str, StoredTurn] = {}
        self._storing: dict[str, StoredTurn] = {}
        self._timer: asyncio.TimerHandle | None = None
        self._task: asyncio.Task[None] | None = None
        self._wanted: dict[str, list[asyncio.Future[StoredTurn | None]]] = {}
        self._loader: asyncio.Task[None] | None = None

    async def load(self, key: str) -> StoredTurn | None:
        """The turn noted here for `key`, else the store's (fetched with other loads)."""
        noted = self._noted.get(key) or self._storing.get(key)
        if noted is not None:
            return noted
        loop = asyncio.get_running_loop()
        found: asyncio.Future[StoredTurn | None] = loop.create_future()
        self._wanted.setdefault(key, []).append(found)
        if self._loader is None:
            self._loader = loop.create_task(self._load_wanted())
        return await found

    async def load_many(self, keys: list[str]) -> dict[str, StoredTurn]:
        """The turns for `keys`, noted here or in the store."""
        turns = [await self.load(key) for key in keys]
        return {key: turn for key, turn in zip(keys, turns, strict=True) if turn is not None}

    async def _load_wanted(self) -> None:
        """Fetch every wanted key, batch after batch, until none waits."""
        try:
            while self._wanted:
                batch, self._wanted = self._wanted, {}
                try:
                    turns = await self._store.load_many(list(batch))
                except Exception as exc:
                    for waiting in batch.values():
                        for found in waiting:
                            found.set_exception(exc)
                    continue
                for key, waiting in batch.items():
                    for found in waiting:
                        found.set_result(turns.get(key))
        finally:
            self._loader = None

    async def save(self, key: str, turn: StoredTurn) -> None:
        """Note `turn`; it is stored with the next batch."""
        self._noted[key] = turn
        if self._timer is None and self._task is None:
            self._timer = asyncio.get_running_loop().call_later(self._interval, self._start)

    async def save_many(self, turns: Mapping[str, StoredTurn]) -> None:
        """Note every turn."""
        for key, turn in turns.items():
            await self.save(key, turn)

    async def flush(self) -> None:
        """Store what is noted now."""
        if self._task is not None:
            await asyncio.shield(self._task)
        await self._store_noted()

    async def aclose(self) -> None:
        """Store what is noted (at shutdown)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        await self.flush()

    def _start(self) -> None:
        self._timer = None
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        try:
            await self._store_noted()
        finally:
            self._task = None
        if self._noted and self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(self._interval, self._start)

    async def _store_noted(self) -> None:
        if not self._noted:
            return
        self._storing, self._noted = self._noted, {}
        try:
            await self._store.save_many(self._storing)  # the stores log their own failures
        except Exception:
            logger.exception("Failed to keep %d conversation turn(s)", len(self._storing))
        finally:
            self._storing = {}
