"""Who acts, as every service and the gateway name it: an :class:`Actor` (an id and a role), the
roles a person or the system acts in, and the one check that a service token's role is known.

Which issuer may assert which role is the identity package's business (``DEFAULT_ISSUER_ROLES``);
what each role may do is each service's (its ``permissions`` module).
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from services.common.problems import Forbidden

# The roles every service knows. Services acting on their own account (the gateway at sign-up, a
# notifier, the taxonomy reader) and the public are known only to the checks that name them.
ROLES = ("volunteer", "coordinator", "admin", "system")
# May do anything: admins, and the system (the services' own command-line tools and jobs).
STAFF = ("admin", "system")
# Roles a person holds: a token asserting one must say who (its subject).
PERSONAL = ("volunteer", "coordinator")


@dataclass(frozen=True)
class Actor:
    """Who is acting: in a service, what a verified service token says; in the gateway, whom it
    acts for (a signed-in person, the public, or itself). Used for authorization and the audit log."""

    id: UUID | None
    role: str

    @property
    def label(self) -> str:
        return f"{self.role}:{self.id}" if self.id else self.role


def check_known(actor: Actor, *named: str) -> None:
    """Refuses a role no service knows (unless the caller's check ``named`` it) and a person's role
    without a subject."""
    if actor.role not in ROLES and actor.role not in named:
        raise Forbidden(f"unknown role {actor.role!r}; a service token's role must be one of {', '.join(ROLES)}")
    if actor.role in PERSONAL and actor.id is None:
        raise Forbidden(f"a {actor.role} must be identified: the token needs a subject")
