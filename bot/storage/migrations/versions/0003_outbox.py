"""The outbox: posts to Slack kept until delivered, so no answer is lost to a Slack outage.

Revision ID: 0003_outbox
Revises: 0002_conversation_turns
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0003_outbox"
down_revision: str | None = "0002_conversation_turns"
branch_labels: str | None = None
depends_on: str | None = None

UTC_TIMESTAMP = sa.DateTime(timezone=True)
TABLE = "outbox_messages"


def upgrade() -> None:
    """Create the outbox table and the indexes its worker and report read by."""
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("thread_ts", sa.String(32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("blocks", sa.Text(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("in_doubt", sa.Boolean(), nullable=False),
        sa.Column("last_error", sa.String(100), nullable=True),
        sa.Column("lease_owner", sa.String(64), nullable=True),
        sa.Column("lease_until", UTC_TIMESTAMP, nullable=True),
        sa.Column("created_at", UTC_TIMESTAMP, nullable=False),
        sa.Column("next_attempt_at", UTC_TIMESTAMP, nullable=False),
        sa.Column("give_up_at", UTC_TIMESTAMP, nullable=False),
        sa.Column("finished_at", UTC_TIMESTAMP, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_outbox_messages"),
        sa.UniqueConstraint("key", name="uq_outbox_messages_key"),
    )
    op.create_index(
        "ix_outbox_messages_status_next_attempt_at", TABLE, ["status", "next_attempt_at"]
    )
    op.create_index(
        "ix_outbox_messages_channel_thread_ts_status", TABLE, ["channel", "thread_ts", "status"]
    )
    op.create_index("ix_outbox_messages_created_at", TABLE, ["created_at"])


def downgrade() -> None:
    """Drop the outbox."""
    op.drop_table(TABLE)
