"""What the notifications service does with its records: queue, claim, finish, forget, count.

Consumers and the sender call these inside their own transaction. A delivery is queued once per
(member, subject, kind); the sender claims it for a while before sending, so two instances never
send the same one at the same time.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

from sqlalchemy import delete, func, or_, update
from sqlmodel import Session, col, select

from services.common.clock import utc_now
from services.common.contracts import NotificationPreferences, TaskState
from services.notifications.models import (
    COORDINATOR_KINDS,
    COORDINATOR_NOT_KNOWN_YET,
    Acceptance,
    Delivery,
    DeliveryCounts,
    DeliveryStatus,
    DeliveryTally,
    MessageKind,
    Recipient,
    TaskSchedule,
)


def queue_delivery(
    session: Session,
    member_id: UUID,
    kind: MessageKind,
    subject_id: UUID,
    event_at: datetime,
    task_id: UUID | None = None,
    expires_at: datetime | None = None,
    variant: str | None = None,
    offer_id: UUID | None = None,
    not_before: datetime | None = None,
    reasons: list[dict] | None = None,
) -> bool:
    """Queue a message unless this member already has one of this kind about this subject."""
    existing = session.exec(
        select(Delivery.id).where(
            Delivery.member_id == member_id,
            Delivery.subject_id == subject_id,
            Delivery.kind == kind.value,
        )
    ).first()
    if existing is not None:
        return False
    delivery = Delivery(
        member_id=member_id,
        kind=kind.value,
        subject_id=subject_id,
        task_id=task_id,
        event_at=event_at,
        expires_at=expires_at,
        variant=variant,
        offer_id=offer_id,
        reasons=reasons,
    )
    if not_before is not None:  # not due before then (a reminder)
        delivery.not_before = delivery.next_attempt_at = not_before
    session.add(delivery)
    return True


def queue_coordinator_delivery(
    session: Session,
    task_id: UUID,
    kind: MessageKind,
    subject_id: UUID,
    event_at: datetime,
    not_before: datetime | None = None,
    expires_at: datetime | None = None,
) -> bool:
    """Queue a message to the task's coordinator unless one of this kind about this subject exists.

    A task has one coordinator, so (subject, kind) is the key: a replay queues nothing, even if
    the coordinator became known in between. Before the task's state names the coordinator, the
    message waits for it (see ``remember_schedule``).
    """
    assert kind in COORDINATOR_KINDS, kind
    if find_coordinator_delivery(session, subject_id, kind) is not None:
        return False
    schedule = schedule_of(session, task_id)
    coordinator = schedule.coordinator_id if schedule is not None and schedule.coordinator_id else None
    delivery = Delivery(
        member_id=coordinator or COORDINATOR_NOT_KNOWN_YET,
        kind=kind.value,
        subject_id=subject_id,
        task_id=task_id,
        event_at=event_at,
        expires_at=expires_at,
    )
    if not_before is not None:  # not due before then (the at-risk check)
        delivery.not_before = delivery.next_attempt_at = not_before
    session.add(delivery)
    return True


def find_coordinator_delivery(session: Session, subject_id: UUID, kind: MessageKind) -> Delivery | None:
    """A task has one coordinator at a time: (subject, kind) finds their message, whoever they are."""
    return session.exec(select(Delivery).where(Delivery.subject_id == subject_id, Delivery.kind == kind.value)).first()


def find_delivery(session: Session, member_id: UUID, subject_id: UUID, kind: MessageKind) -> Delivery | None:
    return session.exec(
        select(Delivery).where(
            Delivery.member_id == member_id,
            Delivery.subject_id == subject_id,
            Delivery.kind == kind.value,
        )
    ).first()


def remember_recipient(session: Session, member_id: UUID, language: str, chosen: NotificationPreferences) -> None:
    recipient = session.get(Recipient, member_id) or Recipient(member_id=member_id, language=language)
    recipient.language, recipient.updated_at = language, utc_now()
    recipient.email, recipient.detail = chosen.email, chosen.detail.value
    quiet = chosen.quiet_hours
    recipient.quiet_start, recipient.quiet_end, recipient.quiet_time_zone = (
        (quiet.start, quiet.end, quiet.time_zone) if quiet else (None, None, None)
    )
    session.add(recipient)


def remember_schedule(session: Session, task: TaskState) -> TaskSchedule:
    schedule = session.get(TaskSchedule, task.task_id) or TaskSchedule(task_id=task.task_id)
    schedule.starts_at, schedule.ends_at, schedule.updated_at = task.starts_at, task.ends_at, utc_now()
    schedule.title, schedule.time_zone = task.title[:200], task.time_zone
    schedule.coordinator_id = task.coordinator_id
    session.add(schedule)
    # Messages to the coordinator still waiting go to whoever coordinates the task now.
    session.exec(
        update(Delivery)
        .where(
            col(Delivery.task_id) == task.task_id,
            col(Delivery.kind).in_([kind.value for kind in COORDINATOR_KINDS]),
            col(Delivery.status) == DeliveryStatus.queued.value,
            col(Delivery.member_id) != task.coordinator_id,
        )
        .values(member_id=task.coordinator_id)
    )
    return schedule


def forget_task(session: Session, task_id: UUID) -> None:
    session.exec(delete(TaskSchedule).where(col(TaskSchedule.task_id) == task_id))
    session.exec(delete(Acceptance).where(col(Acceptance.task_id) == task_id))


def schedule_of(session: Session, task_id: UUID | None) -> TaskSchedule | None:
    return session.get(TaskSchedule, task_id) if task_id else None


def forget_member(session: Session, member_id: UUID) -> None:
    """Erasure: the member's queued messages are dropped and their delivery records removed."""
    session.exec(delete(Delivery).where(col(Delivery.member_id) == member_id))
    session.exec(delete(Recipient).where(col(Recipient.member_id) == member_id))
    session.exec(delete(Acceptance).where(col(Acceptance.member_id) == member_id))


def recipient_of(session: Session, member_id: UUID) -> Recipient | None:
    return session.get(Recipient, member_id)


def due_deliveries(session: Session, now: datetime, limit: int) -> list[UUID]:
    return list(
        session.exec(
            select(Delivery.id)
            .where(
                Delivery.status == DeliveryStatus.queued.value,
                Delivery.next_attempt_at <= now,
                or_(col(Delivery.not_before).is_(None), col(Delivery.not_before) <= now),
                or_(col(Delivery.claimed_until).is_(None), col(Delivery.claimed_until) < now),
            )
            .order_by(col(Delivery.next_attempt_at))
            .limit(limit)
        ).all()
    )


def claim(session: Session, delivery_id: UUID, now: datetime, hold: timedelta) -> bool:
    """Take a delivery for ``hold``; False if another sender holds it or it is no longer queued."""
    taken = session.exec(
        update(Delivery)
        .where(
            col(Delivery.id) == delivery_id,
            col(Delivery.status) == DeliveryStatus.queued.value,
            or_(col(Delivery.claimed_until).is_(None), col(Delivery.claimed_until) < now),
        )
        .values(claimed_until=now + hold)
    )
    return taken.rowcount == 1


def finish(
    session: Session, delivery: Delivery, status: DeliveryStatus, now: datetime, error: str | None = None
) -> None:
    delivery.status, delivery.finished_at, delivery.claimed_until = status.value, now, None
    delivery.last_error = error[:200] if error else None
    session.add(delivery)


def retry_later(session: Session, delivery: Delivery, at: datetime, error: str) -> None:
    delivery.next_attempt_at, delivery.claimed_until, delivery.last_error = at, None, error[:200]
    session.add(delivery)


def hold(session: Session, delivery: Delivery, until: datetime) -> None:
    """Not now (the member's quiet hours): the delivery waits until ``until``, no attempt counted."""
    delivery.not_before = delivery.next_attempt_at = until
    delivery.claimed_until = None
    session.add(delivery)


def delivery_counts(session: Session) -> DeliveryCounts:
    """Every delivery ever queued, by status: the records still kept plus those purged since."""
    counts: dict[str, int] = {}
    for status, count in session.exec(select(Delivery.status, func.count()).group_by(Delivery.status)).all():
        counts[status] = counts.get(status, 0) + count
    for status, count in session.exec(
        select(DeliveryTally.status, func.sum(DeliveryTally.count)).group_by(DeliveryTally.status)
    ).all():
        counts[status] = counts.get(status, 0) + int(count or 0)
    return DeliveryCounts(**counts)
