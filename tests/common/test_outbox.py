"""The outbox keeps events with their state change and publishes them in order, retrying failures."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import select as sa_select
from sqlmodel import Session, select

from services.common.db import make_engine
from services.common.envelope import Envelope
from services.common.outbox import AHEAD_BATCHES, OutboxMessage, OutboxRelay, add_event, add_tombstone
from tests.common.support import make_schema


class SendResult:
    """Mimics kafka-python's FutureRecordMetadata: ``get`` returns or raises."""

    def __init__(self, error: Exception | None = None):
        self.error = error

    def get(self, timeout=None):
        if self.error is not None:
            raise self.error


class RecordingProducer:
    """Collects sends; fails the sends whose keys are listed in ``refuse``."""

    def __init__(self, refuse: set[str] = frozenset()):
        self.sent: list[tuple[str, bytes, bytes | None]] = []
        self.refuse = set(refuse)
        self.closed = False

    def close(self, timeout=None):
        self.closed = True

    def send(self, topic, key, value, headers):
        if key.decode() in self.refuse:
            return SendResult(TimeoutError("broker unreachable"))
        self.sent.append((topic, key, value))
        return SendResult()


@pytest.fixture
def engine(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'outbox.db'}")
    make_schema(engine)
    return engine


def event(n: int) -> Envelope:
    return Envelope(type="task.posted", source="tasks", data={"n": n})


def test_an_event_written_in_a_rolled_back_transaction_is_never_published(engine):
    with pytest.raises(RuntimeError), Session(engine) as session:
        add_event(session, "tasks.state", "t1", event(1))
        session.flush()
        raise RuntimeError("the state change failed")
    producer = RecordingProducer()
    assert OutboxRelay(engine, producer).publish_pending() == 0
    assert producer.sent == []


def test_events_of_a_transaction_that_ends_without_a_commit_are_never_written(engine):
    # The rows wait in the session until its flush or commit (one INSERT for all): a rollback or
    # a close before either must drop them, and the session's next transaction must not send them.
    with Session(engine) as session:
        add_event(session, "tasks.state", "rolled-back", event(1))
        session.rollback()
        add_event(session, "tasks.state", "closed", event(2))
        session.close()
        add_event(session, "tasks.state", "kept", event(3))
        session.commit()
    producer = RecordingProducer()
    assert OutboxRelay(engine, producer).publish_pending() == 1
    assert [key for _, key, _ in producer.sent] == [b"kept"]


def test_rows_are_published_in_insertion_order_and_marked_sent(engine):
    with Session(engine) as session:
        for n in range(5):
            add_event(session, "tasks.state", f"t{n}", event(n))
        add_tombstone(session, "members.state", "m1")
        session.commit()
    producer = RecordingProducer()
    relay = OutboxRelay(engine, producer)
    assert relay.publish_pending() == 6
    assert [key for _, key, _ in producer.sent] == [b"t0", b"t1", b"t2", b"t3", b"t4", b"m1"]
    assert producer.sent[-1][2] is None  # tombstone
    assert relay.backlog() == 0
    assert relay.publish_pending() == 0


def test_a_burst_of_a_thousand_events_goes_out_in_one_pass_waiting_for_the_broker_once(engine):
    with Session(engine) as session:
        for n in range(1000):
            add_event(session, "offers.events", f"o{n % 64}", event(n))
        session.commit()
    producer = RecordingProducer()
    relay = OutboxRelay(engine, producer)
    assert relay.publish_pending() == 1000
    assert relay.backlog() == 0


class AwaitedProducer(RecordingProducer):
    """Also notes, at each wait for an acknowledgement, how many rows had been handed over."""

    def __init__(self, refuse: set[str] = frozenset()):
        super().__init__(refuse)
        self.handed_over_at_each_wait: list[int] = []

    def send(self, topic, key, value, headers):
        result = super().send(topic, key, value, headers)
        outer_get = result.get

        def get(timeout=None):
            self.handed_over_at_each_wait.append(len(self.sent))
            return outer_get(timeout)

        result.get = get
        return result


def queue(engine, count: int, key=lambda n: f"o{n % 7}") -> None:
    with Session(engine) as session:
        for n in range(count):
            add_event(session, "offers.events", key(n), event(n))
        session.commit()


def test_a_backlog_of_several_batches_goes_out_in_one_pass_the_next_batch_sent_while_one_is_acknowledged(engine):
    queue(engine, 25)
    producer = AwaitedProducer()
    relay = OutboxRelay(engine, producer, batch_size=10)

    assert relay.publish_pending() == 25
    assert relay.backlog() == 0
    assert [Envelope.from_bytes(value).data for _, _, value in producer.sent] == [{"n": n} for n in range(25)]
    # The first row's acknowledgement was awaited once the second batch was on its way too.
    assert producer.handed_over_at_each_wait[0] == 20


def test_a_pass_reads_ahead_a_bounded_number_of_batches(engine):
    queue(engine, 100)
    relay = OutboxRelay(engine, RecordingProducer(), batch_size=10)
    assert relay.publish_pending() == 10 * (AHEAD_BATCHES + 1)
    assert relay.backlog() == 100 - 10 * (AHEAD_BATCHES + 1)


def test_a_row_refused_in_a_later_batch_keeps_what_went_before_and_what_comes_after_queued(engine):
    queue(engine, 25, key=lambda n: f"k{n}")
    producer = RecordingProducer(refuse={"k13"})
    relay = OutboxRelay(engine, producer, batch_size=10)

    assert relay.publish_pending() == 13  # the first batch and k10-k12
    with Session(engine) as session:
        unsent = session.exec(select(OutboxMessage).where(OutboxMessage.sent_at == None)).all()  # noqa: E711
        assert [row.message_key for row in unsent] == [f"k{n}" for n in range(13, 25)]
        assert unsent[0].attempts == 1 and "broker unreachable" in unsent[0].last_error
    producer.refuse.clear()
    assert relay.publish_pending() == 12
    assert relay.backlog() == 0


def test_a_refused_row_stays_queued_with_its_error_and_goes_out_on_a_later_pass(engine):
    with Session(engine) as session:
        for n in range(3):
            add_event(session, "tasks.state", f"t{n}", event(n))
        session.commit()
    producer = RecordingProducer(refuse={"t1"})
    relay = OutboxRelay(engine, producer)
    assert relay.publish_pending() == 1  # t0 only: t1 failed, t2 waits behind it to keep order
    with Session(engine) as session:
        failed = session.exec(select(OutboxMessage).where(OutboxMessage.message_key == "t1")).one()
        assert failed.sent_at is None and failed.attempts == 1 and "broker unreachable" in failed.last_error
    assert relay.backlog() == 2
    producer.refuse.clear()
    assert relay.publish_pending() == 2
    assert [key for _, key, _ in producer.sent].count(b"t2") >= 1
    assert relay.backlog() == 0


def test_a_relay_that_owns_its_producer_replaces_it_after_a_failed_send(engine):
    with Session(engine) as session:
        for n in range(2):
            add_event(session, "tasks.state", f"t{n}", event(n))
        session.commit()
    stuck, fresh = RecordingProducer(refuse={"t0", "t1"}), RecordingProducer()
    made = iter([stuck, fresh])
    relay = OutboxRelay(engine, producer_factory=lambda: next(made))
    assert relay.publish_pending() == 0
    assert stuck.closed  # whatever it still held is abandoned: those rows go again
    assert relay.publish_pending() == 2
    assert [key for _, key, _ in fresh.sent] == [b"t0", b"t1"]
    relay.close()
    assert fresh.closed


def test_a_relay_keeps_a_producer_it_was_given_when_a_send_fails(engine):
    with Session(engine) as session:
        add_event(session, "tasks.state", "t0", event(0))
        session.commit()
    producer = RecordingProducer(refuse={"t0"})
    relay = OutboxRelay(engine, producer)
    assert relay.publish_pending() == 0
    relay.close()
    assert relay.producer is producer and not producer.closed  # its caller's to close


def test_headers_carry_the_trace_context_slot_as_json(engine):
    with Session(engine) as session:
        add_event(session, "tasks.state", "t1", event(1))
        session.commit()
        stored = session.execute(sa_select(OutboxMessage.headers_json)).scalar_one()
    assert stored.startswith("[")


class CountingRelay(OutboxRelay):
    passes = 0

    def publish_pending(self) -> int:
        self.passes += 1
        return super().publish_pending()


def test_an_idle_relay_looks_for_rows_about_once_a_second_and_a_commits_nudge_wakes_it_at_once(engine):
    relay, stop = CountingRelay(engine, RecordingProducer()), threading.Event()
    thread = threading.Thread(target=relay.run, args=(stop,))
    thread.start()
    try:
        time.sleep(0.6)
        idle_passes = relay.passes
        queue(engine, 1)
        nudged = time.monotonic()
        relay.wakeup.set()  # what the runtime does once a transaction that queued rows commits
        while relay.backlog() and time.monotonic() - nudged < 5:
            time.sleep(0.01)
        published_after = time.monotonic() - nudged
    finally:
        stop.set()
        relay.wakeup.set()
        thread.join(5)
    assert idle_passes <= 2, f"{idle_passes} passes in 0.6 s with nothing to send"
    assert published_after < 0.5
