"""Helpers for testing the shared package on its own."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from services.common.consumer import ProcessedEvent
from services.common.outbox import OutboxMessage


def make_schema(engine: Engine, *extra_tables) -> None:
    """Create the infrastructure tables (and ``extra_tables``) without a service's migrations."""
    tables = [OutboxMessage.__table__, ProcessedEvent.__table__, *(t.__table__ for t in extra_tables)]
    SQLModel.metadata.create_all(engine, tables=tables)
