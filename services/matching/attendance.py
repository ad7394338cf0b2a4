"""Who did not come: the no-shows that lower a member's rank a little (``engine.scoring.missed``).

The tasks service publishes each attendance mark on ``attendance.events`` (ids only). Matching
keeps only the marks that say "did not come" (``missed_task``), as last marked: a later mark of
the same task that says they came, or were excused, removes it. Marks are keyed by member, so one
member's marks arrive in order. A no-show is forgotten ``MATCHING_NO_SHOW_DAYS`` after its task
ended, and with the member when they are erased.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from uuid import UUID

from sqlalchemy import delete, func, select
from sqlmodel import Session, col

from services.common import catalogue
from services.common.clock import as_utc
from services.common.contracts import AttendanceMarked, Presence
from services.common.dispatch import Event, Subscription
from services.common.topics import Topics
from services.matching.models import MissedTask


def attendance_marks(topics: Topics) -> Subscription:
    return Subscription(topics, {catalogue.ATTENDANCE_MARKED: mark_arrived})


def mark_arrived(session: Session, event: Event[AttendanceMarked]) -> None:
    mark = event.payload
    held = session.get(MissedTask, (mark.member_id, mark.task_id))
    if held is not None and as_utc(held.marked_at) > mark.marked_at:
        return  # an older mark than the one held
    if mark.presence != Presence.no_show:
        if held is not None:
            session.delete(held)
        return
    missed = held or MissedTask(
        member_id=mark.member_id, task_id=mark.task_id, task_ended_at=mark.task_ended_at, marked_at=mark.marked_at
    )
    missed.task_ended_at, missed.marked_at = mark.task_ended_at, mark.marked_at
    session.add(missed)


def no_shows_since(session: Session, since: datetime) -> list[tuple[UUID, int]]:
    """(member, no-shows at tasks that ended since ``since``) for every member with any."""
    rows = session.execute(
        select(col(MissedTask.member_id), func.count())
        .where(col(MissedTask.task_ended_at) >= since)
        .group_by(col(MissedTask.member_id))
    )
    return [(member_id, count) for member_id, count in rows]


def forget_member(session: Session, member_id: UUID) -> None:
    session.execute(delete(MissedTask).where(col(MissedTask.member_id) == member_id))


def forget_old(session: Session, before: datetime, known: Callable[[UUID], bool]) -> int:
    """Forget no-shows at tasks that ended before ``before``, and those of members no longer known
    (erased while this service was down: the replay of the members topic only drops them)."""
    forgotten = session.exec(delete(MissedTask).where(col(MissedTask.task_ended_at) < before)).rowcount or 0
    members = session.scalars(select(col(MissedTask.member_id)).distinct()).all()
    gone = [member_id for member_id in members if not known(member_id)]
    if gone:
        forgotten += session.exec(delete(MissedTask).where(col(MissedTask.member_id).in_(gone))).rowcount or 0
    return forgotten
