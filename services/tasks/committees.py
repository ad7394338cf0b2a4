"""Committees of the coalition and their leads: admins create them and name the leads."""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from services.common.clock import as_utc
from services.common.http_api import Page, PageRequest
from services.common.problems import Conflict, Forbidden, Invalid, NotFound
from services.tasks.committee_models import (
    Committee,
    CommitteeCreate,
    CommitteeLead,
    CommitteePublic,
    LeadAdd,
    LeadPublic,
)
from services.tasks.organizations import load_organization
from services.tasks.permissions import STAFF, can_manage, check_known, leads, require_staff

if TYPE_CHECKING:  # the Call is built where the handlers are called
    from services.tasks.handlers import Call


def create_committee(call: Call, payload: CommitteeCreate) -> CommitteePublic:
    require_staff(call.actor, "create a committee")
    if payload.organization_id is not None:
        load_organization(call.session, payload.organization_id)
    taken = f"a committee named {payload.name!r} already exists"
    if call.session.exec(select(Committee.id).where(func.lower(Committee.name) == payload.name.lower())).first():
        raise Conflict(taken)
    committee = Committee(**payload.model_dump())
    call.session.add(committee)
    try:
        call.session.flush()
    except IntegrityError:  # created concurrently since the check above
        raise Conflict(taken) from None
    return to_public(committee)


def list_committees(
    call: Call, page: PageRequest, organization_id: UUID | None = None, led_by: UUID | None = None
) -> Page[CommitteePublic]:
    """Every committee, or an organization's (with the coalition's own), or those ``led_by`` leads."""
    check_known(call.actor)
    query, counting = select(Committee), select(func.count()).select_from(Committee)
    if organization_id is not None:
        where = (col(Committee.organization_id) == organization_id) | (col(Committee.organization_id).is_(None))
        query, counting = query.where(where), counting.where(where)
    if led_by is not None:
        if call.actor.role not in STAFF and call.actor.id != led_by:
            raise Forbidden("you may only ask which committees you lead yourself")
        led = select(CommitteeLead.committee_id).where(CommitteeLead.lead_id == led_by)
        query, counting = query.where(col(Committee.id).in_(led)), counting.where(col(Committee.id).in_(led))
    total = call.session.exec(counting).one()
    rows = call.session.exec(query.order_by(Committee.name).offset(page.offset).limit(page.limit)).all()
    return Page(items=[to_public(row) for row in rows], total=total, limit=page.limit, offset=page.offset)


def get_committee(call: Call, committee_id: UUID) -> CommitteePublic:
    return to_public(load_committee(call.session, committee_id))


def add_lead(call: Call, committee_id: UUID, payload: LeadAdd) -> tuple[LeadPublic, bool]:
    """Returns the lead and whether it is new (naming a lead twice is harmless)."""
    require_staff(call.actor, "name a committee's leads")
    load_committee(call.session, committee_id)
    existing = call.session.get(CommitteeLead, (committee_id, payload.lead_id))
    if existing is not None:
        return _lead_public(existing), False
    lead = CommitteeLead(committee_id=committee_id, lead_id=payload.lead_id)
    call.session.add(lead)
    try:
        call.session.flush()
    except IntegrityError:
        raise Conflict("this lead was named at the same moment by someone else; try again") from None
    return _lead_public(lead), True


def remove_lead(call: Call, committee_id: UUID, lead_id: UUID) -> None:
    require_staff(call.actor, "remove a committee's leads")
    lead = call.session.get(CommitteeLead, (committee_id, lead_id))
    if lead is None:
        raise NotFound(f"{lead_id} does not lead committee {committee_id}")
    call.session.delete(lead)


def list_leads(call: Call, committee_id: UUID, page: PageRequest) -> Page[LeadPublic]:
    """For admins, the committee's own leads, and the coordinators of its organization."""
    check_known(call.actor)
    committee = load_committee(call.session, committee_id)
    organization_manager = committee.organization_id is not None and can_manage(
        call.session, call.actor, committee.organization_id
    )
    lead_id = call.actor.id if call.actor.role == "coordinator" else None
    own_lead = lead_id is not None and leads(call.session, lead_id, committee_id)
    if call.actor.role not in STAFF and not organization_manager and not own_lead:
        raise Forbidden("only admins, the committee's leads and its organization's coordinators see its leads")
    where = CommitteeLead.committee_id == committee_id
    total = call.session.exec(select(func.count()).select_from(CommitteeLead).where(where)).one()
    rows = call.session.exec(
        select(CommitteeLead)
        .where(where)
        .order_by(col(CommitteeLead.added_at), col(CommitteeLead.lead_id))
        .offset(page.offset)
        .limit(page.limit)
    ).all()
    return Page(items=[_lead_public(row) for row in rows], total=total, limit=page.limit, offset=page.offset)


def load_committee(session: Session, committee_id: UUID) -> Committee:
    committee = session.get(Committee, committee_id)
    if committee is None:
        raise NotFound(f"no committee with id {committee_id}; GET /committees lists them")
    return committee


def check_committee_fits(session: Session, committee_id: UUID | None, organization_id: UUID) -> None:
    """A task's committee must exist and be its organization's or the whole coalition's."""
    if committee_id is None:
        return
    committee = session.get(Committee, committee_id)
    if committee is None:
        raise Invalid(f"no committee with id {committee_id}; GET /committees lists them")
    if committee.organization_id not in (None, organization_id):
        raise Invalid(f"committee {committee.name!r} belongs to another organization than the task's")


def to_public(committee: Committee) -> CommitteePublic:
    return CommitteePublic(
        id=committee.id,
        organization_id=committee.organization_id,
        name=committee.name,
        description=committee.description,
        created_at=as_utc(committee.created_at),
    )


def _lead_public(lead: CommitteeLead) -> LeadPublic:
    return LeadPublic(committee_id=lead.committee_id, lead_id=lead.lead_id, added_at=as_utc(lead.added_at))
