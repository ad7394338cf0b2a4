"""Reading the real topics from offset 0, the way a new consumer would (used by members and tasks tests)."""

from __future__ import annotations

import time
from collections.abc import Callable

from kafka import KafkaConsumer, KafkaProducer, TopicPartition


def read_topic(bootstrap: str, topic: str, until: Callable[[list], bool], timeout_s: float = 20) -> list:
    """Every record of ``topic`` from the beginning, polling until ``until(records)`` holds."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False)
    try:
        deadline = time.monotonic() + timeout_s
        partitions = None
        while not partitions and time.monotonic() < deadline:
            partitions = consumer.partitions_for_topic(topic)
            if not partitions:
                time.sleep(0.1)
        assert partitions, f"topic {topic} does not exist"
        consumer.assign([TopicPartition(topic, p) for p in partitions])
        consumer.seek_to_beginning()
        records: list = []
        while time.monotonic() < deadline:
            for batch in consumer.poll(timeout_ms=200).values():
                records.extend(batch)
            if until(records):
                return records
        raise AssertionError(f"{topic}: condition not met within {timeout_s}s; {len(records)} records read")
    finally:
        consumer.close()


def produce(bootstrap: str, topic: str, key: str, value: bytes | None) -> None:
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
    try:
        producer.send(topic, key=key.encode(), value=value).get(timeout=15)
    finally:
        producer.close()
