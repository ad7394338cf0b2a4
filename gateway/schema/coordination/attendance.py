"""Who came, through GraphQL: a task's managers mark each volunteer who accepted it once it has
ended; a volunteer says they could not come; each volunteer sees their own count; managers read
monthly totals (counts only, never names) and a CSV of them for funders."""

from __future__ import annotations

import csv
import enum
import io
import logging
from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo

import strawberry

from gateway.clients.contracts import Json
from gateway.clients.contracts.members import NamePurpose
from gateway.clients.contracts.tasks import (
    AttendanceBody,
    AttendanceRecordReply,
    AttendanceRecordsReply,
    AttendanceReply,
    AttendanceTotalsReply,
    TaskAttendanceReply,
    TaskGivenReply,
    VolunteerRecordReply,
)
from gateway.schema.context import Info
from gateway.schema.coordination.management import managed_task
from gateway.schema.permissions import COORDINATOR, VOLUNTEER
from gateway.schema.problems import (
    NotAllowed,
    NotFound,
    StateConflict,
    Unavailable,
    ValidationProblem,
    returns_problems,
)
from gateway.schema.wire import parse_id
from services.common import contracts
from services.common.problems import NotFound as NotFoundError

log = logging.getLogger(__name__)
NAMES_PURPOSE: NamePurpose = "attendance_export"  # the members service's audited purpose code


@strawberry.enum(description="Whether a volunteer who accepted a task came to it.")
class Presence(enum.Enum):
    ATTENDED = "attended"
    NO_SHOW = "no_show"
    EXCUSED = "excused"


@strawberry.enum(description="Who marked it: the task's coordinator or lead, the volunteer, or nobody in time.")
class MarkedBy(enum.Enum):
    COORDINATOR = "coordinator"
    VOLUNTEER = "volunteer"
    ASSUMED = "assumed"


@strawberry.type(description="One volunteer's attendance at a task.")
class AttendanceMark:
    member_id: strawberry.ID
    presence: Presence | None = strawberry.field(description="Null: not marked yet")
    minutes: int = strawberry.field(description="Time counted: as marked, else the task's window")
    marked_by: MarkedBy | None
    marked_at: datetime | None

    @classmethod
    def from_service(cls, data: Json | AttendanceReply) -> "AttendanceMark":
        mark = AttendanceReply.model_validate(data)
        return cls(
            member_id=strawberry.ID(str(mark.member_id)),
            presence=Presence(mark.presence.value) if mark.presence else None,
            minutes=mark.minutes,
            marked_by=MarkedBy(mark.marked_by) if mark.marked_by else None,
            marked_at=mark.marked_at,
        )


@strawberry.type(description="Who came to a task: each volunteer who accepted it.")
class TaskAttendance:
    ended: bool = strawberry.field(description="Attendance can be marked once the task has ended")
    volunteers: list[AttendanceMark]


@strawberry.type(description="One ended task you had accepted, and whether you came.")
class TaskGiven:
    task_id: strawberry.ID
    title: str
    starts_at: datetime | None
    ends_at: datetime
    time_zone: str = strawberry.field(description="The task's IANA time zone: its times are shown in it")
    presence: Presence | None = strawberry.field(description="Null: not marked yet")
    minutes: int
    marked_by: MarkedBy | None

    @classmethod
    def from_reply(cls, given: TaskGivenReply) -> "TaskGiven":
        return cls(
            task_id=strawberry.ID(str(given.task_id)),
            title=given.title,
            starts_at=given.starts_at,
            ends_at=given.ends_at,
            time_zone=given.time_zone,
            presence=Presence(given.presence.value) if given.presence else None,
            minutes=given.minutes,
            marked_by=MarkedBy(given.marked_by) if given.marked_by else None,
        )


@strawberry.type(description="Your own volunteering: tasks you came to and the time you gave.")
class VolunteerRecord:
    tasks_attended: int
    minutes: int
    no_shows: int
    excused: int
    history: list[TaskGiven] = strawberry.field(
        description="Ended tasks you accepted, newest first; after a year they are kept as counts only"
    )


@strawberry.type(description="One month's counts, in the tasks' own time zones.")
class MonthTotal:
    month: str = strawberry.field(description="YYYY-MM")
    tasks: int
    attended: int
    no_shows: int
    excused: int
    minutes: int


@strawberry.type(description="Counts per month for an organization or a committee; no names.")
class AttendanceTotals:
    months: list[MonthTotal]

    @strawberry.field(
        description="The same counts as CSV, for funders: month, tasks, attended, no-shows, excused, hours."
    )
    def csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["month", "tasks", "attended", "no_shows", "excused", "hours"])
        for m in self.months:
            writer.writerow([m.month, m.tasks, m.attended, m.no_shows, m.excused, f"{m.minutes / 60:.1f}"])
        return out.getvalue()


@strawberry.type(
    description="Who came, with names: one line per volunteer and task. Each name read is "
    "recorded in that volunteer's own log of who read their data."
)
class AttendanceExport:
    csv: str = strawberry.field(description="month, date, task, volunteer, attendance, hours")
    rows: int
    names_read: int = strawberry.field(description="Volunteers whose name was read (and told so in their log)")


UNKNOWN_NAME = "(name not kept)"  # an erased member: the platform keeps no name for them


def export_csv(records: list[AttendanceRecordReply], names: dict[str, str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["month", "date", "task", "volunteer", "attendance", "hours"])
    for record in records:
        ended = record.ends_at.astimezone(ZoneInfo(record.time_zone))
        writer.writerow(
            [
                record.month,
                ended.date().isoformat(),
                record.title,
                names.get(str(record.member_id), UNKNOWN_NAME),
                record.presence.value if record.presence else "not marked",
                f"{record.minutes / 60:.1f}",
            ]
        )
    return out.getvalue()


ExportResult = Annotated[
    AttendanceExport | ValidationProblem | NotAllowed | NotFound | Unavailable,
    strawberry.union("AttendanceExportResult"),
]
AttendanceResult = Annotated[
    AttendanceMark | ValidationProblem | NotAllowed | NotFound | StateConflict | Unavailable,
    strawberry.union("AttendanceResult"),
]
TotalsResult = Annotated[
    AttendanceTotals | ValidationProblem | NotAllowed | NotFound | Unavailable,
    strawberry.union("AttendanceTotalsResult"),
]


@strawberry.type
class AttendanceQueries:
    @strawberry.field(
        description="Who came to one of your tasks (its volunteers by id, as on the task's fill).",
        permission_classes=COORDINATOR,
    )
    async def task_attendance(self, info: Info, task_id: strawberry.ID) -> TaskAttendance | None:
        try:
            task = await managed_task(info, parse_id(task_id, "taskId"))
        except NotFoundError:
            return None
        data = await info.context.clients.tasks.attendance(await info.context.actor(), task.id)
        attendance = TaskAttendanceReply.model_validate(data)
        return TaskAttendance(
            ended=attendance.ended, volunteers=[AttendanceMark.from_service(v) for v in attendance.volunteers]
        )

    @strawberry.field(description="Your own count of tasks you came to and time given.", permission_classes=VOLUNTEER)
    async def my_volunteering(self, info: Info) -> VolunteerRecord:
        data = await info.context.clients.tasks.volunteer_record(
            await info.context.actor(), await info.context.member_id()
        )
        record = VolunteerRecordReply.model_validate(data)
        return VolunteerRecord(
            tasks_attended=record.tasks_attended,
            minutes=record.minutes,
            no_shows=record.no_shows,
            excused=record.excused,
            history=[TaskGiven.from_reply(given) for given in record.history],
        )

    @strawberry.field(
        description="Counts per month for an organization you act for or a committee you lead "
        "(one of the two); no names.",
        permission_classes=COORDINATOR,
    )
    @returns_problems(TotalsResult)
    async def attendance_totals(
        self, info: Info, organization_id: strawberry.ID | None = None, committee_id: strawberry.ID | None = None
    ) -> TotalsResult:
        data = await info.context.clients.tasks.attendance_totals(
            await info.context.actor(), **_scope(organization_id, committee_id)
        )
        totals = AttendanceTotalsReply.model_validate(data)
        return AttendanceTotals(months=[MonthTotal(**month.model_dump()) for month in totals.months])


def _scope(organization_id: strawberry.ID | None, committee_id: strawberry.ID | None) -> dict[str, str]:
    scope = {
        "organization_id": parse_id(organization_id, "organizationId") if organization_id else None,
        "committee_id": parse_id(committee_id, "committeeId") if committee_id else None,
    }
    return {key: str(value) for key, value in scope.items() if value}


@strawberry.type
class AttendanceMutations:
    @strawberry.mutation(
        description="Mark whether a volunteer came to one of your tasks, once it has ended; "
        "minutes only when the time given differs from the task's window.",
        permission_classes=COORDINATOR,
    )
    @returns_problems(AttendanceResult)
    async def mark_attendance(
        self,
        info: Info,
        task_id: strawberry.ID,
        member_id: strawberry.ID,
        presence: Presence,
        minutes: int | None = None,
    ) -> AttendanceResult:
        task = await managed_task(info, parse_id(task_id, "taskId"))
        data = await info.context.clients.tasks.mark_attendance(
            await info.context.actor(),
            task.id,
            parse_id(member_id, "memberId"),
            AttendanceBody(presence=contracts.Presence(presence.value), minutes=minutes),
        )
        return AttendanceMark.from_service(data)

    @strawberry.mutation(
        description="Say you could not come to a task you accepted (once it has begun).", permission_classes=VOLUNTEER
    )
    @returns_problems(AttendanceResult)
    async def could_not_come(self, info: Info, task_id: strawberry.ID) -> AttendanceResult:
        data = await info.context.clients.tasks.mark_attendance(
            await info.context.actor(),
            parse_id(task_id, "taskId"),
            await info.context.member_id(),
            AttendanceBody(presence=contracts.Presence.excused),
        )
        return AttendanceMark.from_service(data)

    @strawberry.mutation(
        description="Download who came, with names, for an organization you act for or a committee "
        "you lead, between two months (YYYY-MM, both optional). A deliberate choice: "
        "each volunteer's own log records that their name was read, by you, for this.",
        permission_classes=COORDINATOR,
    )
    @returns_problems(ExportResult)
    async def export_attendance_with_names(
        self,
        info: Info,
        organization_id: strawberry.ID | None = None,
        committee_id: strawberry.ID | None = None,
        since: str | None = None,
        until: str | None = None,
    ) -> ExportResult:
        actor = await info.context.actor()
        months = {key: value for key, value in (("since", since), ("until", until)) if value}
        found = await info.context.clients.tasks.attendance_records(
            actor, **_scope(organization_id, committee_id), **months
        )
        records = AttendanceRecordsReply.model_validate(found).records
        named = await info.context.clients.members.names(actor, [record.member_id for record in records], NAMES_PURPOSE)
        names = {str(entry.member_id): entry.display_name for entry in named.names}
        log.info(
            "attendance exported with names: %s rows, %s names read, by %s %s",
            len(records),
            len(names),
            actor.role,
            actor.id,
        )
        return AttendanceExport(csv=export_csv(records, names), rows=len(records), names_read=len(names))
