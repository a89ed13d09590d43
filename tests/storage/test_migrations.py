"""Migrations: on SQLite and PostgreSQL, idempotent, and identical to the models."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, MetaData, Table, inspect

from bot.storage.db import alembic_config, head_revision, make_engine, upgrade
from bot.storage.models import Base

BOT_TABLES = {
    "feedback",
    "questions",
    "served_answers",
    "processed_events",
    "pending_erasures",
    "rate_limit_counters",
    "user_hash_salt",
    "conversation_turns",
    "outbox_messages",
}
SLACK_TABLES = {"slack_installations", "slack_bots", "slack_oauth_states"}


def schema_diff(engine: Engine) -> list[object]:
    """What autogenerate would change to make the database match the models."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))


def test_sqlite_file_and_directory_created_on_first_run(tmp_path: Path) -> None:
    """Upgrading a URL whose directory does not exist creates both and reaches head."""
    url = f"sqlite:///{tmp_path / 'new' / 'dir' / 'ecsbot.db'}"
    assert upgrade(url) == head_revision()
    assert (tmp_path / "new" / "dir" / "ecsbot.db").is_file()


def test_sqlite_migration_creates_every_table(engine: Engine) -> None:
    """The bot's tables and slack_sdk's OAuth tables all exist after the upgrade."""
    assert set(inspect(engine).get_table_names()) >= BOT_TABLES | SLACK_TABLES


def test_upgrade_twice_is_a_no_op(engine: Engine) -> None:
    """A second upgrade (every replica runs one at startup) changes nothing."""
    assert upgrade(engine) == head_revision()


def test_migrations_form_one_chain() -> None:
    """One head, reached from 0001 revision by revision: a second branch's migration must be
    chained after ours (or ours after it) when both land on main."""
    script = ScriptDirectory.from_config(alembic_config())
    assert len(script.get_heads()) == 1
    chain = [r.revision for r in script.walk_revisions()]
    assert chain[::-1] == [
        "0001",
        "0002_conversation_turns",
        "0003_outbox",
        "0004_pending_erasures",
    ]


def test_upgrade_does_not_depend_on_working_directory(tmp_path: Path, sqlite_url: str) -> None:
    """Migrations are found from the package, wherever the process runs."""
    os.chdir(tmp_path.anchor)
    assert upgrade(sqlite_url) == head_revision()


def test_sqlite_schema_matches_models(engine: Engine) -> None:
    """Autogenerate finds nothing to change after the migrations on SQLite."""
    assert schema_diff(engine) == []


def test_slack_tables_match_slack_sdk() -> None:
    """Our copy of slack_sdk's OAuth tables has the same columns, types and indexes."""
    from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
    from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

    theirs = MetaData()
    SQLAlchemyInstallationStore.build_installations_table(theirs, "slack_installations")
    SQLAlchemyInstallationStore.build_bots_table(theirs, "slack_bots")
    SQLAlchemyOAuthStateStore.build_oauth_states_table(theirs, "slack_oauth_states")
    for name in SLACK_TABLES:
        ours, expected = Base.metadata.tables[name], theirs.tables[name]
        assert describe(ours) == describe(expected), name


def describe(table: Table) -> tuple[object, ...]:
    """Columns (name, type, nullable) and indexes (name, columns) of a table."""
    columns = tuple((c.name, repr(c.type), c.nullable) for c in table.columns)
    indexes = sorted((i.name, tuple(c.name for c in i.columns)) for i in table.indexes)
    return columns, tuple(indexes)


@pytest.mark.services
def test_postgres_migration_matches_models(pg_engine: Engine) -> None:
    """On real PostgreSQL the migrated schema has every table and matches the models."""
    assert set(inspect(pg_engine).get_table_names()) >= BOT_TABLES | SLACK_TABLES
    assert schema_diff(pg_engine) == []


@pytest.mark.services
@pytest.mark.asyncio
async def test_postgres_replicas_migrate_at_once(pg_url: str) -> None:
    """Two replicas starting together both reach head: the advisory lock serialises them."""
    engines = [make_engine(pg_url), make_engine(pg_url)]
    try:
        revisions = await asyncio.gather(*(asyncio.to_thread(upgrade, e) for e in engines))
    finally:
        for e in engines:
            e.dispose()
    assert revisions == [head_revision(), head_revision()]
