"""Each member's current load, read from the offers table, for the engine's fairness and limits.

``tasks_this_month`` counts the tasks accepted this calendar month (coalition time) *plus* the
offers still waiting for an answer: nobody is asked for more than they said they could give, and a
member with a limit of two is not offered ten tasks at once. The limit itself is enforced again,
in the database, when an offer is accepted (``capacity.claim_member_month``).

``recent_tasks``, which fairness ranks by, counts the offers waiting for an answer too, beside the
tasks accepted in the fairness window: among equally eligible members, offers spread to everyone
before anyone gets a second. The ``LoadBook`` also knows who already holds as many waiting offers
as a member may (``max_pending_offers``): they are not asked again until they answer one.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from uuid import UUID

from sqlalchemy import ColumnElement, Result, func, select
from sqlmodel import Session, col

from services.common.clock import as_utc
from services.common.contracts import OfferStatus
from services.matching.attendance import no_shows_since
from services.matching.engine import MemberLoad
from services.matching.models import MemberMonthLoad, Offer


def month_of(moment: datetime, tz: tzinfo) -> str:
    return moment.astimezone(tz).strftime("%Y-%m")


@dataclass
class _Tally:
    accepted_this_month: int = 0
    pending: int = 0
    recent: int = 0
    last_offered_at: datetime | None = None
    busy: list[tuple[datetime, datetime]] = field(default_factory=list)
    no_shows: int = 0

    def load(self) -> MemberLoad:
        return MemberLoad(
            tasks_this_month=self.accepted_this_month + self.pending,
            recent_tasks=self.recent + self.pending,
            last_offered_at=self.last_offered_at,
            busy=tuple(self.busy),
            no_shows=self.no_shows,
        )


@dataclass
class LoadBook:
    """Every member's load for one round of offers, kept current as offers go out."""

    loads: dict[UUID, MemberLoad]
    pending: dict[UUID, int]
    max_pending: int
    full: set[UUID] = field(init=False)  # members holding as many waiting offers as they may

    def __post_init__(self) -> None:
        self.full = {member_id for member_id, count in self.pending.items() if count >= self.max_pending}

    def offered(self, member_id: UUID, now: datetime) -> None:
        self.loads[member_id] = with_new_offer(self.loads.get(member_id), now)
        self.pending[member_id] = count = self.pending.get(member_id, 0) + 1
        if count >= self.max_pending:
            self.full.add(member_id)


# session.info key: this transaction changed some member's offers (see ``changed``).
CHANGED = "matching.loads_changed"


def changed(session: Session) -> None:
    """Note that this transaction changed a member's load (an offer made, answered, expired...)."""
    session.info[CHANGED] = True


def changed_by(session: Session) -> bool:
    return bool(session.info.pop(CHANGED, False))


class LoadCache:
    """The worker's load book, kept between its steps instead of read again for each.

    Reading the book scans every waiting and recent offer: at a few fresh tasks per step, reading
    it for each step cost more than the steps' own work, and grew with the number of offers. The
    worker keeps the book current for the offers it makes itself (``LoadBook.offered``); any
    other change (an answer, an expiry, a withdrawal, an offer a member asked for) invalidates it
    once committed (``Matching.after_commit``), and it is read again after ``max_age`` at the
    latest: loads move with time too (the fairness window, the month) and with what a second
    matching instance offers to the same members.
    """

    def __init__(self, read: Callable[[datetime], LoadBook], max_age: timedelta) -> None:
        self._read = read
        self._max_age = max_age
        self._lock = threading.Lock()
        self._book: LoadBook | None = None
        self._read_at: datetime | None = None
        self._generation = 0  # bumped by each invalidation; a book read before one is not kept

    def book(self, now: datetime) -> LoadBook:
        with self._lock:
            book, read_at, generation = self._book, self._read_at, self._generation
        if book is not None and read_at is not None and read_at <= now < read_at + self._max_age:
            return book
        book = self._read(now)
        with self._lock:
            if generation == self._generation:
                self._book, self._read_at = book, now
        return book

    def invalidate(self) -> None:
        with self._lock:
            self._book, self._read_at = None, None
            self._generation += 1


def load_book(
    session: Session, now: datetime, tz: tzinfo, recent_days: int, max_pending: int, no_show_days: int
) -> LoadBook:
    tallies = _tallies(session, now, tz, recent_days, no_show_days)
    return LoadBook(
        loads={member_id: tally.load() for member_id, tally in tallies.items()},
        pending={member_id: tally.pending for member_id, tally in tallies.items() if tally.pending},
        max_pending=max_pending,
    )


def member_loads(
    session: Session, now: datetime, tz: tzinfo, recent_days: int, no_show_days: int
) -> dict[UUID, MemberLoad]:
    """Loads of every member with any recent activity; members absent from it have none."""
    return {
        member_id: tally.load() for member_id, tally in _tallies(session, now, tz, recent_days, no_show_days).items()
    }


def _tallies(session: Session, now: datetime, tz: tzinfo, recent_days: int, no_show_days: int) -> dict[UUID, _Tally]:
    tallies: dict[UUID, _Tally] = defaultdict(_Tally)
    since = now - timedelta(days=recent_days)
    month = session.execute(
        select(col(MemberMonthLoad.member_id), col(MemberMonthLoad.accepted)).where(
            col(MemberMonthLoad.month) == month_of(now, tz), col(MemberMonthLoad.accepted) > 0
        )
    )
    for member_id, accepted in month:
        tallies[member_id].accepted_this_month = accepted
    for member_id, count in _count_by_member(session, col(Offer.status) == OfferStatus.pending):
        tallies[member_id].pending = count
    accepted_recently = (col(Offer.status) == OfferStatus.accepted, col(Offer.accepted_at) >= since)
    for member_id, count in _count_by_member(session, *accepted_recently):
        tallies[member_id].recent = count
    last_offers = session.execute(
        select(col(Offer.member_id), func.max(Offer.created_at))
        .where(col(Offer.created_at) >= since)
        .group_by(col(Offer.member_id))
    )
    for member_id, created_at in last_offers:
        tallies[member_id].last_offered_at = as_utc(created_at)
    for member_id, starts_at, ends_at in _busy_windows(session, now):
        tallies[member_id].busy.append((as_utc(starts_at), as_utc(ends_at)))
    for member_id, count in no_shows_since(session, now - timedelta(days=no_show_days)):
        tallies[member_id].no_shows = count
    return tallies


def _count_by_member(session: Session, *conditions: ColumnElement[bool]) -> Result[UUID, int]:
    return session.execute(select(col(Offer.member_id), func.count()).where(*conditions).group_by(col(Offer.member_id)))


def _busy_windows(session: Session, now: datetime) -> Result[UUID, datetime, datetime]:
    return session.execute(
        select(col(Offer.member_id), col(Offer.task_starts_at), col(Offer.task_ends_at)).where(
            col(Offer.status) == OfferStatus.accepted,
            col(Offer.task_starts_at).is_not(None),
            col(Offer.task_ends_at) > now,
        )
    )


def with_new_offer(load: MemberLoad | None, now: datetime) -> MemberLoad:
    """The load after one more offer went out in the current pass."""
    load = load or MemberLoad()
    return MemberLoad(
        tasks_this_month=load.tasks_this_month + 1,
        recent_tasks=load.recent_tasks + 1,
        last_offered_at=now,
        busy=load.busy,
        no_shows=load.no_shows,
    )
