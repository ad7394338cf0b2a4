"""Organizations, coordinators, tasks with their skills, languages and acceptances; outbox.

Revision ID: 0001
Revises:
Create Date: 2025-01-01

"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

from services.common.migration_ops import create_infrastructure_tables, drop_infrastructure_tables

revision: str = "0001"
down_revision: Union[str, Sequence[str], None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def _moment(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "organization",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("name", sa.String(120), nullable=False, unique=True),
        sa.Column("description", sa.String(1000), nullable=False),
        _moment("created_at"),
    )
    op.create_table(
        "coordinator_membership",
        sa.Column("organization_id", sa.Uuid(), sa.ForeignKey("organization.id"), primary_key=True),
        sa.Column("coordinator_id", sa.Uuid(), primary_key=True),
        _moment("added_at"),
    )
    op.create_index("ix_coordinator_membership_coordinator_id", "coordinator_membership", ["coordinator_id"])
    op.create_table(
        "task",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("organization_id", sa.Uuid(), sa.ForeignKey("organization.id"), nullable=False),
        sa.Column("coordinator_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(120), nullable=False),
        sa.Column("summary", sa.String(280), nullable=False),
        sa.Column("description", sa.String(5000), nullable=False),
        sa.Column("campaign", sa.String(60), nullable=True),
        sa.Column("slots", sa.Integer(), nullable=False),
        _moment("starts_at", nullable=True),
        _moment("ends_at", nullable=True),
        _moment("deadline", nullable=True),
        _moment("scheduled_at"),
        sa.Column("area", sa.String(60), nullable=True),
        sa.Column("remote", sa.Boolean(), nullable=False),
        sa.Column("address", sa.String(300), nullable=True),
        sa.Column("urgency", sa.String(10), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("accepted_count", sa.Integer(), nullable=False, server_default="0"),
        _moment("created_at"),
        _moment("updated_at"),
        sa.CheckConstraint("slots >= 1", name="ck_task_slots_positive"),
    )
    for column in ("organization_id", "coordinator_id", "scheduled_at", "status"):
        op.create_index(f"ix_task_{column}", "task", [column])
    op.create_table(
        "task_skill",
        sa.Column("task_id", sa.Uuid(), sa.ForeignKey("task.id"), primary_key=True),
        sa.Column("skill", sa.String(60), primary_key=True),
        sa.Column("min_level", sa.String(10), nullable=False),
    )
    op.create_index("ix_task_skill_skill", "task_skill", ["skill"])
    op.create_table(
        "task_language",
        sa.Column("task_id", sa.Uuid(), sa.ForeignKey("task.id"), primary_key=True),
        sa.Column("code", sa.String(20), primary_key=True),
    )
    op.create_index("ix_task_language_code", "task_language", ["code"])
    op.create_table(
        "task_acceptance",
        sa.Column("task_id", sa.Uuid(), sa.ForeignKey("task.id"), primary_key=True),
        sa.Column("member_id", sa.Uuid(), primary_key=True),
        sa.Column("offer_id", sa.Uuid(), nullable=False),
        _moment("accepted_at"),
    )
    op.create_index("ix_task_acceptance_member_id", "task_acceptance", ["member_id"])
    create_infrastructure_tables()


def downgrade() -> None:
    drop_infrastructure_tables()
    for table in ("task_acceptance", "task_language", "task_skill", "task", "coordinator_membership", "organization"):
        op.drop_table(table)
