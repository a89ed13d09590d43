"""Alembic environment: runs on the connection `bot.storage.db.upgrade` hands over."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from bot.storage.db import make_engine
from bot.storage.models import Base


def run_on(connection: Connection) -> None:
    """Run the pending migrations on `connection`, in batch mode on SQLite."""
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    """Use the given connection, or open one from `sqlalchemy.url` (the alembic CLI)."""
    connection = context.config.attributes.get("connection")
    if connection is not None:
        run_on(connection)
        return
    engine = make_engine(context.config.get_main_option("sqlalchemy.url") or "")
    try:
        with engine.begin() as opened:
            run_on(opened)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported")
run_online()
