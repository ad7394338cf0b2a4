"""Reading a test's real topics from offset 0, the way a new consumer would, and putting a raw
record on one: what the service tests check their events with."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from kafka import KafkaConsumer, KafkaProducer, TopicPartition


@contextmanager
def reading_from_the_start(bootstrap: str, topic: str, timeout_s: float = 20) -> Iterator[KafkaConsumer]:
    """A consumer outside any group, assigned every partition of ``topic`` at its first offset;
    waits up to ``timeout_s`` for the topic to exist (0: a topic not there yet has no partitions)."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False)
    try:
        deadline = time.monotonic() + timeout_s
        partitions = consumer.partitions_for_topic(topic)
        while not partitions and time.monotonic() < deadline:
            time.sleep(0.1)
            partitions = consumer.partitions_for_topic(topic)
        assert partitions or not timeout_s, f"topic {topic} does not exist"
        assigned = [TopicPartition(topic, p) for p in sorted(partitions)]
        consumer.assign(assigned)
        if assigned:
            consumer.seek_to_beginning(*assigned)
        yield consumer
    finally:
        consumer.close()


def read_topic(bootstrap: str, topic: str, until: Callable[[list], bool], timeout_s: float = 20) -> list:
    """Every record of ``topic`` from the beginning, polling until ``until(records)`` holds."""
    deadline = time.monotonic() + timeout_s
    with reading_from_the_start(bootstrap, topic, timeout_s) as consumer:
        records: list = []
        while time.monotonic() < deadline:
            for batch in consumer.poll(timeout_ms=200).values():
                records.extend(batch)
            if until(records):
                return records
    raise AssertionError(f"{topic}: condition not met within {timeout_s}s; {len(records)} records read")


def records_so_far(bootstrap: str, topic: str, timeout_s: float = 60) -> list:
    """Every record on ``topic`` so far (in order within each partition), read up to its end
    offsets; none while the topic does not exist."""
    with reading_from_the_start(bootstrap, topic, timeout_s=0) as consumer:
        partitions = list(consumer.assignment())
        ends = consumer.end_offsets(partitions)
        records: list = []
        deadline = time.monotonic() + timeout_s
        while any(consumer.position(tp) < ends[tp] for tp in partitions):
            assert time.monotonic() < deadline, f"could not read {topic} to its end in {timeout_s}s"
            for batch in consumer.poll(timeout_ms=500).values():
                records.extend(batch)
        return records


def read_events(bootstrap: str, topic: str) -> list[dict]:
    """The events on ``topic`` so far, as JSON (see :func:`records_so_far`)."""
    return [json.loads(record.value) for record in records_so_far(bootstrap, topic)]


def produce(bootstrap: str, topic: str, key: str, value: bytes | None) -> None:
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
    try:
        producer.send(topic, key=key.encode(), value=value).get(timeout=15)
    finally:
        producer.close()
