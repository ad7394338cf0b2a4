"""The worker's work follows what changed: a new task, a decline, a freed place, an expiry or a
member who joins makes it look at the tasks concerned and no others; the reconciliation pass
is rate-limited and never holds fresh work back. Handler level with the worker's own steps, a
chosen clock, real databases (SQLite and PostgreSQL)."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import event, select, update

from services.common.clock import as_utc, utc_now
from services.common.contracts import OfferStatus, SkillLevel, Weekday
from services.matching import context, handlers, main, scheduler, worker
from services.matching.members_reader import members_changed
from services.matching.models import Offer
from services.matching.scheduler import BATCH, Schedule, step
from services.matching.work import next_expiry
from tests.matching.factories import member, next_weekday, task

WEB = {"web-development": SkillLevel.capable}
LEGAL = {"legal-knowledge": SkillLevel.capable}


@pytest.fixture
def handled(monkeypatch) -> list:
    """The tasks the worker looked at, in order: topped up, or (reconciling) found to need nothing."""
    seen = []

    def needs_top_up(session, matching, task_id, book, now):
        seen.append(task_id)
        return worker.needs_top_up(session, matching, task_id, book, now)

    def top_up(session, matching, task_id, book, now):
        if not seen or seen[-1] != task_id:  # not just looked at by needs_top_up
            seen.append(task_id)
        return worker.top_up(session, matching, task_id, book, now)

    monkeypatch.setattr(scheduler, "needs_top_up", needs_top_up)
    monkeypatch.setattr(scheduler, "top_up", top_up)
    return seen


def shift(number: int):
    return next_weekday(Weekday.saturday, (8, 11, 14, 17)[number % 4], 1 + number // 4)


def until_idle(harness, schedule, now) -> None:
    for _ in range(200):
        if step(harness.matching, schedule, now) > 0:
            return
    raise AssertionError("the worker never ran out of work")


def offers_of(harness, **filters) -> list[Offer]:
    with harness.session() as session:
        query = select(Offer).where(*(getattr(Offer, key) == value for key, value in filters.items()))
        return list(session.scalars(query.order_by(Offer.created_at)))


def answered_through_the_api(harness, verb, offer, now):
    action = {
        "decline": handlers.decline_offer,
        "accept": handlers.accept_offer,
        "withdraw": handlers.withdraw_acceptance,
    }[verb]
    with harness.matching.unit_of_work() as session:
        return action(harness.call(session, now), offer.id, offer.member_id)


def open_tasks(harness, count, now, **fields) -> list:
    posted = [task(starts_at=shift(n), **fields) for n in range(count)]
    for state in posted:
        harness.task(state, now)
    return posted


def test_a_new_task_is_matched_at_once_and_alone(harness, handled):
    now, schedule = utc_now(), Schedule()
    harness.members(*(member() for _ in range(40)))
    open_tasks(harness, 20, now)
    until_idle(harness, schedule, now)
    handled.clear()

    new = task(slots=2, starts_at=shift(30), title="Flyer run")
    harness.task(new, now)
    assert step(harness.matching, schedule, now) == 0
    assert handled == [new.task_id]
    assert len(offers_of(harness, task_id=new.task_id)) == 3


def test_a_decline_and_a_freed_place_are_handled_for_their_task_only(harness, handled):
    now, schedule = utc_now(), Schedule()
    harness.members(*(member() for _ in range(30)))
    clinic, *others = open_tasks(harness, 10, now)
    until_idle(harness, schedule, now)
    first, second = offers_of(harness, task_id=clinic.task_id)
    handled.clear()

    answered_through_the_api(harness, "decline", first, now)
    until_idle(harness, schedule, now)
    assert handled == [clinic.task_id]
    waiting = offers_of(harness, task_id=clinic.task_id, status=OfferStatus.pending)
    assert len(waiting) == 3  # one decline of two offers widens the wave: 1 open place x 2.25

    answered_through_the_api(harness, "accept", second, now)
    handled.clear()
    answered_through_the_api(harness, "withdraw", second, now)  # the place is free again
    until_idle(harness, schedule, now)
    assert handled == [clinic.task_id]
    assert len(offers_of(harness, task_id=clinic.task_id, status=OfferStatus.pending)) == 2  # one yes, one no


def test_expiries_come_due_from_the_index_soonest_first(harness_with, handled):
    # No earlier look for silence and no reconciliation after the first: expiries alone.
    harness = harness_with(slow_answer_share=1.0, reconcile_seconds=10**9)
    now, schedule = utc_now(), Schedule()
    harness.members(*(member() for _ in range(10)))
    early, late = task(starts_at=shift(20)), task(starts_at=shift(21))
    harness.task(early, now)
    until_idle(harness, schedule, now)
    harness.task(late, now + timedelta(hours=2))
    until_idle(harness, schedule, now + timedelta(hours=2))
    with harness.session() as session:
        assert next_expiry(session, schedule.owned) == now + timedelta(hours=24)
    handled.clear()

    until_idle(harness, schedule, now + timedelta(hours=24, seconds=1))
    assert handled == [early.task_id]
    assert {o.status for o in offers_of(harness, task_id=early.task_id)} == {OfferStatus.expired, OfferStatus.pending}
    assert {o.status for o in offers_of(harness, task_id=late.task_id)} == {OfferStatus.pending}


def test_a_member_who_joins_is_matched_against_the_open_tasks_they_could_fit_only(harness, handled):
    now, schedule = utc_now(), Schedule()
    websites = open_tasks(harness, 6, now, skills=WEB)
    open_tasks(harness, 6, now, skills=LEGAL)
    open_tasks(harness, 3, now, skills=WEB, area="north")
    until_idle(harness, schedule, now)  # nobody to ask yet
    assert not offers_of(harness)
    handled.clear()

    newcomer = member(skills={"web-development": SkillLevel.expert})
    harness.members(newcomer)
    members_changed(harness.matching, [(newcomer.member_id, newcomer)])
    until_idle(harness, schedule, now)
    assert set(handled) == {state.task_id for state in websites}
    assert len(offers_of(harness, member_id=newcomer.member_id)) == harness.settings.max_pending_offers


def settled_with_tasks_nobody_fits(harness_with):
    """A harness whose worker has handled ``BATCH * 2 + 10`` open tasks that nobody qualifies for
    (they stay open), with a reconciliation pass a minute."""
    harness = harness_with(reconcile_seconds=60)
    now, schedule = utc_now(), Schedule()
    harness.members(member())
    open_tasks(harness, BATCH * 2 + 10, now, skills=LEGAL)
    until_idle(harness, schedule, now)
    return harness, now, schedule


def test_reconciliation_is_rate_limited_and_never_holds_fresh_work_back(harness_with, handled):
    harness, now, schedule = settled_with_tasks_nobody_fits(harness_with)
    handled.clear()

    schedule.reconcile_at = now  # a reconciliation pass is due
    assert step(harness.matching, schedule, now) == 0
    assert len(handled) == BATCH and len(schedule.reconciling) == BATCH + 10
    new = task(starts_at=shift(200))
    harness.task(new, now)
    step(harness.matching, schedule, now)
    assert handled[-1] == new.task_id and len(schedule.reconciling) == BATCH + 10  # fresh work first
    until_idle(harness, schedule, now)
    assert len(handled) == BATCH * 2 + 10 + 1

    handled.clear()
    until_idle(harness, schedule, now + timedelta(seconds=59))
    assert handled == []  # not again before a minute has passed
    until_idle(harness, schedule, now + timedelta(seconds=61))
    assert len(handled) == BATCH * 2 + 10 + 1  # the new task too: it still has room


def test_a_long_reconciliation_pass_is_followed_by_a_rest_nine_times_as_long(harness_with, handled):
    harness, now, schedule = settled_with_tasks_nobody_fits(harness_with)
    schedule.reconcile_at = now  # a reconciliation pass is due
    step(harness.matching, schedule, now)
    assert schedule.reconciling  # under way
    schedule.pass_started -= 20  # as if the pass had taken 20 s so far (10,000 open tasks)
    until_idle(harness, schedule, now)
    handled.clear()

    until_idle(harness, schedule, now + timedelta(seconds=61))
    assert handled == []  # a minute has passed, but a tenth of the time is all a pass may take
    until_idle(harness, schedule, now + timedelta(seconds=200))  # 20 s and a little, nine times over
    assert len(handled) == BATCH * 2 + 10


def test_offers_left_unanswered_bring_their_task_back_once_at_the_slow_point(harness_with, handled):
    harness = harness_with(reconcile_seconds=10**9)  # the slow point alone brings it back
    now, schedule = utc_now(), Schedule()
    harness.members(*(member() for _ in range(12)))
    posted = task(slots=2, starts_at=shift(40))  # weeks away: offers wait 24 hours
    harness.task(posted, now)
    until_idle(harness, schedule, now)
    assert harness.matching.work.next_moment() == now + timedelta(hours=12)
    handled.clear()

    until_idle(harness, schedule, now + timedelta(hours=12))
    assert handled == [posted.task_id]
    assert len(offers_of(harness, task_id=posted.task_id, status=OfferStatus.pending)) == 8  # the wave widened


def test_a_member_who_answers_at_the_cap_is_offered_the_tasks_that_came_short_for_want_of_them(harness_with, handled):
    harness = harness_with(reconcile_seconds=10**9)  # no reconciliation pass to fall back on
    now, schedule = utc_now(), Schedule()
    volunteer = member(max_tasks_per_month=10)
    harness.members(volunteer)
    first, second, third = open_tasks(harness, 3, now)
    legal = open_tasks(harness, 2, now, skills=LEGAL)  # short too, but not for want of them
    until_idle(harness, schedule, now)
    waiting = offers_of(harness, status=OfferStatus.pending)
    assert {o.task_id for o in waiting} == {first.task_id, second.task_id}  # at the cap of two
    handled.clear()

    answered_through_the_api(harness, "decline", waiting[0], now)
    until_idle(harness, schedule, now)
    assert third.task_id in handled and not {state.task_id for state in legal} & set(handled)
    kept = ({first.task_id, second.task_id} - {waiting[0].task_id}).pop()
    assert {o.task_id for o in offers_of(harness, status=OfferStatus.pending)} == {kept, third.task_id}


def test_a_task_posted_during_a_reconciliation_step_waits_for_one_task_of_it_not_the_whole_step(
    harness_with, handled, monkeypatch
):
    harness = harness_with(reconcile_seconds=60)
    now, schedule = utc_now(), Schedule()
    harness.members(member())
    open_tasks(harness, BATCH, now, skills=LEGAL)  # nobody qualifies: they stay open
    until_idle(harness, schedule, now)
    handled.clear()
    new = task(starts_at=shift(200))
    looked_at = scheduler.needs_top_up

    def arrives_during_the_third(session, matching, task_id, book, at):
        if len(handled) == 2:  # the third, before it is recorded
            harness.task(new, now)  # the tasks reader, on its own thread, while the worker is busy
        return looked_at(session, matching, task_id, book, at)

    monkeypatch.setattr(scheduler, "needs_top_up", arrives_during_the_third)
    schedule.reconcile_at = now  # a reconciliation pass is due
    step(harness.matching, schedule, now)
    assert len(handled) == 3 and len(schedule.reconciling) == BATCH - 3  # it stopped there
    step(harness.matching, schedule, now)
    assert handled[3] == new.task_id
    until_idle(harness, schedule, now)
    assert len(handled) == BATCH + 1  # and the pass went on where it stopped


def test_the_worker_keeps_members_loads_between_steps_until_something_else_changes_them(
    harness_with, handled, monkeypatch
):
    reads = []
    read = context.load_book
    monkeypatch.setattr(context, "load_book", lambda *args: reads.append(args[1]) or read(*args))
    harness = harness_with(reconcile_seconds=10**9, max_pending_offers=1)
    now, schedule = utc_now(), Schedule()
    volunteers = [member() for _ in range(3)]
    harness.members(*volunteers)
    until_idle(harness, schedule, now)
    harness.matching.loads.invalidate()
    reads.clear()

    for number in range(3):  # three tasks, one step each: the book is read once, then kept
        harness.task(task(starts_at=shift(number)), now)
        step(harness.matching, schedule, now)
    assert len(reads) == 1
    waiting = offers_of(harness, status=OfferStatus.pending)
    assert sorted(o.member_id for o in waiting) == sorted(v.member_id for v in volunteers)  # one each: the cap

    fourth = task(starts_at=shift(3))
    harness.task(fourth, now)
    step(harness.matching, schedule, now)
    assert len(reads) == 1 and offers_of(harness, task_id=fourth.task_id) == []  # all at the cap, as kept
    answered_through_the_api(harness, "decline", waiting[0], now)  # another transaction: read again
    until_idle(harness, schedule, now)
    assert len(reads) == 2
    again = offers_of(harness, member_id=waiting[0].member_id, status=OfferStatus.pending)
    assert len(again) == 1 and again[0].task_id != waiting[0].task_id  # free again, asked for a task that came short

    later = now + context.LOADS_MAX_AGE
    harness.task(task(starts_at=shift(4)), later)
    step(harness.matching, schedule, later)
    assert reads[-1] == later  # kept no longer than LOADS_MAX_AGE


def test_an_idle_worker_reads_the_expiry_index_once_a_tick_and_learns_of_new_offers_as_they_are_made(
    harness_with, handled, monkeypatch
):
    reads = []
    monkeypatch.setattr(scheduler, "next_expiry", lambda session, owned: reads.append(1) or next_expiry(session, owned))
    harness = harness_with(slow_answer_share=1.0, reconcile_seconds=10**9, tick_seconds=5)
    now, schedule = utc_now(), Schedule()
    harness.members(*(member() for _ in range(10)))
    until_idle(harness, schedule, now)
    reads.clear()

    for _ in range(5):  # nothing to do, five times over: the index as read a moment ago
        step(harness.matching, schedule, now)
    assert reads == []
    posted = task(starts_at=shift(20))
    harness.task(posted, now)
    until_idle(harness, schedule, now)
    expires_at = offers_of(harness, task_id=posted.task_id)[0].expires_at
    assert reads == [] and schedule.expiries_at == as_utc(expires_at)  # known from the offers it made
    step(harness.matching, schedule, now + timedelta(seconds=5))
    assert reads == [1]  # and read again a tick later

    handled.clear()
    until_idle(harness, schedule, as_utc(expires_at) + timedelta(seconds=1))
    assert handled == [posted.task_id]
    assert OfferStatus.expired in {o.status for o in offers_of(harness, task_id=posted.task_id)}


def test_a_reconciliation_pass_writes_nothing_for_tasks_that_need_nothing(harness_with, handled):
    harness = harness_with(reconcile_seconds=60)
    now, schedule = utc_now(), Schedule()
    harness.members(*(member() for _ in range(6)))
    full_waves = open_tasks(harness, 2, now)  # offers out to all they may have
    nobody = open_tasks(harness, 3, now, skills=LEGAL)  # nobody to ask
    until_idle(harness, schedule, now)
    writes = []
    event.listen(
        harness.engine, "before_cursor_execute", lambda _c, _cur, sql, *_: writes.append(" ".join(sql.split()))
    )
    handled.clear()

    schedule.reconcile_at = now  # a reconciliation pass is due
    until_idle(harness, schedule, now)
    assert set(handled) == {state.task_id for state in full_waves + nobody}  # every open task looked at
    written = [w for w in writes if w.split()[0].upper() in ("INSERT", "UPDATE", "DELETE")]
    assert [w for w in written if "missed_task" not in w] == []  # nothing written but the pass's own sweep
    with harness.session() as session:  # a pending offer due to expire: that task is topped up
        session.execute(update(Offer).where(Offer.task_id == full_waves[0].task_id).values(expires_at=now))
        session.commit()
    writes.clear()
    schedule.reconcile_at = now
    until_idle(harness, schedule, now + timedelta(seconds=1))
    assert any(w.upper().startswith("UPDATE TASK_FILL") for w in writes)
    statuses = {o.status for o in offers_of(harness, task_id=full_waves[0].task_id)}
    assert OfferStatus.expired in statuses


def test_stopping_the_service_ends_an_idle_worker_at_once_not_after_its_pause(harness_with):
    # An idle worker sleeps until its next tick (here 60 s) on its wake-up event, which the
    # runtime's stop event cannot end: the shutdown's join gave up after 10 s and left it running.
    harness = harness_with(tick_seconds=60)
    runtime = harness.matching.runtime
    (worker_thread,) = [job for job in main.background(harness.matching) if job.name == "matching-worker"]
    runtime.start_thread(worker_thread.name, worker_thread.run, worker_thread.wake)
    started = runtime.threads[-1]
    time.sleep(1.0)  # it takes its first step (nothing to do) and waits for its next tick
    runtime.shutdown(timeout_s=5)
    assert not started.is_alive()
