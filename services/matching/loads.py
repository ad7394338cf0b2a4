"""Each member's current load, read from the offers table, for the engine's fairness and limits.

``tasks_this_month`` counts the tasks accepted this calendar month (coalition time) *plus* the
offers still waiting for an answer: nobody is asked for more than they said they could give, and a
member with a limit of two is not offered ten tasks at once. The limit itself is enforced again,
in the database, when an offer is accepted (``capacity.claim_member_month``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from uuid import UUID

from sqlalchemy import func, select
from sqlmodel import Session

from services.common.contracts import OfferStatus
from services.matching.engine import MemberLoad
from services.matching.models import MemberMonthLoad, Offer, as_utc


def month_of(moment: datetime, tz: tzinfo) -> str:
    return moment.astimezone(tz).strftime("%Y-%m")


@dataclass
class _Tally:
    accepted_this_month: int = 0
    pending: int = 0
    recent: int = 0
    last_offered_at: datetime | None = None
    busy: list[tuple[datetime, datetime]] = field(default_factory=list)

    def load(self) -> MemberLoad:
        return MemberLoad(
            tasks_this_month=self.accepted_this_month + self.pending,
            recent_tasks=self.recent,
            last_offered_at=self.last_offered_at,
            busy=tuple(self.busy),
        )


def member_loads(session: Session, now: datetime, tz: tzinfo, recent_days: int) -> dict[UUID, MemberLoad]:
    """Loads of every member with any recent activity; members absent from it have none."""
    tallies: dict[UUID, _Tally] = defaultdict(_Tally)
    since = now - timedelta(days=recent_days)
    month = session.execute(
        select(MemberMonthLoad.member_id, MemberMonthLoad.accepted)
        .where(MemberMonthLoad.month == month_of(now, tz), MemberMonthLoad.accepted > 0)
    )
    for member_id, accepted in month:
        tallies[member_id].accepted_this_month = accepted
    for member_id, count in _count_by_member(session, Offer.status == OfferStatus.pending):
        tallies[member_id].pending = count
    accepted_recently = (Offer.status == OfferStatus.accepted, Offer.accepted_at >= since)
    for member_id, count in _count_by_member(session, *accepted_recently):
        tallies[member_id].recent = count
    last_offers = session.execute(
        select(Offer.member_id, func.max(Offer.created_at)).where(Offer.created_at >= since).group_by(Offer.member_id)
    )
    for member_id, created_at in last_offers:
        tallies[member_id].last_offered_at = as_utc(created_at)
    for member_id, starts_at, ends_at in _busy_windows(session, now):
        tallies[member_id].busy.append((as_utc(starts_at), as_utc(ends_at)))
    return {member_id: tally.load() for member_id, tally in tallies.items()}


def _count_by_member(session: Session, *conditions):
    return session.execute(
        select(Offer.member_id, func.count()).where(*conditions).group_by(Offer.member_id)
    )


def _busy_windows(session: Session, now: datetime):
    return session.execute(
        select(Offer.member_id, Offer.task_starts_at, Offer.task_ends_at).where(
            Offer.status == OfferStatus.accepted,
            Offer.task_starts_at.is_not(None),
            Offer.task_ends_at > now,
        )
    )


def with_new_offer(load: MemberLoad | None, now: datetime) -> MemberLoad:
    """The load after one more offer went out in the current pass."""
    load = load or MemberLoad()
    return MemberLoad(
        tasks_this_month=load.tasks_this_month + 1,
        recent_tasks=load.recent_tasks,
        last_offered_at=now,
        busy=load.busy,
    )
