"""The private calendar feed's link version on each account (None: no feed).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("gateway_user") as table:
        table.add_column(sa.Column("calendar_feed_version", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("gateway_user") as table:
        table.drop_column("calendar_feed_version")
