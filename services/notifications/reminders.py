"""Reminders of accepted tasks: by default 24 h and 2 h before the start (``reminder_offsets_seconds``).

A reminder is a delivery queued when the offer is accepted, held (``not_before``) until its due
time: due times live in the database, so a restart loses none. It expires when the task starts,
so one whose time passed while the service was down, and whose task has begun, is never sent.
A withdrawn or cancelled acceptance, or a cancelled task, drops the reminders still waiting; a
task that moves carries its waiting reminders along.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID, uuid5

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from services.common.clock import as_utc
from services.notifications import handlers
from services.notifications.models import Acceptance, Delivery, DeliveryStatus, MessageKind, TaskSchedule


def reminder_subject(offer_id: UUID, offset_seconds: float) -> UUID:
    """The same for the same offer and offset: a replayed acceptance queues no second reminder."""
    return uuid5(offer_id, f"reminder/{offset_seconds:g}")


def plan(
    session: Session,
    offer_id: UUID,
    member_id: UUID,
    task_id: UUID,
    accepted_at: datetime,
    offsets_seconds: list[float],
) -> int:
    """Queue the reminders of an accepted offer that are still ahead; returns how many."""
    schedule = handlers.schedule_of(session, task_id)
    if schedule is None or schedule.starts_at is None:
        return 0
    starts_at, planned = as_utc(schedule.starts_at), 0
    for offset in offsets_seconds:
        due = starts_at - timedelta(seconds=offset)
        if due <= accepted_at:
            continue  # accepted too late for this one: the confirmation just said it all
        planned += handlers.queue_delivery(
            session,
            member_id,
            MessageKind.reminder,
            reminder_subject(offer_id, offset),
            accepted_at,
            task_id=task_id,
            expires_at=starts_at,
            variant=f"{offset:g}",
            offer_id=offer_id,
            not_before=due,
        )
    return planned


def accepted(session: Session, offer_id: UUID, member_id: UUID, task_id: UUID, at: datetime) -> None:
    """Remember who accepted the task, for reminders planned once its time is known or changes."""
    if session.get(Acceptance, offer_id) is None:
        session.add(Acceptance(offer_id=offer_id, member_id=member_id, task_id=task_id, accepted_at=at))


def stepped_back(session: Session, offer_id: UUID) -> None:
    session.exec(delete(Acceptance).where(col(Acceptance.offer_id) == offer_id))


def follow_task(session: Session, schedule: TaskSchedule, offsets_seconds: list[float], now: datetime) -> None:
    """The task's time is known or changed: its waiting reminders move with it, and the reminders
    still ahead that its volunteers lack are planned (the task had no time when they accepted,
    the acceptance was read before the task's state, or it moved later)."""
    if schedule.starts_at is None:
        return
    starts_at = as_utc(schedule.starts_at)
    for reminder in session.exec(_waiting(Delivery.task_id == schedule.task_id)).all():
        due = starts_at - timedelta(seconds=float(reminder.variant or 0))
        reminder.not_before = reminder.next_attempt_at = due
        reminder.expires_at = starts_at
        session.add(reminder)
    for held in session.exec(select(Acceptance).where(Acceptance.task_id == schedule.task_id)).all():
        plan(session, held.offer_id, held.member_id, held.task_id, now, offsets_seconds)


def forget(session: Session, *where) -> None:
    """Erasure, or the task gone: who accepted it is not kept."""
    session.exec(delete(Acceptance).where(*where))


def drop(session: Session, now: datetime, reason: str, *where) -> None:
    """No reminder any more for what ``where`` selects (an offer, a task)."""
    session.exec(
        update(Delivery)
        .where(
            col(Delivery.kind) == MessageKind.reminder.value,
            col(Delivery.status) == DeliveryStatus.queued.value,
            *where,
        )
        .values(status=DeliveryStatus.dropped.value, finished_at=now, claimed_until=None, last_error=reason)
    )


def _waiting(*where):
    return select(Delivery).where(
        Delivery.kind == MessageKind.reminder.value, Delivery.status == DeliveryStatus.queued.value, *where
    )
