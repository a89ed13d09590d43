"""Dialect-aware INSERT … ON CONFLICT, the one statement SQLite and PostgreSQL spell alike."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection
from sqlalchemy.dialects import postgresql, sqlite


def upsert_insert(connection: Connection, table: Any) -> sqlite.Insert | postgresql.Insert:
    """An INSERT for `table` that supports `on_conflict_do_update` / `_do_nothing`."""
    name = connection.dialect.name
    if name == "postgresql":
        return postgresql.insert(table)
    if name == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"unsupported database dialect: {name}")
