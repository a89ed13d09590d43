"""WriteBehindTurns: a turn is readable here at once and stored in batches, not per answer."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

import pytest
from sqlalchemy import Engine

from bot.storage.conversations import DatabaseTurns, StoredTurn
from bot.storage.turn_batching import WriteBehindTurns
from tests.waiting import eventually

pytestmark = pytest.mark.asyncio
GPU = StoredTurn("does fargate support gpus?", "gpu")
COST = StoredTurn("how is fargate billed?", "cost")


class CountingTurns:
    """An in-memory TurnStore counting its batches."""

    def __init__(self) -> None:
        self.turns: dict[str, StoredTurn] = {}
        self.batches: list[int] = []
        self.loads: list[list[str]] = []

    async def load(self, key: str) -> StoredTurn | None:
        return (await self.load_many([key])).get(key)

    async def load_many(self, keys: list[str]) -> dict[str, StoredTurn]:
        self.loads.append(keys)
        await asyncio.sleep(0)  # a round trip: loads made meanwhile wait for the next batch
        return {key: self.turns[key] for key in keys if key in self.turns}

    async def save(self, key: str, turn: StoredTurn) -> None:
        await self.save_many({key: turn})

    async def save_many(self, turns: Mapping[str, StoredTurn]) -> None:
        self.batches.append(len(turns))
        self.turns.update(turns)


async def test_a_turn_is_read_back_at_once_and_stored_with_the_others() -> None:
    """Three answers in a burst: each readable at once here, then stored in one batch."""
    store = CountingTurns()
    turns = WriteBehindTurns(store, interval=0.05)
    for n in range(3):
        await turns.save(f"k{n}", GPU)
    await turns.save("k0", COST)  # the latest turn of a conversation wins
    assert await turns.load("k0") == COST and store.batches == []
    await eventually(lambda: store.batches)
    assert store.batches == [3] and store.turns["k0"] == COST
    assert await turns.load("k1") == GPU  # now from the store


async def test_close_stores_what_is_noted(engine: Engine) -> None:
    """A clean shutdown loses no turn: the database has it after aclose."""
    database = DatabaseTurns(engine, ttl=60)
    turns = WriteBehindTurns(database, interval=60)
    await turns.save("k0", GPU)
    assert await database.load("k0") is None
    await turns.aclose()
    assert await database.load("k0") == GPU


async def test_loads_made_together_share_one_query(engine: Engine) -> None:
    """Twenty conversations asked about at once: at most two queries, each answer its own."""
    store = CountingTurns()
    store.turns = {"k1": GPU, "k2": COST}
    turns = WriteBehindTurns(store)
    found = await asyncio.gather(*(turns.load(f"k{n}") for n in range(20)))
    assert found[1:3] == [GPU, COST] and found[0] is None and set(found[3:]) == {None}
    assert len(store.loads) <= 2 and sum(map(len, store.loads)) == 20
    database = WriteBehindTurns(DatabaseTurns(engine, ttl=60))
    await database.save("k0", GPU)
    await database.flush()
    assert await asyncio.gather(database.load("k0"), database.load("k9")) == [GPU, None]


async def test_a_large_batch_of_turns_is_stored(engine: Engine) -> None:
    """More turns than one statement takes (a burst, or turns kept through an outage): all
    stored, and a later batch overwrites a conversation's turn."""
    database = DatabaseTurns(engine, ttl=60)
    await database.save_many({f"k{n}": GPU for n in range(1200)})
    await database.save_many({"k7": COST})
    found = await database.load_many([f"k{n}" for n in range(1200)])
    assert len(found) == 1200 and found["k7"] == COST and found["k1199"] == GPU
