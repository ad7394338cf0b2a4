"""Refill a compacted state topic from the service's database, its source of truth.

For the day Kafka lost its data (every replica), or a state event went to a dead-letter topic and
its cause is fixed. Each row's current state goes through the outbox like any other event, in
batches, each row locked while its state is read and queued (``FOR UPDATE`` on PostgreSQL), so a
change committed at the same moment is published after the copy, never before it. Consumers treat
the copies like any other state event: applying a state they already hold changes nothing.

The command then publishes the outbox itself, so it is done when it returns, whether or not the
service is running (a running service's relay may share the work; duplicates are dropped by
consumers).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from uuid import UUID

from sqlalchemy import Select, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from services.common.kafka_io import ensure_topics, make_producer
from services.common.outbox import OutboxRelay
from services.common.settings import ServiceSettings

BATCH_SIZE = 500

Row = TypeVar("Row")


def refill(
    engine: Engine, settings: ServiceSettings, sources: dict[str, Source[Any]], only: Iterable[UUID] | None = None
) -> dict[str, int]:
    """Create the topics if Kafka lost them, queue every source's rows, publish; returns counts
    (``published``: by this command; a running service's relay may have sent the others)."""
    ensure_topics(settings.kafka_bootstrap_servers, settings.topic_specs())
    only = list(only) if only is not None else None
    counts = {name: queue_states(engine, source, only) for name, source in sources.items()}
    counts["published"] = drain_outbox(engine, settings.kafka_bootstrap_servers, f"{settings.service_name}-republish")
    return counts


@dataclass(frozen=True)
class Source(Generic[Row]):
    """One kind of row to copy: its table model, the name of its key column, and how to queue one
    row's state (or tombstone) in the session."""

    model: type[Row]
    publish: Callable[[Session, Row], None]
    key: str = "id"


def queue_states(engine: Engine, source: Source[Any], only: Iterable[UUID] | None = None) -> int:
    """Queue the current state of every row (or of the ``only`` keys) in the outbox; returns how many."""
    key = getattr(source.model, source.key)
    wanted = sorted(set(only)) if only is not None else None
    queued, after = 0, None
    while True:
        query: Select[Any] = select(source.model).order_by(key).limit(BATCH_SIZE).with_for_update()
        if after is not None:
            query = query.where(key > after)
        if wanted is not None:
            query = query.where(key.in_(wanted))
        with Session(engine) as session:
            rows = session.scalars(query).all()
            for row in rows:
                source.publish(session, row)
            session.commit()
        queued += len(rows)
        if len(rows) < BATCH_SIZE:
            return queued
        after = getattr(rows[-1], source.key)


def drain_outbox(engine: Engine, bootstrap_servers: str, client_id: str, timeout_s: float = 300) -> int:
    """Publish everything waiting in the outbox; raises if the broker will not take it in time."""
    producer = make_producer(bootstrap_servers, client_id=client_id)
    relay = OutboxRelay(engine, producer)
    deadline = time.monotonic() + timeout_s
    published = 0
    try:
        while relay.backlog():
            sent = relay.publish_pending()
            published += sent
            if not sent:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{relay.backlog()} events still unpublished after {timeout_s:.0f}s")
                time.sleep(0.5)  # the broker refused or a running relay holds the rows
    finally:
        producer.close(timeout=10)
    return published
