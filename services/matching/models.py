"""Tables and API models of the matching service.

``offer`` is the source of truth for who was asked what and what they answered; ``task_fill``
holds each task's slot count and accepted count, the row every acceptance must update (its
conditional update is what keeps a task from overfilling); ``member_month_load`` does the same
for a member's own monthly limit. ``matching_task`` is this service's copy of the tasks topic.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from pydantic import BaseModel, ConfigDict, TypeAdapter
from sqlalchemy import JSON, CheckConstraint, Column, DateTime, Enum, Text
from sqlmodel import Field, SQLModel

from services.common.contracts import OfferReason, OfferStatus, Reasons, TaskStatus

# An offer's reason as its row stores it: an OfferReason dumped to JSON.
StoredReason = dict[str, Any]

# Offer statuses that hold a member's place on a task; at most one such offer per member and task.
LIVE_STATUSES = (OfferStatus.pending, OfferStatus.accepted)
# Tasks the worker matches. "filled" stays matchable: a freed slot reopens it.
MATCHABLE_TASK_STATUSES = (TaskStatus.open.value, TaskStatus.filled.value)


def _when(nullable: bool = False):
    return Field(default=None if nullable else ..., sa_type=DateTime(timezone=True), nullable=nullable)


# Stored as its plain value in a VARCHAR column, read back as the enum.
_OFFER_STATUS = Enum(
    OfferStatus,
    native_enum=False,
    create_constraint=False,
    length=30,
    values_callable=lambda statuses: [status.value for status in statuses],
)


class MatchingTask(SQLModel, table=True):
    """The latest state of a task from the tasks topic, and the partition it lives on."""

    __tablename__ = "matching_task"

    task_id: UUID = Field(primary_key=True)
    partition: int
    status: str = Field(max_length=20)
    title: str = Field(max_length=300)
    slots: int
    starts_at: datetime | None = _when(nullable=True)
    ends_at: datetime | None = _when(nullable=True)
    state_json: str = Field(sa_column=Column(Text, nullable=False))
    state_occurred_at: datetime = _when()
    updated_at: datetime = _when()


class TaskWidening(SQLModel, table=True):
    """A widening matching took by itself as the unfilled task's start approached (see ``widening``)."""

    __tablename__ = "task_widening"

    task_id: UUID = Field(primary_key=True)
    widening: str = Field(primary_key=True, max_length=20)
    applied_at: datetime = _when()
    more_members: int  # how many more members it made eligible when it was taken


class MissedTask(SQLModel, table=True):
    """A task a member accepted and did not come to, without a word, as last marked (see ``attendance``).
    Kept ``MATCHING_NO_SHOW_DAYS`` after the task ended, then forgotten."""

    __tablename__ = "missed_task"

    member_id: UUID = Field(primary_key=True)
    task_id: UUID = Field(primary_key=True)
    task_ended_at: datetime = _when()
    marked_at: datetime = _when()


class TaskFill(SQLModel, table=True):
    __tablename__ = "task_fill"
    __table_args__ = (CheckConstraint("accepted >= 0 AND accepted <= slots", name="ck_task_fill_capacity"),)

    task_id: UUID = Field(primary_key=True)
    slots: int
    accepted: int = 0
    version: int = 0  # one more at each change: the sequence fill events carry


class MemberMonthLoad(SQLModel, table=True):
    """Tasks a member accepted in one calendar month (coalition time), against their own limit."""

    __tablename__ = "member_month_load"
    __table_args__ = (CheckConstraint("accepted >= 0", name="ck_member_month_load_positive"),)

    member_id: UUID = Field(primary_key=True)
    month: str = Field(primary_key=True, max_length=7)  # "2025-03"
    accepted: int = 0


class OfferBase(SQLModel):
    task_id: UUID
    member_id: UUID
    status: OfferStatus = Field(default=OfferStatus.pending, sa_type=_OFFER_STATUS)
    expires_at: datetime = _when()
    created_at: datetime = _when()
    responded_at: datetime | None = _when(nullable=True)
    withdrawn_because: str | None = Field(default=None, max_length=100)


class Offer(OfferBase, table=True):
    __tablename__ = "offer"

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    # OfferReason objects as JSON, as ``offers.as_stored`` dumps them (migration 0006 rewrote the
    # English strings of older rows as data). A table row is not validated: it holds them as stored,
    # and OfferPublic and the offer events read them back as OfferReason.
    reasons: list[StoredReason] = Field(default_factory=list, sa_type=JSON)
    score: float = 0.0
    # Copied from the task so a member's busy windows and loads come from this table alone.
    task_starts_at: datetime | None = _when(nullable=True)
    task_ends_at: datetime | None = _when(nullable=True)
    accepted_at: datetime | None = _when(nullable=True)
    counted_month: str | None = Field(default=None, max_length=7)


_READ_REASONS = TypeAdapter(Reasons)


def stored_reasons(offer: Offer) -> list[OfferReason]:
    """The offer's reasons read back from its row, as every reader of an offer reads them."""
    return _READ_REASONS.validate_python(offer.reasons)


class OfferPublic(OfferBase):
    id: UUID
    reasons: Reasons = Field(default_factory=list)
    task_title: str | None = None


class OfferPage(BaseModel):
    items: list[OfferPublic]
    total: int
    limit: int
    offset: int


class OfferAnswer(BaseModel):
    """Body of accept, decline and withdraw (the member answering their own offer), and of asking
    for a task (the member asking)."""

    model_config = ConfigDict(extra="forbid")

    member_id: UUID


class FillPublic(BaseModel):
    task_id: UUID
    slots: int
    accepted: int
    pending: int
    accepted_member_ids: list[UUID]
