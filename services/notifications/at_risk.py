"""The coordinator's "task at risk" mail: by default a task under 50% filled 48 h before its start
(``at_risk_fill_share``, ``at_risk_seconds_before``) gets one mail to its coordinator saying why
in plain words: how many members could still be asked, how many declined, how many let the offer
expire.

It is a coordinator delivery queued when the task's time is heard of and held (``not_before``)
until the check is due: the due time lives in the database, so a restart loses none. When it is
due, the sender asks matching how far the task has filled (``should_send``); a task filled enough
by then gets nothing. A cancelled or closed task drops it, a task that moves carries it along, and
it expires when the task starts. (task, kind) is its idempotency key: one mail per task, ever.

A task whose state first arrives already inside the window (posted, or given a time, less than
``at_risk_seconds_before`` before its start) gets no check: matching has had no time to fill it,
and its coordinator knows it is short notice.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID, uuid5

from sqlalchemy import update
from sqlmodel import Session, col

from services.common.clock import as_utc
from services.common.contracts import TaskState, TaskStatus
from services.notifications import handlers
from services.notifications.matching_client import TaskDiagnosis
from services.notifications.models import Delivery, DeliveryStatus, MessageKind

KIND = MessageKind.task_at_risk
OVER = (TaskStatus.cancelled, TaskStatus.closed)


def subject(task_id: UUID) -> UUID:
    """The same for the same task: its state heard again queues no second check."""
    return uuid5(task_id, "at-risk")


def follow_task(session: Session, task: TaskState, seconds_before: float, heard_at: datetime) -> None:
    """The task's state arrived: plan its check, move it with the task, or drop it."""
    if task.status in OVER:
        drop(session, task.task_id, heard_at, f"task {task.status.value}")
        return
    if task.starts_at is None or task.status is TaskStatus.draft:
        return
    starts_at = as_utc(task.starts_at)
    due = starts_at - timedelta(seconds=seconds_before)
    planned = handlers.find_coordinator_delivery(session, subject(task.task_id), KIND)
    if planned is None:
        if due > heard_at:
            handlers.queue_coordinator_delivery(
                session, task.task_id, KIND, subject(task.task_id), heard_at, not_before=due, expires_at=starts_at
            )
        return
    if planned.status == DeliveryStatus.queued.value and planned.attempts == 0:  # not checked yet: move it
        planned.not_before = planned.next_attempt_at = due
        planned.expires_at = starts_at
        session.add(planned)


def should_send(diagnosis: TaskDiagnosis, fill_share: float) -> bool:
    """Under ``fill_share`` of its places taken: the coordinator hears of it."""
    return diagnosis.filled_share() < fill_share


def figures(diagnosis: TaskDiagnosis) -> dict[str, str]:
    """What the mail says, as catalogue values: counts only, never a member."""
    return {name: str(getattr(diagnosis, name)) for name in TaskDiagnosis.__dataclass_fields__}


def drop(session: Session, task_id: UUID, now: datetime, reason: str) -> None:
    session.exec(
        update(Delivery)
        .where(
            col(Delivery.task_id) == task_id,
            col(Delivery.kind) == KIND.value,
            col(Delivery.status) == DeliveryStatus.queued.value,
        )
        .values(status=DeliveryStatus.dropped.value, finished_at=now, claimed_until=None, last_error=reason)
    )
