"""The members service's routes as the gateway uses them: the profile it writes (on sign-up and
on each change), the profile it reads back, the contact details a member agreed to share, and who
read or changed a profile (``services/members/models.py``, ``fields.py``)."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Literal
from uuid import UUID

from gateway.clients.contracts import UNSENT, Body, Reply
from services.common.contracts import MemberStatus, MessageDetail
from services.common.http_api import FluencyName, SkillLevelName


class ContactChannelBody(Body):
    value: str
    consent: bool


class ContactsBody(Body):
    """The channels given; the others are not sent (the service replaces all channels at once)."""

    email: ContactChannelBody = UNSENT
    phone: ContactChannelBody = UNSENT
    signal: ContactChannelBody = UNSENT


class SkillClaimBody(Body):
    skill: str
    level: SkillLevelName


class LanguageBody(Body):
    code: str
    fluency: FluencyName


WeekdayName = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


class WeeklyWindowBody(Body):
    weekday: WeekdayName
    start: str  # HH:MM, the member's local time
    end: str


class DateRangeBody(Body):
    start: date
    end: date


class ReachBody(Body):
    areas: list[str]
    whole_city: bool
    km: int | None


class QuietHoursBody(Body):
    start: str  # HH:MM
    end: str
    time_zone: str


class NotificationChangesBody(Body):
    """What the member chose about messages; only quiet hours may be sent as null (turned off)."""

    email: bool = UNSENT
    detail: MessageDetail = UNSENT
    quiet_hours: QuietHoursBody | None = None


class ProfileFields(Body):
    """A profile (``POST /members``) or the changes to one (``PATCH /members/{id}``): only the fields
    set are sent; only pronouns, the area and quiet hours may be sent as null (cleared)."""

    display_name: str = UNSENT
    pronouns: str | None = None
    contacts: ContactsBody = UNSENT
    skills: list[SkillClaimBody] = UNSENT
    languages: list[LanguageBody] = UNSENT
    weekly_availability: list[WeeklyWindowBody] = UNSENT
    unavailable: list[DateRangeBody] = UNSENT
    area: str | None = None
    remote_ok: bool = UNSENT
    max_tasks_per_month: int = UNSENT
    interests: list[str] = UNSENT
    reach: ReachBody = UNSENT
    notifications: NotificationChangesBody = UNSENT


class SkillClaimReply(Reply):
    skill: str
    level: SkillLevelName


class LanguageReply(Reply):
    code: str
    fluency: FluencyName = "fluent"


class WeeklyWindowReply(Reply):
    weekday: str  # monday ... sunday
    start: time
    end: time


class DateRangeReply(Reply):
    start: date
    end: date


class ReachReply(Reply):
    areas: list[str] = []
    whole_city: bool = False
    km: int | None = None


class ChannelReply(Reply):
    channel: str
    consent: bool


class QuietHoursReply(Reply):
    start: time
    end: time
    time_zone: str


class NotificationsReply(Reply):
    email: bool
    detail: MessageDetail
    quiet_hours: QuietHoursReply | None = None


class MemberReply(Reply):
    """A profile as ``MemberPublic`` gives it: no contact values, only which channels exist."""

    id: UUID
    display_name: str
    pronouns: str | None = None
    status: MemberStatus
    skills: list[SkillClaimReply] = []
    languages: list[LanguageReply] = []
    weekly_availability: list[WeeklyWindowReply] = []
    unavailable: list[DateRangeReply] = []
    area: str | None = None
    remote_ok: bool = False
    max_tasks_per_month: int = 4
    interests: list[str] = []
    reach: ReachReply = ReachReply()
    contact_channels: list[ChannelReply] = []
    notifications: NotificationsReply | None = None


class MemberPageReply(Reply):
    items: list[MemberReply]
    total: int


class ContactReply(Reply):
    member_id: UUID
    display_name: str
    pronouns: str | None = None
    email: str | None = None
    phone: str | None = None
    signal: str | None = None


class AuditEntryReply(Reply):
    occurred_at: datetime
    actor_role: str
    action: str
    fields: list[str] = []
    purpose: str | None = None
    task_id: UUID | None = None


class AuditPageReply(Reply):
    items: list[AuditEntryReply]
    total: int


class MemberCommitteesReply(Reply):
    """The committees a member joined (their members-only tasks may be offered to them)."""

    committees: list[UUID]


NamePurpose = Literal["attendance_export"]  # why names are read in bulk, in each member's audit log


class NamesBody(Body):
    """``POST /members/names``: display names of many members, each read audited."""

    member_ids: list[UUID]
    purpose: NamePurpose


class MemberNameReply(Reply):
    member_id: UUID
    display_name: str


class NamesReply(Reply):
    names: list[MemberNameReply]
    missing: list[UUID] = []  # erased or unknown: no name is kept for them


# --- The taxonomy: skills and areas (``SkillPublic``, ``AreaPublic``) ----------------------------
# No taxonomy field is cleared by sending null: a field given as null is left out, as one not given.


class SkillBody(Body):
    """``POST /skills``."""

    slug: str
    name: str
    description: str = UNSENT


class SkillChangesBody(Body):
    """``PATCH /skills/{slug}``: only the fields given change."""

    name: str = UNSENT
    description: str = UNSENT
    retired: bool = UNSENT


class AreaBody(Body):
    """``POST /areas``."""

    slug: str
    name: str
    city: str
    parent: str = UNSENT  # the slug of the city or region containing it
    latitude: float = UNSENT
    longitude: float = UNSENT


class AreaChangesBody(Body):
    """``PATCH /areas/{slug}``: only the fields given change."""

    name: str = UNSENT
    city: str = UNSENT
    parent: str = UNSENT
    latitude: float = UNSENT
    longitude: float = UNSENT
    retired: bool = UNSENT


TermBody = SkillBody | SkillChangesBody | AreaBody | AreaChangesBody


class SkillReply(Reply):
    slug: str
    name: str
    description: str = ""


class SkillPageReply(Reply):
    items: list[SkillReply]


class AreaReply(Reply):
    slug: str
    name: str
    city: str = ""
    parent: str | None = None
    latitude: float | None = None
    longitude: float | None = None


class AreaPageReply(Reply):
    items: list[AreaReply]
