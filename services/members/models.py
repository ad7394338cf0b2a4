"""Model families of the members service: Member, Skill, Area, AuditEntry (+ erasure records).

Table models never leave the service: routes return the ``...Public`` models. A member's name,
pronouns and contacts live only inside ``Member.personal_data``, sealed by ``crypto.FieldCipher``.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Annotated
from uuid import UUID, uuid4

from pydantic import BaseModel, model_validator
from pydantic import Field as PydanticField
from sqlalchemy import JSON, Column, DateTime, LargeBinary
from sqlmodel import Field, SQLModel

from services.common.clock import utc_now
from services.common.contracts import MemberStatus
from services.common.http_api import Slug
from services.members.fields import (
    Channel,
    CityName,
    Contacts,
    DateRanges,
    DisplayName,
    Interests,
    Languages,
    NotificationChanges,
    NotificationSettings,
    Omittable,
    Pronouns,
    Reach,
    SkillClaims,
    Strict,
    TasksPerMonth,
    TermDescription,
    TermName,
    WeeklyWindows,
    check_profile_lists,
)


def _timestamp(**kwargs) -> datetime:
    return Field(default_factory=utc_now, sa_type=DateTime(timezone=True), **kwargs)


# --- Member -----------------------------------------------------------------------------------


class MemberBase(Strict):
    display_name: DisplayName
    pronouns: Pronouns | None = None
    skills: SkillClaims = []
    languages: Languages = []
    weekly_availability: WeeklyWindows = []
    unavailable: DateRanges = []
    area: Slug | None = None
    remote_ok: bool = False
    max_tasks_per_month: TasksPerMonth = 4
    interests: Interests = []
    notifications: NotificationSettings = Field(default_factory=NotificationSettings)
    reach: Reach = Reach()


class MemberCreate(MemberBase):
    contacts: Contacts

    @model_validator(mode="after")
    def _each_listed_once(self):
        return check_profile_lists(self)


class MemberUpdate(Strict):
    """Only the fields sent change; ``contacts`` replaces all channels at once."""

    display_name: Omittable[DisplayName] = None
    pronouns: Pronouns | None = None
    contacts: Omittable[Contacts] = None
    skills: Omittable[SkillClaims] = None
    languages: Omittable[Languages] = None
    weekly_availability: Omittable[WeeklyWindows] = None
    unavailable: Omittable[DateRanges] = None
    area: Slug | None = None
    remote_ok: Omittable[bool] = None
    max_tasks_per_month: Omittable[TasksPerMonth] = None
    interests: Omittable[Interests] = None
    notifications: Omittable[NotificationChanges] = None
    reach: Omittable[Reach] = None

    @model_validator(mode="after")
    def _each_listed_once(self):
        return check_profile_lists(self)


class PersonalData(BaseModel):
    """What is sealed together in ``Member.personal_data``."""

    display_name: str
    pronouns: str | None = None
    contacts: Contacts


class Member(SQLModel, table=True):
    __tablename__ = "member"

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    status: str = Field(default=MemberStatus.active.value, max_length=10)
    personal_data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    skills: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    languages: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    weekly_availability: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    unavailable: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    area: str | None = Field(default=None, foreign_key="area.slug", max_length=60)
    remote_ok: bool = False
    max_tasks_per_month: int = 4
    interests: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # NotificationSettings as JSON: what the member chose about messages (no address)
    notifications: dict = Field(
        default_factory=lambda: NotificationSettings().model_dump(mode="json"), sa_column=Column(JSON, nullable=False)
    )
    reach: dict | None = Field(default=None, sa_column=Column(JSON, nullable=True))  # None: own area only
    committees: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))  # ids, as text
    created_at: datetime = _timestamp()
    updated_at: datetime = _timestamp()
    last_active_at: datetime = _timestamp(index=True)


class ChannelOnFile(BaseModel):
    channel: Channel
    consent: bool


class MemberPublic(MemberBase):
    """A profile as the member (or an admin) sees it: no contact values, only which channels exist."""

    id: UUID
    status: MemberStatus
    contact_channels: list[ChannelOnFile]
    created_at: datetime
    updated_at: datetime


class ContactPurpose(str, enum.Enum):
    """Why someone reads a member's contact data; recorded in the audit log (no free text there)."""

    coordinate_accepted_task = "coordinate_accepted_task"
    safety_follow_up = "safety_follow_up"
    member_support = "member_support"
    member_data_request = "member_data_request"


class MemberContact(BaseModel):
    """Contact values the member consented to share; returned only through the audited endpoint."""

    member_id: UUID
    display_name: str
    pronouns: str | None
    email: str | None = None
    phone: str | None = None
    signal: str | None = None


NOTIFICATION_PURPOSE = "notification"


class NamePurpose(str, enum.Enum):
    """Why someone reads members' names in bulk; recorded in each member's audit log."""

    attendance_export = "attendance_export"  # a coordinator downloads who came, with names


MAX_NAMES = 500


class NamesRequest(Strict):
    member_ids: list[UUID] = Field(min_length=1, max_length=MAX_NAMES)
    purpose: NamePurpose


class MemberName(BaseModel):
    member_id: UUID
    display_name: str


class MemberNames(BaseModel):
    names: list[MemberName]
    missing: list[UUID] = Field(description="Members erased or unknown: no name is kept for them")


class DeliveryAddress(BaseModel):
    """Where the notifications service sends a message; read at send time, never stored there."""

    member_id: UUID
    channel: Channel
    address: str | None = None


class ErasedMember(SQLModel, table=True):
    """That an id was erased, when and why: lets reads answer 410 instead of a puzzling 404."""

    __tablename__ = "erased_member"

    member_id: UUID = Field(primary_key=True)
    erased_at: datetime = _timestamp()
    reason: str = Field(max_length=30)


# --- Taxonomy: skills and areas ---------------------------------------------------------------


class SkillBase(Strict):
    name: TermName
    description: TermDescription = ""


class SkillCreate(SkillBase):
    slug: Slug


class SkillUpdate(Strict):
    name: Omittable[TermName] = None
    description: Omittable[TermDescription] = None
    retired: Omittable[bool] = None


class TaxonomyTerm(SQLModel):
    """What every kind of taxonomy term stores: a slug profiles and tasks refer to, a name, and
    whether it is retired (kept, so that old references still resolve, but no longer chosen).
    Not a table: each kind keeps its own table and adds its own columns."""

    slug: str = Field(primary_key=True, max_length=60)
    name: str = Field(max_length=80)
    retired: bool = False
    created_at: datetime = _timestamp()


class Skill(TaxonomyTerm, table=True):
    __tablename__ = "skill"

    description: str = Field(default="", max_length=500)


class SkillPublic(BaseModel):
    slug: str
    name: str
    description: str
    retired: bool


Latitude = Annotated[float, PydanticField(ge=-90, le=90, allow_inf_nan=False)]
Longitude = Annotated[float, PydanticField(ge=-180, le=180, allow_inf_nan=False)]


class AreaGeography(Strict):
    """Where an area sits: the city or region containing it, and a coarse centre point (public
    geography of the neighbourhood, never a person's address)."""

    parent: Slug | None = PydanticField(None, description="Slug of the city or region containing this area.")
    latitude: Latitude | None = PydanticField(None, description="Centre of the area, degrees north.")
    longitude: Longitude | None = PydanticField(None, description="Centre of the area, degrees east.")

    @model_validator(mode="after")
    def _both_coordinates_or_neither(self):
        fields = self.model_fields_set & {"latitude", "longitude"}
        if fields and (self.latitude is None) != (self.longitude is None):
            raise ValueError("give the area's centre as both latitude and longitude (or neither)")
        return self


class AreaBase(AreaGeography):
    name: TermName
    city: CityName


class AreaCreate(AreaBase):
    slug: Slug


class AreaUpdate(AreaGeography):
    name: Omittable[TermName] = None
    city: Omittable[CityName] = None
    retired: Omittable[bool] = None


class Area(TaxonomyTerm, table=True):
    """A term with geography of its own: its city, the area containing it and a coarse centre."""

    __tablename__ = "area"

    city: str = Field(max_length=80)
    parent: str | None = Field(default=None, max_length=60)
    latitude: float | None = None
    longitude: float | None = None


class AreaPublic(BaseModel):
    slug: str
    name: str
    city: str
    parent: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    retired: bool


# --- Audit log --------------------------------------------------------------------------------


class AuditEntry(SQLModel, table=True):
    """Who read or changed which fields of a member, when and why. Ids and field names only."""

    __tablename__ = "audit_entry"

    id: int | None = Field(default=None, primary_key=True)
    member_id: UUID = Field(index=True)
    occurred_at: datetime = _timestamp()
    actor_role: str = Field(max_length=20)
    actor_id: UUID | None = None
    action: str = Field(max_length=40)
    fields: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    purpose: str | None = Field(default=None, max_length=40)
    task_id: UUID | None = None


class AuditEntryPublic(BaseModel):
    id: int
    member_id: UUID
    occurred_at: datetime
    actor_role: str
    actor_id: UUID | None
    action: str
    fields: list[str]
    purpose: str | None
    task_id: UUID | None
