"""Who may do what to a member profile. The gateway authenticates; this service authorizes.

Roles arrive in X-Actor-Role / X-Actor-Id. A volunteer acts on their own profile only;
coordinators may read a profile and, through the audited endpoint, its contacts; admins and the
system (other services, scheduled jobs) may do anything. The notifications service acts as
``notifier``: it may read a member's delivery address (audited) and nothing else.
"""

from __future__ import annotations

from uuid import UUID

from services.common.deps import Actor
from services.common.problems import Forbidden

NOTIFIER = "notifier"
ROLES = ("volunteer", "coordinator", "admin", "system", NOTIFIER)
STAFF = ("admin", "system")


def check_known(actor: Actor) -> None:
    if actor.role not in ROLES:
        raise Forbidden(f"unknown role {actor.role!r}; X-Actor-Role must be one of {', '.join(ROLES)}")
    if actor.role in ("volunteer", "coordinator") and actor.id is None:
        raise Forbidden(f"a {actor.role} must be identified: send X-Actor-Id")


def require_role(actor: Actor, *roles: str, doing: str) -> None:
    check_known(actor)
    if actor.role not in roles:
        raise Forbidden(f"a {actor.role} may not {doing}; this needs one of: {', '.join(roles)}")


def require_self_or(actor: Actor, member_id: UUID, *roles: str, doing: str) -> None:
    """The member themself, or someone in ``roles``."""
    check_known(actor)
    if is_self(actor, member_id):
        return
    if actor.role not in roles:
        raise Forbidden(f"only the member themself or one of ({', '.join(roles)}) may {doing}")


def is_self(actor: Actor, member_id: UUID) -> bool:
    # A coordinator is usually a member too, and keeps their own profile like anyone else.
    return actor.role in ("volunteer", "coordinator") and actor.id == member_id
