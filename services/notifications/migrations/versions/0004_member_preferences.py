"""What members chose about messages (email on or off, detail, quiet hours); tasks' titles and zones.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("recipient") as batch:
        batch.add_column(sa.Column("email", sa.Boolean(), nullable=False, server_default=sa.true()))
        batch.add_column(sa.Column("detail", sa.String(10), nullable=False, server_default="discreet"))
        batch.add_column(sa.Column("quiet_start", sa.Time(), nullable=True))
        batch.add_column(sa.Column("quiet_end", sa.Time(), nullable=True))
        batch.add_column(sa.Column("quiet_time_zone", sa.String(64), nullable=True))
    with op.batch_alter_table("task_schedule") as batch:
        batch.add_column(sa.Column("title", sa.String(200), nullable=True))
        batch.add_column(sa.Column("time_zone", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("task_schedule") as batch:
        batch.drop_column("time_zone")
        batch.drop_column("title")
    with op.batch_alter_table("recipient") as batch:
        for column in ("quiet_time_zone", "quiet_end", "quiet_start", "detail", "email"):
            batch.drop_column(column)
