"""Rules of the lifecycle checked at the handler level on a real database (SQLite and PostgreSQL),
with a chosen clock and no threads."""

from __future__ import annotations

import json
from datetime import timedelta
from uuid import uuid4

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from services.common.clock import as_utc, utc_now
from services.common.contracts import OfferStatus, SkillLevel, Weekday
from services.common.db import session_scope
from services.common.outbox import OutboxMessage
from services.common.problems import NotFound
from services.matching import handlers, worker
from services.matching.config import Settings
from services.matching.errors import MonthlyLimitReached, ScheduleClash, StillStarting
from services.matching.loads import LoadBook, member_loads
from services.matching.models import Offer
from tests.matching.factories import TORONTO, member, next_weekday, task, with_changes


def offers_of(harness, **filters) -> list[Offer]:
    with harness.session() as session:
        query = select(Offer).where(*(getattr(Offer, key) == value for key, value in filters.items()))
        return list(session.scalars(query.order_by(Offer.created_at)))


def accept(harness, offer, now):
    with session_scope(harness.engine) as session:
        return handlers.accept_offer(harness.call(session, now), offer.id, offer.member_id)


def event_types(harness) -> list[str]:
    with harness.session() as session:
        return [
            json.loads(p)["type"] for p in session.scalars(select(OutboxMessage.payload).order_by(OutboxMessage.id))
        ]


def offered_to_four(harness, slots: int, now):
    """Four members, and a task with ``slots`` places that a first pass has offered to them."""
    harness.members(*(member() for _ in range(4)))
    posted = task(slots=slots)
    harness.task(posted, now)
    harness.run_pass(now)
    return posted


def top_up_without_loads(harness, task_id, now):
    """A pass that does not know what other matchers just offered (the worst case for limits)."""
    with session_scope(harness.engine) as session:
        book = LoadBook(loads={}, pending={}, max_pending=harness.settings.max_pending_offers)
        return worker.top_up(session, harness.matching, task_id, book, now)


def test_a_member_is_not_offered_more_tasks_at_once_than_their_monthly_limit(harness):
    now = utc_now()
    harness.members(member(max_tasks_per_month=1))
    for hour in (9, 15):
        harness.task(task(starts_at=next_weekday(Weekday.saturday, hour)), now)
    harness.run_pass(now)
    assert len(offers_of(harness)) == 1


def test_accepting_past_the_monthly_limit_is_refused_and_changes_nothing(harness):
    now = utc_now()
    volunteer = member(max_tasks_per_month=1)
    harness.members(volunteer)
    morning, evening = (task(starts_at=next_weekday(Weekday.saturday, hour)) for hour in (9, 15))
    for state in (morning, evening):
        harness.task(state, now)
        top_up_without_loads(harness, state.task_id, now)
    (first,), (second,) = offers_of(harness, task_id=morning.task_id), offers_of(harness, task_id=evening.task_id)
    accept(harness, first, now)
    with pytest.raises(MonthlyLimitReached):
        accept(harness, second, now)
    assert offers_of(harness, task_id=evening.task_id)[0].status == OfferStatus.pending
    with harness.session() as session:
        assert handlers.get_fill(harness.call(session), evening.task_id).accepted == 0


def test_nobody_can_accept_two_tasks_at_the_same_time(harness):
    now = utc_now()
    harness.members(member())
    clinic, rally = task(title="Clinic"), task(title="Rally")  # both Saturday 10:00-12:00
    for state in (clinic, rally):
        harness.task(state, now)
    harness.run_pass(now)
    (first,), (second,) = offers_of(harness, task_id=clinic.task_id), offers_of(harness, task_id=rally.task_id)
    accept(harness, first, now)
    with pytest.raises(ScheduleClash, match="at that time"):
        accept(harness, second, now)


def test_an_accept_before_the_members_are_loaded_asks_to_try_again(harness):
    now = utc_now()
    harness.members(member())
    harness.task(task(), now)
    harness.run_pass(now)
    harness.matching.directory.replayed.clear()
    with pytest.raises(StillStarting):
        accept(harness, offers_of(harness)[0], now)


def test_an_offer_expires_no_later_than_its_task_starts(harness):
    now = utc_now()
    harness.members(member())
    soon = task(starts_at=(now + timedelta(hours=1)).astimezone(TORONTO))  # sooner than the shortest answer time
    harness.task(soon, now)
    harness.run_pass(now)
    (offer,) = offers_of(harness)
    assert as_utc(offer.expires_at) == soon.starts_at  # not 2 hours from now


def test_an_older_task_state_never_overwrites_a_newer_one(harness):
    now = utc_now()
    posted = task(slots=2)
    harness.task(posted, now)
    harness.task(with_changes(posted, slots=5), now - timedelta(seconds=5))  # a late duplicate
    with harness.session() as session:
        assert handlers.get_fill(harness.call(session), posted.task_id).slots == 2


def test_lowering_slots_to_the_accepted_count_fills_the_task_and_raising_them_reopens_it(harness):
    now = utc_now()
    posted = offered_to_four(harness, slots=3, now=now)
    accept(harness, offers_of(harness)[0], now)
    harness.task(with_changes(posted, slots=1), now + timedelta(seconds=1))
    assert {o.status for o in offers_of(harness) if o.status != OfferStatus.accepted} == {OfferStatus.withdrawn}
    assert event_types(harness)[-1] == "fill.completed"
    harness.task(with_changes(posted, slots=2), now + timedelta(seconds=2))
    assert event_types(harness)[-1] == "fill.reopened"
    assert harness.run_pass(now + timedelta(seconds=3)) == 2  # ceil(1 open slot x 1.5)


def test_a_members_load_counts_accepted_and_waiting_offers_as_recent_tasks_and_busy_times(harness):
    now = utc_now()
    volunteer = member()
    harness.members(volunteer)
    morning, evening = (task(starts_at=next_weekday(Weekday.saturday, hour)) for hour in (9, 15))
    for state in (morning, evening):
        harness.task(state, now)
    harness.run_pass(now)
    accept(harness, offers_of(harness, task_id=morning.task_id)[0], now)
    with harness.session() as session:
        load = member_loads(session, now, harness.settings.tz, 30, harness.settings.no_show_days)[volunteer.member_id]
    assert (load.tasks_this_month, load.recent_tasks) == (2, 2)
    assert load.last_offered_at is not None
    assert load.busy == ((morning.starts_at, morning.ends_at),)


def test_the_service_refuses_an_unknown_time_zone():
    with pytest.raises(ValidationError, match="unknown time zone"):
        Settings(timezone="Mars/Olympus_Mons", environment="test")


def test_an_unknown_task_has_no_fill(harness):
    with harness.session() as session, pytest.raises(NotFound):
        handlers.get_fill(harness.call(session), uuid4())


def test_skills_decide_who_is_asked(harness):
    now = utc_now()
    expert, learner = (
        member(skills={"web-development": SkillLevel.expert}),
        member(skills={"web-development": SkillLevel.learning}),
    )
    harness.members(expert, learner)
    harness.task(task(skills={"web-development": SkillLevel.capable}, slots=2), now)
    harness.run_pass(now)
    (offer,) = offers_of(harness)
    assert offer.member_id == expert.member_id
    assert {"kind": "skill", "skill": "web-development", "level": SkillLevel.expert} in offer.reasons


def test_an_offer_withdrawn_because_the_task_filled_goes_back_to_its_member_when_a_place_reopens(harness):
    """Only a withdrawal by circumstance lets a task be offered to the same member again; an
    offer they let expire (or declined) never comes back."""
    now = utc_now()
    first, second = member(), member()
    harness.members(first, second)
    posted = task(slots=1)
    harness.task(posted, now)
    harness.run_pass(now)
    taken = next(o for o in offers_of(harness) if o.member_id == first.member_id)
    accept(harness, taken, now)
    assert offers_of(harness, member_id=second.member_id)[0].withdrawn_because == "task filled"

    harness.task(with_changes(posted, slots=2), now + timedelta(seconds=1))  # a second place opens
    harness.run_pass(now + timedelta(seconds=2))
    again = offers_of(harness, member_id=second.member_id)
    assert [o.status for o in again] == [OfferStatus.withdrawn, OfferStatus.pending]

    later = now + timedelta(seconds=harness.settings.offer_ttl_seconds + 5)
    harness.run_pass(later)  # the second offer expires, and is not made a third time
    assert [o.status for o in offers_of(harness, member_id=second.member_id)] == [
        OfferStatus.withdrawn,
        OfferStatus.expired,
    ]


def test_a_place_the_coordinator_removed_is_not_offered_again_when_a_volunteer_leaves(harness):
    now = utc_now()
    posted = offered_to_four(harness, slots=2, now=now)
    for offer in offers_of(harness)[:2]:
        accept(harness, offer, now)
    harness.task(with_changes(posted, slots=1), now + timedelta(seconds=1))  # two accepted, one wanted
    leaving = offers_of(harness, status=OfferStatus.accepted)[0]
    with session_scope(harness.engine) as session:
        handlers.withdraw_acceptance(harness.call(session, now), leaving.id, leaving.member_id)
    with harness.session() as session:
        fill = handlers.get_fill(harness.call(session), posted.task_id)
    assert (fill.slots, fill.accepted, fill.pending) == (1, 1, 0)
    assert harness.run_pass(now + timedelta(seconds=2)) == 0
    assert "fill.reopened" not in event_types(harness)
