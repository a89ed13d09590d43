"""slack_sdk's SQLAlchemy installation and OAuth state tables, declared here for migrations.

They mirror `SQLAlchemyInstallationStore.build_*_table` and
`SQLAlchemyOAuthStateStore.build_oauth_states_table` (slack_sdk 3.48) with their default
names; a test compares them so a slack_sdk upgrade that changes them asks for a migration.
Declared rather than built by slack_sdk so that a migration's schema stays what it was when
written, whatever slack_sdk version is installed later.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, DateTime, Index, Integer, MetaData, String, Table, func

INSTALLATIONS = "slack_installations"
BOTS = "slack_bots"
OAUTH_STATES = "slack_oauth_states"


def _bot_columns() -> list[Column[object]]:
    return [
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("client_id", String(32), nullable=False),
        Column("app_id", String(32), nullable=False),
        Column("enterprise_id", String(32)),
        Column("enterprise_name", String(200)),
    ]


def installations_table(metadata: MetaData) -> Table:
    """The `slack_installations` table: one row per installation (bot and user tokens)."""
    return Table(
        INSTALLATIONS,
        metadata,
        *_bot_columns(),
        Column("enterprise_url", String(200)),
        Column("team_id", String(32)),
        Column("team_name", String(200)),
        Column("bot_token", String(200)),
        Column("bot_id", String(32)),
        Column("bot_user_id", String(32)),
        Column("bot_scopes", String(1000)),
        Column("bot_refresh_token", String(200)),
        Column("bot_token_expires_at", DateTime),
        Column("user_id", String(32), nullable=False),
        Column("user_token", String(200)),
        Column("user_scopes", String(1000)),
        Column("user_refresh_token", String(200)),
        Column("user_token_expires_at", DateTime),
        Column("incoming_webhook_url", String(200)),
        Column("incoming_webhook_channel", String(200)),
        Column("incoming_webhook_channel_id", String(200)),
        Column("incoming_webhook_configuration_url", String(200)),
        Column("is_enterprise_install", Boolean, default=False, nullable=False),
        Column("token_type", String(32)),
        Column("installed_at", DateTime, nullable=False, default=func.now()),
        Index(
            f"{INSTALLATIONS}_idx",
            "client_id",
            "enterprise_id",
            "team_id",
            "user_id",
            "installed_at",
        ),
    )


def bots_table(metadata: MetaData) -> Table:
    """The `slack_bots` table: the latest bot token per workspace or org."""
    return Table(
        BOTS,
        metadata,
        *_bot_columns(),
        Column("team_id", String(32)),
        Column("team_name", String(200)),
        Column("bot_token", String(200)),
        Column("bot_id", String(32)),
        Column("bot_user_id", String(32)),
        Column("bot_scopes", String(1000)),
        Column("bot_refresh_token", String(200)),
        Column("bot_token_expires_at", DateTime),
        Column("is_enterprise_install", Boolean, default=False, nullable=False),
        Column("installed_at", DateTime, nullable=False, default=func.now()),
        Index(f"{BOTS}_idx", "client_id", "enterprise_id", "team_id", "installed_at"),
    )


def oauth_states_table(metadata: MetaData) -> Table:
    """The `slack_oauth_states` table: OAuth `state` values until consumed or expired."""
    return Table(
        OAUTH_STATES,
        metadata,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("state", String(200), nullable=False),
        Column("expire_at", DateTime, nullable=False),
    )


def add_slack_tables(metadata: MetaData) -> tuple[Table, Table, Table]:
    """Declare the three slack_sdk tables on `metadata`."""
    return installations_table(metadata), bots_table(metadata), oauth_states_table(metadata)
