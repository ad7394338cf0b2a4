"""Kafka plumbing shared by every service: producers, consumers and explicit topic creation."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any, Protocol

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka import errors as Errors
from kafka.errors import KafkaError

from services.common.topics import TopicSpec, all_topics

log = logging.getLogger(__name__)

Headers = list[tuple[str, bytes]]


class Delivery(Protocol):
    """What sending a record returns: ``get`` waits for the broker's acknowledgement."""

    def get(self, timeout: float | None = None) -> Any: ...


class Producer(Protocol):
    """What the services use of a producer: a ``KafkaProducer``, or a fast test's ``InMemoryProducer``."""

    def send(
        self, topic: str, key: bytes | None = None, value: bytes | None = None, headers: Headers | None = None
    ) -> Delivery: ...

    def close(self, timeout: float | None = None) -> None: ...


# kafka-python backs off reconnecting up to 30 s by default: a client that failed to reach a
# restarted broker for a while then waits up to 30 s more once it is back. One second at most.
RECONNECT_BACKOFF_MAX_MS = 1000


def make_producer(bootstrap_servers: str, client_id: str, acks: str = "all") -> KafkaProducer:
    # acks=all + idempotence: a retried send never duplicates and never reorders within a key.
    # On a cluster "all" means every in-sync replica, at least the topic's min.insync.replicas.
    return KafkaProducer(
        bootstrap_servers=bootstrap_servers,
        client_id=client_id,
        acks="all" if acks == "all" else int(acks),
        enable_idempotence=acks == "all",
        linger_ms=2,
        retries=5,
        request_timeout_ms=15000,
        reconnect_backoff_max_ms=RECONNECT_BACKOFF_MAX_MS,
    )


def make_consumer(bootstrap_servers: str, group_id: str | None, client_id: str, **overrides: Any) -> KafkaConsumer:
    options = dict(
        bootstrap_servers=bootstrap_servers,
        group_id=group_id,
        client_id=client_id,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        max_poll_records=200,
        session_timeout_ms=10000,
        heartbeat_interval_ms=1000,
        # Notice new partitions (and so rebalance) within seconds rather than the 5-minute default.
        metadata_max_age_ms=5000,
        reconnect_backoff_max_ms=RECONNECT_BACKOFF_MAX_MS,
    )
    options.update(overrides)
    return KafkaConsumer(**options)


def wait_for_partitions(consumer: KafkaConsumer, topics: list[str], timeout_s: float = 30) -> dict[str, set[int]]:
    """Block until the consumer's metadata lists every topic's partitions; returns them.

    A group member that joins while its metadata does not know a just-created topic yet is
    assigned nothing, and only notices the topic at the next metadata refresh, minutes later.
    For a group consumer call it after ``subscribe`` and before the first ``poll``.
    """
    deadline = time.monotonic() + timeout_s
    while True:
        partitions = {topic: consumer.partitions_for_topic(topic) for topic in topics}
        if all(partitions.values()):
            return partitions
        if time.monotonic() > deadline:
            missing = sorted(topic for topic, found in partitions.items() if not found)
            raise RuntimeError(f"no partitions known for {missing} after {timeout_s}s")
        time.sleep(0.2)


def ensure_topics(bootstrap_servers: str, specs: list[TopicSpec] | None = None, timeout_s: float = 60) -> list[str]:
    """Create every topic the product uses, with its partitions and cleanup policy.

    Topics are never auto-created: a typo in a topic name must fail, not make a new topic.
    Returns the names created by this call.
    """
    specs = specs if specs is not None else all_topics()
    admin = _admin_when_ready(bootstrap_servers, timeout_s)
    try:
        existing = set(admin.list_topics())
        missing = [s for s in specs if s.name not in existing]
        created = _create_all(admin, missing) if missing else []
        _wait_until_led(admin, specs, timeout_s)
        return created
    finally:
        admin.close()


def _create_all(admin: KafkaAdminClient, specs: list[TopicSpec]) -> list[str]:
    """One request for every missing topic; one that another service created first is fine."""
    # Replication -1 (the default) = the broker's default.replication.factor: 1 on a laptop, 3 on a
    # cluster, so a service racing the operator never pins a topic at one replica.
    wanted = {
        spec.name: {
            "num_partitions": spec.partitions,
            "replication_factor": spec.replication,
            "configs": spec.kafka_configs(),
        }
        for spec in specs
    }
    response = admin.create_topics(wanted, raise_errors=False)
    created = []
    for topic in response["topics"]:
        error = Errors.for_code(topic["error_code"])
        if error is Errors.NoError:
            created.append(topic["name"])
        elif error is not Errors.TopicAlreadyExistsError:
            raise error(f"creating topic {topic['name']}: {topic.get('error_message') or error.__name__}")
    return created


def _wait_until_led(admin: KafkaAdminClient, specs: list[TopicSpec], timeout_s: float) -> None:
    """Return once every partition of every topic has a leader.

    A consumer that joins its group before the broker's metadata shows a new topic's partitions
    gets none assigned; waiting here means services never start half-subscribed.
    """
    expected = {spec.name: spec.partitions for spec in specs}
    deadline = time.monotonic() + timeout_s
    while True:
        described = admin.describe_topics(list(expected))
        led = {
            topic["name"]: sum(1 for p in topic["partitions"] if p["leader_id"] >= 0)
            for topic in described
            if topic["error_code"] == 0
        }
        if all(led.get(name, 0) >= count for name, count in expected.items()):
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"topics without leaders after {timeout_s}s: {expected} vs {led}")
        time.sleep(0.1)


def _admin_when_ready(bootstrap_servers: str, timeout_s: float) -> KafkaAdminClient:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            return KafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id="topic-setup")
        except KafkaError as error:
            if time.monotonic() > deadline:
                raise
            log.info("waiting for Kafka at %s: %s", bootstrap_servers, error)
            time.sleep(0.5)


@dataclass(frozen=True)
class SentRecord:
    topic: str
    key: bytes | None
    value: bytes | None
    headers: Headers


class _Delivered:
    """What ``KafkaProducer.send`` returns, for a record already delivered."""

    def __init__(self, record: SentRecord):
        self.record = record

    def get(self, timeout: float | None = None) -> SentRecord:
        return self.record


class InMemoryProducer:
    """Stands in for a KafkaProducer where a fast test runs handlers without a broker: it keeps
    what was sent (the relay's events, dead letters) for the test to read."""

    def __init__(self) -> None:
        self.sent: list[SentRecord] = []
        self._lock = threading.Lock()

    def send(
        self, topic: str, key: bytes | None = None, value: bytes | None = None, headers: Headers | None = None
    ) -> _Delivered:
        record = SentRecord(topic, key, value, list(headers or []))
        with self._lock:
            self.sent.append(record)
        return _Delivered(record)

    def on(self, topic: str) -> list[SentRecord]:
        with self._lock:
            return [record for record in self.sent if record.topic == topic]

    def flush(self, timeout: float | None = None) -> None:
        pass

    def close(self, timeout: float | None = None) -> None:
        pass
