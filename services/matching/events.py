"""Outgoing events: every change of an offer or of a task's fill goes on the offers topic.

Events are written through the outbox in the transaction that made the change, keyed by task id so
one task's history stays in order on one partition. The gateway and the tasks service consume them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from sqlmodel import Session

from services.common.contracts import OfferChanged, TaskFillChanged
from services.common.envelope import wrap
from services.common.observability import OFFER_RESPONSE_SECONDS, OFFERS_BY_OUTCOME
from services.common.outbox import add_event
from services.matching.capacity import Fill
from services.matching.models import Offer, as_utc

SOURCE = "matching"


ANSWERS = {"accepted", "declined"}


def offer_changed(session: Session, topic: str, offer: Offer, change: str) -> None:
    """``change`` is the verb of the event type: created, accepted, declined, expired, withdrawn..."""
    payload = OfferChanged(
        offer_id=offer.id,
        task_id=offer.task_id,
        member_id=offer.member_id,
        status=offer.status,
        reasons=list(offer.reasons),
        expires_at=as_utc(offer.expires_at),
        withdrawn_because=offer.withdrawn_because,
    )
    add_event(session, topic, str(offer.task_id), wrap(f"offer.{change}", payload, SOURCE))
    _count_outcome(offer, change)


def _count_outcome(offer: Offer, change: str) -> None:
    """Offers by outcome, and how long volunteers took to answer."""
    OFFERS_BY_OUTCOME.labels(change).inc()
    if change in ANSWERS and offer.created_at is not None:
        waited = (datetime.now(UTC) - as_utc(offer.created_at)).total_seconds()
        OFFER_RESPONSE_SECONDS.labels(change).observe(max(waited, 0.0))


def task_fill_changed(session: Session, topic: str, task_id: UUID, fill: Fill, change: str) -> None:
    """``change`` is ``filled`` or ``reopened``."""
    payload = TaskFillChanged(task_id=task_id, slots=fill.slots, accepted=fill.accepted)
    add_event(session, topic, str(task_id), wrap(f"task.{change}", payload, SOURCE))
