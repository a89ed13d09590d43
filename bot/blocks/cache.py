"""Blocks that do not depend on the question are built, and turned into JSON, once.

An answer to a topic is the same for everyone who asks, yet building it with
`slack_sdk.models.blocks` and checking Slack's limits in `to_dict()` cost more than matching
the question. `BlockCache.blocks` keeps each such list of blocks, keyed by the identity of what
it was built from (a knowledge base, a topic) and by flags; `rendered` hands back the dicts of
a cached block, computed on first use. Cached blocks and their dicts are shared: read-only.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence

from slack_sdk.models.blocks import Block

Owners = tuple[object, ...]


class BlockCache:
    """A bounded, least-recently-used cache of block lists and of each block's dict."""

    def __init__(self, max_entries: int = 2048) -> None:
        self._max_entries = max_entries
        self._entries: OrderedDict[Hashable, tuple[Owners, list[Block]]] = OrderedDict()
        # id(block) -> (block, its dict once rendered); the entry holding the block keeps the
        # block alive, so its id cannot be reused while it is here.
        self._dicts: dict[int, tuple[Block, dict[str, object] | None]] = {}

    def blocks(
        self, owners: Owners, flags: tuple[Hashable, ...], build: Callable[[], list[Block]]
    ) -> list[Block]:
        """A new list of the cached blocks built from `owners` with `flags`, built if missing."""
        key = (*(id(owner) for owner in owners), *flags)
        hit = self._entries.get(key)
        if hit is not None and all(a is b for a, b in zip(hit[0], owners, strict=True)):
            self._entries.move_to_end(key)
            return list(hit[1])
        built = build()
        self._store(key, owners, built)
        return list(built)

    def rendered(self, block: Block) -> dict[str, object]:
        """`block.to_dict()`, computed once for a cached block (raises past Slack's limits)."""
        hit = self._dicts.get(id(block))
        if hit is None or hit[0] is not block:
            return block.to_dict()
        if hit[1] is None:
            self._dicts[id(block)] = (block, block.to_dict())
        rendered = self._dicts[id(block)][1]
        assert rendered is not None
        return rendered

    def clear(self) -> None:
        """Forget everything (tests)."""
        self._entries.clear()
        self._dicts.clear()

    def _store(self, key: Hashable, owners: Owners, built: Sequence[Block]) -> None:
        old = self._entries.pop(key, None)
        if old is not None:
            self._forget(old[1])
        self._entries[key] = (owners, list(built))
        for block in built:
            self._dicts.setdefault(id(block), (block, None))
        while len(self._entries) > self._max_entries:
            _, (_, evicted) = self._entries.popitem(last=False)
            self._forget(evicted)

    def _forget(self, blocks: Sequence[Block]) -> None:
        for block in blocks:
            hit = self._dicts.get(id(block))
            if hit is not None and hit[0] is block:
                del self._dicts[id(block)]


BLOCK_CACHE = BlockCache()
