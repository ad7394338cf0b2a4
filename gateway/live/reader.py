"""The gateway's reader of the offers and tasks topics.

Every gateway instance reads every partition from the end, without a consumer group: it only
relays what happens from now on to its own subscribers, so there is nothing to commit and no
reason to share partitions with other instances. Records are dispatched by type through the
event catalogue; repeats and out-of-date changes are dropped (see ``freshness``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from kafka import TopicPartition
from kafka.errors import KafkaError
from pydantic import ValidationError

from gateway.live.freshness import Freshness
from gateway.live.hub import LiveEvent
from services.common.catalogue import CATALOGUE, EventType, types_on
from services.common.consumer import Incoming, PoisonEvent
from services.common.contracts import FillChanged, OfferChanged, TaskState
from services.common.dispatch import Event, EventReaction, Subscription, Tombstone
from services.common.envelope import Envelope, MalformedEvent
from services.common.kafka_io import make_consumer
from services.common.topics import OFFERS_EVENTS, TASKS_STATE, Topics

log = logging.getLogger(__name__)

Listener = Callable[[LiveEvent], None]


def _data(event: Event) -> dict:
    return event.payload.model_dump(mode="json")


def offer_changed(_, event: Event[OfferChanged]) -> LiveEvent:
    offer = event.payload
    return LiveEvent(
        "offer", event.type, str(offer.task_id), _data(event), str(event.event_id), str(offer.offer_id), offer.sequence
    )


def fill_changed(_, event: Event[FillChanged]) -> LiveEvent:
    fill = event.payload
    return LiveEvent(
        "fill", event.type, str(fill.task_id), _data(event), str(event.event_id), str(fill.task_id), fill.sequence
    )


def task_changed(_, event: Event[TaskState]) -> LiveEvent:
    return LiveEvent("task", event.type, str(event.payload.task_id), _data(event), str(event.event_id))


def task_deleted(_, tombstone: Tombstone) -> LiveEvent:
    deleted = CATALOGUE[TASKS_STATE].tombstone
    assert deleted is not None, "tasks.state carries tombstones (a Subscription checks it)"
    return LiveEvent("task", deleted, tombstone.key)


def live_events(topics: Topics) -> Subscription[LiveEvent]:
    """What subscribers are told of: every offer, fill and task event, typed."""
    reactions: dict[EventType, EventReaction[LiveEvent]] = {
        event: offer_changed for event in types_on(OFFERS_EVENTS) if event.payload is OfferChanged
    }
    reactions |= {event: fill_changed for event in types_on(OFFERS_EVENTS) if event.payload is FillChanged}
    reactions |= {event: task_changed for event in types_on(TASKS_STATE)}
    return Subscription(topics, reactions, tombstones={TASKS_STATE: task_deleted})


def live_event(subscription: Subscription[LiveEvent], record) -> LiveEvent | None:
    """What a record means to subscribers; None for one that cannot be applied.

    Such a record is only logged here: every gateway instance reads every record, and the
    services' consumer groups on these topics dead-letter it once.
    """
    try:
        incoming = Incoming(
            record.topic,
            record.key.decode() if record.key is not None else None,
            None if record.value is None else Envelope.from_bytes(record.value),
            record.partition,
        )
        route = subscription.route(incoming)
    except (MalformedEvent, PoisonEvent, ValidationError) as error:
        log.warning("skipping event %s[%s]@%s: %s", record.topic, record.partition, record.offset, str(error)[:200])
        return None
    if route is None:
        return None
    react, message = route
    return react(None, message)


class EventReader:
    def __init__(self, bootstrap_servers: str, topics: Topics, listeners: list[Listener]):
        self.bootstrap_servers = bootstrap_servers
        self.topics = topics
        self.listeners = listeners
        self.subscription = live_events(topics)
        self.freshness = Freshness()  # kept across reconnections: a re-read record is a repeat
        self.ready = threading.Event()

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                self._consume(stop)
            except KafkaError as error:
                self.ready.clear()
                log.warning("live reader lost the broker (%s); reconnecting", type(error).__name__)
                stop.wait(1.0)

    def _consume(self, stop: threading.Event) -> None:
        consumer = make_consumer(
            self.bootstrap_servers, None, client_id="gateway-live-feed", auto_offset_reset="latest"
        )
        try:
            partitions = self._partitions(consumer, stop)
            consumer.assign(partitions)
            consumer.seek_to_end(*partitions)
            for partition in partitions:
                consumer.position(partition)  # resolve "the end" now, before declaring readiness
            self.ready.set()
            while not stop.is_set():
                for records in consumer.poll(timeout_ms=200).values():
                    for record in records:
                        self._dispatch(record)
        finally:
            consumer.close()

    def _partitions(self, consumer, stop: threading.Event) -> list[TopicPartition]:
        names = self.subscription.topics
        while not stop.is_set():
            found = {name: consumer.partitions_for_topic(name) for name in names}
            if all(found.values()):
                return [TopicPartition(name, p) for name in names for p in sorted(found[name])]
            time.sleep(0.2)
        return []

    def _dispatch(self, record) -> None:
        event = live_event(self.subscription, record)
        if event is None or not self.freshness.admit(event):
            return
        for listener in self.listeners:
            try:
                listener(event)
            except Exception:
                log.exception("live event listener failed")
