"""Who accepted each task, so reminders are planned when the task's time becomes known or changes.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "acceptance",
        sa.Column("offer_id", sa.Uuid(), primary_key=True),
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("task_id", sa.Uuid(), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_acceptance_member_id", "acceptance", ["member_id"])
    op.create_index("ix_acceptance_task_id", "acceptance", ["task_id"])


def downgrade() -> None:
    op.drop_table("acceptance")
