"""Pending erasures: workspaces that uninstalled, and when their records go.

Revision ID: 0004_pending_erasures
Revises: 0003_outbox
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0004_pending_erasures"
down_revision: str | None = "0003_outbox"
branch_labels: str | None = None
depends_on: str | None = None

UTC_TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create `pending_erasures`."""
    op.create_table(
        "pending_erasures",
        sa.Column("workspace", sa.String(32), nullable=False),
        sa.Column("requested_at", UTC_TIMESTAMP, nullable=False),
        sa.Column("due_at", UTC_TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("workspace", name="pk_pending_erasures"),
    )
    op.create_index("ix_pending_erasures_due_at", "pending_erasures", ["due_at"])


def downgrade() -> None:
    """Drop `pending_erasures`."""
    op.drop_index("ix_pending_erasures_due_at", table_name="pending_erasures")
    op.drop_table("pending_erasures")
