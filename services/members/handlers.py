"""What the members service does: register, read, change, pause, resume, reveal contacts.

Routes and consumers call these functions with a :class:`Call`; each runs inside the caller's
transaction and queues its events there (outbox), so a change and its event commit together.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from sqlmodel import Session, col, func, select

from services.common import catalogue
from services.common.clock import as_utc, utc_now
from services.common.contracts import MemberStatus
from services.common.http_api import Page, PageRequest
from services.common.problems import DomainError, NotFound
from services.common.roles import Actor
from services.common.topics import Topics
from services.members import audit, personal_data
from services.members.crypto import FieldCipher
from services.members.events import mark_active, publish_member_state
from services.members.fields import CHANNELS, Channel, NotificationSettings, Reach
from services.members.models import (
    NOTIFICATION_PURPOSE,
    AuditEntryPublic,
    ChannelOnFile,
    ContactPurpose,
    DeliveryAddress,
    ErasedMember,
    Member,
    MemberContact,
    MemberCreate,
    MemberName,
    MemberNames,
    MemberPublic,
    MemberUpdate,
    NamesRequest,
    PersonalData,
)
from services.members.permissions import NOTIFIER, SIGN_UP, STAFF, is_self, require_role, require_self_or
from services.members.taxonomy import check_claims

PERSONAL_FIELDS = ("display_name", "pronouns", "contacts")


class Erased(DomainError):
    status, slug, title = 410, "member-erased", "This member's profile was erased"


@dataclass(frozen=True)
class Call:
    """One call of a handler: the transaction it runs in, what it seals contacts and names topics
    with, and who is calling (the verified actor). Routes build one per request (``api.current_call``)."""

    session: Session
    cipher: FieldCipher
    topics: Topics
    actor: Actor


def register_member(call: Call, payload: MemberCreate) -> MemberPublic:
    require_role(call.actor, "volunteer", "coordinator", *STAFF, SIGN_UP, doing="register a member")
    check_claims(call.session, [claim.skill for claim in payload.skills], payload.area, payload.reach.areas)
    member = Member(**payload.model_dump(mode="json", exclude=set(PERSONAL_FIELDS)))
    personal = PersonalData(display_name=payload.display_name, pronouns=payload.pronouns, contacts=payload.contacts)
    member.personal_data = personal_data.seal(call.cipher, member.id, personal)
    call.session.add(member)
    audit.record(call.session, member.id, call.actor, "profile.registered", list(MemberCreate.model_fields))
    publish_member_state(call.session, call.topics, member, catalogue.MEMBER_REGISTERED)
    return to_public(member, personal)


def get_member(call: Call, member_id: UUID) -> MemberPublic:
    require_self_or(call.actor, member_id, "coordinator", *STAFF, doing="see this profile")
    member = load_member(call.session, member_id)
    return to_public(member, personal_data.unseal(call.cipher, member))


def list_members(call: Call, page: PageRequest, status: MemberStatus | None, area: str | None) -> Page[MemberPublic]:
    require_role(call.actor, *STAFF, doing="list members")
    query, counter = select(Member), select(func.count()).select_from(Member)
    for condition in _filters(status, area):
        query, counter = query.where(condition), counter.where(condition)
    total = call.session.exec(counter).one()
    rows = call.session.exec(
        query.order_by(col(Member.created_at), col(Member.id)).offset(page.offset).limit(page.limit)
    ).all()
    items = [to_public(member, personal_data.unseal(call.cipher, member)) for member in rows]
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


def update_member(call: Call, member_id: UUID, payload: MemberUpdate) -> MemberPublic:
    require_self_or(call.actor, member_id, *STAFF, doing="change this profile")
    member = load_member(call.session, member_id)
    changes = payload.model_dump(mode="json", exclude_unset=True)
    if not changes:  # nothing to change, nothing to audit or publish
        return to_public(member, personal_data.unseal(call.cipher, member))
    skills = [claim["skill"] for claim in changes["skills"]] if "skills" in changes else None
    if payload.reach is not None:  # replaced as a whole, like contacts
        changes["reach"] = payload.reach.model_dump(mode="json")
    reach_areas = changes["reach"]["areas"] if changes.get("reach") else None
    check_claims(call.session, skills, changes.get("area"), reach_areas)
    personal = personal_data.unseal(call.cipher, member)
    if any(name in changes for name in PERSONAL_FIELDS):
        personal = _changed_personal(personal, payload)
        member.personal_data = personal_data.seal(call.cipher, member.id, personal)
    if "notifications" in changes:
        changes["notifications"] = _merged_notifications(member, changes["notifications"])
    for name, value in changes.items():
        if name not in PERSONAL_FIELDS:
            setattr(member, name, value)
    _touch(call, member)
    audit.record(call.session, member.id, call.actor, "profile.updated", _changed_field_names(changes))
    publish_member_state(call.session, call.topics, member, catalogue.MEMBER_UPDATED)
    return to_public(member, personal)


def set_paused(call: Call, member_id: UUID, paused: bool) -> MemberPublic:
    """Pause (no offers until resumed) or resume; repeating either is harmless."""
    require_self_or(call.actor, member_id, *STAFF, doing="pause or resume this profile")
    member = load_member(call.session, member_id)
    wanted = MemberStatus.paused if paused else MemberStatus.active
    if member.status != wanted.value:
        member.status = wanted.value
        _touch(call, member)
        action = "paused" if paused else "resumed"
        audit.record(call.session, member.id, call.actor, f"profile.{action}", ["status"])
        event = catalogue.MEMBER_PAUSED if paused else catalogue.MEMBER_RESUMED
        publish_member_state(call.session, call.topics, member, event)
    return to_public(member, personal_data.unseal(call.cipher, member))


def record_activity(call: Call, member_id: UUID) -> None:
    """The member used the platform (the gateway reports sign-ins); resets the retention clock."""
    require_self_or(call.actor, member_id, "system", doing="record activity for this member")
    member = load_member(call.session, member_id)
    mark_active(member, utc_now())
    call.session.add(member)


def read_contact(call: Call, member_id: UUID, purpose: ContactPurpose, task_id: UUID | None) -> MemberContact:
    """Contact channels the member consented to, and an audit entry saying who asked and why."""
    require_self_or(call.actor, member_id, "coordinator", *STAFF, doing="read this member's contact details")
    member = load_member(call.session, member_id)
    personal = personal_data.unseal(call.cipher, member)
    shared = {name: channel.value for name, channel in personal.contacts.channels().items() if channel.consent}
    revealed = ["display_name", "pronouns"] + [f"contacts.{name}" for name in shared]
    audit.record(call.session, member.id, call.actor, "contact.read", revealed, purpose.value, task_id)
    return MemberContact(member_id=member.id, display_name=personal.display_name, pronouns=personal.pronouns, **shared)


def read_names(call: Call, request: NamesRequest) -> MemberNames:
    """Display names only (no contact), for coordinators and staff; each member's audit log says
    who read their name and why."""
    require_role(call.actor, "coordinator", *STAFF, doing="read members' names")
    wanted = list(dict.fromkeys(request.member_ids))
    found = {member.id: member for member in call.session.exec(select(Member).where(col(Member.id).in_(wanted)))}
    names = []
    for member_id in wanted:
        member = found.get(member_id)
        if member is None:
            continue
        names.append(
            MemberName(member_id=member_id, display_name=personal_data.unseal(call.cipher, member).display_name)
        )
        audit.record(call.session, member_id, call.actor, "name.read", ["display_name"], request.purpose.value)
    return MemberNames(names=names, missing=[member_id for member_id in wanted if member_id not in found])


def read_delivery_address(call: Call, member_id: UUID, channel: Channel) -> DeliveryAddress:
    """The member's own address on ``channel``, for the notifications service only, audited.

    The coordinators' consent flag does not apply: this address is for the platform's own messages
    to the member, which they control in their profile, not for passing on to anyone.
    """
    require_role(call.actor, NOTIFIER, doing="read a delivery address")
    member = load_member(call.session, member_id)
    on_file = personal_data.unseal(call.cipher, member).contacts.channels().get(channel)
    if on_file is None:
        return DeliveryAddress(member_id=member.id, channel=channel)
    audit.record(
        call.session,
        member.id,
        call.actor,
        "contact.read_for_notification",
        [f"contacts.{channel}"],
        NOTIFICATION_PURPOSE,
    )
    return DeliveryAddress(member_id=member.id, channel=channel, address=on_file.value)


def audit_log(call: Call, member_id: UUID, page: PageRequest) -> Page[AuditEntryPublic]:
    require_self_or(call.actor, member_id, *STAFF, doing="read this member's audit log")
    if call.session.get(Member, member_id) is None and not audit.has_entries(call.session, member_id):
        raise NotFound(f"no member with id {member_id}")
    return audit.entries_of(call.session, member_id, page)


def load_member(session: Session, member_id: UUID) -> Member:
    member = session.get(Member, member_id)
    if member is not None:
        return member
    erased = session.get(ErasedMember, member_id)
    if erased is not None:
        raise Erased(f"member {member_id} was erased on {as_utc(erased.erased_at):%Y-%m-%d}; nothing is kept")
    raise NotFound(f"no member with id {member_id}")


def to_public(member: Member, personal: PersonalData) -> MemberPublic:
    channels = [ChannelOnFile(channel=name, consent=c.consent) for name, c in personal.contacts.channels().items()]
    return MemberPublic(
        id=member.id,
        status=MemberStatus(member.status),
        display_name=personal.display_name,
        pronouns=personal.pronouns,
        contact_channels=channels,
        skills=member.skills,
        languages=member.languages,
        weekly_availability=member.weekly_availability,
        unavailable=member.unavailable,
        area=member.area,
        remote_ok=member.remote_ok,
        max_tasks_per_month=member.max_tasks_per_month,
        interests=member.interests,
        notifications=NotificationSettings.stored(member.notifications),
        reach=Reach.model_validate(member.reach or {}),
        created_at=as_utc(member.created_at),
        updated_at=as_utc(member.updated_at),
    )


def _changed_personal(personal: PersonalData, payload: MemberUpdate) -> PersonalData:
    # Left out is None (a name and contacts cannot be sent as null); null pronouns clear them.
    return PersonalData(
        display_name=personal.display_name if payload.display_name is None else payload.display_name,
        pronouns=payload.pronouns if "pronouns" in payload.model_fields_set else personal.pronouns,
        contacts=personal.contacts if payload.contacts is None else payload.contacts,
    )


def _merged_notifications(member: Member, changes: dict) -> dict:
    return NotificationSettings.stored(member.notifications).merged(changes).model_dump(mode="json")


def _changed_field_names(changes: dict) -> list[str]:
    names = [name for name in changes if name != "contacts"]
    if "contacts" in changes:
        names += [f"contacts.{channel}" for channel in CHANNELS]
    return names


def _touch(call: Call, member: Member) -> None:
    member.updated_at = utc_now()
    if is_self(call.actor, member.id):
        mark_active(member, member.updated_at)
    call.session.add(member)


def _filters(status: MemberStatus | None, area: str | None) -> list:
    conditions = []
    if status is not None:
        conditions.append(Member.status == status.value)
    if area is not None:
        conditions.append(Member.area == area)
    return conditions
