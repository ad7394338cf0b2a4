"""The coalition's member organizations and the coordinators acting for each."""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from services.common.clock import as_utc
from services.common.http_api import Page, PageRequest
from services.common.problems import Conflict, NotFound
from services.tasks.models import (
    CoordinatorAdd,
    CoordinatorMembership,
    CoordinatorPublic,
    Organization,
    OrganizationCreate,
    OrganizationPublic,
)
from services.tasks.permissions import INVITES, check_known, require_manager, require_staff

if TYPE_CHECKING:  # the Call is built where the handlers are called
    from services.tasks.handlers import Call


def create_organization(call: Call, payload: OrganizationCreate) -> OrganizationPublic:
    require_staff(call.actor, "add an organization")
    taken = f"an organization named {payload.name!r} already exists"
    if call.session.exec(select(Organization.id).where(func.lower(Organization.name) == payload.name.lower())).first():
        raise Conflict(taken)
    organization = Organization(**payload.model_dump())
    call.session.add(organization)
    try:
        call.session.flush()
    except IntegrityError:  # created concurrently since the check above
        raise Conflict(taken) from None
    return to_public(organization)


def list_organizations(session: Session, page: PageRequest) -> Page[OrganizationPublic]:
    total = session.exec(select(func.count()).select_from(Organization)).one()
    rows = session.exec(select(Organization).order_by(Organization.name).offset(page.offset).limit(page.limit)).all()
    return Page(items=[to_public(row) for row in rows], total=total, limit=page.limit, offset=page.offset)


def get_organization(session: Session, organization_id: UUID) -> OrganizationPublic:
    return to_public(load_organization(session, organization_id))


def add_coordinator(call: Call, organization_id: UUID, payload: CoordinatorAdd) -> tuple[CoordinatorPublic, bool]:
    """Returns the membership and whether it is new (adding twice is harmless)."""
    require_staff(call.actor, "add coordinators to an organization", INVITES)
    load_organization(call.session, organization_id)
    existing = call.session.get(CoordinatorMembership, (organization_id, payload.coordinator_id))
    if existing is not None:
        return _membership_public(existing), False
    membership = CoordinatorMembership(organization_id=organization_id, coordinator_id=payload.coordinator_id)
    call.session.add(membership)
    try:
        call.session.flush()
    except IntegrityError:
        raise Conflict("this coordinator was added at the same moment by someone else; try again") from None
    return _membership_public(membership), True


def remove_coordinator(call: Call, organization_id: UUID, coordinator_id: UUID) -> None:
    require_staff(call.actor, "remove coordinators from an organization", INVITES)
    membership = call.session.get(CoordinatorMembership, (organization_id, coordinator_id))
    if membership is None:
        raise NotFound(f"coordinator {coordinator_id} does not act for organization {organization_id}")
    call.session.delete(membership)


def list_coordinators(call: Call, organization_id: UUID, page: PageRequest) -> Page[CoordinatorPublic]:
    check_known(call.actor)
    load_organization(call.session, organization_id)
    require_manager(call.session, call.actor, organization_id, "see this organization's coordinators")
    where = CoordinatorMembership.organization_id == organization_id
    total = call.session.exec(select(func.count()).select_from(CoordinatorMembership).where(where)).one()
    rows = call.session.exec(
        select(CoordinatorMembership)
        .where(where)
        .order_by(col(CoordinatorMembership.added_at), col(CoordinatorMembership.coordinator_id))
        .offset(page.offset)
        .limit(page.limit)
    ).all()
    return Page(items=[_membership_public(row) for row in rows], total=total, limit=page.limit, offset=page.offset)


def load_organization(session: Session, organization_id: UUID) -> Organization:
    organization = session.get(Organization, organization_id)
    if organization is None:
        raise NotFound(f"no organization with id {organization_id}; GET /organizations lists them")
    return organization


def to_public(organization: Organization) -> OrganizationPublic:
    return OrganizationPublic(
        id=organization.id,
        name=organization.name,
        description=organization.description,
        created_at=as_utc(organization.created_at),
    )


def _membership_public(membership: CoordinatorMembership) -> CoordinatorPublic:
    return CoordinatorPublic(
        organization_id=membership.organization_id,
        coordinator_id=membership.coordinator_id,
        added_at=as_utc(membership.added_at),
    )
