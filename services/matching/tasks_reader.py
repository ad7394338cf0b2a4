"""The tasks topic, shared by matcher instances through one consumer group.

Each task state is stored with the partition it came from: the instance that owns that partition
sends the task's waves (see ``worker``). A task that is cancelled, closed or back in draft has its
pending offers withdrawn; a cancelled task also releases the volunteers who had accepted. A change of
slots may fill or reopen the task.
"""

from __future__ import annotations

import logging
from datetime import datetime
from uuid import UUID

from sqlalchemy import select
from sqlmodel import Session, col

from services.common import catalogue
from services.common.clock import as_utc, utc_now
from services.common.consumer import PoisonEvent
from services.common.contracts import OfferStatus, TaskState, TaskStatus
from services.common.dispatch import Event, Subscription, Tombstone
from services.common.topics import TASKS_STATE
from services.matching import capacity, events, offers
from services.matching.context import Matching
from services.matching.models import MATCHABLE_TASK_STATUSES, MatchingTask, Offer
from services.matching.widening import as_matched
from services.matching.work import touched

log = logging.getLogger(__name__)


def task_states(matching: Matching) -> Subscription:
    """The consumer of tasks.state: every task state is applied alike, whatever its change."""

    def state_changed(session: Session, event: Event[TaskState]) -> None:
        task_state_arrived(session, matching, event.payload, event.partition or 0, event.occurred_at, utc_now())

    def removed(session: Session, tombstone: Tombstone) -> None:
        task_id = _task_id(tombstone.key)
        task_removed(session, matching.offers_topic, task_id, utc_now())
        matching.open_tasks.remove(task_id)
        matching.after_commit(session)

    reactions = {event: state_changed for event in catalogue.types_on(TASKS_STATE)}
    return Subscription(matching.settings.topics, reactions, tombstones={TASKS_STATE: removed})


def task_state_arrived(
    session: Session, matching: Matching, state: TaskState, partition: int, occurred_at: datetime, now: datetime
) -> None:
    """Apply the state; once the transaction commits, the worker matches this task (and it only)."""
    if apply_task_state(session, matching.offers_topic, state, partition, occurred_at, now):
        touched(session, state.task_id)
        matching.open_tasks.update(as_matched(session, state))
    matching.after_commit(session)


def _task_id(key: str | None) -> UUID:
    try:
        return UUID(key or "")
    except ValueError as error:
        raise PoisonEvent(f"task tombstone with a key that is not a task id: {key!r}") from error


def apply_task_state(
    session: Session, topic: str, state: TaskState, partition: int, occurred_at: datetime, now: datetime
) -> bool:
    """Store the task's state and act on it; False if a newer state was already stored."""
    task = session.get(MatchingTask, state.task_id)
    if task is not None and as_utc(task.state_occurred_at) > as_utc(occurred_at):
        log.info("ignoring an older state of task %s", state.task_id)
        return False
    before, after = capacity.set_slots(session, state.task_id, state.slots)
    _store(session, task, state, partition, occurred_at, now)
    if state.status.value in MATCHABLE_TASK_STATUSES:
        _announce_slot_change(session, topic, state.task_id, before, after, now)
    else:
        _stop_matching(session, topic, state.task_id, state.status, now)
    return True


def _store(
    session: Session, task: MatchingTask | None, state: TaskState, partition: int, occurred_at: datetime, now: datetime
) -> None:
    latest = MatchingTask(
        task_id=state.task_id,
        partition=partition,
        status=state.status.value,
        title=state.title[:300],
        slots=state.slots,
        starts_at=state.starts_at,
        ends_at=state.ends_at,
        state_json=state.model_dump_json(),
        state_occurred_at=occurred_at,
        updated_at=now,
    )
    if task is not None:  # the row this session already holds takes the new values
        task.sqlmodel_update(latest.model_dump(exclude={"task_id"}))
        latest = task
    session.add(latest)
    session.flush()


def _announce_slot_change(
    session: Session, topic: str, task_id: UUID, before: capacity.Fill | None, after: capacity.Fill, now: datetime
) -> None:
    """Fewer slots may fill the task; more slots may reopen it."""
    if after.is_full and (before is None or not before.is_full):
        offers.close_if_filled(session, topic, task_id, now)
    elif before is not None and before.is_full and not after.is_full:
        events.fill_changed(session, topic, task_id, after)


def _stop_matching(session: Session, topic: str, task_id: UUID, status: TaskStatus, now: datetime) -> None:
    because = f"task {status.value}"
    if status == TaskStatus.cancelled:
        accepted = session.scalars(
            select(Offer).where(col(Offer.task_id) == task_id, col(Offer.status) == OfferStatus.accepted)
        ).all()
        for offer in accepted:
            offers.release_accepted(session, topic, offer, OfferStatus.withdrawn, now, because=because)
    offers.withdraw_pending(session, topic, because, now, col(Offer.task_id) == task_id)


def task_removed(session: Session, topic: str, task_id: UUID, now: datetime) -> None:
    """A tombstone on the tasks topic: the task is gone, so is everything offered for it."""
    task = session.get(MatchingTask, task_id)
    if task is None:
        return
    task.status = TaskStatus.cancelled.value
    task.updated_at = now
    session.add(task)
    session.flush()
    _stop_matching(session, topic, task_id, TaskStatus.cancelled, now)
