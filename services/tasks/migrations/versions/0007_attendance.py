"""Who came to each task: attended, no-show or excused, with the time given; and the counts older
records are reduced to.

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
    counts = [sa.Column(name, sa.Integer(), nullable=False) for name in ("attended", "no_shows", "excused", "minutes")]
    op.create_table(
        "attendance_member_tally",
        sa.Column("member_id", sa.Uuid(), primary_key=True),
        sa.Column("month", sa.String(7), primary_key=True),
        *counts,
    )
    op.create_table(
        "attendance_scope_tally",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("committee_id", sa.Uuid(), nullable=True),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("tasks", sa.Integer(), nullable=False),
        *[sa.Column(column.name, sa.Integer(), nullable=False) for column in counts],
    )
    op.create_index("ix_attendance_scope_tally_organization_id", "attendance_scope_tally", ["organization_id"])
    op.create_index("ix_attendance_scope_tally_committee_id", "attendance_scope_tally", ["committee_id"])


def downgrade() -> None:
    op.drop_table("attendance_scope_tally")
    op.drop_table("attendance_member_tally")
    op.drop_index("ix_attendance_member_id", "attendance")
    op.drop_table("attendance")
