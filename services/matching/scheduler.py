"""The worker thread: handles what changed as it happens, what is due when it is due, and
reconciles everything now and then, in small steps that never hold fresh work back.

Each step, in order:

1. the partitions this instance owns changed: reload the open tasks it matches, reconcile now;
2. tasks with an offer past its time are marked (read from the database, soonest first);
3. up to ``BATCH`` marked tasks are topped up (``worker.top_up``), each in its own transaction;
4. only when nothing is marked, up to ``BATCH`` more tasks of a reconciliation pass are topped
   up, one by one, stopping as soon as fresh work is due. A pass starts at most every
   ``reconcile_seconds``, and at most a tenth of the time (``RECONCILE_SHARE``); it catches what
   the events could not tell (offers made by another instance before a rebalance, a change that
   failed half-way);
5. with nothing left, the thread sleeps until the next expiry, the next slow answer, the next
   reconciliation or a nudge, whichever comes first.

The work of one step is proportional to what changed, not to the number of open tasks.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import UUID

from prometheus_client import Histogram
from sqlmodel import Session

from services.common.clock import utc_now
from services.matching.attendance import forget_old
from services.matching.context import Matching
from services.matching.members_reader import settle_member_offers
from services.matching.work import next_expiry, tasks_with_expired_offers
from services.matching.worker import (
    OFFERS_CREATED,
    PASS_SECONDS,
    members_to_settle,
    needs_top_up,
    tasks_with_free_slots,
    top_up,
)

log = logging.getLogger(__name__)

BATCH = 50  # tasks per step
EXPIRY_CHECK_WHILE_BUSY = timedelta(seconds=1)
# The most of the worker's time reconciliation may take: after a pass, the next waits at least
# (1 / share - 1) times as long as the pass took. With 10,000 open tasks a pass took 16 s; a pass a
# minute was a quarter of the matcher's CPU, and the p99 at 10 tasks/s tripled against 1,000 open.
RECONCILE_SHARE = 0.1
RETRY_AFTER = timedelta(seconds=1)
STEP_SECONDS = Histogram("matching_step_seconds", "Duration of one worker step", ["kind"])


@dataclass
class Schedule:
    owned: frozenset[int] = frozenset()
    reconcile_at: datetime | None = None  # None: at once
    reconciling: list[UUID] = field(default_factory=list)
    pass_started: float = 0.0
    expiries_at: datetime | None = None  # when to look for expired offers next (None: now)
    # The expiry index as last read (see ``_next_expiry``): the soonest expiry then, and when.
    index_expiry: datetime | None = None
    index_read_at: datetime | None = None


def run_worker(matching: Matching, stop: threading.Event) -> None:
    # Before the members topic is replayed, the engine knows only some members: wait.
    while not stop.is_set() and not matching.directory.replayed.wait(0.2):
        pass
    schedule = Schedule()
    while not stop.is_set():
        matching.worker_wakeup.clear()  # a nudge during the step asks for one more
        try:
            pause = step(matching, schedule, utc_now())
        except Exception:
            log.exception("matching step failed; retrying shortly")
            pause = matching.settings.tick_seconds
        if pause > 0 and not stop.is_set():
            matching.worker_wakeup.wait(pause)  # stopping sets it too (Background.wake)


def step(matching: Matching, schedule: Schedule, now: datetime) -> float:
    """One step; returns how long to sleep before the next (0: go on at once)."""
    _follow_ownership(matching, schedule)
    if schedule.expiries_at is None or now >= schedule.expiries_at:
        with Session(matching.runtime.engine) as session:
            matching.work.mark(tasks_with_expired_offers(session, schedule.owned, now))
        # While busy, at most once a second; when idle, at the next expiry (see _until_next).
        schedule.expiries_at = now + EXPIRY_CHECK_WHILE_BUSY
    fresh = matching.work.take(now, BATCH)
    if fresh:
        _timed("fresh", lambda: top_up_all(matching, fresh, now))
        return 0
    if schedule.reconciling or _reconciliation_due(schedule, now):
        _timed("reconcile", lambda: _reconcile_some(matching, schedule, now))
        return 0
    return _until_next(matching, schedule, now)


def top_up_all(matching: Matching, task_ids: list[UUID], now: datetime, reconciling: bool = False) -> int:
    """Top up the tasks in order, each in its own transaction; returns how many were handled.

    A reconciliation step (``reconciling``) stops after any task once fresh work is due, so that
    a new task never waits for a whole step of old ones, and asks first whether a task needs
    anything (``needs_top_up``, read-only): most do not."""
    book = matching.loads.book(now)
    sent = handled = 0
    for task_id in task_ids:
        if reconciling and handled and matching.work.has_due(now):
            break
        handled += 1
        try:
            if reconciling:
                with Session(matching.runtime.engine) as session:
                    if not needs_top_up(session, matching, task_id, book, now):
                        continue
            with matching.unit_of_work(wake_worker=False, book_kept=True) as session:
                sent += len(top_up(session, matching, task_id, book, now))
        except Exception:  # e.g. the database went away: this task again shortly, the others now
            log.exception("could not top up task %s; trying again shortly", task_id)
            matching.loads.invalidate()  # it may have counted offers that were rolled back
            matching.work.look_again(now + RETRY_AFTER, task_id)
    OFFERS_CREATED.inc(sent)
    return handled


def _follow_ownership(matching: Matching, schedule: Schedule) -> None:
    owned = matching.ownership.owned()
    if owned == schedule.owned:
        return
    with Session(matching.runtime.engine) as session:
        matching.open_tasks.reload(session, owned)
    schedule.owned, schedule.reconcile_at, schedule.reconciling = owned, None, []
    schedule.index_read_at = None  # other tasks, other offers: read the expiry index again


def _reconciliation_due(schedule: Schedule, now: datetime) -> bool:
    return bool(schedule.owned) and (schedule.reconcile_at is None or now >= schedule.reconcile_at)


def _reconcile_some(matching: Matching, schedule: Schedule, now: datetime) -> None:
    if not schedule.reconciling:  # a new pass: settle left-over offers, then list the tasks
        schedule.pass_started = time.perf_counter()
        schedule.reconcile_at = now + timedelta(seconds=matching.settings.reconcile_seconds)
        _settle_left_over(matching, schedule.owned, now)
        with matching.unit_of_work(wake_worker=False) as session:
            forget_old(
                session,
                now - timedelta(days=matching.settings.no_show_days),
                lambda member_id: matching.directory.get(member_id) is not None,
            )
        with Session(matching.runtime.engine) as session:
            schedule.reconciling = tasks_with_free_slots(session, schedule.owned)
        matching.loads.invalidate()  # each pass starts from the database's own counts
    handled = top_up_all(matching, schedule.reconciling[:BATCH], now, reconciling=True)
    del schedule.reconciling[:handled]
    if not schedule.reconciling:
        took = time.perf_counter() - schedule.pass_started
        PASS_SECONDS.observe(took)
        rest = now + timedelta(seconds=took * (1 / RECONCILE_SHARE - 1))
        schedule.reconcile_at = rest if schedule.reconcile_at is None else max(schedule.reconcile_at, rest)


def _settle_left_over(matching: Matching, owned: frozenset[int], now: datetime) -> None:
    with Session(matching.runtime.engine) as session:
        unsettled = members_to_settle(session, matching, owned)
    for member_id in unsettled:
        with matching.unit_of_work() as session:
            settle_member_offers(session, matching.offers_topic, member_id, matching.directory.get(member_id), now)


def _until_next(matching: Matching, schedule: Schedule, now: datetime) -> float:
    tick = timedelta(seconds=matching.settings.tick_seconds)
    expiry = _next_expiry(matching, schedule, now, tick)
    # An expiry already past was just handled (or cannot be): look again only after a while.
    if expiry is None:
        schedule.expiries_at = now + tick
    else:
        schedule.expiries_at = expiry if expiry > now else now + EXPIRY_CHECK_WHILE_BUSY
    pause = matching.settings.tick_seconds
    for moment in (schedule.expiries_at, matching.work.next_moment(), schedule.reconcile_at):
        if moment is not None:
            pause = min(pause, (moment - now).total_seconds())
    return max(pause, 0.01)


def _next_expiry(matching: Matching, schedule: Schedule, now: datetime, tick: timedelta) -> datetime | None:
    """The soonest expiry of a waiting offer, without reading the index each time the worker
    runs out of work (at a few tasks a second, that was a query after every step).

    A moment earlier than the true one is harmless (the worker looks, finds nothing, reads the
    index again); a later one would hold an expiry back. Offers that stop waiting only make the
    true moment later; offers made in this process are reported as they commit
    (``WorkQueue.offers_made``). Offers another instance made for this instance's tasks (a member
    asked it for one) are not reported: the index is read again at least every tick for them.
    """
    stale = (
        schedule.index_read_at is None
        or now >= schedule.index_read_at + tick
        or (schedule.index_expiry is not None and now >= schedule.index_expiry)
    )
    if stale:
        matching.work.new_expiry(forget=True)  # before reading: the index holds what was made until now
        with Session(matching.runtime.engine) as session:
            schedule.index_expiry, schedule.index_read_at = next_expiry(session, schedule.owned), now
    moments = [m for m in (schedule.index_expiry, matching.work.new_expiry()) if m is not None]
    return min(moments, default=None)


def _timed(kind: str, work) -> None:
    started = time.perf_counter()
    work()
    STEP_SECONDS.labels(kind).observe(time.perf_counter() - started)
