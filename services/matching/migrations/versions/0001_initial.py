"""Matching tables: tasks copy, fill counters, member monthly loads, offers.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

import sqlalchemy as sa
from alembic import op

from services.common.migration_ops import create_infrastructure_tables, drop_infrastructure_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

LIVE_OFFER = "status IN ('pending', 'accepted')"


def _when(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    create_infrastructure_tables()
    op.create_table(
        "matching_task",
        sa.Column("task_id", sa.Uuid(), primary_key=True),
        sa.Column("partition", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("slots", sa.Integer(), nullable=False),
        _when("starts_at", nullable=True),
        _when("ends_at", nullable=True),
        sa.Column("state_json", sa.Text(), nullable=False),
        _when("state_occurred_at"),
        _when("updated_at"),
    )
    op.create_index("ix_matching_task_partition_status", "matching_task", ["partition", "status"])
    op.create_table(
        "task_fill",
        sa.Column("task_id", sa.Uuid(), primary_key=True),
        sa.Column("slots", sa.Integer(), nullable=False),
        sa.Column("accepted", sa.Integer(), nullable=False, server_default="0"),
        sa.CheckConstraint("accepted >= 0 AND accepted <= slots", name="ck_task_fill_capacity"),
    )
    op.create_table(
        "member_month_load",
        sa.Column("member_id", sa.Uuid(), primary_key=True),
        sa.Column("month", sa.String(7), primary_key=True),
        sa.Column("accepted", sa.Integer(), nullable=False, server_default="0"),
        sa.CheckConstraint("accepted >= 0", name="ck_member_month_load_positive"),
    )
    _create_offer_table()


def _create_offer_table() -> None:
    op.create_table(
        "offer",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("task_id", sa.Uuid(), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(30), nullable=False),
        sa.Column("score", sa.Float(), nullable=False, server_default="0"),
        sa.Column("reasons", sa.JSON(), nullable=False),
        _when("created_at"),
        _when("expires_at"),
        _when("responded_at", nullable=True),
        _when("accepted_at", nullable=True),
        sa.Column("withdrawn_because", sa.String(100), nullable=True),
        _when("task_starts_at", nullable=True),
        _when("task_ends_at", nullable=True),
        sa.Column("counted_month", sa.String(7), nullable=True),
    )
    op.create_index("ix_offer_task_status", "offer", ["task_id", "status"])
    op.create_index("ix_offer_member_status", "offer", ["member_id", "status"])
    op.create_index("ix_offer_status_expires", "offer", ["status", "expires_at"])
    op.create_index("ix_offer_accepted_at", "offer", ["accepted_at"])
    # The database itself refuses a second live offer of one task to one member.
    op.create_index(
        "uq_offer_live_member_task",
        "offer",
        ["task_id", "member_id"],
        unique=True,
        sqlite_where=sa.text(LIVE_OFFER),
        postgresql_where=sa.text(LIVE_OFFER),
    )


def downgrade() -> None:
    op.drop_table("offer")
    op.drop_table("member_month_load")
    op.drop_table("task_fill")
    op.drop_index("ix_matching_task_partition_status", "matching_task")
    op.drop_table("matching_task")
    drop_infrastructure_tables()
