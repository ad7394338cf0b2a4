"""Idempotent Kafka consumption: each event's effect and its processed-mark commit together.

Offsets are committed to Kafka only after the database commit, so a crash in between replays
the event, and the processed-mark makes the replay a no-op. Messages that can never be applied
(unreadable, or rejected by the reaction as :class:`PoisonEvent`) go to the topic's dead-letter
topic with the reason in headers, and consumption moves on.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from kafka import KafkaConsumer, OffsetAndMetadata, TopicPartition
from kafka.errors import CommitFailedError, KafkaError, RebalanceInProgressError
from pydantic import ValidationError
from sqlalchemy import insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, col

from services.common.envelope import Envelope, MalformedEvent
from services.common.kafka_io import Headers, Producer
from services.common.observability import CONSUMER_LAG, EVENTS_CONSUMED
from services.common.topics import dead_letter_topic
from services.common.tracing import consumer_span

log = logging.getLogger(__name__)


class PoisonEvent(ValueError):
    """Raised by a reaction for an event that will never apply; it goes to the dead-letter topic."""


class ProcessedEvent(SQLModel, table=True):
    __tablename__ = "processed_event"

    consumer: str = Field(primary_key=True, max_length=100)
    event_id: str = Field(primary_key=True, max_length=64)
    processed_at: datetime = Field(default_factory=lambda: datetime.now(UTC))


class Record(Protocol):
    """What is read of a Kafka record (kafka-python's ``ConsumerRecord``, or a fast test's)."""

    @property
    def topic(self) -> str: ...
    @property
    def partition(self) -> int: ...
    @property
    def offset(self) -> int: ...
    @property
    def key(self) -> bytes | None: ...
    @property
    def value(self) -> bytes | None: ...
    @property
    def headers(self) -> Headers: ...


@dataclass(frozen=True)
class Incoming:
    """What a reaction sees of one message."""

    topic: str
    key: str | None
    envelope: Envelope | None  # None for a tombstone
    partition: int | None = None  # where the record sits, for services that split work by partition

    @property
    def is_tombstone(self) -> bool:
        return self.envelope is None


# What a consumer does with each message in its transaction (usually a dispatch.Subscription).
Reaction = Callable[[Session, Incoming], None]


class EventApplier:
    """Applies one record at most once; the transport-independent half of the consumer."""

    def __init__(
        self,
        engine: Engine,
        consumer_name: str,
        reaction: Reaction,
        dead_letters: Producer | None = None,
        after_commit: Callable[[Session], None] | None = None,
        ignores: Callable[[Incoming], bool] | None = None,
    ) -> None:
        self.engine = engine
        self.consumer_name = consumer_name
        self.reaction = reaction
        self.dead_letters = dead_letters  # a KafkaProducer, or None in unit tests
        self.after_commit = after_commit  # the runtime's: wakes the outbox relay (Runtime.committed)
        # What the reaction reads nothing of (Subscription.ignores): no transaction, no mark.
        self.ignores = ignores

    def apply(self, record: Record) -> str:
        """Returns the outcome: applied, ignored, duplicate or dead_lettered. Raises on transient errors."""
        try:
            incoming = self._read(record)
        except MalformedEvent as error:
            return self._dead_letter(record, str(error))
        if self.ignores is not None and self.ignores(incoming):
            # Nothing to apply, so nothing to make idempotent: a transaction and a processed-mark per
            # ignored event cost as much as applying one, and most of a topic's events are ignored
            # by most of its consumers (offers.events: members read only the answers).
            return "ignored"
        with consumer_span(record, self.consumer_name):
            try:
                return self._apply_once(record, incoming)
            except (PoisonEvent, ValidationError) as error:
                return self._dead_letter(record, f"{type(error).__name__}: {error}")

    def _read(self, record: Record) -> Incoming:
        key = record.key.decode() if record.key is not None else None
        envelope = None if record.value is None else Envelope.from_bytes(record.value)
        return Incoming(record.topic, key, envelope, record.partition)

    def _apply_once(self, record: Record, incoming: Incoming) -> str:
        event_id = self._event_id(record, incoming)
        with Session(self.engine) as session:
            if self._seen(session, event_id):
                return "duplicate"
            self.reaction(session, incoming)
            try:
                session.execute(
                    insert(ProcessedEvent).values(
                        consumer=self.consumer_name, event_id=event_id, processed_at=datetime.now(UTC)
                    )
                )
                session.commit()
            except IntegrityError:  # another instance applied it between our check and commit
                session.rollback()
                return "duplicate"
            if self.after_commit is not None:
                self.after_commit(session)
        kind = incoming.envelope.type if incoming.envelope else "tombstone"
        log.info("applied %s %s from %s[%s]", kind, event_id, record.topic, record.partition)
        return "applied"

    def _seen(self, session: Session, event_id: str) -> bool:
        """Plain statements, not ORM objects: this runs for every event every consumer reads."""
        seen = select(col(ProcessedEvent.event_id)).where(
            col(ProcessedEvent.consumer) == self.consumer_name, col(ProcessedEvent.event_id) == event_id
        )
        return session.execute(seen).first() is not None

    @staticmethod
    def _event_id(record: Record, incoming: Incoming) -> str:
        if incoming.envelope is not None:
            return str(incoming.envelope.event_id)
        # A tombstone has no id of its own; its position in the log identifies it.
        return f"tombstone:{record.topic}:{record.partition}:{record.offset}"

    def _dead_letter(self, record: Record, reason: str) -> str:
        dead_letter(self.dead_letters, record, reason, self.consumer_name)
        return "dead_lettered"


def dead_letter(producer: Producer | None, record: Record, reason: str, consumer_name: str) -> None:
    """Copy ``record`` to its topic's dead-letter topic, the reason and its origin in headers.

    ``producer`` None (a unit test without one) only logs.
    """
    log.warning("dead-lettering %s[%s]@%s: %s", record.topic, record.partition, record.offset, reason[:300])
    if producer is None:
        return
    headers = [
        ("dlt.reason", reason[:1000].encode()),
        ("dlt.topic", record.topic.encode()),
        ("dlt.partition", str(record.partition).encode()),
        ("dlt.offset", str(record.offset).encode()),
        ("dlt.consumer", consumer_name.encode()),
    ]
    producer.send(dead_letter_topic(record.topic), key=record.key, value=record.value, headers=headers).get(timeout=15)


# Outcomes that wrote something (the event's effect, or a dead letter): committed to Kafka at once.
CHANGES = frozenset({"applied", "dead_lettered"})
# At most this long between commits of positions passed by records that changed nothing.
COMMIT_PASSED_EVERY_S = 1.0


class ConsumerLoop:
    """Polls a consumer group and hands each record to an :class:`EventApplier`."""

    def __init__(
        self,
        consumer: KafkaConsumer,
        applier: EventApplier,
        retry_backoff_s: float = 0.5,
        commit_passed_every_s: float = COMMIT_PASSED_EVERY_S,
    ) -> None:
        self.consumer = consumer
        self.applier = applier
        self.retry_backoff_s = retry_backoff_s
        self.ready = threading.Event()
        # Positions reached by records that changed nothing here (ignored, or already applied):
        # told to Kafka with the next commit, at the latest when the partitions go quiet or after
        # ``commit_passed_every_s``. See _process_partition.
        self.passed: dict[TopicPartition, int] = {}
        self.commit_passed_every_s = commit_passed_every_s
        self._committed_at = time.monotonic()

    def run(self, stop: threading.Event) -> None:
        try:
            while not stop.is_set():
                try:
                    self._poll_once(stop)
                except (CommitFailedError, RebalanceInProgressError) as error:
                    # The group moved on while we applied (a slow batch, a new instance): the
                    # rest of this batch may belong to someone else now. What we applied stays
                    # applied; its redelivery is skipped by event id. Poll again to rejoin.
                    log.warning("consumer group rebalanced mid-batch, rejoining: %s", error)
                except KafkaError:
                    # Never let the thread die: a dead consumer thread would silently stop
                    # this instance from taking any partition, ever.
                    log.exception("polling %s failed; retrying", self.applier.consumer_name)
                    stop.wait(self.retry_backoff_s)
        finally:
            try:
                self._commit({})  # what was passed over, so that the next owner starts after it
            except KafkaError as error:
                log.info("could not commit the positions passed before stopping: %s", error)
            self.consumer.close(autocommit=False)

    def _poll_once(self, stop: threading.Event) -> None:
        batches = self.consumer.poll(timeout_ms=200)
        self.ready.set()
        for partition, records in batches.items():
            self._process_partition(partition, records, stop)
        if self.passed and (not batches or time.monotonic() - self._committed_at >= self.commit_passed_every_s):
            self._commit({})

    def _process_partition(self, partition: TopicPartition, records: Sequence[Record], stop: threading.Event) -> None:
        applied = 0
        changed = False
        for record in records:
            outcome = self._apply(record, stop)
            if outcome is None:
                # Stopping mid-retry: rewind so the next owner of the partition sees it again.
                self.consumer.seek(partition, record.offset)
                break
            EVENTS_CONSUMED.labels(record.topic, outcome).inc()
            applied += 1
            changed = changed or outcome in CHANGES
        if applied:
            position = records[applied - 1].offset + 1
            if changed:
                # Only now, after their database commits, does Kafka learn the records are done: once
                # for the batch, not a round trip to the group coordinator per record (that cost more
                # than applying a record). A crash before it redelivers them; each applied one is then
                # skipped by its event id.
                self._commit({partition: position})
            else:
                # Nothing was written for these: redelivered, they would be ignored or skipped again,
                # so they need no commit round trip of their own (most of what members and tasks
                # read on offers.events is of this kind).
                self.passed[partition] = position
        if applied == len(records):
            self._report_lag(partition, records[-1].offset + 1)

    def _commit(self, positions: dict[TopicPartition, int]) -> None:
        """Commit ``positions`` and those passed over, of the partitions this consumer still holds
        (a partition given to another consumer in a rebalance is its to commit now)."""
        held = self.consumer.assignment()
        offsets = {
            partition: OffsetAndMetadata(position, "", -1)
            for partition, position in (self.passed | positions).items()
            if partition in held
        }
        self.passed.clear()
        self._committed_at = time.monotonic()
        if offsets:
            self.consumer.commit(offsets)

    def _apply(self, record: Record, stop: threading.Event) -> str | None:
        """The record's outcome, retried until it is applied; None if stopping first."""
        while not stop.is_set():
            try:
                return self.applier.apply(record)
            except Exception:
                # Database down or similar: nothing committed, try the same record again.
                log.exception("applying %s@%s failed; retrying", record.topic, record.offset)
                time.sleep(self.retry_backoff_s)
        return None

    def _report_lag(self, partition: TopicPartition, position: int) -> None:
        highwater = self.consumer.highwater(partition)
        if highwater is not None:
            CONSUMER_LAG.labels(partition.topic, str(partition.partition)).set(max(highwater - position, 0))
