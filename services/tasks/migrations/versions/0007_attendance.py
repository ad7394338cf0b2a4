"""Who came to each task: attended, no-show or excused, with the time given.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: Union[str, Sequence[str], None] = "0006"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "attendance",
        sa.Column("task_id", sa.Uuid(), sa.ForeignKey("task.id"), primary_key=True),
        sa.Column("member_id", sa.Uuid(), primary_key=True),
        sa.Column("presence", sa.String(10), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=True),
        sa.Column("marked_by", sa.String(12), nullable=False),
        sa.Column("marked_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_attendance_member_id", "attendance", ["member_id"])


def downgrade() -> None:
    op.drop_index("ix_attendance_member_id", "attendance")
    op.drop_table("attendance")
