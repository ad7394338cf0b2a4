"""Notifications tables: recipients (language only) and deliveries (the service's own outbox).

Revision ID: 0001
Revises:
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

from services.common.migration_ops import create_infrastructure_tables, drop_infrastructure_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _when(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    create_infrastructure_tables()
    op.create_table(
        "recipient",
        sa.Column("member_id", sa.Uuid(), primary_key=True),
        sa.Column("language", sa.String(16), nullable=False),
        _when("updated_at"),
    )
    op.create_table(
        "delivery",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("subject_id", sa.Uuid(), nullable=False),
        sa.Column("task_id", sa.Uuid(), nullable=True),
        _when("event_at"),
        _when("expires_at", nullable=True),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        _when("next_attempt_at"),
        _when("claimed_until", nullable=True),
        _when("created_at"),
        _when("finished_at", nullable=True),
        sa.Column("last_error", sa.String(200), nullable=True),
        sa.UniqueConstraint("member_id", "subject_id", "kind", name="uq_delivery_once"),
    )
    op.create_index("ix_delivery_member_id", "delivery", ["member_id"])
    op.create_index("ix_delivery_status", "delivery", ["status"])
    op.create_index("ix_delivery_next_attempt_at", "delivery", ["next_attempt_at"])


def downgrade() -> None:
    op.drop_table("delivery")
    op.drop_table("recipient")
    drop_infrastructure_tables()
