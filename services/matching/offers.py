"""An offer's lifecycle inside one transaction: every status change is a conditional update.

``UPDATE offer SET status = :new WHERE id = :id AND status = :old`` decides who wins when two
things happen to one offer at once (an accept and an expiry, two matcher instances withdrawing
the same offers): only the transaction whose update touched the row emits the event, so each
change is told exactly once. Whoever also changes the task's fill locks that row first (see
``capacity``).
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import ColumnElement, select, update
from sqlmodel import Session, col

from services.common.contracts import OfferReason, OfferStatus, TaskState
from services.matching import capacity, events
from services.matching.capacity import Fill
from services.matching.engine import Candidate
from services.matching.engine.availability import ASSUMED_DURATION
from services.matching.engine.reasons import Reason
from services.matching.models import MATCHABLE_TASK_STATUSES, MatchingTask, Offer, StoredReason
from services.matching.waves import AnswerTime

TASK_FILLED = "task filled"


def load_offer(session: Session, offer_id: UUID) -> Offer | None:
    return session.get(Offer, offer_id, populate_existing=True)


def transition(session: Session, offer_id: UUID, old: OfferStatus, new: OfferStatus, **values: object) -> Offer | None:
    """Move the offer from ``old`` to ``new``; None if it was no longer ``old``."""
    result = session.exec(
        update(Offer)
        .where(col(Offer.id) == offer_id, col(Offer.status) == old)
        .values(status=new, **values)
        .execution_options(synchronize_session=False)
    )
    return load_offer(session, offer_id) if result.rowcount == 1 else None


def create_offer(
    session: Session,
    topic: str,
    task: MatchingTask,
    candidate: Candidate,
    now: datetime,
    answer_time: AnswerTime,
    *,
    state: TaskState | None = None,
) -> Offer:
    """A pending offer and its offer.created event. ``state`` is the task's stored state when the
    caller already read it (a wave reads it once for all its offers)."""
    state = state or TaskState.model_validate_json(task.state_json)
    starts_at = state.starts_at
    offer = Offer(
        task_id=task.task_id,
        member_id=candidate.member_id,
        status=OfferStatus.pending,
        score=candidate.score,
        reasons=[as_stored(reason) for reason in candidate.reasons],
        created_at=now,
        expires_at=answer_time.expires_at(now, state),
        task_starts_at=starts_at,
        task_ends_at=None if starts_at is None else state.ends_at or starts_at + ASSUMED_DURATION,
    )
    session.add(offer)  # written with the task's other new offers, in one statement, at the next flush
    events.offer_changed(session, topic, offer, task.title)
    return offer


def as_stored(reason: Reason) -> StoredReason:
    """An engine reason as the offer row and its events carry it: the contract's OfferReason, as JSON."""
    return OfferReason.model_validate(reason, from_attributes=True).model_dump(mode="json", exclude_defaults=True)


def pending_ids(session: Session, *conditions: ColumnElement[bool]) -> list[UUID]:
    return list(
        session.scalars(
            select(col(Offer.id))
            .where(col(Offer.status) == OfferStatus.pending, *conditions)
            .order_by(col(Offer.created_at))
        )
    )


def expire_due(session: Session, topic: str, task_id: UUID, now: datetime) -> list[Offer]:
    expired = []
    for offer_id in pending_ids(session, col(Offer.task_id) == task_id, col(Offer.expires_at) <= now):
        offer = transition(session, offer_id, OfferStatus.pending, OfferStatus.expired, responded_at=now)
        if offer is not None:
            events.offer_changed(session, topic, offer)
            expired.append(offer)
    return expired


def withdraw_pending(
    session: Session, topic: str, because: str, now: datetime, *conditions: ColumnElement[bool]
) -> list[Offer]:
    withdrawn = []
    for offer_id in pending_ids(session, *conditions):
        offer = transition(
            session,
            offer_id,
            OfferStatus.pending,
            OfferStatus.withdrawn,
            responded_at=now,
            withdrawn_because=because,
        )
        if offer is not None:
            events.offer_changed(session, topic, offer)
            withdrawn.append(offer)
    return withdrawn


def close_if_filled(session: Session, topic: str, task_id: UUID, now: datetime) -> Fill | None:
    """Once the last slot is taken: withdraw every pending offer of the task and say it filled."""
    fill = capacity.read_fill(session, task_id)
    if fill is None or not fill.is_full:
        return fill
    withdraw_pending(session, topic, TASK_FILLED, now, col(Offer.task_id) == task_id)
    events.fill_changed(session, topic, task_id, fill)
    return fill


def release_accepted(
    session: Session, topic: str, offer: Offer, new: OfferStatus, now: datetime, because: str | None = None
) -> Offer | None:
    """Give an accepted offer's slot back (volunteer withdrew, member erased, task cancelled).

    Its first statement locks the task's fill row, so call it before touching the task's other
    offers in the same transaction (see the lock order in ``capacity``). Emits fill.reopened when
    this freed a slot of a full task that is still matchable.
    """
    if capacity.lock_fill(session, offer.task_id) is None:
        return None
    released = transition(session, offer.id, OfferStatus.accepted, new, responded_at=now, withdrawn_because=because)
    if released is None:  # someone released it first
        return None
    capacity.release_slot(session, offer.task_id)
    if released.counted_month:
        capacity.release_member_month(session, released.member_id, released.counted_month)
    events.offer_changed(session, topic, released)
    _announce_reopening(session, topic, offer.task_id)
    return released


def _announce_reopening(session: Session, topic: str, task_id: UUID) -> None:
    fill = capacity.read_fill(session, task_id)
    task = session.get(MatchingTask, task_id)
    if fill is None or task is None or task.status not in MATCHABLE_TASK_STATUSES:
        return
    if fill.accepted == fill.slots - 1:  # it was full a moment ago
        events.fill_changed(session, topic, task_id, fill)
