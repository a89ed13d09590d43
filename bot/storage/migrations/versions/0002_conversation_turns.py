"""Conversation turns: each DM's or thread's last answer, so follow-ups are read in context.

Revision ID: 0002_conversation_turns
Revises: 0001
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

# A named revision id: other branches may add a "0002" of their own, and the names tell the
# two apart when they are chained one after the other at merge time.
revision: str = "0002_conversation_turns"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Create the conversation_turns table."""
    op.create_table(
        "conversation_turns",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("question", sa.String(500), nullable=False),
        sa.Column("topic_id", sa.String(100), nullable=False),
        sa.Column("entry_id", sa.String(100), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_conversation_turns"),
    )
    op.create_index("ix_conversation_turns_updated_at", "conversation_turns", ["updated_at"])


def downgrade() -> None:
    """Drop the conversation_turns table."""
    op.drop_index("ix_conversation_turns_updated_at", table_name="conversation_turns")
    op.drop_table("conversation_turns")
