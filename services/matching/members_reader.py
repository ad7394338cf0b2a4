"""The members topic, read in full by every matcher instance, kept current while it runs; with it
the areas topic, whose geography says whose reach covers which task.

At start-up the compacted topic is replayed from offset 0 on every partition (assign + seek, no
consumer group: every instance needs every member) up to the end offsets it had then; only after
that is the instance ready. Afterwards new states are applied as they come, and a member who was
erased (tombstone) or paused has their offers withdrawn (see ``settle_member_offers``).
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from uuid import UUID

from kafka import KafkaConsumer, TopicPartition
from sqlalchemy import select
from sqlmodel import Session, col

from services.common.clock import utc_now
from services.common.consumer import dead_letter
from services.common.contracts import MemberState, MemberStatus, OfferStatus
from services.common.kafka_io import make_consumer, wait_for_partitions
from services.matching import offers
from services.matching.attendance import forget_member
from services.matching.context import Matching
from services.matching.directory import MemberDirectory, MemberUpdate
from services.matching.member_states import Unreadable, read_area, read_update
from services.matching.models import Offer
from services.matching.open_tasks import tasks_member_could_fit

log = logging.getLogger(__name__)

MEMBER_PAUSED = "member paused"
MEMBER_ERASED = "member erased"
READER_CONSUMER = "matching.members-feed"  # its old name, kept: dead letters carry it (deploy/README)
# Large fetches: the replay is bound by how fast records arrive, and the topic is read in full.
READER_OPTIONS = dict(
    max_poll_records=10000, max_partition_fetch_bytes=16 * 1024 * 1024, fetch_max_bytes=64 * 1024 * 1024
)


def open_reader(
    bootstrap_servers: str, topic: str, client_id: str, timeout_s: float = 30, also: tuple[str, ...] = ()
) -> KafkaConsumer:
    """A consumer assigned every partition of ``topic`` (and of the topics ``also`` names),
    positioned at its beginning."""
    consumer = make_consumer(bootstrap_servers, None, client_id, **READER_OPTIONS)
    topics = [topic, *also]
    try:
        partitions = wait_for_partitions(consumer, topics, timeout_s)
    except RuntimeError:
        consumer.close()
        raise
    assigned = [TopicPartition(name, p) for name in topics for p in sorted(partitions[name])]
    consumer.assign(assigned)
    consumer.seek_to_beginning(*assigned)
    return consumer


Reject = Callable[[Unreadable], None]


def log_only(unreadable: Unreadable) -> None:
    record = unreadable.record
    log.warning(
        "unreadable member record at %s[%s]@%s: %s",
        record.topic,
        record.partition,
        record.offset,
        unreadable.reason[:200],
    )


def replay(
    consumer: KafkaConsumer,
    directory: MemberDirectory,
    stop: threading.Event,
    reject: Reject = log_only,
    areas_topic: str | None = None,
) -> int:
    """Apply every record up to the end offsets the topics have now; returns the records read.

    ``reject`` hears of each record that cannot be applied (the service dead-letters it).
    Records of ``areas_topic`` are areas, whose geography says whose reach covers what."""
    assigned = list(consumer.assignment())
    ends = consumer.end_offsets(assigned)
    read = 0
    with bulk_load():
        # The index is built once, at the end (see MatchingEngine.defer_indexing): a member met
        # several times in the topic is indexed in their last state only.
        directory.defer_indexing()
        while not stop.is_set() and any(consumer.position(tp) < ends[tp] for tp in assigned):
            records = [record for batch in consumer.poll(timeout_ms=200).values() for record in batch]
            directory.apply(_readable(_learn_areas(records, directory, areas_topic, reject), reject))
            read += len(records)
        directory.build_index()
    return read


@contextmanager
def bulk_load() -> Iterator[None]:
    """No cyclic garbage collection while the whole membership is loaded; then one collection,
    and what survives it is frozen.

    Loading creates millions of long-lived objects and little garbage, yet each full collection
    walks every object loaded so far again: with the collector on, validating a member takes
    several times the CPU (``bench/results/rebuild.md``). One collection at the end frees
    the garbage cycles the load left, and ``gc.freeze`` then moves the members out of the
    collector's sight for good, so the running service does not re-examine them at every full
    collection either. (Frozen objects are still freed as usual when replaced or removed: the
    engine's member records hold no reference cycles.)
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.collect()
        gc.freeze()
        if was_enabled:
            gc.enable()


def _learn_areas(records: list, directory: MemberDirectory, areas_topic: str | None, reject: Reject) -> list:
    """Give the directory the areas among ``records``; the member records are left."""
    if areas_topic is None:
        return records
    areas = [record for record in records if record.topic == areas_topic]
    if not areas:
        return records
    learned = []
    for record in areas:
        area = read_area(record)
        if isinstance(area, Unreadable):
            reject(area)
        else:
            learned.append(area)
    directory.learn_areas(learned)
    return [record for record in records if record.topic != areas_topic]


def _readable(records: list, reject: Reject) -> list[MemberUpdate]:
    updates = []
    for record in records:
        update = read_update(record)
        if isinstance(update, Unreadable):
            reject(update)
        else:
            updates.append(update)
    return updates


MemberChanges = Callable[[list[MemberUpdate]], None]


def follow(
    consumer: KafkaConsumer,
    directory: MemberDirectory,
    on_changes: MemberChanges,
    stop: threading.Event,
    reject: Reject = log_only,
    areas_topic: str | None = None,
) -> None:
    """Keep the directory current after the replay; ``on_changes`` sees each applied batch (an
    empty one when only areas changed: members may have come within reach of open tasks)."""
    while not stop.is_set():
        records = [record for batch in consumer.poll(timeout_ms=500).values() for record in batch]
        members = _learn_areas(records, directory, areas_topic, reject)
        updates = _readable(members, reject)
        if updates:
            directory.apply(updates)
        if updates or len(members) < len(records):
            on_changes(updates)


def settle_member_offers(
    session: Session, topic: str, member_id: UUID, state: MemberState | None, now: datetime
) -> None:
    """Withdraw what an erased or paused member holds, so their places go to others.

    An erased member loses pending and accepted offers alike (the coordinator can no longer reach
    them). A paused member loses the offers still waiting for an answer; tasks they already said
    yes to stay theirs until they withdraw themselves.
    """
    if state is not None and state.status == MemberStatus.active:
        return
    if state is None:
        forget_member(session, member_id)  # the tasks they did not come to
        accepted = session.scalars(
            select(Offer)
            .where(col(Offer.member_id) == member_id, col(Offer.status) == OfferStatus.accepted)
            .order_by(col(Offer.task_id))  # fill rows are locked in task order, see capacity
        ).all()
        for offer in accepted:
            offers.release_accepted(session, topic, offer, OfferStatus.withdrawn, now, because=MEMBER_ERASED)
    because = MEMBER_ERASED if state is None else MEMBER_PAUSED
    offers.withdraw_pending(session, topic, because, now, col(Offer.member_id) == member_id)


def run_members_reader(matching: Matching, stop: threading.Event) -> None:
    """The members reader's thread: replay, mark ready, then follow; start over after a failure."""
    settings = matching.settings
    while not stop.is_set():
        try:
            consumer = open_reader(
                settings.kafka_bootstrap_servers,
                settings.topics.members_state,
                "matching-members",
                also=(settings.topics.areas_state,),
            )
        except Exception:
            log.exception("cannot open the members topic; retrying")
            stop.wait(2)
            continue
        try:
            _replay_then_follow(matching, consumer, stop)
        except Exception:
            log.exception("members reader failed; replaying again")
            stop.wait(1)
        finally:
            consumer.close()


def dead_letters(matching: Matching) -> Reject:
    """Unreadable member records go to the dead-letter topic with the reason. Every instance reads
    every record, so each instance that meets one (at each start) dead-letters it: the copies
    carry the same origin (topic, partition, offset) in their headers."""

    def reject(unreadable: Unreadable) -> None:
        dead_letter(matching.runtime.producer, unreadable.record, unreadable.reason, READER_CONSUMER)

    return reject


def _replay_then_follow(matching: Matching, consumer: KafkaConsumer, stop: threading.Event) -> None:
    started = time.perf_counter()
    reject = dead_letters(matching)
    areas_topic = matching.settings.topics.areas_state
    read = replay(consumer, matching.directory, stop, reject, areas_topic)
    if stop.is_set():
        return
    if not matching.directory.replayed.is_set():
        log.info(
            "members topic replayed: %s records, %s members, %.2fs",
            read,
            len(matching.directory),
            time.perf_counter() - started,
        )
        matching.directory.replayed.set()
    matching.nudge_worker()
    follow(consumer, matching.directory, lambda updates: members_changed(matching, updates), stop, reject, areas_topic)


def members_changed(matching: Matching, updates: list[MemberUpdate]) -> None:
    """Withdraw what paused and erased members hold (their tasks are then matched again), and
    match new and changed members against the open tasks they could fit. No update at all means
    only areas changed: anyone may have come within reach of any open task."""
    if not updates:
        matching.work.mark(matching.open_tasks.task_ids())
        return
    available = []
    for member_id in dict.fromkeys(member_id for member_id, _ in updates):
        state = matching.directory.get(member_id)  # the latest, if a batch held several
        if state is not None and state.status == MemberStatus.active:
            available.append(state)
            continue
        try:
            with matching.unit_of_work() as session:
                settle_member_offers(session, matching.offers_topic, member_id, state, utc_now())
        except Exception:
            # The worker's reconciliation settles every live offer of unknown or paused members.
            log.exception("could not withdraw the offers of member %s yet", member_id)
    if available:
        matching.work.mark(tasks_member_could_fit(matching.open_tasks, matching.directory, available, utc_now()))
