"""What a member can do with an offer, and what anyone may read; HTTP routes only call these,
each with a :class:`Call`, as the members and tasks services' routes call theirs.

Accept is first-come and idempotent. Within one transaction it takes a slot of the task
(``capacity.claim_slot``: the conditional update that cannot overfill), moves the offer from
pending to accepted (conditional too), counts the task against the member's monthly limit, makes
sure the member has not accepted something else at the same time, and, if that was the last
slot, withdraws every other pending offer of the task. Any refusal raises a
problem and the whole transaction rolls back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import select
from sqlmodel import Session, col

from services.common.clock import as_utc
from services.common.contracts import MemberStatus, OfferStatus
from services.common.problems import NotFound
from services.common.roles import STAFF, Actor
from services.matching import capacity, events, offers
from services.matching.context import Matching
from services.matching.errors import (
    MonthlyLimitReached,
    NotYourOffer,
    OfferNotAccepted,
    OfferNotPending,
    ScheduleClash,
    StillStarting,
    TaskFilled,
)
from services.matching.loads import month_of
from services.matching.models import (
    MATCHABLE_TASK_STATUSES,
    FillPublic,
    MatchingTask,
    Offer,
    OfferPublic,
    stored_reasons,
)

# Roles allowed to answer an offer on a member's behalf (the gateway acting for them, operators).
TRUSTED_ROLES = STAFF


@dataclass(frozen=True)
class Call:
    """One call of a handler: the transaction it runs in, the service's wiring, who is calling (the
    verified actor), and the moment it runs at (the route's clock; tests choose their own)."""

    session: Session
    matching: Matching
    actor: Actor
    now: datetime


def accept_offer(call: Call, offer_id: UUID, member_id: UUID) -> OfferPublic:
    session, matching, now = call.session, call.matching, call.now
    offer = _answerable_offer(session, offer_id, call.actor, member_id)
    if offer.status == OfferStatus.accepted:
        return to_public(session, offer)
    _require_pending(offer, now)
    _require_open_task(session, offer.task_id)
    limit = _monthly_limit(matching, member_id)
    if not capacity.claim_slot(session, offer.task_id):
        # The same accept sent twice: the first may have taken the last place while this one waited.
        current = _reloaded(session, offer.id)
        if current.status == OfferStatus.accepted:
            return to_public(session, current)
        raise TaskFilled("This task has just been filled: every place was taken. Thank you for offering!")
    month = month_of(now, matching.settings.tz)
    accepted = offers.transition(
        session,
        offer.id,
        OfferStatus.pending,
        OfferStatus.accepted,
        responded_at=now,
        accepted_at=now,
        counted_month=month,
    )
    if accepted is None:  # answered in the meantime, e.g. the same accept sent twice
        capacity.unclaim_slot(session, offer.task_id)
        return _unchanged_or_refused(session, offer.id, OfferStatus.accepted, now)
    if not capacity.claim_member_month(session, member_id, month, limit):
        raise MonthlyLimitReached(
            f"You asked for at most {limit} task(s) a month and already have them; "
            "withdraw one or raise your limit to take this one.",
            limit=limit,
        )
    # The member's load row is now locked by this transaction: their accepts run one at a time.
    _require_free_time(session, accepted)
    events.offer_changed(session, matching.offers_topic, accepted)
    offers.close_if_filled(session, matching.offers_topic, offer.task_id, now)
    return to_public(session, accepted)


def decline_offer(call: Call, offer_id: UUID, member_id: UUID) -> OfferPublic:
    session, matching, now = call.session, call.matching, call.now
    offer = _answerable_offer(session, offer_id, call.actor, member_id)
    if offer.status == OfferStatus.declined:
        return to_public(session, offer)
    if offer.status == OfferStatus.withdrawn:
        # The member's "no" is already true: say so, rather than that the task filled.
        because = f" ({offer.withdrawn_because})" if offer.withdrawn_because else ""
        raise OfferNotPending(
            f"This offer was already withdrawn{because}; nothing more is needed.", offer_status=offer.status.value
        )
    if offer.status != OfferStatus.pending:
        raise _not_pending(offer, now)
    declined = offers.transition(session, offer.id, OfferStatus.pending, OfferStatus.declined, responded_at=now)
    if declined is None:
        return _unchanged_or_refused(session, offer.id, OfferStatus.declined, now)
    events.offer_changed(session, matching.offers_topic, declined)
    return to_public(session, declined)


def withdraw_acceptance(call: Call, offer_id: UUID, member_id: UUID) -> OfferPublic:
    """A volunteer who accepted can no longer come: their place is offered to someone else."""
    session, matching, now = call.session, call.matching, call.now
    offer = _answerable_offer(session, offer_id, call.actor, member_id)
    if offer.status == OfferStatus.cancelled_by_volunteer:
        return to_public(session, offer)
    if offer.status == OfferStatus.pending:
        raise OfferNotAccepted("This offer was not accepted; decline it instead.")
    if offer.status != OfferStatus.accepted:
        raise _not_pending(offer, now)
    released = offers.release_accepted(session, matching.offers_topic, offer, OfferStatus.cancelled_by_volunteer, now)
    if released is None:
        return _unchanged_or_refused(session, offer.id, OfferStatus.cancelled_by_volunteer, now)
    return to_public(session, released)


def _answerable_offer(session: Session, offer_id: UUID, actor: Actor, member_id: UUID) -> Offer:
    offer = offers.load_offer(session, offer_id)
    if offer is None:
        raise NotFound(f"There is no offer {offer_id}.")
    if offer.member_id != member_id:
        raise NotYourOffer("This offer was made to another member.")
    if actor.role not in TRUSTED_ROLES and actor.id != member_id:
        raise NotYourOffer("Only the member it was made to can answer this offer.")
    return offer


def _require_pending(offer: Offer, now: datetime) -> None:
    if offer.status != OfferStatus.pending or as_utc(offer.expires_at) <= now:
        raise _not_pending(offer, now)


def _not_pending(offer: Offer, now: datetime) -> Exception:
    if offer.withdrawn_because == offers.TASK_FILLED:
        return TaskFilled("This task has just been filled: every place was taken. Thank you for offering!")
    if offer.status == OfferStatus.pending:
        return OfferNotPending("This offer expired.", offer_status="expired")
    because = f" ({offer.withdrawn_because})" if offer.withdrawn_because else ""
    return OfferNotPending(f"This offer is {offer.status.value}{because}.", offer_status=offer.status.value)


def _reloaded(session: Session, offer_id: UUID) -> Offer:
    """The offer as it is now, after another transaction may have answered it (offers are never
    deleted, so one read earlier in this transaction is still there)."""
    offer = offers.load_offer(session, offer_id)
    if offer is None:
        raise NotFound(f"There is no offer {offer_id}.")
    return offer


def _unchanged_or_refused(session: Session, offer_id: UUID, wanted: OfferStatus, now: datetime) -> OfferPublic:
    current = _reloaded(session, offer_id)
    if current.status == wanted:
        return to_public(session, current)
    raise _not_pending(current, now)


def _require_free_time(session: Session, offer: Offer) -> None:
    """Nobody accepts two tasks that overlap (offers may overlap: one of them may be declined)."""
    if offer.task_starts_at is None or offer.task_ends_at is None:
        return
    clash = session.scalar(
        select(col(MatchingTask.title))
        .join(Offer, col(Offer.task_id) == MatchingTask.task_id)
        .where(
            col(Offer.member_id) == offer.member_id,
            col(Offer.status) == OfferStatus.accepted,
            col(Offer.id) != offer.id,
            col(Offer.task_starts_at) < offer.task_ends_at,
            col(Offer.task_ends_at) > offer.task_starts_at,
        )
        .limit(1)
    )
    if clash is not None:
        raise ScheduleClash(f'You already accepted "{clash}" at that time.')


def _require_open_task(session: Session, task_id: UUID) -> None:
    task = session.get(MatchingTask, task_id)
    if task is None or task.status not in MATCHABLE_TASK_STATUSES:
        raise OfferNotPending("This task is no longer open.", offer_status="pending")


def _monthly_limit(matching: Matching, member_id: UUID) -> int:
    if not matching.directory.replayed.is_set():
        raise StillStarting("Member profiles are still loading; please try again in a moment.")
    member = matching.directory.get(member_id)
    if member is None or member.status != MemberStatus.active:
        raise OfferNotPending("Offers can only be accepted by an active member.", offer_status="pending")
    return member.max_tasks_per_month


def to_public(session: Session, offer: Offer, title: str | None = None) -> OfferPublic:
    if title is None:
        title = session.scalar(select(col(MatchingTask.title)).where(col(MatchingTask.task_id) == offer.task_id))
    return OfferPublic(
        id=offer.id,
        task_id=offer.task_id,
        member_id=offer.member_id,
        status=offer.status,
        reasons=stored_reasons(offer),
        expires_at=as_utc(offer.expires_at),
        created_at=as_utc(offer.created_at),
        responded_at=as_utc(offer.responded_at),
        withdrawn_because=offer.withdrawn_because,
        task_title=title,
    )


def get_offer(call: Call, offer_id: UUID) -> OfferPublic:
    offer = offers.load_offer(call.session, offer_id)
    if offer is None:
        raise NotFound(f"There is no offer {offer_id}.")
    return to_public(call.session, offer)


def get_fill(call: Call, task_id: UUID) -> FillPublic:
    session = call.session
    fill = capacity.read_fill(session, task_id)
    if fill is None:
        raise NotFound(f"The matching service has not heard of task {task_id}.")
    by_status = session.execute(
        select(col(Offer.member_id), col(Offer.status))
        .where(col(Offer.task_id) == task_id, col(Offer.status).in_((OfferStatus.pending, OfferStatus.accepted)))
        .order_by(col(Offer.accepted_at))
    ).all()
    return FillPublic(
        task_id=task_id,
        slots=fill.slots,
        accepted=fill.accepted,
        pending=sum(1 for _, status in by_status if status == OfferStatus.pending),
        accepted_member_ids=[member for member, status in by_status if status == OfferStatus.accepted],
    )
