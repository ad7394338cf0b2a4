"""HTTP routes of the notifications service (health, readiness and metrics come from the runtime)."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from sqlmodel import Session

from services.common.deps import get_actor, unit_of_work
from services.common.http_api import problem_responses
from services.common.problems import Forbidden
from services.common.roles import Actor
from services.notifications import handlers
from services.notifications.models import DeliveryCounts

router = APIRouter(tags=["deliveries"], responses=problem_responses(403))
ADMINS = ("admin", "system")


@router.get("/deliveries/counts", summary="How many messages are queued, sent, failed or dropped (admins)")
def delivery_counts(actor: Actor = Depends(get_actor), session: Session = unit_of_work) -> DeliveryCounts:
    if actor.role not in ADMINS:
        raise Forbidden(f"a {actor.role} may not see delivery counts; this needs one of: {', '.join(ADMINS)}")
    return handlers.delivery_counts(session)
