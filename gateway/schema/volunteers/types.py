"""Profile types and inputs. Deliberately absent: immigration status, citizenship, nationality,
ethnicity, religion. The platform never asks for them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, time
from typing import Any

import strawberry

from gateway.clients.contracts import Json
from gateway.clients.contracts.members import (
    ContactChannelBody,
    ContactReply,
    ContactsBody,
    DateRangeBody,
    LanguageBody,
    MemberReply,
    NotificationsReply,
    ProfileFields,
    ReachBody,
    ReachReply,
    SkillClaimBody,
    WeeklyWindowBody,
)
from gateway.schema.context import Info
from gateway.schema.enums import Fluency, MemberStatus, SkillLevel, Weekday, from_wire
from gateway.schema.volunteers.notifications import NotificationPreferences


@strawberry.type
class SkillClaim:
    skill: str
    level: SkillLevel


@strawberry.type
class LanguageClaim:
    code: str
    fluency: Fluency


@strawberry.type(description="A recurring free slot in the member's local time, e.g. Saturday 10:00-14:00.")
class WeeklyWindow:
    weekday: Weekday
    start: time
    end: time


@strawberry.type(description="Dates (inclusive) when the member is away.")
class DateRange:
    start: date
    end: date


@strawberry.type(description="A way to reach the member, and whether coordinators of accepted tasks may use it.")
class ContactChannel:
    channel: str
    consent: bool


@strawberry.type(description="Where the member can go besides their own area (any of these together).")
class Reach:
    areas: list[str] = strawberry.field(description="Other areas (slugs) the member can go to")
    whole_city: bool = strawberry.field(description="Any area of the city or region containing their area")
    km: int | None = strawberry.field(description="Any area whose centre is at most this far from their area's")

    @classmethod
    def from_reply(cls, reach: ReachReply) -> "Reach":
        return cls(areas=reach.areas, whole_city=reach.whole_city, km=reach.km)


@strawberry.type
class MemberProfile:
    id: strawberry.ID
    display_name: str
    pronouns: str | None
    status: MemberStatus
    skills: list[SkillClaim]
    languages: list[LanguageClaim]
    weekly_availability: list[WeeklyWindow]
    unavailable: list[DateRange]
    area: str | None
    remote_ok: bool
    max_tasks_per_month: int
    interests: list[str]
    reach: Reach
    contact_channels: list[ContactChannel]
    _notifications: strawberry.Private[NotificationsReply | None] = None

    @strawberry.field(
        description="What the member chose about messages; shown to the member themself only (null to anyone else)."
    )
    async def notification_preferences(self, info: Info) -> NotificationPreferences | None:
        user = await info.context.user()
        if self._notifications is None or user is None or str(user.member_id) != str(self.id):
            return None
        return NotificationPreferences.from_reply(self._notifications)

    @classmethod
    def from_service(cls, data: Json | MemberReply) -> "MemberProfile":
        member = MemberReply.model_validate(data)
        return cls(
            id=strawberry.ID(str(member.id)),
            display_name=member.display_name,
            pronouns=member.pronouns,
            status=MemberStatus(member.status.value),
            skills=[SkillClaim(skill=c.skill, level=from_wire(SkillLevel, c.level)) for c in member.skills],
            languages=[LanguageClaim(code=c.code, fluency=from_wire(Fluency, c.fluency)) for c in member.languages],
            weekly_availability=[
                WeeklyWindow(weekday=from_wire(Weekday, w.weekday), start=w.start, end=w.end)
                for w in member.weekly_availability
            ],
            unavailable=[DateRange(start=r.start, end=r.end) for r in member.unavailable],
            area=member.area,
            remote_ok=member.remote_ok,
            max_tasks_per_month=member.max_tasks_per_month,
            interests=member.interests,
            reach=Reach.from_reply(member.reach),
            contact_channels=[ContactChannel(channel=c.channel, consent=c.consent) for c in member.contact_channels],
            _notifications=member.notifications,
        )


@strawberry.type(description="Contact details a member agreed to share (audited on every read).")
class ContactDetails:
    member_id: strawberry.ID
    display_name: str
    pronouns: str | None
    email: str | None
    phone: str | None
    signal: str | None

    @classmethod
    def from_service(cls, data: Json) -> "ContactDetails":
        contact = ContactReply.model_validate(data)
        return cls(
            member_id=strawberry.ID(str(contact.member_id)),
            display_name=contact.display_name,
            pronouns=contact.pronouns,
            email=contact.email,
            phone=contact.phone,
            signal=contact.signal,
        )


@strawberry.input
class SkillClaimInput:
    skill: str
    level: SkillLevel


@strawberry.input
class LanguageInput:
    code: str
    fluency: Fluency = Fluency.FLUENT


@strawberry.input
class WeeklyWindowInput:
    weekday: Weekday
    start: time
    end: time


@strawberry.input
class DateRangeInput:
    start: date
    end: date


@strawberry.input
class ContactChannelInput:
    value: str
    consent: bool = strawberry.field(description="May coordinators of tasks the member accepted use it?")


@strawberry.input(description="How the member may be reached; at least one channel.")
class ContactsInput:
    email: ContactChannelInput | None = None
    phone: ContactChannelInput | None = None
    signal: ContactChannelInput | None = None


@strawberry.input(description="Where the member can go besides their own area; replaces the whole reach.")
class ReachInput:
    areas: list[str] = strawberry.field(default_factory=list, description="Other areas (slugs) they can go to")
    whole_city: bool = strawberry.field(default=False, description="Any area of the city or region of their area")
    km: int | None = strawberry.field(default=None, description="Any area whose centre is at most this far (1-500)")


_UNSET = strawberry.UNSET
INTERESTS_RULE = (
    "Causes the member cares about, in words or as slugs: 'Labour rights' is kept as 'labour-rights' "
    "(letters and digits; anything else becomes a hyphen)."
)


@strawberry.input(description="Profile changes; only the fields given change (null clears pronouns or area).")
class ProfileUpdateInput:
    display_name: str | None = _UNSET
    pronouns: str | None = _UNSET
    contacts: ContactsInput | None = _UNSET
    skills: list[SkillClaimInput] | None = _UNSET
    languages: list[LanguageInput] | None = _UNSET
    weekly_availability: list[WeeklyWindowInput] | None = _UNSET
    unavailable: list[DateRangeInput] | None = _UNSET
    area: str | None = _UNSET
    remote_ok: bool | None = _UNSET
    max_tasks_per_month: int | None = _UNSET
    interests: list[str] | None = strawberry.field(default=_UNSET, description=INTERESTS_RULE)
    reach: ReachInput | None = _UNSET


CLEARABLE = ("pronouns", "area")
# What a profile input may give: every field of a profile but the message choices (their own input).
PROFILE_FIELDS = tuple(name for name in ProfileFields.model_fields if name != "notifications")


def contacts_body(contacts: ContactsInput) -> ContactsBody:
    return ContactsBody(
        **{
            name: ContactChannelBody(value=channel.value, consent=channel.consent)
            for name in ContactsBody.model_fields
            if (channel := getattr(contacts, name)) is not None
        }
    )


_CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "contacts": contacts_body,
    "skills": lambda claims: [SkillClaimBody(skill=c.skill, level=c.level.value) for c in claims],
    "languages": lambda languages: [LanguageBody(code=lang.code, fluency=lang.fluency.value) for lang in languages],
    "weekly_availability": lambda windows: [
        WeeklyWindowBody(weekday=w.weekday.value, start=w.start.strftime("%H:%M"), end=w.end.strftime("%H:%M"))
        for w in windows
    ],
    "unavailable": lambda ranges: [DateRangeBody(start=r.start, end=r.end) for r in ranges],
    "reach": lambda reach: ReachBody(areas=list(reach.areas), whole_city=reach.whole_city, km=reach.km),
}


def profile_payload(source: Any) -> Json:
    """The members-service body for a profile input: given fields only; null only where it clears."""
    fields = {}
    for name in PROFILE_FIELDS:
        value = getattr(source, name, _UNSET)
        if value is _UNSET or (value is None and name not in CLEARABLE):
            continue
        fields[name] = _CONVERTERS[name](value) if value is not None and name in _CONVERTERS else value
    return ProfileFields.model_validate(fields).sent()
