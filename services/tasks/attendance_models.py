"""Who came: after a task, each volunteer who accepted it is marked attended, no-show or excused.

A mark holds member and task ids only, never a name or contact. A volunteer not marked counts as
attended once ``TASKS_ATTENDANCE_ASSUMED_AFTER_HOURS`` (72 by default) have passed since the end.
"""

from __future__ import annotations

import enum
from datetime import datetime
from uuid import UUID

from pydantic import BaseModel
from pydantic import Field as PydanticField
from sqlalchemy import DateTime
from sqlmodel import Field, SQLModel

from services.common.contracts import Presence
from services.tasks.models import Strict

MAX_MINUTES = 24 * 60


class MarkedBy(str, enum.Enum):
    coordinator = "coordinator"  # or a lead, an admin: whoever manages the task
    volunteer = "volunteer"  # "I couldn't come"
    assumed = "assumed"  # not marked within the time allowed: counted as attended


class Attendance(SQLModel, table=True):
    __tablename__ = "attendance"

    task_id: UUID = Field(foreign_key="task.id", primary_key=True)
    member_id: UUID = Field(primary_key=True, index=True)
    presence: str = Field(max_length=10)
    minutes: int | None = None  # None: the task's own window
    marked_by: str = Field(max_length=12)
    marked_at: datetime = Field(sa_type=DateTime(timezone=True))


class AttendanceMark(Strict):
    presence: Presence
    minutes: int | None = PydanticField(
        None, ge=0, le=MAX_MINUTES, description="Time given, when it differs from the task's window"
    )


class AttendancePublic(BaseModel):
    task_id: UUID
    member_id: UUID
    presence: Presence | None = PydanticField(description="None: not marked yet")
    minutes: int = PydanticField(description="Counted minutes: as marked, else the task's window")
    marked_by: MarkedBy | None
    marked_at: datetime | None


class TaskAttendance(BaseModel):
    task_id: UUID
    ended: bool = PydanticField(description="Attendance can be marked once the task has ended")
    volunteers: list[AttendancePublic]


class TaskGiven(BaseModel):
    """One ended task in a volunteer's own history."""

    task_id: UUID
    title: str
    starts_at: datetime | None
    ends_at: datetime
    time_zone: str
    presence: Presence | None = PydanticField(description="None: not marked yet")
    minutes: int
    marked_by: MarkedBy | None


class VolunteerRecord(BaseModel):
    """A volunteer's own count: tasks they came to and hours given; and the tasks themselves, newest
    first, until their records are reduced to counts (``TASKS_ATTENDANCE_KEEP_DAYS``)."""

    member_id: UUID
    tasks_attended: int
    minutes: int
    no_shows: int
    excused: int
    history: list[TaskGiven] = []


class AttendanceRecord(BaseModel):
    """One volunteer at one ended task, for an export with names (the gateway adds the names)."""

    task_id: UUID
    title: str
    month: str = PydanticField(description="YYYY-MM the task ended, in its own time zone")
    ends_at: datetime
    time_zone: str
    member_id: UUID
    presence: Presence | None
    minutes: int
    marked_by: MarkedBy | None


class AttendanceRecords(BaseModel):
    organization_id: UUID | None
    committee_id: UUID | None
    records: list[AttendanceRecord]


class MonthTotal(BaseModel):
    month: str = PydanticField(description="YYYY-MM, in the task's own time zone")
    tasks: int = PydanticField(description="Tasks that ended that month with at least one volunteer accepted")
    attended: int
    no_shows: int
    excused: int
    minutes: int


class AttendanceTotals(BaseModel):
    """Counts only: no names, no member ids."""

    organization_id: UUID | None
    committee_id: UUID | None
    months: list[MonthTotal]


class MemberTally(SQLModel, table=True):
    """What is left of a member's attendance once its retention period passed: counts per month."""

    __tablename__ = "attendance_member_tally"

    member_id: UUID = Field(primary_key=True)
    month: str = Field(primary_key=True, max_length=7)
    attended: int = 0
    no_shows: int = 0
    excused: int = 0
    minutes: int = 0


class ScopeTally(SQLModel, table=True):
    """The same for an organization's (and committee's) monthly totals: no member in it."""

    __tablename__ = "attendance_scope_tally"

    id: int | None = Field(default=None, primary_key=True)
    organization_id: UUID = Field(index=True)
    committee_id: UUID | None = Field(default=None, index=True)
    month: str = Field(max_length=7)
    tasks: int = 0
    attended: int = 0
    no_shows: int = 0
    excused: int = 0
    minutes: int = 0
