"""Counts of purged delivery records, by kind and status (records go after 30 days, counts stay).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "delivery_tally",
        sa.Column("kind", sa.String(40), primary_key=True),
        sa.Column("status", sa.String(10), primary_key=True),
        sa.Column("count", sa.Integer(), nullable=False, server_default="0"),
    )


def downgrade() -> None:
    op.drop_table("delivery_tally")
