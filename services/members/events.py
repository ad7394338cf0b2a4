"""Events the members service publishes (MemberState, tombstones) and the ones it consumes.

A MemberState carries everything matching needs and nothing personal: no name, pronouns or
contacts, only the opaque member id. It is built from the plaintext columns alone, so building it
never even opens the sealed personal data.
"""

from __future__ import annotations

import logging
from datetime import datetime
from uuid import UUID

from sqlalchemy.engine import Engine
from sqlmodel import Session

from services.common import catalogue
from services.common.catalogue import EventType
from services.common.clock import as_utc
from services.common.contracts import (
    DateRange,
    Fluency,
    LanguageClaim,
    MemberState,
    MemberStatus,
    MessageDetail,
    NotificationPreferences,
    OfferChanged,
    OfferStatus,
    QuietHours,
    Reach,
    SkillClaim,
    SkillLevel,
    Weekday,
    WeeklyWindow,
)
from services.common.dispatch import Event, Subscription
from services.common.envelope import wrap
from services.common.outbox import add_event, add_tombstone
from services.common.republish import Source, refill
from services.common.settings import ServiceSettings
from services.common.topics import OFFERS_EVENTS, Topics
from services.members.models import ErasedMember, Member

log = logging.getLogger(__name__)
SOURCE = "members"

# Offer outcomes that only the member themself can cause: they show the profile is in use.
MEMBER_ANSWERS = {OfferStatus.accepted, OfferStatus.declined, OfferStatus.cancelled_by_volunteer}


def member_state(member: Member) -> MemberState:
    return MemberState(
        member_id=member.id,
        status=MemberStatus(member.status),
        skills=[SkillClaim(skill=c["skill"], level=SkillLevel[c["level"]]) for c in member.skills],
        languages=[LanguageClaim(code=c["code"], fluency=Fluency[c["fluency"]]) for c in member.languages],
        weekly_availability=[
            WeeklyWindow(weekday=Weekday[w["weekday"]], start=w["start"], end=w["end"])
            for w in member.weekly_availability
        ],
        unavailable=[DateRange(start=r["start"], end=r["end"]) for r in member.unavailable],
        area=member.area,
        remote_ok=member.remote_ok,
        max_tasks_per_month=member.max_tasks_per_month,
        interests=list(member.interests),
        notifications=notification_preferences(member.notifications),
        reach=Reach.model_validate(member.reach or {}),
        committees=[UUID(committee) for committee in member.committees],
    )


def notification_preferences(stored: dict) -> NotificationPreferences:
    quiet = stored.get("quiet_hours")
    return NotificationPreferences(
        email=stored["email"],
        detail=MessageDetail(stored["detail"]),
        quiet_hours=QuietHours(start=quiet["start"], end=quiet["end"], time_zone=quiet["time_zone"]) if quiet else None,
    )


def publish_member_state(session: Session, topics: Topics, member: Member, event_type: EventType) -> None:
    """Queue the member's full matching state in the caller's transaction (outbox)."""
    add_event(session, topics.members_state, str(member.id), wrap(event_type, member_state(member), SOURCE))


def publish_erasure(session: Session, topics: Topics, member_id) -> None:
    """A tombstone: compaction forgets the member, and every consumer drops them."""
    add_tombstone(session, topics.members_state, str(member_id))


def republish(engine: Engine, settings: ServiceSettings, only: list[UUID] | None = None) -> dict[str, int]:
    """Refill members.state from this database (see ``services.common.republish``)."""
    topics = settings.topics
    return refill(
        engine,
        settings,
        {
            "members": Source(
                Member, lambda session, m: publish_member_state(session, topics, m, catalogue.MEMBER_REPUBLISHED)
            ),
            "erasures": Source(
                ErasedMember, lambda session, e: publish_erasure(session, topics, e.member_id), "member_id"
            ),
        },
        only,
    )


def offer_answers(topics: Topics) -> Subscription:
    """Consumer of offers.events: a member answering an offer counts as using the platform."""
    answers = {catalogue.OFFER_EVENT_FOR[status]: member_answered for status in MEMBER_ANSWERS}
    others = [event for event in catalogue.types_on(OFFERS_EVENTS) if event not in answers]
    return Subscription(topics, answers, ignores=others)


def member_answered(session: Session, event: Event[OfferChanged]) -> None:
    member = session.get(Member, event.payload.member_id)
    if member is not None:
        mark_active(member, event.occurred_at)
        session.add(member)


def mark_active(member: Member, moment: datetime) -> None:
    if as_utc(moment) > as_utc(member.last_active_at):
        member.last_active_at = as_utc(moment)
