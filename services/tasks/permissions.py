"""Who may manage which tasks: coordinators act for the organizations they belong to; a
committee's leads manage the tasks of that committee, and only those.

The gateway authenticates and signs a service token saying who acts (services/common/identity);
this service authorizes. Admins and the system (the services' own tools) may do anything;
volunteers only read. The gateway, on its own account, adds a coordinator who redeems an invite.
"""

from __future__ import annotations

from uuid import UUID

from sqlmodel import Session

from services.common.problems import Forbidden
from services.common.roles import STAFF, Actor, check_known
from services.tasks.committee_models import CommitteeLead
from services.tasks.models import CoordinatorMembership

# The gateway on its own account, known only to the checks that name it.
INVITES = "gateway"
# Anonymous visitors and partner widgets, through the gateway: they read open tasks, never a
# committee's members-only ones.
PUBLIC = "public"


def sees_members_only(actor: Actor) -> bool:
    return actor.role != PUBLIC


def require_staff(actor: Actor, doing: str, *also: str) -> None:
    """Admins and the system, and the roles in ``also``."""
    check_known(actor, *also)
    if actor.role not in (*STAFF, *also):
        raise Forbidden(f"only an admin may {doing}")


def acts_for(session: Session, coordinator_id: UUID, organization_id: UUID) -> bool:
    return session.get(CoordinatorMembership, (organization_id, coordinator_id)) is not None


def require_manager(session: Session, actor: Actor, organization_id: UUID, doing: str) -> None:
    """Admins, the system, or a coordinator acting for ``organization_id``."""
    check_known(actor)
    if actor.role in STAFF:
        return
    if actor.role == "coordinator" and actor.id is not None and acts_for(session, actor.id, organization_id):
        return
    if actor.role == "coordinator":
        raise Forbidden(
            f"you do not act for organization {organization_id}, so you may not {doing}; "
            "an admin can add you with POST /organizations/{id}/coordinators"
        )
    raise Forbidden(f"a {actor.role} may not {doing}; coordinators of the task's organization can")


def can_manage(session: Session, actor: Actor, organization_id: UUID) -> bool:
    if actor.role in STAFF:
        return True
    return actor.role == "coordinator" and actor.id is not None and acts_for(session, actor.id, organization_id)


def leads(session: Session, lead_id: UUID, committee_id: UUID | None) -> bool:
    return committee_id is not None and session.get(CommitteeLead, (committee_id, lead_id)) is not None


def can_manage_task(session: Session, actor: Actor, organization_id: UUID, committee_id: UUID | None) -> bool:
    """Admins, the system, a coordinator acting for the organization, or a lead of the committee."""
    if can_manage(session, actor, organization_id):
        return True
    return actor.role == "coordinator" and actor.id is not None and leads(session, actor.id, committee_id)


def require_task_manager(
    session: Session, actor: Actor, organization_id: UUID, committee_id: UUID | None, doing: str
) -> None:
    """As :func:`require_manager`, letting the leads of ``committee_id`` in too."""
    if committee_id is None:
        return require_manager(session, actor, organization_id, doing)
    check_known(actor)
    if can_manage_task(session, actor, organization_id, committee_id):
        return
    if actor.role == "coordinator":
        raise Forbidden(
            f"you neither act for organization {organization_id} nor lead the task's committee, so you may not {doing}"
        )
    raise Forbidden(f"a {actor.role} may not {doing}; the task's coordinators and committee leads can")
