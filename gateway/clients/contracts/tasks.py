"""The tasks service's routes as the gateway uses them: the task a coordinator writes, the task
and the series it reads back (``services/tasks/models.py``, ``series_models.py``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from pydantic import Field

from gateway.clients.contracts import Body, Reply
from services.common.contracts import TaskStatus, Urgency
from services.common.http_api import FluencyName, SkillLevelName


class SkillNeedBody(Body):
    skill: str
    min_level: SkillLevelName


class TaskFields(Body):
    """What a coordinator sets of a task, on posting it and on changing it (``TaskUpdate``). A
    field left unset is not sent; only the schedule, the place and the committee may be sent as
    null (cleared), the others never are (``Field(None)``: absent by default, never null)."""

    title: str = Field(None)
    summary: str = Field(None)
    description: str = Field(None)
    skills: list[SkillNeedBody] = Field(None)
    languages: list[str] = Field(None)
    slots: int = Field(None)
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    deadline: datetime | None = None
    area: str | None = None
    remote: bool = Field(None)
    whole_city: bool = Field(None)
    min_fluency: dict[str, FluencyName] = Field(None)
    urgency: Urgency = Field(None)
    time_zone: str = Field(None)
    address: str | None = None
    committee_id: UUID | None = None
    members_only: bool = Field(None)


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

    local_start: str = Field(None)  # HH:MM, local to the series' time zone
    duration_minutes: int = Field(None)


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
