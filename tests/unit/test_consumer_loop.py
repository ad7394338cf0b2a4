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
    def __init__(self, held=(PARTITION,)) -> None:
        self.commits: list[dict] = []
        self.seeks: list[tuple[TopicPartition, int]] = []
        self.held = set(held)
        self.polls: list[dict] = []  # what each poll returns, in turn; then nothing

    def poll(self, timeout_ms=None) -> dict:
        return self.polls.pop(0) if self.polls else {}

    def assignment(self) -> set:
        return self.held

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
        return "ignored" if record.value == IGNORED else "applied"


IGNORED = b"an event type this consumer ignores"
OTHER = TopicPartition("tasks.state", 1)


def ignored(offset: int, partition: TopicPartition = PARTITION) -> FakeRecord:
    return FakeRecord(offset, partition=partition.partition, value=IGNORED)


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


def test_records_that_change_nothing_are_committed_once_the_partitions_go_quiet_not_batch_by_batch():
    stop, consumer = threading.Event(), Consumer()
    loop = ConsumerLoop(consumer, Applier(stop), retry_backoff_s=0)  # type: ignore[arg-type]
    consumer.polls = [{PARTITION: [ignored(n) for n in range(3)]}, {PARTITION: [ignored(n) for n in range(3, 5)]}]
    loop._poll_once(stop)
    loop._poll_once(stop)
    assert consumer.commits == []
    loop._poll_once(stop)  # nothing more: the position reached is told now
    assert consumer.commits == [{PARTITION: OffsetAndMetadata(5, "", -1)}]
    loop._poll_once(stop)
    assert len(consumer.commits) == 1


def test_a_batch_that_changed_something_is_committed_at_once_with_what_was_passed_on_other_partitions():
    stop, consumer = threading.Event(), Consumer(held=(PARTITION, OTHER))
    loop = ConsumerLoop(consumer, Applier(stop), retry_backoff_s=0)  # type: ignore[arg-type]
    consumer.polls = [{OTHER: [ignored(n, OTHER) for n in range(4)]}, {PARTITION: [FakeRecord(7), ignored(8)]}]
    loop._poll_once(stop)
    loop._poll_once(stop)
    assert consumer.commits == [{OTHER: OffsetAndMetadata(4, "", -1), PARTITION: OffsetAndMetadata(9, "", -1)}]


def test_positions_passed_on_a_partition_given_to_another_consumer_are_not_committed():
    stop, consumer = threading.Event(), Consumer(held=(PARTITION, OTHER))
    loop = ConsumerLoop(consumer, Applier(stop), retry_backoff_s=0)  # type: ignore[arg-type]
    consumer.polls = [{OTHER: [ignored(n, OTHER) for n in range(4)]}]
    loop._poll_once(stop)
    consumer.held = {PARTITION}  # a rebalance moved OTHER away
    consumer.polls = [{PARTITION: [FakeRecord(0)]}]
    loop._poll_once(stop)
    assert consumer.commits == [{PARTITION: OffsetAndMetadata(1, "", -1)}]


def test_under_a_steady_stream_of_ignored_records_the_position_is_still_committed_every_so_often():
    stop, consumer = threading.Event(), Consumer()
    loop = ConsumerLoop(consumer, Applier(stop), retry_backoff_s=0, commit_passed_every_s=0)  # type: ignore[arg-type]
    consumer.polls = [{PARTITION: [ignored(0)]}, {PARTITION: [ignored(1)]}]
    loop._poll_once(stop)
    loop._poll_once(stop)
    assert consumer.commits == [{PARTITION: OffsetAndMetadata(1, "", -1)}, {PARTITION: OffsetAndMetadata(2, "", -1)}]
