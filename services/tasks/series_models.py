"""Model family of a series: a need that repeats, each occurrence its own task with its own offers.

The series keeps the rule (RFC 5545 RRULE text), the first occurrence's local start and duration in
its time zone, and the template each new occurrence is posted from; ``next_index`` counts the
occurrences already posted (or skipped because past), so a rolling horizon never posts one twice.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Literal
from uuid import UUID, uuid4

from pydantic import BaseModel, model_validator
from pydantic import Field as PydanticField
from sqlalchemy import JSON, Column, DateTime
from sqlmodel import Field, SQLModel

from services.common.clock import utc_now
from services.tasks.models import Strict, TaskCreate, TaskUpdate
from services.tasks.recurrence import MAX_OCCURRENCES

ACTIVE, CANCELLED = "active", "cancelled"


class Repeat(Strict):
    frequency: Literal["weekly", "monthly"] = PydanticField(
        description="weekly (every `interval` weeks), or monthly on the first occurrence's nth weekday"
    )
    interval: Literal[1, 2] = 1
    until: date | None = PydanticField(None, description="Last possible date (local)")
    count: int | None = PydanticField(None, ge=1, le=MAX_OCCURRENCES, description="How many times in all")

    @model_validator(mode="after")
    def _ends(self) -> "Repeat":
        if (self.until is None) == (self.count is None):
            raise ValueError("a series ends: give either until (a date) or count (how many times), not both")
        if self.frequency == "monthly" and self.interval != 1:
            raise ValueError("a monthly series repeats every month (interval 1)")
        return self


class SeriesCreate(TaskCreate):
    """The first occurrence (a task with a time window) and how it repeats."""

    repeat: Repeat

    @model_validator(mode="after")
    def _has_window(self) -> "SeriesCreate":
        if self.starts_at is None or self.ends_at is None:
            raise ValueError("a series repeats a time window: give starts_at and ends_at, not a deadline")
        return self

    def window(self) -> tuple[datetime, datetime]:
        """The first occurrence's start and end, which the check above makes sure are given."""
        assert self.starts_at is not None and self.ends_at is not None
        return self.starts_at, self.ends_at


class SeriesEdit(TaskUpdate):
    """Changes to one occurrence and every later one; ``local_start`` moves them to a new time of day."""

    local_start: time | None = PydanticField(None, description="New local start time of each occurrence")
    duration_minutes: int | None = PydanticField(None, ge=1, le=24 * 60)

    @model_validator(mode="after")
    def _no_single_schedule(self) -> "SeriesEdit":
        if {"starts_at", "ends_at", "deadline"} & self.model_fields_set:
            raise ValueError(
                "to move this and the following occurrences give local_start (and duration_minutes); "
                "to move one occurrence, edit that task alone"
            )
        return self


class TaskSeries(SQLModel, table=True):
    __tablename__ = "task_series"

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    organization_id: UUID = Field(foreign_key="organization.id", index=True)
    committee_id: UUID | None = Field(default=None, foreign_key="committee.id")
    rule: str = Field(max_length=200)
    first_local: str = Field(max_length=19)  # ISO local date-time of the first occurrence, in time_zone
    duration_minutes: int
    time_zone: str = Field(max_length=64)
    template: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    next_index: int = 0
    status: str = Field(default=ACTIVE, max_length=10, index=True)
    created_at: datetime = Field(default_factory=utc_now, sa_type=DateTime(timezone=True))
    updated_at: datetime = Field(default_factory=utc_now, sa_type=DateTime(timezone=True))


class SeriesPublic(BaseModel):
    id: UUID
    organization_id: UUID
    committee_id: UUID | None
    rule: str = PydanticField(description="RFC 5545 RRULE, read in time_zone from first_local")
    first_local: datetime
    duration_minutes: int
    time_zone: str
    status: str
    occurrences_posted: int
    task_ids: list[UUID] = PydanticField(description="Its occurrences posted so far, in order")
