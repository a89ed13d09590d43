"""One call at startup opens all storage the Slack app needs; one call at shutdown closes it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from redis.asyncio import Redis
from sqlalchemy import Engine

from bot.settings import Settings
from bot.storage.batching import BatchingRecorder
from bot.storage.conversations import Conversations, TurnT, make_turn_store
from bot.storage.db import make_engine, mask_url, upgrade
from bot.storage.dedupe import DEFAULT_PREFIX, EventDeduper
from bot.storage.dedupe_shared import make_deduper
from bot.storage.erasure import WorkspaceEraser
from bot.storage.failover import make_redis
from bot.storage.hashing import UserHasher, make_user_hasher
from bot.storage.outbox import DatabaseOutbox
from bot.storage.ratelimit import HashedKeys, make_rate_limiter
from bot.storage.recorder import Recorder
from bot.storage.turn_batching import WriteBehindTurns

logger = logging.getLogger(__name__)


@dataclass
class Storage:
    """The recorder, deduper, rate limiter, conversation turns, outbox and eraser over one
    database (and Redis when configured)."""

    engine: Engine
    recorder: BatchingRecorder
    deduper: EventDeduper
    limiter: HashedKeys
    turns: WriteBehindTurns
    hasher: UserHasher
    outbox: DatabaseOutbox
    eraser: WorkspaceEraser
    redis: Redis | None = None

    def conversations(
        self, make_turn: Callable[[str, str, str | None], TurnT]
    ) -> Conversations[TurnT]:
        """The conversation memory, recalling turns as `make_turn(question, topic, entry)`."""
        return Conversations(self.turns, make_turn, self.hasher)

    async def aclose(self) -> None:
        """Write the questions, rate-limit counts and conversation turns still queued, then
        close the Redis client and the database pool."""
        await self.recorder.aclose()
        await self.limiter.aclose()
        await self.turns.aclose()
        if self.redis is not None:
            await self.redis.aclose()
        self.engine.dispose()


def open_storage(
    settings: Settings, *, migrate: bool = True, redis_prefix: str | None = None
) -> Storage:
    """Open the database (migrated to the newest schema unless `migrate` is False) and Redis.

    Redis keys start with `redis_prefix`, by default REDIS_KEY_PREFIX ("ecsbot:").
    """
    prefix = redis_prefix or settings.redis_key_prefix or DEFAULT_PREFIX
    engine = make_engine(settings.database_url)
    try:
        if migrate:
            revision = upgrade(engine)
            logger.info("Database %s at revision %s", mask_url(engine.url), revision)
        hasher = make_user_hasher(settings, engine)
    except Exception:
        engine.dispose()
        raise
    redis = make_redis(settings.redis_url) if settings.redis_url else None
    return Storage(
        engine=engine,
        recorder=BatchingRecorder(Recorder(engine, hasher)),
        deduper=make_deduper(settings, engine, redis, prefix=prefix),
        limiter=make_rate_limiter(settings, engine, redis, hasher, prefix=prefix),
        turns=WriteBehindTurns(make_turn_store(settings, engine, redis, prefix=prefix)),
        hasher=hasher,
        outbox=DatabaseOutbox(engine),
        eraser=WorkspaceEraser(engine, timedelta(days=settings.uninstall_grace_days)),
        redis=redis,
    )
