"""The widenings matching takes by itself as an unfilled task's start approaches.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "task_widening",
        sa.Column("task_id", sa.Uuid(), nullable=False),
        sa.Column("widening", sa.String(length=20), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("more_members", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("task_id", "widening"),
    )


def downgrade() -> None:
    op.drop_table("task_widening")
