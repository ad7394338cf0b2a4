"""Model families of committees: working groups of the coalition (of one organization, or of the
whole coalition), each with leads who manage its tasks.

Which members belong to a committee is part of the member's profile (the members service owns
it and puts it on ``MemberState.committees``); this service owns the committee and its leads.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID, uuid4

from pydantic import BaseModel
from sqlalchemy import DateTime
from sqlmodel import Field, SQLModel

from services.common.clock import utc_now
from services.common.http_api import public_text_rules
from services.tasks.models import Strict


class CommitteeBase(Strict):
    name: Annotated[str, *public_text_rules(120)]
    description: Annotated[str, *public_text_rules(1000, required=False)] = ""
    organization_id: UUID | None = None  # None: a committee of the whole coalition


class CommitteeCreate(CommitteeBase):
    pass


class Committee(SQLModel, table=True):
    __tablename__ = "committee"

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    organization_id: UUID | None = Field(default=None, foreign_key="organization.id", index=True)
    name: str = Field(max_length=120, unique=True)
    description: str = Field(default="", max_length=1000)
    created_at: datetime = Field(default_factory=utc_now, sa_type=DateTime(timezone=True))


class CommitteePublic(CommitteeBase):
    id: UUID
    created_at: datetime


class LeadAdd(Strict):
    lead_id: UUID


class CommitteeLead(SQLModel, table=True):
    """A coordinator account leading a committee: it manages the committee's tasks, and only them."""

    __tablename__ = "committee_lead"

    committee_id: UUID = Field(foreign_key="committee.id", primary_key=True)
    lead_id: UUID = Field(primary_key=True, index=True)
    added_at: datetime = Field(default_factory=utc_now, sa_type=DateTime(timezone=True))


class LeadPublic(BaseModel):
    committee_id: UUID
    lead_id: UUID
    added_at: datetime
