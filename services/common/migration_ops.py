"""Alembic operations every service's first migration runs for the shared infrastructure tables."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


def create_infrastructure_tables() -> None:
    """The outbox and the processed-event log (see outbox.py and consumer.py)."""
    op.create_table(
        "outbox_message",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("topic", sa.String(200), nullable=False),
        sa.Column("message_key", sa.String(200), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=True),
        sa.Column("headers_json", sa.Text(), nullable=False, server_default="[]"),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text(), nullable=True),
    )
    op.create_index("ix_outbox_message_sent_at", "outbox_message", ["sent_at"])
    op.create_table(
        "processed_event",
        sa.Column("consumer", sa.String(100), primary_key=True),
        sa.Column("event_id", sa.String(64), primary_key=True),
        sa.Column("processed_at", sa.DateTime(), nullable=False),
    )


def drop_infrastructure_tables() -> None:
    op.drop_table("processed_event")
    op.drop_index("ix_outbox_message_sent_at", "outbox_message")
    op.drop_table("outbox_message")
