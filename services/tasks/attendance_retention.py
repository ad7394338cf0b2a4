"""Attendance lists are lists of who was where: a targeting list if seized. Once a task ended more
than ``keep`` ago (a year by default), its marks and acceptances are reduced to counts: per member
and month (their own count stays right), and per organization, committee and month (the totals
stay right), and the rows naming members are deleted.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlmodel import Session, col, select

from services.common.clock import utc_now
from services.tasks.attendance import end_of, month_of, shown
from services.tasks.attendance_models import Attendance, MemberTally, Presence, ScopeTally
from services.tasks.models import Task, TaskAcceptance

log = logging.getLogger(__name__)
COUNTED = {Presence.attended: "attended", Presence.no_show: "no_shows", Presence.excused: "excused"}


def reduce_to_counts(session: Session, now: datetime, keep: timedelta, assumed_after: timedelta) -> int:
    """One round; returns how many tasks' attendance was reduced."""
    cutoff = now - keep
    held = select(TaskAcceptance.task_id).distinct()
    tasks = [
        task
        for task in session.exec(select(Task).where(col(Task.scheduled_at) < cutoff, col(Task.id).in_(held)))
        if end_of(task) < cutoff
    ]
    for task in tasks:
        _reduce(session, task, now, assumed_after)
    return len(tasks)


def _reduce(session: Session, task: Task, now: datetime, assumed_after: timedelta) -> None:
    month = month_of(task)
    marks = {row.member_id: row for row in session.exec(select(Attendance).where(Attendance.task_id == task.id))}
    scope = _scope_row(session, task, month)
    scope.tasks += 1
    for member_id in session.exec(select(TaskAcceptance.member_id).where(TaskAcceptance.task_id == task.id)):
        mark = shown(task, member_id, marks.get(member_id), now, assumed_after)
        if mark.presence is None:
            continue
        mine = session.get(MemberTally, (member_id, month)) or MemberTally(member_id=member_id, month=month)
        for tally in (mine, scope):
            setattr(tally, COUNTED[mark.presence], getattr(tally, COUNTED[mark.presence]) + 1)
            tally.minutes += mark.minutes
        session.add(mine)
    session.add(scope)
    session.execute(delete(Attendance).where(col(Attendance.task_id) == task.id))
    session.execute(delete(TaskAcceptance).where(col(TaskAcceptance.task_id) == task.id))


def _scope_row(session: Session, task: Task, month: str) -> ScopeTally:
    found = session.exec(
        select(ScopeTally).where(
            ScopeTally.organization_id == task.organization_id,
            col(ScopeTally.committee_id) == task.committee_id
            if task.committee_id
            else col(ScopeTally.committee_id).is_(None),
            ScopeTally.month == month,
        )
    ).first()
    return found or ScopeTally(organization_id=task.organization_id, committee_id=task.committee_id, month=month)


def keep_reducing(session_factory, keep: timedelta, assumed_after: timedelta, every_seconds: float):
    """The background job: a round at start and then every ``every_seconds``."""

    def run(stop: threading.Event) -> None:
        while True:
            try:
                with session_factory() as session:
                    if reduced := reduce_to_counts(session, utc_now(), keep, assumed_after):
                        log.info("attendance of %s tasks reduced to counts", reduced)
            except Exception:  # database briefly away: next round
                log.exception("reducing old attendance to counts failed")
            if stop.wait(every_seconds):
                return

    return run
