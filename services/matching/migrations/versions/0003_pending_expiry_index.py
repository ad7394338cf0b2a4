"""Waiting offers indexed by when they expire, so the worker reads the next expiries first
without scanning the offers already answered.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

PENDING = sa.text("status = 'pending'")


def upgrade() -> None:
    # Partial on both databases: only offers still waiting for an answer are in it.
    op.create_index(
        "ix_offer_pending_expiry",
        "offer",
        ["expires_at", "task_id"],
        postgresql_where=PENDING,
        sqlite_where=PENDING,
    )


def downgrade() -> None:
    op.drop_index("ix_offer_pending_expiry", "offer")
