"""Processed events, for the idempotent consumer of member erasures.

Revision ID: 0002
Revises: 0001
Create Date: 2025-01-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Same shape as services.common.consumer.ProcessedEvent (the gateway has no outbox: it
    # publishes nothing, so only this half of the shared infrastructure tables is created).
    op.create_table(
        "processed_event",
        sa.Column("consumer", sa.String(100), primary_key=True),
        sa.Column("event_id", sa.String(64), primary_key=True),
        sa.Column("processed_at", sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("processed_event")
