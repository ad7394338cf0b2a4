"""The shared plumbing against the real broker: relay, idempotent consumer, offsets, dead letters."""

from __future__ import annotations

import threading
import uuid

import pytest
from kafka import KafkaAdminClient, KafkaProducer, TopicPartition
from kafka.admin import ConfigResource, ConfigResourceType
from sqlalchemy import event as sa_event
from sqlmodel import Field, Session, SQLModel, select

from services.common.consumer import ConsumerLoop, EventApplier, PoisonEvent, ProcessedEvent
from services.common.db import make_engine
from services.common.envelope import Envelope
from services.common.kafka_io import ensure_topics, make_consumer, make_producer, wait_for_partitions
from services.common.outbox import OutboxRelay, add_event
from services.common.runtime import Runtime
from services.common.settings import ServiceSettings
from services.common.topics import Topics, all_topics, dead_letter_topic
from tests.common.support import make_schema
from tests.support.processes import eventually
from tests.support.topic_reading import read_topic

pytestmark = pytest.mark.kafka


class Tally(SQLModel, table=True):
    __tablename__ = "test_tally"
    key: str = Field(primary_key=True)
    count: int = 0


def count_up(session: Session, incoming) -> None:
    if incoming.envelope.data.get("poison"):
        raise PoisonEvent("this event can never apply")
    row = session.get(Tally, incoming.key) or Tally(key=incoming.key)
    row.count += 1
    session.add(row)


@pytest.fixture
def topics(kafka_bootstrap, topic_prefix) -> Topics:
    topics = Topics(topic_prefix)
    ensure_topics(kafka_bootstrap, all_topics(3, topics))
    return topics


@pytest.fixture
def engine(database_url):
    engine = make_engine(database_url)
    make_schema(engine, Tally)
    yield engine
    engine.dispose()


def read_all(bootstrap: str, topic: str, expected: int, timeout_s: float = 30) -> list:
    return read_topic(bootstrap, topic, lambda records: len(records) >= expected, timeout_s)


def test_the_relay_publishes_outbox_rows_to_the_real_broker(kafka_bootstrap, topics, engine):
    with Session(engine) as session:
        for n in range(3):
            add_event(
                session, topics.tasks_state, f"task-{n}", Envelope(type="task.posted", source="tasks", data={"n": n})
            )
        session.commit()
    producer = make_producer(kafka_bootstrap, "test-relay")
    try:
        assert OutboxRelay(engine, producer).publish_pending() == 3
    finally:
        producer.close()
    records = read_all(kafka_bootstrap, topics.tasks_state, 3)
    assert sorted(r.key for r in records) == [b"task-0", b"task-1", b"task-2"]
    assert {Envelope.from_bytes(r.value).data["n"] for r in records} == {0, 1, 2}


def run_loop_until(loop: ConsumerLoop, condition, timeout_s: float = 40) -> None:
    stop = threading.Event()
    thread = threading.Thread(target=loop.run, args=(stop,), daemon=True)
    thread.start()
    try:
        eventually(condition, timeout_s, message="consumer progress")
    finally:
        stop.set()
        thread.join(10)


def consumer_loop(
    kafka_bootstrap, topic, engine, group, reaction=count_up, dead_letters=None, **options
) -> ConsumerLoop:
    consumer = make_consumer(kafka_bootstrap, group, "test-consumer", **options)
    consumer.subscribe([topic])
    wait_for_partitions(consumer, [topic])  # as start_consumer does: join the group knowing them
    return ConsumerLoop(consumer, EventApplier(engine, group, reaction, dead_letters), retry_backoff_s=0.05)


def tally(engine, key: str) -> int:
    with Session(engine) as session:
        row = session.get(Tally, key)
        return row.count if row else 0


def test_a_consumer_that_sees_the_same_event_twice_applies_it_once(kafka_bootstrap, topics, engine):
    once = Envelope(type="task.posted", source="tasks", data={})
    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap)
    for _ in range(2):  # a redelivery: the very same event, twice on the topic
        producer.send(topics.tasks_state, key=b"k1", value=once.to_bytes())
    producer.send(
        topics.tasks_state, key=b"k1", value=Envelope(type="task.updated", source="tasks", data={}).to_bytes()
    )
    producer.flush()
    producer.close()
    group = f"g-{uuid.uuid4().hex[:8]}"
    loop = consumer_loop(kafka_bootstrap, topics.tasks_state, engine, group)
    run_loop_until(loop, lambda: _processed(engine, group) == 2)
    assert tally(engine, "k1") == 2  # two distinct events, the duplicate ignored


def _processed(engine, consumer: str) -> int:
    with Session(engine) as session:
        return len(session.exec(select(ProcessedEvent).where(ProcessedEvent.consumer == consumer)).all())


def test_offsets_are_committed_only_after_the_database_commit(kafka_bootstrap, topics, engine):
    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap)
    sent = producer.send(
        topics.tasks_state, key=b"k2", value=Envelope(type="task.posted", source="tasks", data={}).to_bytes()
    ).get(10)
    producer.close()
    partition = TopicPartition(topics.tasks_state, sent.partition)
    journal: list[str] = []
    failures = {"left": 3}

    def flaky(session, incoming):
        if failures["left"]:
            failures["left"] -= 1
            journal.append("database unavailable")
            raise ConnectionError("database unavailable")
        count_up(session, incoming)

    sa_event.listen(engine, "commit", lambda _conn: journal.append("db commit"))
    group = f"g-{uuid.uuid4().hex[:8]}"
    loop = consumer_loop(kafka_bootstrap, topics.tasks_state, engine, group, reaction=flaky)
    real_commit = loop.consumer.commit

    def recording_commit(offsets=None):
        journal.append("kafka commit")
        return real_commit(offsets)

    loop.consumer.commit = recording_commit
    run_loop_until(loop, lambda: "kafka commit" in journal)
    assert journal.count("database unavailable") == 3
    assert journal.index("db commit") < journal.index("kafka commit")
    assert journal[:3] == ["database unavailable"] * 3  # no offset moved while the DB failed
    assert tally(engine, "k2") == 1
    checker = make_consumer(kafka_bootstrap, group, "checker")
    assert checker.committed(partition) == sent.offset + 1
    checker.close()


def test_poison_messages_go_to_the_dead_letter_topic_with_the_reason(kafka_bootstrap, topics, engine):
    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap)
    producer.send(topics.tasks_state, key=b"bad-json", value=b"{not json")
    producer.send(
        topics.tasks_state,
        key=b"poison",
        value=Envelope(type="task.posted", source="tasks", data={"poison": True}).to_bytes(),
    )
    producer.send(
        topics.tasks_state, key=b"good", value=Envelope(type="task.posted", source="tasks", data={}).to_bytes()
    )
    producer.flush()
    group = f"g-{uuid.uuid4().hex[:8]}"
    dead_letters = make_producer(kafka_bootstrap, "dlt")
    loop = consumer_loop(kafka_bootstrap, topics.tasks_state, engine, group, dead_letters=dead_letters)
    run_loop_until(loop, lambda: tally(engine, "good") == 1)
    dead_letters.close()
    producer.close()
    dead = read_all(kafka_bootstrap, dead_letter_topic(topics.tasks_state), 2)
    reasons = {r.key: dict(r.headers)["dlt.reason"].decode() for r in dead}
    assert "not a valid event envelope" in reasons[b"bad-json"]
    assert "can never apply" in reasons[b"poison"]
    assert tally(engine, "poison") == 0


def test_a_consumer_that_falls_out_of_its_group_mid_batch_rejoins_and_applies_everything_once(
    kafka_bootstrap, topics, engine
):
    """A batch that takes longer than the poll interval gets the member dropped from its group, so
    the next offset commit is refused. The consumer must rejoin and carry on, not stop for good."""
    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap)
    for key in (b"slow", b"after-1", b"after-2"):
        producer.send(
            topics.tasks_state,
            key=key,
            value=Envelope(type="task.posted", source="tasks", data={}).to_bytes(),
            partition=0,
        )
    producer.flush()
    producer.close()
    slow_calls = []

    def slow_first_time(session, incoming):
        if incoming.key == "slow" and not slow_calls:
            slow_calls.append(1)
            threading.Event().wait(3.0)  # three times the poll interval below
        count_up(session, incoming)

    group = f"g-{uuid.uuid4().hex[:8]}"
    loop = consumer_loop(
        kafka_bootstrap, topics.tasks_state, engine, group, reaction=slow_first_time, max_poll_interval_ms=1000
    )
    refused = []
    real_commit = loop.consumer.commit

    def noting_commit(offsets=None):
        try:
            return real_commit(offsets)
        except Exception as error:
            refused.append(type(error).__name__)
            raise

    loop.consumer.commit = noting_commit
    run_loop_until(loop, lambda: tally(engine, "after-2") == 1, timeout_s=60)
    assert refused, "the slow batch should have outlived the group membership"
    assert [tally(engine, key) for key in ("slow", "after-1", "after-2")] == [1, 1, 1]
    checker = make_consumer(kafka_bootstrap, group, "checker")
    assert checker.committed(TopicPartition(topics.tasks_state, 0)) == 3
    checker.close()


# Far longer than the test waits: only a wake-up after the consumer's commit publishes in time.
RELAY_POLL_S = 600


def test_an_event_a_consumer_queues_leaves_when_its_transaction_commits_not_at_the_next_poll(
    kafka_bootstrap, topics, engine, database_url
):
    """Every service's consumers (members and tasks too) apply records through the runtime's
    applier: what a reaction queues in the outbox is published as soon as it commits."""
    producer = make_producer(kafka_bootstrap, "test-relay")
    settings = ServiceSettings(
        database_url=database_url, kafka_bootstrap_servers=kafka_bootstrap, outbox_poll_seconds=RELAY_POLL_S
    )
    runtime = Runtime(settings=settings, engine=engine, producer=producer, relay=OutboxRelay(engine, producer))
    with Session(engine) as session:  # published by the relay's first pass, after which it sleeps
        add_event(
            session, topics.members_state, "before", Envelope(type="member.registered", source="members", data={})
        )
        session.commit()
    runtime.start_relay()
    try:
        read_all(kafka_bootstrap, topics.members_state, 1)

        def queue_an_offer(session, incoming):
            add_event(session, topics.offers_events, incoming.key, Envelope(type="offer.created", source="t", data={}))

        source = KafkaProducer(bootstrap_servers=kafka_bootstrap)
        source.send(
            topics.tasks_state, key=b"task-1", value=Envelope(type="task.posted", source="tasks", data={}).to_bytes()
        )
        source.flush()
        source.close()
        group = f"g-{uuid.uuid4().hex[:8]}"
        consumer = make_consumer(kafka_bootstrap, group, "test-consumer")
        consumer.subscribe([topics.tasks_state])
        wait_for_partitions(consumer, [topics.tasks_state])
        loop = ConsumerLoop(consumer, runtime.applier("queue-offers", queue_an_offer), retry_backoff_s=0.05)
        run_loop_until(loop, lambda: _processed(engine, f"{settings.service_name}.queue-offers") == 1)
        published = read_all(kafka_bootstrap, topics.offers_events, 1, timeout_s=20)
    finally:
        runtime.shutdown()
    assert [record.key for record in published] == [b"task-1"]


def test_services_starting_together_create_each_topic_once_with_its_cleanup_policy(kafka_bootstrap, topic_prefix):
    specs = all_topics(2, Topics(topic_prefix))
    results: list = []

    def start_one():
        try:
            results.append(ensure_topics(kafka_bootstrap, specs))
        except Exception as error:  # collected and asserted below, in the test's thread
            results.append(error)

    threads = [threading.Thread(target=start_one) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not [r for r in results if isinstance(r, Exception)], results
    created = [name for names in results for name in names]
    assert sorted(created) == sorted(spec.name for spec in specs)  # each by exactly one of them
    admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    try:
        topics = Topics(topic_prefix)
        configs = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topics.members_state)])
        assert configs["topic"][topics.members_state]["cleanup.policy"]["value"] == "compact"
        (offers,) = admin.describe_topics([topics.offers_events])
        assert sorted(p["partition_index"] for p in offers["partitions"]) == [0, 1]
    finally:
        admin.close()
