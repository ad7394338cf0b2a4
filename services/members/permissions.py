"""Who may do what to a member profile. The gateway authenticates; this service authorizes.

Roles arrive in a verified service token (services/common/identity). A volunteer acts on their
own profile only; coordinators may read a profile and, through the audited endpoint, its contacts;
admins and the system (the services' own tools and jobs) may do anything. The gateway, on its own
account, creates a profile at sign-up and erases it when the sign-up fails. A notifier (the
notifications service) may do one thing: read a member's delivery address (audited), to reach them.
"""

from __future__ import annotations

from uuid import UUID

from services.common.identity import NOTIFIER as NOTIFIER_ROLE
from services.common.problems import Forbidden
from services.common.roles import STAFF as STAFF  # re-exported: this service's handlers name it from here
from services.common.roles import Actor, check_known

# Services acting on their own account: known only to the checks that name them.
SIGN_UP = "gateway"
NOTIFIER = NOTIFIER_ROLE


def require_role(actor: Actor, *roles: str, doing: str) -> None:
    check_known(actor, *roles)
    if actor.role not in roles:
        raise Forbidden(f"a {actor.role} may not {doing}; this needs one of: {', '.join(roles)}")


def require_self_or(actor: Actor, member_id: UUID, *roles: str, doing: str) -> None:
    """The member themself, or someone in ``roles``."""
    check_known(actor, *roles)
    if is_self(actor, member_id):
        return
    if actor.role not in roles:
        raise Forbidden(f"only the member themself or one of ({', '.join(roles)}) may {doing}")


def is_self(actor: Actor, member_id: UUID) -> bool:
    # A coordinator is usually a member too, and keeps their own profile like anyone else.
    return actor.role in ("volunteer", "coordinator") and actor.id == member_id
