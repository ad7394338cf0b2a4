"""Who came to a task, and the counts drawn from it.

After a task ends, whoever manages it (its coordinators, its committee's leads, admins) marks each
volunteer who accepted it attended, no-show or excused, with the time given when it differs from the
task's window. A volunteer may say "I couldn't come" (excused) once the task has begun. Nobody is
left unmarked for ever: ``assumed_after`` the end, an unmarked volunteer counts as attended (read so
at every count; nothing is written for it).

Volunteers see their own count; managers see totals per organization or committee, by month:
counts only, never names.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from services.common.catalogue import ATTENDANCE_MARKED
from services.common.clock import as_utc, utc_now
from services.common.contracts import AttendanceMarked, TaskStatus
from services.common.envelope import wrap
from services.common.outbox import add_event
from services.common.problems import Conflict, Forbidden, Invalid, NotFound
from services.tasks.attendance_models import (
    Attendance,
    AttendanceMark,
    AttendancePublic,
    AttendanceRecord,
    AttendanceRecords,
    AttendanceTotals,
    MarkedBy,
    MemberTally,
    MonthTotal,
    Presence,
    ScopeTally,
    TaskAttendance,
    TaskGiven,
    VolunteerRecord,
)
from services.tasks.committee_models import Committee
from services.tasks.events import SOURCE
from services.tasks.handlers import Call, load_task
from services.tasks.models import Task, TaskAcceptance, scheduled_at
from services.tasks.permissions import STAFF, can_manage, check_known, leads, require_task_manager


def task_attendance(call: Call, task_id: UUID) -> TaskAttendance:
    task = load_task(call.session, task_id)
    require_task_manager(call.session, call.actor, task.organization_id, task.committee_id, "see who came to this task")
    now = utc_now()
    marks = {row.member_id: row for row in call.session.exec(select(Attendance).where(Attendance.task_id == task_id))}
    accepted = call.session.exec(
        select(TaskAcceptance.member_id)
        .where(TaskAcceptance.task_id == task_id)
        .order_by(col(TaskAcceptance.accepted_at), col(TaskAcceptance.member_id))
    ).all()
    return TaskAttendance(
        task_id=task_id,
        ended=_ended(task, now),
        volunteers=[
            shown(task, member_id, marks.get(member_id), now, call.attendance_assumed_after) for member_id in accepted
        ],
    )


def mark(call: Call, task_id: UUID, member_id: UUID, payload: AttendanceMark) -> AttendancePublic:
    task = load_task(call.session, task_id)
    now = utc_now()
    existing = call.session.get(Attendance, (task_id, member_id))
    if call.actor.role == "volunteer":
        by = _as_the_volunteer(call, task, member_id, payload, existing, now)
    else:
        require_task_manager(
            call.session, call.actor, task.organization_id, task.committee_id, "mark who came to this task"
        )
        if not _ended(task, now):
            raise Conflict("attendance can be marked once the task has ended", ends_at=end_of(task).isoformat())
        by = MarkedBy.coordinator
    if task.status == TaskStatus.cancelled.value:
        raise Conflict("this task was cancelled: there is no attendance to mark")
    if call.session.get(TaskAcceptance, (task_id, member_id)) is None:
        raise NotFound(f"member {member_id} has not accepted task {task_id} (or withdrew)")
    row = existing or Attendance(
        task_id=task_id, member_id=member_id, presence=payload.presence.value, marked_by=by.value, marked_at=now
    )
    row.presence, row.minutes, row.marked_by, row.marked_at = payload.presence.value, payload.minutes, by.value, now
    call.session.add(row)
    _publish_mark(call, task, row)
    return shown(task, member_id, row, now, call.attendance_assumed_after)


def _publish_mark(call: Call, task: Task, row: Attendance) -> None:
    """Queue the mark for matching (outbox), keyed by member so that one member's marks stay in order."""
    fact = AttendanceMarked(
        task_id=row.task_id,
        member_id=row.member_id,
        presence=Presence(row.presence),
        task_ended_at=end_of(task),
        marked_at=as_utc(row.marked_at),
    )
    add_event(call.session, call.topics.attendance_events, str(row.member_id), wrap(ATTENDANCE_MARKED, fact, SOURCE))


def _as_the_volunteer(
    call: Call, task: Task, member_id: UUID, payload: AttendanceMark, existing: Attendance | None, now: datetime
) -> MarkedBy:
    check_known(call.actor)
    if call.actor.id != member_id:
        raise Forbidden("a volunteer may only speak for themself")
    if payload.presence != Presence.excused or payload.minutes is not None:
        raise Forbidden("a volunteer may only say they could not come (excused); whoever runs the task marks who came")
    if now < _start(task):
        raise Conflict("the task has not begun: to step back, withdraw your acceptance instead")
    if (
        existing is not None
        and existing.marked_by == MarkedBy.coordinator.value
        and existing.presence == Presence.attended.value
    ):
        raise Conflict("you were marked as having come; ask the task's coordinator to change it")
    return MarkedBy.volunteer


def volunteer_record(call: Call, member_id: UUID) -> VolunteerRecord:
    check_known(call.actor)
    if call.actor.role not in STAFF and not (call.actor.role == "volunteer" and call.actor.id == member_id):
        raise Forbidden("a volunteer's record is theirs alone")
    now = utc_now()
    counts: defaultdict[str, int] = defaultdict(int)  # by presence
    minutes, history = 0, []
    rows = call.session.exec(
        select(Task, Attendance)
        .join(TaskAcceptance, col(TaskAcceptance.task_id) == Task.id)
        .join(Attendance, (col(Attendance.task_id) == Task.id) & (col(Attendance.member_id) == member_id), isouter=True)
        .where(TaskAcceptance.member_id == member_id, Task.status != TaskStatus.cancelled.value)
    )
    for task, row in rows:
        seen = shown(task, member_id, row, now, call.attendance_assumed_after)
        if seen.presence is not None:
            counts[seen.presence] += 1
            minutes += seen.minutes
        if _ended(task, now):
            history.append(
                TaskGiven(
                    task_id=task.id,
                    title=task.title,
                    starts_at=as_utc(task.starts_at),
                    ends_at=end_of(task),
                    time_zone=task.time_zone,
                    presence=seen.presence,
                    minutes=seen.minutes,
                    marked_by=seen.marked_by,
                )
            )
    history.sort(key=lambda given: (given.ends_at, str(given.task_id)), reverse=True)
    reduced = _member_tallies(call.session, member_id)  # older records, kept as counts only
    return VolunteerRecord(
        member_id=member_id,
        tasks_attended=counts[Presence.attended] + reduced["attended"],
        minutes=minutes + reduced["minutes"],
        no_shows=counts[Presence.no_show] + reduced["no_shows"],
        excused=counts[Presence.excused] + reduced["excused"],
        history=history,
    )


def totals(call: Call, organization_id: UUID | None, committee_id: UUID | None) -> AttendanceTotals:
    """Per month, the tasks that ended and what their attendance adds up to."""
    scope = _scope(call, organization_id, committee_id)
    now = utc_now()
    tasks = call.session.exec(select(Task).where(scope, Task.status != TaskStatus.cancelled.value)).all()
    ended = {task.id: task for task in tasks if _ended(task, now)}
    months: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for task, member_id, row in _accepted_with_marks(call.session, ended.values()):
        month = month_of(task)
        seen = shown(task, member_id, row, now, call.attendance_assumed_after)
        bucket = months[month]
        bucket["task:" + str(task.id)] = 1
        if seen.presence is not None:
            bucket[seen.presence.value] += 1
            bucket["minutes"] += seen.minutes
    for tally in call.session.exec(
        select(ScopeTally).where(
            ScopeTally.organization_id == organization_id
            if organization_id
            else ScopeTally.committee_id == committee_id
        )
    ):
        bucket = months[tally.month]  # older months, kept as counts only
        bucket["reduced_tasks"] += tally.tasks
        for name, key in (
            ("attended", "attended"),
            ("no_shows", "no_show"),
            ("excused", "excused"),
            ("minutes", "minutes"),
        ):
            bucket[key] += getattr(tally, name)
    return AttendanceTotals(
        organization_id=organization_id,
        committee_id=committee_id,
        months=[
            MonthTotal(
                month=month,
                tasks=sum(1 for key in counts if key.startswith("task:")) + counts["reduced_tasks"],
                attended=counts["attended"],
                no_shows=counts["no_show"],
                excused=counts["excused"],
                minutes=counts["minutes"],
            )
            for month, counts in sorted(months.items())
        ],
    )


def records(
    call: Call, organization_id: UUID | None, committee_id: UUID | None, since: str | None, until: str | None
) -> AttendanceRecords:
    """Each volunteer at each ended task of the scope, by member id, for an export with names.
    Months (YYYY-MM, inclusive) bound it; records already reduced to counts are not in it."""
    scope = _scope(call, organization_id, committee_id)
    for name, month in (("since", since), ("until", until)):
        if month is not None and not _is_month(month):
            raise Invalid(f"{name} must be a month as YYYY-MM", **{name: month})
    now = utc_now()
    tasks = call.session.exec(select(Task).where(scope, Task.status != TaskStatus.cancelled.value)).all()
    ended = [
        task
        for task in tasks
        if _ended(task, now)
        and (since is None or month_of(task) >= since)
        and (until is None or month_of(task) <= until)
    ]
    found = []
    for task, member_id, row in _accepted_with_marks(call.session, ended):
        seen = shown(task, member_id, row, now, call.attendance_assumed_after)
        found.append(
            AttendanceRecord(
                task_id=task.id,
                title=task.title,
                month=month_of(task),
                ends_at=end_of(task),
                time_zone=task.time_zone,
                member_id=member_id,
                presence=seen.presence,
                minutes=seen.minutes,
                marked_by=seen.marked_by,
            )
        )
    found.sort(key=lambda record: (record.ends_at, str(record.task_id), str(record.member_id)))
    return AttendanceRecords(organization_id=organization_id, committee_id=committee_id, records=found)


def _is_month(text: str) -> bool:
    try:
        datetime.strptime(text, "%Y-%m")
    except ValueError:
        return False
    return len(text) == 7


def _scope(call: Call, organization_id: UUID | None, committee_id: UUID | None):
    if (organization_id is None) == (committee_id is None):
        raise Invalid("give either organization_id or committee_id, not both")
    _require_totals_reader(call, organization_id, committee_id)
    return Task.organization_id == organization_id if organization_id else Task.committee_id == committee_id


def _member_tallies(session: Session, member_id: UUID) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for tally in session.exec(select(MemberTally).where(MemberTally.member_id == member_id)):
        for name in ("attended", "no_shows", "excused", "minutes"):
            counts[name] += getattr(tally, name)
    return counts


def _accepted_with_marks(session: Session, tasks: Iterable[Task]):
    by_id = {task.id: task for task in tasks}
    if not by_id:
        return []
    rows = session.exec(
        select(TaskAcceptance.task_id, TaskAcceptance.member_id, Attendance)
        .join(
            Attendance,
            (col(Attendance.task_id) == TaskAcceptance.task_id)
            & (col(Attendance.member_id) == TaskAcceptance.member_id),
            isouter=True,
        )
        .where(col(TaskAcceptance.task_id).in_(list(by_id)))
    )
    return [(by_id[task_id], member_id, row) for task_id, member_id, row in rows]


def _require_totals_reader(call: Call, organization_id: UUID | None, committee_id: UUID | None) -> None:
    check_known(call.actor)
    if organization_id is not None:
        if can_manage(call.session, call.actor, organization_id):
            return
        raise Forbidden("only the organization's coordinators and admins see its totals")
    committee = call.session.get(Committee, committee_id)
    if committee is None:
        raise NotFound(f"no committee with id {committee_id}")
    if call.actor.role in STAFF or (
        call.actor.role == "coordinator"
        and (
            (call.actor.id is not None and leads(call.session, call.actor.id, committee_id))
            or (committee.organization_id and can_manage(call.session, call.actor, committee.organization_id))
        )
    ):
        return
    raise Forbidden("only the committee's leads, its organization's coordinators and admins see its totals")


def shown(
    task: Task, member_id: UUID, row: Attendance | None, now: datetime, assumed_after: timedelta
) -> AttendancePublic:
    if row is not None:
        presence = Presence(row.presence)
        minutes = (
            (row.minutes if row.minutes is not None else _window_minutes(task)) if presence == Presence.attended else 0
        )
        return AttendancePublic(
            task_id=task.id,
            member_id=member_id,
            presence=presence,
            minutes=minutes,
            marked_by=MarkedBy(row.marked_by),
            marked_at=as_utc(row.marked_at),
        )
    assumed_at = as_utc(end_of(task)) + assumed_after
    if now >= assumed_at:
        return AttendancePublic(
            task_id=task.id,
            member_id=member_id,
            presence=Presence.attended,
            minutes=_window_minutes(task),
            marked_by=MarkedBy.assumed,
            marked_at=assumed_at,
        )
    return AttendancePublic(
        task_id=task.id, member_id=member_id, presence=None, minutes=0, marked_by=None, marked_at=None
    )


def _start(task: Task) -> datetime:
    return as_utc(scheduled_at(task.starts_at, task.deadline))


def end_of(task: Task) -> datetime:
    end = task.ends_at or task.deadline
    if end is None:
        raise ValueError("a task has an end or a deadline")
    return as_utc(end)


def _ended(task: Task, now: datetime) -> bool:
    return now >= end_of(task)


def _window_minutes(task: Task) -> int:
    if task.starts_at is None or task.ends_at is None:
        return 0  # a task with a deadline only: the time given is what was marked
    return int((as_utc(task.ends_at) - as_utc(task.starts_at)).total_seconds() // 60)


def month_of(task: Task) -> str:
    """The month the task ended in, in its own time zone (YYYY-MM)."""
    return end_of(task).astimezone(ZoneInfo(task.time_zone)).strftime("%Y-%m")
