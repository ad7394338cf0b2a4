"""The audit of reads of an account's delivery address by another service (the notifications service).

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
        "account_address_read",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("reader", sa.String(60), nullable=False),
        sa.Column("purpose", sa.String(40), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_account_address_read_account_id", "account_address_read", ["account_id"])


def downgrade() -> None:
    op.drop_index("ix_account_address_read_account_id", table_name="account_address_read")
    op.drop_table("account_address_read")
