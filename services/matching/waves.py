"""How long an offer waits for an answer, and how many offers a task keeps out at once.

The time to answer follows the time left before the task: a share of it (a quarter by default),
never less than the shortest nor more than the longest answer time configured, and never past
the task's start or deadline. An offer for next month waits a day; one for tomorrow morning a few
hours, so an ignored offer does not hold a place until it is too late to ask anyone else.

A wave is sized from what the task's offers have met so far. Before any answer it is
``ceil(open slots x wave factor)``. Each acceptance, decline, expiry, and each offer left
unanswered past part of its time (``slow_answer_share``) moves the task's estimated acceptance
rate; the wave becomes ``ceil(open slots / rate)``, never narrower than the first and never wider
than ``widest_wave_factor`` per open slot. So when declines are many or answers slow, the next
offers go out at once, before the slow ones expire, and in larger numbers: a rally needing twenty
sign holders that meets mostly silence reaches many more people within hours.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from sqlalchemy import select
from sqlmodel import Session, col

from services.common.clock import as_utc
from services.common.contracts import OfferStatus, TaskState
from services.matching.models import Offer

# Weight of the prior (the rate the wave factor assumes), in answers: the first few answers
# move the estimate, without one early decline doubling the wave.
PRIOR_ANSWERS = 2.0


@dataclass(frozen=True)
class AnswerTime:
    share: float  # of the time left before the task
    shortest: timedelta
    longest: timedelta

    def expires_at(self, now: datetime, task: TaskState) -> datetime:
        limit = _first_limit(now, task)
        if limit is None:
            return now + self.longest
        wait = min(self.longest, max(self.shortest, (limit - now) * self.share))
        return min(now + wait, limit)


def _first_limit(now: datetime, task: TaskState) -> datetime | None:
    """The task's start or deadline, whichever comes first, if it is still ahead."""
    ahead = [moment for moment in (task.starts_at, task.deadline) if moment is not None and moment > now]
    return min(ahead, default=None)


@dataclass(frozen=True)
class WavePolicy:
    factor: float  # offers per open slot before any answer
    widest: float  # offers per open slot at most
    slow_answer_share: float  # of its answer time, after which an unanswered offer counts as a no

    def size(self, open_slots: int, answers: "Answers") -> int:
        if open_slots <= 0:
            return 0
        expected = 1.0 / self.factor
        rate = (answers.yes + expected * PRIOR_ANSWERS) / (answers.yes + answers.no + PRIOR_ANSWERS)
        per_slot = min(max(self.factor, 1.0 / rate), max(self.factor, self.widest))
        # Rounded first so that 2 x 1.5 is 3, not 4 by a float's last bit.
        return math.ceil(round(open_slots * per_slot, 6))


@dataclass(frozen=True)
class Answers:
    """What the task's offers met so far: yes (accepted, even if later withdrawn) and no
    (declined, expired, or unanswered past the slow point)."""

    yes: int = 0
    no: int = 0


@dataclass(frozen=True)
class AskedSoFar:
    """The task's offers not withdrawn, read in one query: who was asked (never to be asked again),
    how many still wait for an answer, and the answers they met (see ``Answers``)."""

    members: frozenset[UUID]
    pending: int
    answers: Answers


def asked_so_far(session: Session, task_id: UUID, now: datetime, slow_answer_share: float) -> AskedSoFar:
    rows = session.execute(
        select(
            col(Offer.member_id),
            col(Offer.status),
            col(Offer.accepted_at),
            col(Offer.created_at),
            col(Offer.expires_at),
        ).where(col(Offer.task_id) == task_id, col(Offer.status) != OfferStatus.withdrawn)
    )
    members, yes, no, pending = set(), 0, 0, 0
    for member_id, status, accepted_at, created_at, expires_at in rows:
        members.add(member_id)
        pending += status == OfferStatus.pending
        if accepted_at is not None:
            yes += 1
        elif status in (OfferStatus.declined, OfferStatus.expired):
            no += 1
        elif status == OfferStatus.pending and now >= slow_point(
            as_utc(created_at), as_utc(expires_at), slow_answer_share
        ):
            no += 1
    return AskedSoFar(frozenset(members), pending, Answers(yes, no))


def slow_point(created_at: datetime, expires_at: datetime, share: float) -> datetime:
    """When an offer still unanswered starts counting against the task's acceptance rate."""
    return created_at + (expires_at - created_at) * share
