"""Topping up one task's offers, and the reconciliation pass over them all.

The worker thread (``scheduler``) tops up the tasks something happened to as it happens, and
runs a reconciliation pass now and then over the open tasks of the partitions this instance
owns. Topping up a task, in its own transaction and under the task's fill lock: expire offers
past their time, then bring the pending offers back up to the wave size (see ``waves``) with the
engine's best candidates who were not asked yet and do not already hold as many waiting offers
as a member may. That single step sends the first wave of a new task, replaces declined and
expired offers, and reaches members who joined or became free.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime
from uuid import UUID

from prometheus_client import Counter, Histogram
from sqlalchemy import select
from sqlmodel import Session, col

from services.common.clock import as_utc, utc_now
from services.common.contracts import MemberStatus, OfferStatus, TaskState
from services.matching import capacity, offers
from services.matching.context import Matching
from services.matching.engine import Candidate
from services.matching.loads import LoadBook
from services.matching.members_reader import settle_member_offers
from services.matching.models import LIVE_STATUSES, MATCHABLE_TASK_STATUSES, MatchingTask, Offer, TaskFill
from services.matching.waves import AskedSoFar, asked_so_far, slow_point
from services.matching.widening import applied, recorded, step_due, widen_when_due

log = logging.getLogger(__name__)

OFFERS_CREATED = Counter("matching_offers_created_total", "Offers sent by this instance")
PASS_SECONDS = Histogram("matching_pass_seconds", "Duration of one matching pass")


def run_pass(matching: Matching, now: datetime | None = None) -> int:
    """One whole pass over this instance's open tasks at once; returns the number of offers sent.
    (The worker thread runs the same pass in small steps: see ``scheduler``.)"""
    owned = matching.ownership.owned()
    if not owned:
        return 0
    now = now or utc_now()
    started = time.perf_counter()
    with Session(matching.runtime.engine) as session:
        task_ids = tasks_with_free_slots(session, owned)
        unsettled = members_to_settle(session, matching, owned)
    book = matching.read_loads(now)
    for member_id in unsettled:
        with matching.unit_of_work(wake_worker=False) as session:
            settle_member_offers(session, matching.offers_topic, member_id, matching.directory.get(member_id), now)
    sent = 0
    for task_id in task_ids:
        with matching.unit_of_work(wake_worker=False) as session:
            sent += len(top_up(session, matching, task_id, book, now))
    OFFERS_CREATED.inc(sent)
    PASS_SECONDS.observe(time.perf_counter() - started)
    return sent


def tasks_with_free_slots(session: Session, partitions: frozenset[int]) -> list[UUID]:
    """Soonest first, so that members with little room left go to the most pressing tasks."""
    return list(
        session.scalars(
            select(col(MatchingTask.task_id))
            .join(TaskFill, col(TaskFill.task_id) == MatchingTask.task_id)
            .where(
                col(MatchingTask.partition).in_(partitions),
                col(MatchingTask.status).in_(MATCHABLE_TASK_STATUSES),
                col(TaskFill.accepted) < TaskFill.slots,
            )
            .order_by(col(MatchingTask.starts_at).is_(None), col(MatchingTask.starts_at))
        )
    )


def members_to_settle(session: Session, matching: Matching, partitions: frozenset[int]) -> set[UUID]:
    """Erased members holding any live offer, paused members holding pending ones.

    The members reader settles them the moment it hears of the change; this catches what it could
    not (the database was down, or an offer was being made just as the member left).
    """
    holders = session.execute(
        select(col(Offer.member_id), col(Offer.status))
        .distinct()
        .join(MatchingTask, col(MatchingTask.task_id) == Offer.task_id)
        .where(col(Offer.status).in_(LIVE_STATUSES), col(MatchingTask.partition).in_(partitions))
    )
    unsettled = set()
    for member_id, status in holders:
        member = matching.directory.get(member_id)
        if member is None or (status == OfferStatus.pending and member.status != MemberStatus.active):
            unsettled.add(member_id)
    return unsettled


def top_up(session: Session, matching: Matching, task_id: UUID, book: LoadBook, now: datetime) -> list[Offer]:
    """Expire the task's overdue offers and send new ones until the wave is full again."""
    matching.work.came_short(task_id, False)
    fill = capacity.lock_fill(session, task_id)
    if fill is None:
        return []
    offers.expire_due(session, matching.offers_topic, task_id, now)
    task = session.get(MatchingTask, task_id, populate_existing=True)
    if fill.is_full or task is None or task.status not in MATCHABLE_TASK_STATUSES:
        return []
    settings = matching.settings
    stored = TaskState.model_validate_json(task.state_json)
    so_far = asked_so_far(session, task_id, now, settings.slow_answer_share)
    state = widen_when_due(session, matching, stored, book.loads, so_far.members, now)
    room, candidates = _room_and_candidates(matching, state, fill, so_far, book, now)
    if room <= 0:
        return []
    sent = []
    for candidate in candidates:
        if not matching.directory.is_active(candidate.member_id):
            continue  # paused or erased since the engine answered
        sent.append(
            offers.create_offer(
                session, matching.offers_topic, task, candidate, now, settings.answer_time, state=stored
            )
        )
        book.offered(candidate.member_id, now)
    # Fewer than it had room for while some were at their cap: a member's answer may bring it back.
    matching.work.came_short(task_id, len(sent) < room and bool(book.full))
    if sent:  # silence past this moment widens the wave: look at the task again then
        matching.work.look_again(slow_point(now, as_utc(sent[0].expires_at), settings.slow_answer_share), task_id)
    return sent


def needs_top_up(session: Session, matching: Matching, task_id: UUID, book: LoadBook, now: datetime) -> bool:
    """Read-only: whether ``top_up`` would change anything for the task now.

    The reconciliation pass asks first. Most open tasks have all the offers they may have, or
    nobody left to ask, and finding that out inside ``top_up`` cost a write transaction each (the
    fill lock, then a commit): at 10,000 open tasks a pass held the write lock for tens of seconds.
    Fresh work goes straight to ``top_up``: it nearly always sends offers.
    """
    fill = capacity.read_fill(session, task_id)
    if fill is None:
        return False
    if offers.pending_ids(session, col(Offer.task_id) == task_id, col(Offer.expires_at) <= now):
        return True
    task = session.get(MatchingTask, task_id)
    if fill.is_full or task is None or task.status not in MATCHABLE_TASK_STATUSES:
        return False
    taken = [row.widening for row in recorded(session, task_id)]
    state = applied(TaskState.model_validate_json(task.state_json), taken)
    if step_due(matching, state, taken, now):
        return True
    so_far = asked_so_far(session, task_id, now, matching.settings.slow_answer_share)
    room, candidates = _room_and_candidates(matching, state, fill, so_far, book, now)
    if room <= 0:
        matching.work.came_short(task_id, False)
        return False
    if any(matching.directory.is_active(candidate.member_id) for candidate in candidates):
        return True
    matching.work.came_short(task_id, bool(book.full))  # as top_up leaves it when it sends nothing
    return False


def _room_and_candidates(
    matching: Matching, state: TaskState, fill: capacity.Fill, so_far: AskedSoFar, book: LoadBook, now: datetime
) -> tuple[int, list[Candidate]]:
    """How many more offers the task's wave has room for, and the engine's best candidates for them
    (none when there is no room)."""
    room = matching.settings.waves.size(fill.open_slots, so_far.answers) - so_far.pending
    if room <= 0:
        return room, []
    excluded = so_far.members | book.full
    candidates = matching.directory.candidates(state, loads=book.loads, excluded=excluded, limit=room, now=now)
    return room, candidates


def already_asked(session: Session, task_id: UUID) -> set[UUID]:
    """Members the task must not be offered to again: everyone asked, except offers withdrawn
    by circumstance (the task filled then reopened, the member paused then came back)."""
    return set(
        session.scalars(
            select(col(Offer.member_id)).where(
                col(Offer.task_id) == task_id, col(Offer.status) != OfferStatus.withdrawn
            )
        )
    )
