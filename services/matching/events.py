"""Outgoing events: every change of an offer or of a task's fill goes on the offers topic.

Events are written through the outbox in the transaction that made the change, keyed by task id so
one task's history stays in order on one partition. The gateway and the tasks service consume them.
Each change also notes its task on the session, so the worker looks at that task once the
transaction commits (see ``work``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from sqlalchemy import select
from sqlmodel import Session, col

from services.common.catalogue import FILL_COMPLETED, FILL_REOPENED, OFFER_EVENT_FOR
from services.common.clock import as_utc
from services.common.contracts import FillChanged, OfferChanged, OfferStatus
from services.common.envelope import wrap
from services.common.observability import OFFER_RESPONSE_SECONDS, OFFERS_BY_OUTCOME
from services.common.outbox import add_event
from services.matching import loads
from services.matching.capacity import Fill
from services.matching.models import MatchingTask, Offer
from services.matching.work import expiring, freed, touched

SOURCE = "matching"


ANSWERS = {OfferStatus.accepted, OfferStatus.declined}
# An offer's stage, its per-offer sequence: offered, then answered or ended, then released. Every
# change moves it to a later stage (the lifecycle has no way back), so a reader keeps the highest.
STAGE = {
    OfferStatus.pending: 1,
    OfferStatus.accepted: 2,
    OfferStatus.declined: 2,
    OfferStatus.expired: 2,
    OfferStatus.cancelled_by_volunteer: 3,
}


def offer_sequence(offer: Offer) -> int:
    if offer.status == OfferStatus.withdrawn:
        return 3 if offer.accepted_at is not None else 2  # withdrawn after a yes, or before any answer
    return STAGE[offer.status]


# The statuses an offer takes when it stops waiting for an answer (a withdrawal may also follow an
# acceptance: the member is then looked at for nothing, which costs an in-memory check).
LEFT_WAITING = {OfferStatus.accepted, OfferStatus.declined, OfferStatus.expired, OfferStatus.withdrawn}


def offer_changed(session: Session, topic: str, offer: Offer, task_title: str | None = None) -> None:
    """Tell the offer's new status: offer.created for a new one, offer.<status> after that.

    The event carries what a volunteer's view of the offer shows (its task's title, when it was
    made), so the gateway tells its subscribers without calling back."""
    if task_title is None:
        task_title = session.scalar(select(col(MatchingTask.title)).where(col(MatchingTask.task_id) == offer.task_id))
    payload = OfferChanged(
        offer_id=offer.id,
        task_id=offer.task_id,
        member_id=offer.member_id,
        status=offer.status,
        reasons=list(offer.reasons),
        expires_at=as_utc(offer.expires_at),
        withdrawn_because=offer.withdrawn_because,
        sequence=offer_sequence(offer),
        task_title=task_title,
        created_at=as_utc(offer.created_at),
    )
    event = OFFER_EVENT_FOR[offer.status]
    add_event(session, topic, str(offer.task_id), wrap(event, payload, SOURCE))
    touched(session, offer.task_id)
    loads.changed(session)
    if offer.status == OfferStatus.pending:
        expiring(session, as_utc(offer.expires_at))
    if offer.status in LEFT_WAITING:
        freed(session, offer.member_id)
    _count_outcome(offer, event.name.split(".", 1)[1])


def _count_outcome(offer: Offer, change: str) -> None:
    """Offers by outcome, and how long volunteers took to answer."""
    OFFERS_BY_OUTCOME.labels(change).inc()
    if offer.status in ANSWERS and offer.created_at is not None:
        waited = (datetime.now(UTC) - as_utc(offer.created_at)).total_seconds()
        OFFER_RESPONSE_SECONDS.labels(change).observe(max(waited, 0.0))


def fill_changed(session: Session, topic: str, task_id: UUID, fill: Fill) -> None:
    """fill.completed when every slot is taken, fill.reopened when a place came free again."""
    payload = FillChanged(task_id=task_id, slots=fill.slots, accepted=fill.accepted, sequence=fill.version)
    event = FILL_COMPLETED if fill.is_full else FILL_REOPENED
    add_event(session, topic, str(task_id), wrap(event, payload, SOURCE))
    touched(session, task_id)
