"""Who coordinates each task (a gateway account id, from tasks.state), for the coordinator's mails.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("task_schedule") as batch:
        batch.add_column(sa.Column("coordinator_id", sa.Uuid(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("task_schedule") as batch:
        batch.drop_column("coordinator_id")
