"""Typed dispatch through the catalogue, run the way fast tests can: the tasks app's own consumers,
wired by the composition root on a real database, with an in-memory producer and no broker."""

from __future__ import annotations

import uuid

import pytest
from kafka.consumer.fetcher import ConsumerRecord
from sqlalchemy import func, select
from sqlmodel import Session

from services.common.catalogue import OFFER_ACCEPTED, types_on
from services.common.composition import bootstrap
from services.common.consumer import Incoming, ProcessedEvent
from services.common.contracts import FillChanged, OfferChanged, OfferStatus
from services.common.dispatch import Subscription, UnknownEvent, UnsupportedVersion
from services.common.envelope import Envelope
from services.common.kafka_io import InMemoryProducer
from services.common.topics import OFFERS_EVENTS, Topics
from services.tasks.config import Settings
from services.tasks.main import definition
from tests.support.events import raw_event

TOPICS = Topics("unit.")


def record(topic: str, key: str, value: bytes | None, offset: int = 0) -> ConsumerRecord:
    return ConsumerRecord(
        topic=topic,
        partition=0,
        leader_epoch=0,
        offset=offset,
        timestamp=0,
        timestamp_type=0,
        key=key.encode(),
        value=value,
        headers=[],
        checksum=None,
        serialized_key_size=0,
        serialized_value_size=0,
        serialized_header_size=0,
    )


@pytest.fixture
def tasks_app(tmp_path):
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'tasks.db'}", environment="test", topic_prefix="unit.")
    producer = InMemoryProducer()
    wired = bootstrap(settings, definition(), producer=producer)
    yield wired, producer
    wired.runtime.shutdown()


def test_a_version_the_consumer_does_not_read_is_dead_lettered_with_the_reason_and_not_applied(tasks_app):
    wired, producer = tasks_app
    task_id = str(uuid.uuid4())
    future = raw_event("fill.completed", FillChanged(task_id=task_id, slots=1, accepted=1), version=99)
    outcome = wired.applier("offer-outcomes").apply(record(TOPICS.offers_events, task_id, future))
    assert outcome == "dead_lettered"
    [letter] = producer.on(TOPICS.offers_events + ".dlt")
    headers = dict(letter.headers)
    assert headers["dlt.reason"].decode() == "UnsupportedVersion: fill.completed version 99 is not supported (reads 1)"
    assert headers["dlt.consumer"] == b"tasks.offer-outcomes" and letter.value == future


def processed_marks(wired) -> int:
    with Session(wired.runtime.engine) as session:
        return session.execute(select(func.count()).select_from(ProcessedEvent)).scalar_one()


def test_an_ignored_event_costs_no_transaction_and_leaves_no_mark_but_an_unknown_one_is_still_refused(tasks_app):
    wired, producer = tasks_app
    applier = wired.applier("offer-outcomes")
    task_id = str(uuid.uuid4())
    offer = OfferChanged(
        offer_id=uuid.uuid4(), task_id=uuid.UUID(task_id), member_id=uuid.uuid4(), status=OfferStatus.pending
    )

    assert applier.apply(record(TOPICS.offers_events, task_id, raw_event("offer.created", offer))) == "ignored"
    assert processed_marks(wired) == 0
    # An erased member's tombstone on offers.events is not catalogued: refused, not ignored.
    assert applier.apply(record(TOPICS.offers_events, task_id, None, 1)) == "dead_lettered"
    assert applier.apply(record(TOPICS.offers_events, task_id, raw_event("offer.teleported", offer), 2)) == (
        "dead_lettered"
    )
    # What it reacts to is applied once and marked, as before.
    accepted = raw_event("offer.accepted", offer.model_copy(update={"status": OfferStatus.accepted}))
    assert applier.apply(record(TOPICS.offers_events, task_id, accepted, 3)) == "applied"
    assert applier.apply(record(TOPICS.offers_events, task_id, accepted, 3)) == "duplicate"
    assert processed_marks(wired) == 1
    assert len(producer.on(TOPICS.offers_events + ".dlt")) == 2


def test_each_consumer_of_the_app_reads_the_topics_of_the_types_it_decided_on(tasks_app):
    wired, _ = tasks_app
    consumers = wired.consumers()
    assert consumers["offer-outcomes"].subscription.topics == [TOPICS.offers_events]
    assert consumers["member-erasures"].subscription.topics == [TOPICS.members_state]


def incoming(event_type: str, payload, version: int = 1, topic: str = TOPICS.offers_events) -> Incoming:
    return Incoming(topic, "k", Envelope.from_bytes(raw_event(event_type, payload, version)), 0)


def test_a_handler_gets_the_typed_payload_of_its_type_and_ignored_types_reach_nobody():
    heard = []
    others = [event for event in types_on(OFFERS_EVENTS) if event is not OFFER_ACCEPTED]
    subscription = Subscription(TOPICS, {OFFER_ACCEPTED: lambda _, event: heard.append(event)}, ignores=others)
    offer = OfferChanged(
        offer_id=uuid.uuid4(), task_id=uuid.uuid4(), member_id=uuid.uuid4(), status=OfferStatus.accepted
    )
    subscription(None, incoming("offer.accepted", offer))
    subscription(None, incoming("offer.created", offer))
    assert [(event.type, event.payload) for event in heard] == [("offer.accepted", offer)]
    with pytest.raises(UnknownEvent):
        subscription(None, incoming("offer.teleported", offer))
    with pytest.raises(UnsupportedVersion):
        subscription(None, incoming("offer.accepted", offer, version=3))
    with pytest.raises(UnknownEvent, match="never carries any"):
        subscription(None, Incoming(TOPICS.offers_events, "k", None, 0))


def test_a_consumer_must_say_what_it_does_with_every_type_of_its_topics():
    with pytest.raises(ValueError, match="handle or ignore"):
        Subscription(TOPICS, {OFFER_ACCEPTED: lambda _, event: None})
