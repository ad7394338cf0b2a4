"""Reminders: a delivery names the offer its one-click answers are bound to.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("delivery") as batch:
        batch.add_column(sa.Column("offer_id", sa.Uuid(), nullable=True))
        batch.create_index("ix_delivery_task_id", ["task_id"])


def downgrade() -> None:
    with op.batch_alter_table("delivery") as batch:
        batch.drop_index("ix_delivery_task_id")
        batch.drop_column("offer_id")
