"""The tasks a member accepted and did not come to, lately (attendance.events).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "missed_task",
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("task_id", sa.Uuid(), nullable=False),
        sa.Column("task_ended_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("marked_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("member_id", "task_id"),
    )
    op.create_index("ix_missed_task_ended", "missed_task", ["task_ended_at"])


def downgrade() -> None:
    op.drop_index("ix_missed_task_ended", table_name="missed_task")
    op.drop_table("missed_task")
