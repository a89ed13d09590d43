"""How delivery went, from the outbox table: what `ecsbot report` shows and /metrics can read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine, func, select

from bot.storage.models import OutboxMessage


@dataclass(frozen=True)
class DeliveryStats:
    """Posts to Slack: waiting now, and of those added since the window's start, how many
    needed more than one attempt, were delivered after a failed attempt, or were given up."""

    pending: int
    retried: int
    delivered_late: int
    given_up: int
    delivered: int


def delivery_stats(engine: Engine, since: datetime) -> DeliveryStats:
    """Read the delivery numbers for posts added since `since` (pending: all, whenever added)."""
    with engine.connect() as connection:
        return read_delivery_stats(connection, since)


def read_delivery_stats(connection: Connection, since: datetime) -> DeliveryStats:
    """`delivery_stats` on an open connection."""

    def count(*where: object) -> int:
        query = select(func.count()).select_from(OutboxMessage).where(*where)  # type: ignore[arg-type]
        return int(connection.execute(query).scalar_one())

    recent = OutboxMessage.created_at >= since
    return DeliveryStats(
        pending=count(OutboxMessage.status == "pending"),
        retried=count(recent, OutboxMessage.attempts > 1),
        delivered_late=count(
            recent, OutboxMessage.status == "delivered", OutboxMessage.attempts > 1
        ),
        given_up=count(recent, OutboxMessage.status == "given_up"),
        delivered=count(recent, OutboxMessage.status == "delivered"),
    )
