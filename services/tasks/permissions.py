"""Who may manage which tasks: coordinators act for the organizations they belong to.

The gateway authenticates and sets X-Actor-Role / X-Actor-Id; this service authorizes. Admins and
the system (other services, jobs) may do anything; volunteers only read.
"""

from __future__ import annotations

from uuid import UUID

from sqlmodel import Session

from services.common.deps import Actor
from services.common.problems import Forbidden
from services.tasks.models import CoordinatorMembership

ROLES = ("volunteer", "coordinator", "admin", "system")
STAFF = ("admin", "system")


def check_known(actor: Actor) -> None:
    if actor.role not in ROLES:
        raise Forbidden(f"unknown role {actor.role!r}; X-Actor-Role must be one of {', '.join(ROLES)}")
    if actor.role in ("volunteer", "coordinator") and actor.id is None:
        raise Forbidden(f"a {actor.role} must be identified: send X-Actor-Id")


def require_staff(actor: Actor, doing: str) -> None:
    check_known(actor)
    if actor.role not in STAFF:
        raise Forbidden(f"only an admin may {doing}")


def acts_for(session: Session, coordinator_id: UUID, organization_id: UUID) -> bool:
    return session.get(CoordinatorMembership, (organization_id, coordinator_id)) is not None


def require_manager(session: Session, actor: Actor, organization_id: UUID, doing: str) -> None:
    """Admins, the system, or a coordinator acting for ``organization_id``."""
    check_known(actor)
    if actor.role in STAFF:
        return
    if actor.role == "coordinator" and acts_for(session, actor.id, organization_id):
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
