"""Engines, sessions and migrations: SQLite by default, PostgreSQL by a change of URL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, make_url, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# Any fixed number: replicas starting together take turns to migrate PostgreSQL.
_MIGRATION_LOCK_ID = 7_310_982_114


def mask_url(url: str | URL) -> str:
    """The URL with its password replaced by ***, safe for logs and error messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparsable URL>"


def make_engine(url: str | URL) -> Engine:
    """An engine for `url`; a SQLite file's directory is created on first run."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed)
    # hide_parameters: tokens saved by the installation store never reach an error message.
    return create_engine(
        parsed,
        hide_parameters=True,
        pool_pre_ping=True,
        pool_size=5,
        max_overflow=5,
        pool_timeout=10,
        pool_recycle=1800,
        connect_args={"connect_timeout": 5} if parsed.drivername.endswith("psycopg") else {},
    )


def _sqlite_engine(url: URL) -> Engine:
    database = url.database or ""
    if database not in ("", ":memory:") and not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, hide_parameters=True, connect_args={"timeout": 30})
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the report read while the bot writes; the busy timeout covers the rest.
    # synchronous=NORMAL, SQLite's advice for WAL: no fsync per commit, and no corruption;
    # a power cut (not a crash of the bot) can lose the last commits.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """A session factory bound to `engine`; objects stay readable after commit."""
    return sessionmaker(engine, expire_on_commit=False)


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic configuration built in code, pointing at the packaged migrations."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(target: Engine | str | URL, revision: str = "head") -> str | None:
    """Apply migrations up to `revision` and return the database's revision afterwards."""
    if isinstance(target, Engine):
        return _upgrade(target, revision)
    engine = make_engine(target)
    try:
        return _upgrade(engine, revision)
    finally:
        engine.dispose()


def _upgrade(engine: Engine, revision: str) -> str | None:
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:id)"), {"id": _MIGRATION_LOCK_ID}
            )
        command.upgrade(alembic_config(connection), revision)
        return current_revision(connection)


def current_revision(connection: Connection) -> str | None:
    """The migration revision the database is at, or None before the first one."""
    return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    """The newest migration revision shipped with the code."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()
