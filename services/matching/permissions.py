"""Who may read what from the matching service. Every call carries a verified service token
(``services.common.deps.get_actor``); this says which of those callers each read is for, so that a
token made for one purpose opens nothing else (never default-allow).

- Offers name members: the gateway's coordinators and admins, the gateway on its own account and
  operators read them; a volunteer reads their own only; nobody else (the public, the
  notifications service, the tasks service's taxonomy reader).
- How far tasks have filled: anyone the gateway acts for (the public widget shows counts), and
  operators; not the other services' single-purpose roles.
- Why a task is not filling (counts only, no member): the people who run tasks (coordinators,
  admins), the gateway and operators; and the notifications service, whose "task at risk" mail
  to the coordinator says why in plain words. It is the one read the ``notifier`` role has here.
"""

from __future__ import annotations

from uuid import UUID

from services.common.problems import Forbidden
from services.common.roles import Actor

OFFER_READERS = frozenset({"volunteer", "coordinator", "admin", "gateway", "system"})
FILL_READERS = frozenset({"public", "volunteer", "coordinator", "admin", "gateway", "system"})
DIAGNOSIS_READERS = frozenset({"coordinator", "admin", "gateway", "system", "notifier"})


def require_reader(actor: Actor, allowed: frozenset[str], doing: str) -> None:
    if actor.role not in allowed:
        raise Forbidden(f"a caller acting as {actor.role!r} may not {doing}")


def require_offer_reader(actor: Actor, member_id: UUID | None) -> None:
    """Offers of ``member_id`` (None: of anyone, e.g. of some tasks)."""
    require_reader(actor, OFFER_READERS, "read offers")
    if actor.role == "volunteer" and (actor.id is None or member_id != actor.id):
        raise Forbidden("a volunteer reads their own offers only: give member_id, theirs")
