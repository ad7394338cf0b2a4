"""The tasks service's routes as the gateway uses them: the task a coordinator writes, the task
and the series it reads back (``services/tasks/models.py``, ``series_models.py``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from gateway.clients.contracts import UNSENT, Body, Reply
from services.common.contracts import Presence, TaskStatus, Urgency
from services.common.http_api import FluencyName, SkillLevelName


class SkillNeedBody(Body):
    skill: str
    min_level: SkillLevelName


class TaskFields(Body):
    """What a coordinator sets of a task, on posting it and on changing it (``TaskUpdate``). A
    field left unset is not sent; only the schedule, the place and the committee may be sent as
    null (cleared), the others never are (``UNSENT``)."""

    title: str = UNSENT
    summary: str = UNSENT
    description: str = UNSENT
    skills: list[SkillNeedBody] = UNSENT
    languages: list[str] = UNSENT
    slots: int = UNSENT
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    deadline: datetime | None = None
    area: str | None = None
    remote: bool = UNSENT
    whole_city: bool = UNSENT
    min_fluency: dict[str, FluencyName] = UNSENT
    urgency: Urgency = UNSENT
    time_zone: str = UNSENT
    address: str | None = None
    committee_id: UUID | None = None
    members_only: bool = UNSENT


class TaskCreateBody(TaskFields):
    """``POST /tasks``: the fields, and whose task it is."""

    organization_id: UUID
    coordinator_id: UUID
    status: Literal["open", "draft"]


class RepeatBody(Body):
    frequency: Literal["weekly", "monthly"]
    interval: Literal[1, 2]
    until: date | None
    count: int | None


class SeriesCreateBody(TaskCreateBody):
    """``POST /series``: the first occurrence, and how it repeats."""

    repeat: RepeatBody


class FollowingChangesBody(TaskFields):
    """``PATCH /series/{id}/following/{task_id}``: a later time of day, or a new length, moves them all."""

    local_start: str = UNSENT  # HH:MM, local to the series' time zone
    duration_minutes: int = UNSENT


class SkillNeedReply(Reply):
    skill: str
    min_level: SkillLevelName = "learning"


class TaskReply(Reply):
    """A task as ``TaskPublic`` gives it (``GET /tasks/{id}``, the items of ``GET /tasks``, and
    the answer of every change)."""

    id: UUID
    organization_id: UUID
    coordinator_id: UUID
    title: str
    summary: str = ""
    description: str = ""
    skills: list[SkillNeedReply] = []
    languages: list[str] = []
    slots: int
    accepted_count: int = 0
    status: TaskStatus
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    deadline: datetime | None = None
    area: str | None = None
    remote: bool = False
    whole_city: bool = False
    min_fluency: dict[str, FluencyName] = {}
    urgency: Urgency = Urgency.normal
    time_zone: str
    has_address: bool = False
    created_at: datetime | None = None
    updated_at: datetime | None = None
    committee_id: UUID | None = None
    members_only: bool = False
    series_id: UUID | None = None


class TaskAddressReply(Reply):
    """A task's exact place, for its coordinators and the volunteers who accepted it."""

    task_id: UUID
    address: str | None


class TaskAddressesReply(Reply):
    items: list[TaskAddressReply]


class TaskPageReply(Reply):
    items: list[TaskReply]
    total: int


class SeriesReply(Reply):
    id: UUID
    rule: str
    time_zone: str
    status: str
    duration_minutes: int
    occurrences_posted: int
    task_ids: list[UUID]


# --- Organizations, committees and their leads --------------------------------------------------


class OrganizationBody(Body):
    name: str
    description: str


class OrganizationReply(Reply):
    id: UUID
    name: str


class CoordinatorBody(Body):
    """``POST /organizations/{id}/coordinators``: the coordinator account that may act for it."""

    coordinator_id: UUID


class OrganizationPageReply(Reply):
    items: list[OrganizationReply]


class CommitteeBody(Body):
    name: str
    description: str
    organization_id: UUID | None  # None: a committee of the whole coalition


class CommitteeReply(Reply):
    id: UUID
    name: str
    description: str = ""
    organization_id: UUID | None = None


class CommitteePageReply(Reply):
    items: list[CommitteeReply]


class LeadBody(Body):
    """``POST /committees/{id}/leads``: the coordinator account that leads it."""

    lead_id: UUID


class LeadReply(Reply):
    committee_id: UUID
    lead_id: UUID
    added_at: datetime | None = None


class LeadPageReply(Reply):
    items: list[LeadReply]


# --- Attendance ---------------------------------------------------------------------------------

MarkedBy = Literal["coordinator", "volunteer", "assumed"]


class AttendanceBody(Body):
    presence: Presence
    minutes: int | None = None  # only when the time given differs from the task's window


class AttendanceReply(Reply):
    member_id: UUID
    presence: Presence | None
    minutes: int
    marked_by: MarkedBy | None
    marked_at: datetime | None


class TaskAttendanceReply(Reply):
    ended: bool
    volunteers: list[AttendanceReply]


class TaskGivenReply(Reply):
    task_id: UUID
    title: str
    starts_at: datetime | None
    ends_at: datetime
    time_zone: str
    presence: Presence | None
    minutes: int
    marked_by: MarkedBy | None


class VolunteerRecordReply(Reply):
    tasks_attended: int
    minutes: int
    no_shows: int
    excused: int
    history: list[TaskGivenReply] = []


class MonthTotalReply(Reply):
    month: str  # YYYY-MM
    tasks: int
    attended: int
    no_shows: int
    excused: int
    minutes: int


class AttendanceTotalsReply(Reply):
    months: list[MonthTotalReply]


class AttendanceRecordReply(Reply):
    title: str
    month: str
    ends_at: datetime
    time_zone: str
    member_id: UUID
    presence: Presence | None
    minutes: int


class AttendanceRecordsReply(Reply):
    records: list[AttendanceRecordReply]
