"""What the worker must do next: the tasks something just happened to, and when to look again.

Work follows what changed. A transaction that changed a task's offers or fill (a decline, a
withdrawal, an acceptance released, a member paused or erased) marks that task once it commits;
the tasks reader marks every task whose state it applied; the members reader marks the open tasks a
new or changed member could fit (``open_tasks``). The worker then handles those tasks, and those
only.

What is due later is kept by time: offer expiries are read from the database, soonest first
(``next_expiry``, ``tasks_with_expired_offers``, on a partial index of waiting offers), and the
moments when an offer left unanswered starts to widen its task's wave (``waves.slow_point``) sit
in a heap here. The heap holds only the offers this process made; after a restart or a
rebalance, the reconciliation pass (see ``worker``) finds the rest.
"""

from __future__ import annotations

import heapq
import threading
from collections.abc import Iterable
from datetime import datetime
from uuid import UUID

from sqlalchemy import Select, func, select
from sqlmodel import Session, col

from services.common.clock import as_utc
from services.common.contracts import OfferStatus
from services.matching.models import MatchingTask, Offer

# session.info keys under which a transaction collects the tasks it changed (see ``touched``) and
# the members whose waiting offers it answered, expired or withdrew (see ``freed``).
TOUCHED = "matching.touched_tasks"
FREED = "matching.freed_members"
EXPIRING = "matching.new_offers_expire"  # the soonest expiry among the offers it made


def touched(session: Session, task_id: UUID) -> None:
    """Note that this transaction changed the task's offers or fill."""
    session.info.setdefault(TOUCHED, set()).add(task_id)


def touched_by(session: Session) -> set[UUID]:
    return session.info.pop(TOUCHED, set())


def freed(session: Session, member_id: UUID) -> None:
    """Note that one of the member's waiting offers stopped waiting: if they were at the cap on
    waiting offers, the tasks that came short for want of them may ask them now."""
    session.info.setdefault(FREED, set()).add(member_id)


def freed_by(session: Session) -> set[UUID]:
    return session.info.pop(FREED, set())


def expiring(session: Session, moment: datetime) -> None:
    """Note that this transaction made an offer that expires at ``moment``."""
    held = session.info.get(EXPIRING)
    session.info[EXPIRING] = moment if held is None else min(held, moment)


def expiring_by(session: Session) -> datetime | None:
    moment: datetime | None = session.info.pop(EXPIRING, None)
    return moment


class WorkQueue:
    """Tasks to handle now, and moments to look at a task again; shared between threads."""

    def __init__(self, wakeup: threading.Event) -> None:
        self._wakeup = wakeup
        self._lock = threading.Lock()
        self._tasks: dict[UUID, None] = {}  # in the order they were marked
        self._later: list[tuple[datetime, UUID]] = []
        self._looking_at: dict[UUID, datetime] = {}  # each task's earliest moment in ``_later``
        # Tasks whose last top-up sent fewer offers than it had room for while some members were
        # at their cap on waiting offers: one of those members may fit them once they answer.
        self._short: set[UUID] = set()
        self._new_expiry: datetime | None = None  # soonest expiry of offers made since it was read

    def offers_made(self, expires_at: datetime) -> None:
        """Offers were committed that expire at ``expires_at`` at the soonest."""
        with self._lock:
            if self._new_expiry is None or expires_at < self._new_expiry:
                self._new_expiry = expires_at

    def new_expiry(self, forget: bool = False) -> datetime | None:
        """The soonest expiry of the offers made since the last ``forget`` (the worker forgets them
        just before it reads the expiry index, which then holds them)."""
        with self._lock:
            moment = self._new_expiry
            if forget:
                self._new_expiry = None
            return moment

    def mark(self, task_ids: Iterable[UUID]) -> None:
        with self._lock:
            before = len(self._tasks)
            self._tasks.update(dict.fromkeys(task_ids))
            added = len(self._tasks) > before
        if added:
            self._wakeup.set()

    def look_again(self, moment: datetime, task_id: UUID) -> None:
        """Handle the task again at ``moment``; one moment per task is kept, the earliest. (If
        handling it then sends no offer, a later moment dropped here is met by reconciliation.)"""
        with self._lock:
            if self._looking_at.get(task_id, moment) < moment:
                return
            self._looking_at[task_id] = moment
            heapq.heappush(self._later, (moment, task_id))

    def take(self, now: datetime, limit: int) -> list[UUID]:
        """Up to ``limit`` tasks to handle: marked ones first, then those whose moment came."""
        with self._lock:
            while self._later and self._later[0][0] <= now:
                moment, task_id = heapq.heappop(self._later)
                if self._looking_at.get(task_id) == moment:
                    del self._looking_at[task_id]
                    self._tasks.setdefault(task_id)
            taken = list(self._tasks)[:limit]
            for task_id in taken:
                del self._tasks[task_id]
            return taken

    def came_short(self, task_id: UUID, short: bool) -> None:
        with self._lock:
            if short:
                self._short.add(task_id)
            else:
                self._short.discard(task_id)

    def short(self) -> list[UUID]:
        with self._lock:
            return list(self._short)

    def has_due(self, now: datetime) -> bool:
        """Whether ``take`` would return a task now."""
        with self._lock:
            return bool(self._tasks) or bool(self._later and self._later[0][0] <= now)

    def waiting(self) -> int:
        with self._lock:
            return len(self._tasks)

    def next_moment(self) -> datetime | None:
        with self._lock:
            return self._later[0][0] if self._later else None


def _owned_pending(partitions: frozenset[int]) -> Select[UUID]:
    return (
        select(col(Offer.task_id))
        .join(MatchingTask, col(MatchingTask.task_id) == Offer.task_id)
        .where(col(Offer.status) == OfferStatus.pending, col(MatchingTask.partition).in_(partitions))
    )


def tasks_with_expired_offers(session: Session, partitions: frozenset[int], now: datetime) -> list[UUID]:
    if not partitions:
        return []
    return list(session.scalars(_owned_pending(partitions).where(col(Offer.expires_at) <= now).distinct()))


def next_expiry(session: Session, partitions: frozenset[int]) -> datetime | None:
    """When the next waiting offer of this instance's tasks expires."""
    if not partitions:
        return None
    soonest = session.scalar(
        select(func.min(Offer.expires_at))
        .join(MatchingTask, col(MatchingTask.task_id) == Offer.task_id)
        .where(col(Offer.status) == OfferStatus.pending, col(MatchingTask.partition).in_(partitions))
    )
    return as_utc(soonest)
