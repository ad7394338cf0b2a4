"""Model families of the tasks service: Organization, CoordinatorMembership, Task (+ its skills,
languages and accepted volunteers).

The exact address lives only in ``Task.address``: never in events or ``TaskPublic``; accepted
volunteers read it through ``GET /tasks/{id}/address``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal
from uuid import UUID, uuid4

from pydantic import AfterValidator, BaseModel, ConfigDict, model_validator
from pydantic import Field as PydanticField
from sqlalchemy import JSON, Column, DateTime
from sqlmodel import Field, SQLModel

from services.common.clock import utc_now
from services.common.contracts import TaskStatus, Urgency
from services.common.http_api import (
    FluencyName,
    LanguageCode,
    SkillLevelName,
    Slug,
    plain_text_rules,
    public_text_rules,
)
from services.common.time_zones import TimeZoneName

MAX_HORIZON = timedelta(days=3 * 366)
MAX_WINDOW = timedelta(days=31)


def _aware_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("include a UTC offset, e.g. 2025-06-01T10:00:00-04:00")
    try:
        return moment.astimezone(UTC)
    except (OverflowError, ValueError):
        raise ValueError("is out of range") from None


def _timestamp(**kwargs) -> datetime:
    return Field(default_factory=utc_now, sa_type=DateTime(timezone=True), **kwargs)


def _moment(**kwargs):
    return Field(default=None, sa_type=DateTime(timezone=True), **kwargs)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _utc_if_naive(moment: datetime) -> datetime:
    # Filters are lenient: a moment without offset is read as UTC.
    return _aware_utc(moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment)


Moment = Annotated[datetime, AfterValidator(_aware_utc)]
FilterMoment = Annotated[datetime, AfterValidator(_utc_if_naive)]


# --- Organizations and their coordinators -----------------------------------------------------


class OrganizationBase(Strict):
    name: Annotated[str, *plain_text_rules(120)]
    description: Annotated[str, *plain_text_rules(1000, required=False)] = ""


class OrganizationCreate(OrganizationBase):
    pass


class Organization(SQLModel, table=True):
    __tablename__ = "organization"

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    name: str = Field(max_length=120, unique=True)
    description: str = Field(default="", max_length=1000)
    created_at: datetime = _timestamp()


class OrganizationPublic(OrganizationBase):
    id: UUID
    created_at: datetime


class CoordinatorAdd(Strict):
    coordinator_id: UUID


class CoordinatorMembership(SQLModel, table=True):
    __tablename__ = "coordinator_membership"

    organization_id: UUID = Field(foreign_key="organization.id", primary_key=True)
    coordinator_id: UUID = Field(primary_key=True, index=True)
    added_at: datetime = _timestamp()


class CoordinatorPublic(BaseModel):
    organization_id: UUID
    coordinator_id: UUID
    added_at: datetime


# --- Tasks ------------------------------------------------------------------------------------


class SkillNeedIn(Strict):
    skill: Slug = PydanticField(description="Skill slug from the members service's taxonomy")
    min_level: SkillLevelName = "learning"


SkillNeeds = Annotated[list[SkillNeedIn], PydanticField(max_length=10)]
LanguagesNeeded = Annotated[list[LanguageCode], PydanticField(max_length=10, description="Any one of them will do")]
Slots = Annotated[int, PydanticField(ge=1, le=500, description="How many people the task needs")]
Title = Annotated[str, *public_text_rules(120)]
Summary = Annotated[str, *public_text_rules(280, required=False)]
Description = Annotated[str, *plain_text_rules(5000, required=False)]
Address = Annotated[str, *plain_text_rules(300)]


FluencyFloors = Annotated[
    dict[LanguageCode, FluencyName],
    PydanticField(
        max_length=10, description="The least fluency accepted in some of `languages`, e.g. {'pa': 'conversational'}"
    ),
]


class TaskBase(Strict):
    title: Title
    summary: Summary = ""
    description: Description = ""
    campaign: Slug | None = None
    skills: SkillNeeds = []
    languages: LanguagesNeeded = []
    slots: Slots = 1
    starts_at: Moment | None = None
    ends_at: Moment | None = None
    deadline: Moment | None = PydanticField(None, description="For flexible tasks: done any time before this")
    area: Slug | None = None
    remote: bool = False
    whole_city: bool = PydanticField(
        False, description="In person: members living anywhere in the city or region of `area` may be asked too"
    )
    min_fluency: FluencyFloors = {}
    urgency: Urgency = Urgency.normal
    time_zone: TimeZoneName | None = PydanticField(
        None, description="IANA zone the task happens in (its times are shown there); default: the service's"
    )
    committee_id: UUID | None = PydanticField(None, description="The committee whose leads also manage the task")
    members_only: bool = PydanticField(False, description="Offered only to members of the task's committee")


class TaskCreate(TaskBase):
    organization_id: UUID
    coordinator_id: UUID | None = PydanticField(None, description="Defaults to the coordinator posting it")
    address: Address | None = PydanticField(None, description="Exact place; shown only to accepted volunteers")
    status: Literal["open", "draft"] = "open"

    @model_validator(mode="after")
    def _consistent(self) -> "TaskCreate":
        check_schedule(self.starts_at, self.ends_at, self.deadline, utc_now())
        check_unique_needs(self.skills, self.languages)
        check_members_only(self.committee_id, self.members_only)
        return self  # place and fluency are checked by the handler, which names the field at fault


# The default of an update's field that may be left out but not sent as null: it reads None when
# left out, yet the annotation must stay the type a sent value has (adding `| None` would accept a
# null and put it in the schema). Typed Any so that mypy takes it as that type's default.
NOT_SENT: Any = None


class TaskUpdate(Strict):
    """Only the fields sent change; the result must still be a consistent task. A field left out
    reads None, while a null sent for one that is not ``| None`` is refused by its type."""

    title: Title = NOT_SENT
    summary: Summary = NOT_SENT
    description: Description = NOT_SENT
    campaign: Slug | None = None
    skills: SkillNeeds = NOT_SENT
    languages: LanguagesNeeded = NOT_SENT
    slots: Slots = NOT_SENT
    starts_at: Moment | None = None
    ends_at: Moment | None = None
    deadline: Moment | None = None
    area: Slug | None = None
    remote: bool = NOT_SENT
    whole_city: bool = NOT_SENT
    min_fluency: FluencyFloors = NOT_SENT
    address: Address | None = None
    urgency: Urgency = NOT_SENT
    coordinator_id: UUID = NOT_SENT
    time_zone: TimeZoneName = NOT_SENT
    committee_id: UUID | None = None
    members_only: bool = NOT_SENT


class Task(SQLModel, table=True):
    __tablename__ = "task"

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    organization_id: UUID = Field(foreign_key="organization.id", index=True)
    coordinator_id: UUID = Field(index=True)
    title: str = Field(max_length=120)
    summary: str = Field(default="", max_length=280)
    description: str = Field(default="", max_length=5000)
    campaign: str | None = Field(default=None, max_length=60)
    slots: int = 1
    starts_at: datetime | None = _moment()
    ends_at: datetime | None = _moment()
    deadline: datetime | None = _moment()
    # When the task happens, for sorting and date filters: its start, or its deadline if flexible.
    scheduled_at: datetime = Field(sa_type=DateTime(timezone=True), index=True)
    area: str | None = Field(default=None, max_length=60)
    remote: bool = False
    whole_city: bool = False
    min_fluency: dict | None = Field(default=None, sa_column=Column(JSON, nullable=True))  # code -> fluency name
    address: str | None = Field(default=None, max_length=300)
    urgency: str = Field(default=Urgency.normal.value, max_length=10)
    time_zone: str = Field(max_length=64)
    committee_id: UUID | None = Field(default=None, foreign_key="committee.id", index=True)
    members_only: bool = False
    series_id: UUID | None = Field(default=None, foreign_key="task_series.id", index=True)
    series_index: int | None = None  # 0 for a series' first occurrence
    status: str = Field(default=TaskStatus.open.value, max_length=10, index=True)
    accepted_count: int = 0  # as matching counts it (see events.fill_changed)
    fill_sequence: int = 0  # of the last fill applied, to drop older ones
    created_at: datetime = _timestamp()
    updated_at: datetime = _timestamp()


class TaskSkill(SQLModel, table=True):
    __tablename__ = "task_skill"

    task_id: UUID = Field(foreign_key="task.id", primary_key=True)
    skill: str = Field(primary_key=True, max_length=60, index=True)
    min_level: str = Field(max_length=10)


class TaskLanguage(SQLModel, table=True):
    __tablename__ = "task_language"

    task_id: UUID = Field(foreign_key="task.id", primary_key=True)
    code: str = Field(primary_key=True, max_length=20, index=True)


class TaskAcceptance(SQLModel, table=True):
    """A volunteer who accepted the task (kept from offers.events): may see the exact address."""

    __tablename__ = "task_acceptance"

    task_id: UUID = Field(foreign_key="task.id", primary_key=True)
    member_id: UUID = Field(primary_key=True, index=True)
    offer_id: UUID
    accepted_at: datetime = _timestamp()


class TaskPublic(TaskBase):
    time_zone: str
    id: UUID
    organization_id: UUID
    coordinator_id: UUID
    status: TaskStatus
    flexible: bool = PydanticField(description="True when the task has a deadline rather than a time window")
    series_id: UUID | None = PydanticField(None, description="The series it is an occurrence of, if any")
    has_address: bool
    accepted_count: int
    created_at: datetime
    updated_at: datetime


class TaskAddress(BaseModel):
    task_id: UUID
    address: str | None
    area: str | None
    remote: bool


class TaskAddresses(BaseModel):
    """The exact places among many tasks that the actor may see; the others are simply absent."""

    items: list[TaskAddress]


# --- Consistency rules shared by create and update --------------------------------------------


def scheduled_at(starts_at: datetime | None, deadline: datetime | None) -> datetime:
    """When a task happens, for sorting and date filters: its start, or its deadline if flexible
    (``check_schedule`` makes sure it has one or the other)."""
    moment = starts_at or deadline
    if moment is None:
        raise ValueError("a task has a start or a deadline")
    return moment


def check_schedule(starts_at, ends_at, deadline, now: datetime) -> None:
    """Either a time window (start before end) or a deadline, in the future and not absurdly far."""
    if deadline is not None and starts_at is None and ends_at is None:
        _check_horizon(deadline, now, "deadline")
        return
    if deadline is None and starts_at is not None and ends_at is not None:
        if starts_at >= ends_at:
            raise ValueError("starts_at must be before ends_at")
        if ends_at - starts_at > MAX_WINDOW:
            raise ValueError("a time window may last at most 31 days; use a deadline for longer work")
        _check_horizon(ends_at, now, "ends_at")
        return
    raise ValueError(
        "give either starts_at and ends_at (a fixed time window) or a deadline (flexible timing), "
        "not both; when switching, set the other to null"
    )


def _check_horizon(moment: datetime, now: datetime, name: str) -> None:
    if moment <= now:
        raise ValueError(f"{name} is in the past")
    if moment - now > MAX_HORIZON:
        raise ValueError(f"{name} is more than three years away")


class FieldProblem(ValueError):
    """A task that does not hold together, and the field to change."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def check_place(area: str | None, remote: bool, address: str | None, whole_city: bool = False) -> None:
    if remote and address:
        raise FieldProblem("address", "a remote task has no address; remove it or set remote to false")
    if not remote and area is None:
        raise FieldProblem("area", "an in-person task needs an area (or set remote to true)")
    if remote and whole_city:
        raise FieldProblem("whole_city", "a remote task is open to everyone already; set whole_city to false")


def check_fluency_floors(languages: list[str], min_fluency: Mapping[str, str]) -> None:
    unknown = sorted(set(min_fluency) - set(languages))
    if unknown:
        raise FieldProblem(
            "min_fluency",
            f"a least fluency is given for {', '.join(unknown)}, which the task "
            "does not list in languages; add it there or remove it here",
        )


def check_members_only(committee_id: UUID | None, members_only: bool) -> None:
    if members_only and committee_id is None:
        raise ValueError("only a task of a committee can be limited to its members; give committee_id")


def check_unique_needs(skills: list[SkillNeedIn], languages: list[str]) -> None:
    for what, values in (("skill", [need.skill for need in skills]), ("language", languages)):
        if len(set(values)) != len(values):
            raise ValueError(f"each {what} may be listed once")
