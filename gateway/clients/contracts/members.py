"""The members service's answers as the gateway reads them: a profile, the contact details a
member agreed to share, and who read or changed a profile (``services/members/models.py``)."""

from __future__ import annotations

from datetime import date, datetime, time
from uuid import UUID

from gateway.clients.contracts import Reply
from services.common.contracts import MemberStatus, MessageDetail
from services.common.http_api import FluencyName, SkillLevelName


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
