"""Event contracts shared by every service: the payloads that travel on Kafka.

Payloads carry the matching-relevant state of an entity and nothing personal: members appear by
opaque id only; no names, contacts, free-text notes or exact addresses ever go on a topic.
Consumers ignore unknown fields so producers can add fields without breaking them; a change that
removes or re-means a field bumps the event's version in ``services.common.catalogue``, which says
which event types carry which payload, and which versions consumers read.
"""

from __future__ import annotations

import enum
from datetime import date, datetime, time
from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field


class Contract(BaseModel):
    """Base of every event payload: tolerant of fields it does not know."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class SkillLevel(enum.IntEnum):
    """Ordered so that ``member_level >= required_level`` is the eligibility test."""

    learning = 1
    capable = 2
    expert = 3


class Fluency(enum.IntEnum):
    basic = 1
    conversational = 2
    fluent = 3


class MemberStatus(str, enum.Enum):
    active = "active"
    paused = "paused"


class TaskStatus(str, enum.Enum):
    draft = "draft"
    open = "open"
    filled = "filled"
    closed = "closed"
    cancelled = "cancelled"


class Urgency(str, enum.Enum):
    low = "low"
    normal = "normal"
    high = "high"


class Weekday(enum.IntEnum):
    monday = 0
    tuesday = 1
    wednesday = 2
    thursday = 3
    friday = 4
    saturday = 5
    sunday = 6


class SkillClaim(Contract):
    skill: str = Field(description="Skill slug from the coalition's taxonomy, e.g. 'graphic-design'.")
    level: SkillLevel


class LanguageClaim(Contract):
    code: str = Field(description="BCP 47 language tag, lower case, e.g. 'fr', 'es', 'en'.")
    fluency: Fluency = Fluency.fluent


class WeeklyWindow(Contract):
    weekday: Weekday
    start: time
    end: time


class DateRange(Contract):
    start: date
    end: date


class MessageDetail(str, enum.Enum):
    """How much a message says where a lock screen could show it."""

    discreet = "discreet"  # subject and preview name no task, skill, place, organization or person
    detailed = "detailed"  # the member chose to see the task's title and time in the message itself


class QuietHours(Contract):
    """A daily window, in the member's own time zone, in which no message is sent (held until it
    ends, unless the task starts before then). ``start`` after ``end`` spans midnight."""

    start: time
    end: time
    time_zone: str = Field(min_length=1, max_length=64)


class NotificationPreferences(Contract):
    """What the member chose about messages; never contact data (the address stays in members)."""

    email: bool = True
    detail: MessageDetail = MessageDetail.discreet
    quiet_hours: QuietHours | None = None


class Reach(Contract):
    """Where a member can go beyond their own area: chosen areas, the whole city (or region) of
    their area, or every area whose centre is up to ``km`` from their area's centre. Empty: only
    their own area, as before."""

    areas: list[str] = []
    whole_city: bool = False
    km: int | None = Field(default=None, ge=1, le=500)


class AreaState(Contract):
    """An area of the coalition's taxonomy; key = slug. Public geography only: a coarse centre
    point of the neighbourhood (never a person's address) and the city or region containing it."""

    slug: str
    name: str
    parent: str | None = None
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    retired: bool = False


class MemberState(Contract):
    """Everything matching and notifications need to know about a member; key = member_id."""

    member_id: UUID
    status: MemberStatus
    skills: list[SkillClaim] = []
    languages: list[LanguageClaim] = []
    weekly_availability: list[WeeklyWindow] = []
    unavailable: list[DateRange] = []
    area: str | None = None
    remote_ok: bool = False
    max_tasks_per_month: int = 4
    interests: list[str] = []
    notifications: NotificationPreferences = NotificationPreferences()
    reach: Reach = Reach()
    committees: list[UUID] = []  # committees the member joined (members-only tasks need one)


class SkillNeed(Contract):
    skill: str
    min_level: SkillLevel = SkillLevel.learning


class TaskState(Contract):
    """Everything matching and the public views need about a task; key = task_id.

    ``title`` and ``summary`` are written by coordinators for the public; the exact address is
    never here (only accepted volunteers see it, through the tasks service).
    """

    task_id: UUID
    organization_id: UUID
    coordinator_id: UUID
    status: TaskStatus
    title: str
    summary: str = ""
    skills: list[SkillNeed] = []
    languages: list[str] = []
    slots: int = Field(ge=1)
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    deadline: datetime | None = None
    area: str | None = None
    remote: bool = False
    urgency: Urgency = Urgency.normal
    time_zone: str | None = None  # IANA name; the task's times are shown in it (absent from older events)
    whole_city: bool = False  # in person: members of the whole city (or region) of ``area`` may come
    # The least fluency accepted per language code ('pa': conversational); a language absent from
    # it accepts any fluency.
    min_fluency: dict[str, Fluency] = {}
    committee_id: UUID | None = None
    members_only: bool = False  # offered only to members whose ``committees`` hold ``committee_id``


class OfferStatus(str, enum.Enum):
    pending = "pending"
    accepted = "accepted"
    declined = "declined"
    expired = "expired"
    withdrawn = "withdrawn"
    cancelled_by_volunteer = "cancelled_by_volunteer"


class ReasonKind(str, enum.Enum):
    """Why a member was asked; each kind fills the ``OfferReason`` fields named beside it."""

    skill = "skill"  # skill (slug), level
    language = "language"  # language (code), fluency
    free_time = "free_time"  # windows, more_windows, share_percent, before_deadline
    place = "place"  # area (slug), area_name, own_area, distance_km
    remote = "remote"  # the task is remote and the member works remotely
    recent_load = "recent_load"  # recent_tasks (only ever 0: "no recent tasks")
    asked_for = "asked_for"  # the member asked for the task (a widget's "Sign up to help")
    text = "text"  # text: a reason written in English words by an older matcher (events before v2)


class TimeWindow(Contract):
    start: datetime
    end: datetime


class OfferReason(Contract):
    """One reason an offer was made, as data: readers word it in their reader's language.

    Only matching data (skills, languages, free time, public areas), never anything personal, and
    nothing that could shame anyone: a member's load is said only when it is none.
    """

    kind: ReasonKind
    skill: str | None = None
    level: SkillLevel | None = None
    language: str | None = None
    fluency: Fluency | None = None
    windows: list[TimeWindow] = []  # the member's first free stretches within the task's time
    more_windows: bool = False  # there are more free stretches than ``windows`` lists
    share_percent: int | None = Field(default=None, ge=0, le=100)  # of the task's time they are free for
    before_deadline: bool = False  # a flexible task: free at ``windows`` before its deadline
    area: str | None = None
    area_name: str | None = None  # the area's name when the offer was made (mail has no taxonomy)
    own_area: bool = False  # the task is in the member's own area
    distance_km: int | None = Field(default=None, ge=1)  # from the member's area, when not their own
    recent_tasks: int | None = Field(default=None, ge=0)
    text: str | None = None


def read_reasons(value: Any) -> Any:
    """Reasons as data; a plain string (offers.events v1, rows stored before it) becomes a text one."""
    if isinstance(value, list):
        return [{"kind": ReasonKind.text.value, "text": item} if isinstance(item, str) else item for item in value]
    return value


# What every reader of an offer's reasons declares: the old string reasons still read.
Reasons = Annotated[list[OfferReason], BeforeValidator(read_reasons)]


class OfferChanged(Contract):
    """An offer's new state; type names the change (offer.created, offer.accepted, ...).

    ``sequence`` grows with each change of the offer (its stage: offered, answered, released), so
    a reader can tell a late or repeated older change from a newer one. 0: not known.
    """

    offer_id: UUID
    task_id: UUID
    member_id: UUID
    status: OfferStatus
    reasons: Reasons = []  # version 1 had plain English strings; still read (ReasonKind.text)
    expires_at: datetime | None = None
    withdrawn_because: str | None = None
    sequence: int = 0
    # What a volunteer's live view shows beside the status, so that it needs no call back:
    task_title: str | None = None
    created_at: datetime | None = None


class Presence(str, enum.Enum):
    """Whether a volunteer who accepted a task came to it, as whoever runs the task marked it."""

    attended = "attended"
    no_show = "no_show"
    excused = "excused"  # they said they could not come, or were let off


class AttendanceMarked(Contract):
    """A volunteer's attendance at a task that ended, as last marked (attendance.marked).

    Ids only, no names: matching ranks a member who repeatedly did not come a little lower.
    ``marked_at`` grows with each change of the mark, so a reader keeps only the newest. A
    volunteer left unmarked, who counts as attended after a while, has no event.
    """

    task_id: UUID
    member_id: UUID
    presence: Presence
    task_ended_at: datetime
    marked_at: datetime


class FillChanged(Contract):
    """A task's fill level as matching counts it (fill.completed, fill.reopened).

    Matching owns capacity: this is the one place "filled" is decided. ``sequence`` grows with
    each change of the task's fill, so a reader applies only fills newer than the one it has.
    """

    task_id: UUID
    slots: int
    accepted: int
    sequence: int = 0

    @property
    def is_full(self) -> bool:
        return self.accepted >= self.slots
