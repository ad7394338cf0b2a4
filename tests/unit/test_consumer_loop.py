"""The consumer loop tells Kafka a batch is done once, after every record of it was applied.

Kafka here is a stand-in for the ``KafkaConsumer`` (the loop's only use of it is commit, seek and
highwater); tests/common/test_kafka_integration.py runs the same loop against the real broker.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from kafka import OffsetAndMetadata, TopicPartition

from services.common.consumer import ConsumerLoop

PARTITION = TopicPartition("tasks.state", 0)


@dataclass(frozen=True)
class FakeRecord:
    offset: int
    topic: str = PARTITION.topic
    partition: int = PARTITION.partition
    key: bytes | None = b"k"
    value: bytes | None = b"{}"
    headers: list = field(default_factory=list)


class Consumer:
    def __init__(self) -> None:
        self.commits: list[dict] = []
        self.seeks: list[tuple[TopicPartition, int]] = []

    def commit(self, offsets=None) -> None:
        self.commits.append(offsets)

    def seek(self, partition, offset) -> None:
        self.seeks.append((partition, offset))

    def highwater(self, partition):
        return None


class Applier:
    """Applies records; from ``fail_from`` on, fails, and asks the loop to stop as it does."""

    consumer_name = "test"

    def __init__(self, stop: threading.Event, fail_from: int | None = None) -> None:
        self.stop, self.fail_from, self.applied = stop, fail_from, []

    def apply(self, record) -> str:
        if self.fail_from is not None and record.offset >= self.fail_from:
            self.stop.set()  # the service is stopping while the database is down
            raise ConnectionError("database unreachable")
        self.applied.append(record.offset)
        return "applied"


def test_a_batch_is_committed_once_after_its_last_record():
    stop, consumer = threading.Event(), Consumer()
    applier = Applier(stop)
    loop = ConsumerLoop(consumer, applier, retry_backoff_s=0)  # type: ignore[arg-type]
    loop._process_partition(PARTITION, [FakeRecord(offset) for offset in range(10, 15)], stop)
    assert applier.applied == [10, 11, 12, 13, 14]
    assert consumer.commits == [{PARTITION: OffsetAndMetadata(15, "", -1)}]


def test_stopping_mid_batch_commits_what_was_applied_and_rewinds_to_the_rest():
    stop, consumer = threading.Event(), Consumer()
    applier = Applier(stop, fail_from=12)
    loop = ConsumerLoop(consumer, applier, retry_backoff_s=0)  # type: ignore[arg-type]
    loop._process_partition(PARTITION, [FakeRecord(offset) for offset in range(10, 15)], stop)
    assert applier.applied == [10, 11]
    assert consumer.commits == [{PARTITION: OffsetAndMetadata(12, "", -1)}]
    assert consumer.seeks == [(PARTITION, 12)]


def test_a_batch_stopped_before_its_first_record_commits_nothing():
    stop, consumer = threading.Event(), Consumer()
    loop = ConsumerLoop(consumer, Applier(stop, fail_from=0), retry_backoff_s=0)  # type: ignore[arg-type]
    loop._process_partition(PARTITION, [FakeRecord(offset) for offset in range(3)], stop)
    assert consumer.commits == [] and consumer.seeks == [(PARTITION, 0)]
