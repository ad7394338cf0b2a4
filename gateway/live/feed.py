"""The gateway's reader of the offers and tasks topics.

Every gateway instance reads every partition from the end, without a consumer group: it only
relays what happens from now on to its own subscribers, so there is nothing to commit and no
reason to share partitions with other instances.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from kafka import TopicPartition
from kafka.errors import KafkaError

from gateway.live.hub import LiveEvent
from services.common.envelope import Envelope, MalformedEvent
from services.common.kafka_io import make_consumer
from services.common.topics import Topics

log = logging.getLogger(__name__)

Listener = Callable[[LiveEvent], None]


def live_event(topics: Topics, record) -> LiveEvent | None:
    """What a record means to subscribers; None for records they do not care about."""
    key = record.key.decode() if record.key is not None else None
    if record.value is None:
        # A tombstone on the tasks topic: the task is gone.
        return LiveEvent("task", "task.deleted", key) if record.topic == topics.tasks_state else None
    try:
        envelope = Envelope.from_bytes(record.value)
    except MalformedEvent:
        log.warning("skipping unreadable event %s[%s]@%s", record.topic, record.partition, record.offset)
        return None
    task_id = str(envelope.data.get("task_id") or key or "") or None
    if record.topic == topics.tasks_state:
        return LiveEvent("task", envelope.type, task_id, envelope.data)
    kind = "offer" if envelope.type.startswith("offer.") else "fill"
    return LiveEvent(kind, envelope.type, task_id, envelope.data)


class EventFeed:
    def __init__(self, bootstrap_servers: str, topics: Topics, listeners: list[Listener]):
        self.bootstrap_servers = bootstrap_servers
        self.topics = topics
        self.listeners = listeners
        self.ready = threading.Event()

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                self._consume(stop)
            except KafkaError as error:
                self.ready.clear()
                log.warning("live feed lost the broker (%s); reconnecting", type(error).__name__)
                stop.wait(1.0)

    def _consume(self, stop: threading.Event) -> None:
        consumer = make_consumer(self.bootstrap_servers, None, client_id="gateway-live-feed",
                                 auto_offset_reset="latest")
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
        names = [self.topics.offers_events, self.topics.tasks_state]
        while not stop.is_set():
            found = {name: consumer.partitions_for_topic(name) for name in names}
            if all(found.values()):
                return [TopicPartition(name, p) for name in names for p in sorted(found[name])]
            time.sleep(0.2)
        return []

    def _dispatch(self, record) -> None:
        event = live_event(self.topics, record)
        if event is None:
            return
        for listener in self.listeners:
            try:
                listener(event)
            except Exception:
                log.exception("live event listener failed")
