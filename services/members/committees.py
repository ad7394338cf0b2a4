"""Which committees a member joined: part of their profile, on ``MemberState.committees``, so
that matching offers a members-only task only to its committee's members.

The committees themselves (names, leads) belong to the tasks service; here a committee is an
opaque id, and the gateway checks that it exists before a member joins it.
"""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel

from services.common import catalogue
from services.common.clock import as_utc, utc_now
from services.common.problems import Conflict
from services.members import audit
from services.members.events import publish_member_state
from services.members.handlers import Call, load_member
from services.members.permissions import STAFF, is_self, require_self_or

MAX_COMMITTEES = 30


class MemberCommittees(BaseModel):
    member_id: UUID
    committees: list[UUID]


def committees_of(call: Call, member_id: UUID) -> MemberCommittees:
    require_self_or(call.actor, member_id, *STAFF, doing="see which committees this member joined")
    return _public(load_member(call.session, member_id))


def set_membership(call: Call, member_id: UUID, committee_id: UUID, joined: bool) -> MemberCommittees:
    """Join or leave; repeating either is harmless and publishes nothing."""
    require_self_or(call.actor, member_id, *STAFF, doing="change this member's committees")
    member = load_member(call.session, member_id)
    current = list(member.committees)
    if (str(committee_id) in current) == joined:
        return _public(member)
    if joined and len(current) >= MAX_COMMITTEES:
        raise Conflict(f"a member may belong to at most {MAX_COMMITTEES} committees; leave one first")
    member.committees = current + [str(committee_id)] if joined else [c for c in current if c != str(committee_id)]
    member.updated_at = utc_now()
    if is_self(call.actor, member.id) and as_utc(member.updated_at) > as_utc(member.last_active_at):
        member.last_active_at = member.updated_at
    call.session.add(member)
    audit.record(
        call.session, member.id, call.actor, "committee.joined" if joined else "committee.left", ["committees"]
    )
    publish_member_state(call.session, call.topics, member, catalogue.MEMBER_UPDATED)
    return _public(member)


def _public(member) -> MemberCommittees:
    return MemberCommittees(member_id=member.id, committees=[UUID(c) for c in member.committees])
