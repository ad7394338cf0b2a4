"""The floor the end-to-end path is compared with, measured in the same run: the same two Kafka
hops as bare kafka-python (produce -> consume -> produce -> consume, as tasks.state then
offers.events), and a bare HTTP round trip to a service's liveness endpoint. Used by
``e2e_bench.py``."""

from __future__ import annotations

import threading
import time
import uuid

import httpx
from kafka import TopicPartition

from services.common.kafka_io import ensure_topics, make_consumer, make_producer
from services.common.topics import Topics, all_topics
from tests.support.infra import delete_topics_with_prefix, new_topic_prefix


def percentiles(samples: list[float]) -> dict:
    """p50/p95/p99/max in milliseconds of samples in seconds (nearest rank)."""
    if not samples:
        return {"n": 0}
    ordered = sorted(samples)

    def at(share: float) -> float:
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000

    return {"n": len(ordered), "p50": at(0.5), "p95": at(0.95), "p99": at(0.99), "max": ordered[-1] * 1000}


def kafka_floor(bootstrap: str, rate: float, seconds: float) -> dict:
    """Two hops as the product has them, with the product's producer settings (acks=all, idempotent)."""
    prefix = new_topic_prefix()
    topics = Topics(prefix)
    ensure_topics(bootstrap, all_topics(topics=topics))
    latencies: list[float] = []
    stop = threading.Event()
    readies = [threading.Event(), threading.Event()]
    threads = [
        threading.Thread(
            target=_hop, args=(bootstrap, topics.tasks_state, topics.offers_events, readies[0], stop, latencies)
        ),
        threading.Thread(target=_hop, args=(bootstrap, topics.offers_events, None, readies[1], stop, latencies)),
    ]
    for thread in threads:
        thread.start()
    for ready in readies:
        ready.wait(60)
    producer = make_producer(bootstrap, "floor-source")
    start = time.perf_counter()
    for number in range(int(rate * seconds)):
        time.sleep(max(0.0, start + number / rate - time.perf_counter()))
        producer.send(topics.tasks_state, key=str(uuid.uuid4()).encode(), value=str(time.perf_counter()).encode())
    producer.flush()
    time.sleep(2)
    stop.set()
    for thread in threads:
        thread.join(30)
    producer.close(5)
    delete_topics_with_prefix(bootstrap, prefix)
    return percentiles(latencies)


def _hop(
    bootstrap: str,
    source: str,
    target: str | None,
    ready: threading.Event,
    stop: threading.Event,
    latencies: list[float],
) -> None:
    consumer = make_consumer(bootstrap, None, f"floor-{source}", auto_offset_reset="latest")
    assigned = [TopicPartition(source, p) for p in consumer.partitions_for_topic(source) or ()]
    consumer.assign(assigned)
    consumer.seek_to_end(*assigned)
    for partition in assigned:
        consumer.position(partition)
    producer = make_producer(bootstrap, "floor-relay") if target else None
    ready.set()
    while not stop.is_set():
        for records in consumer.poll(timeout_ms=100).values():
            for record in records:
                if producer is not None:
                    producer.send(target, key=record.key, value=record.value)
                else:
                    latencies.append(time.perf_counter() - float(record.value))
        if producer is not None:
            producer.flush()
    consumer.close()
    if producer is not None:
        producer.close(5)


def http_floor(url: str, count: int = 300) -> dict:
    samples = []
    with httpx.Client(base_url=url) as client:
        client.get("/livez")
        for _ in range(count):
            started = time.perf_counter()
            client.get("/livez")
            samples.append(time.perf_counter() - started)
    return percentiles(samples)
