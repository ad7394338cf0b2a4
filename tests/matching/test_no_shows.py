"""Members who repeatedly did not come rank a little lower, and are still asked: the no-shows
arrive on attendance.events from the tasks service, are kept as last marked, forgotten after
``MATCHING_NO_SHOW_DAYS`` and with an erased member. Handler level with a chosen clock on SQLite
and PostgreSQL, and once through the real broker."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlmodel import Session

from services.common.catalogue import ATTENDANCE_MARKED
from services.common.clock import utc_now
from services.common.contracts import AttendanceMarked, OfferStatus, Presence
from services.common.dispatch import Event
from services.common.envelope import wrap
from services.matching import attendance, handlers
from services.matching.loads import member_loads
from services.matching.members_reader import settle_member_offers
from services.matching.models import MissedTask, Offer
from services.matching.scheduler import Schedule, step
from tests.matching.factories import member, task
from tests.support.processes import eventually


def marked(member_id, presence: Presence, ended: datetime, at: datetime, task_id=None) -> Event[AttendanceMarked]:
    fact = AttendanceMarked(
        task_id=task_id or uuid.uuid4(), member_id=member_id, presence=presence, task_ended_at=ended, marked_at=at
    )
    return Event(
        type=ATTENDANCE_MARKED.name,
        version=1,
        event_id=uuid.uuid4(),
        occurred_at=at,
        source="tasks",
        key=str(member_id),
        partition=0,
        payload=fact,
    )


def arrive(harness, *events: Event[AttendanceMarked]) -> None:
    for event in events:
        with harness.matching.unit_of_work(wake_worker=False) as session:
            attendance.mark_arrived(session, event)


def missed(harness) -> list[tuple]:
    with harness.session() as session:
        return sorted((row.member_id, row.task_id) for row in session.scalars(select(MissedTask)))


def offered_to(harness, task_id) -> list:
    with harness.session() as session:
        return list(session.scalars(select(Offer).where(Offer.task_id == task_id)))


def until_idle(harness, now) -> None:
    schedule = Schedule()
    for _ in range(100):
        if step(harness.matching, schedule, now) > 0:
            return
    raise AssertionError("the worker never ran out of work")


def test_repeated_no_shows_put_a_member_after_the_others_and_they_are_still_asked(harness):
    now = utc_now()
    crowd = {state.member_id: state for state in (member() for _ in range(3))}
    harness.members(*crowd.values())
    needed = task(slots=1, starts_at=now + timedelta(days=3))  # a wave of 2 among 3 equals
    # Alma is the one the rotation among equals would ask first.
    alma, *others = (
        c.member_id for c in harness.matching.directory.candidates(needed, now=now, limit=3, loads={}, excluded=set())
    )
    for days_ago in (10, 40):
        ended = now - timedelta(days=days_ago)
        arrive(harness, marked(alma, Presence.no_show, ended, ended + timedelta(hours=1)))
    harness.task(needed, now)
    until_idle(harness, now)
    first_wave = {offer.member_id for offer in offered_to(harness, needed.task_id)}
    assert first_wave == set(others)

    for offer in offered_to(harness, needed.task_id):
        with harness.matching.unit_of_work(wake_worker=False) as session:
            handlers.decline_offer(harness.call(session, now), offer.id, offer.member_id)
    until_idle(harness, now)
    [again] = [o for o in offered_to(harness, needed.task_id) if o.status == OfferStatus.pending]
    assert again.member_id == alma  # lower, never left out
    assert not any("show" in reason or "came" in reason for reason in map(str, again.reasons))


def test_one_no_show_is_forgiven(harness):
    now = utc_now()
    alma, bao, chen = (member() for _ in range(3))
    harness.members(alma, bao, chen)
    ended = now - timedelta(days=3)
    arrive(harness, marked(alma.member_id, Presence.no_show, ended, ended))
    settings = harness.settings
    with harness.session() as session:
        loads = member_loads(session, now, settings.tz, settings.recent_days, settings.no_show_days)
    assert loads[alma.member_id].no_shows == 1
    ranked = harness.matching.directory.candidates(task(slots=1), now=now, limit=10, loads=loads, excluded=set())
    assert len({candidate.score for candidate in ranked}) == 1 and len(ranked) == 3


def test_a_later_mark_that_they_came_or_were_excused_takes_the_no_show_back_and_an_older_one_changes_nothing(harness):
    now, task_id = utc_now(), uuid.uuid4()
    alma = member()
    ended = now - timedelta(days=1)
    arrive(harness, marked(alma.member_id, Presence.no_show, ended, now - timedelta(hours=5), task_id))
    assert missed(harness) == [(alma.member_id, task_id)]
    arrive(harness, marked(alma.member_id, Presence.excused, ended, now - timedelta(hours=6), task_id))
    assert missed(harness) == [(alma.member_id, task_id)]  # older than the mark held
    arrive(harness, marked(alma.member_id, Presence.attended, ended, now - timedelta(hours=1), task_id))
    assert missed(harness) == []
    arrive(harness, marked(alma.member_id, Presence.excused, ended, now, uuid.uuid4()))
    assert missed(harness) == []  # excused is never held against anyone


def test_no_shows_are_forgotten_after_the_window_and_with_an_erased_member(harness):
    now = utc_now()
    alma, bao, gone = member(), member(), member()
    harness.members(alma, bao)
    window = timedelta(days=harness.settings.no_show_days)
    arrive(
        harness,
        marked(alma.member_id, Presence.no_show, now - window - timedelta(days=1), now),
        marked(alma.member_id, Presence.no_show, now - window + timedelta(days=1), now),
        marked(bao.member_id, Presence.no_show, now - timedelta(days=2), now),
        marked(gone.member_id, Presence.no_show, now - timedelta(days=2), now),
    )
    with harness.session() as session:
        assert dict(attendance.no_shows_since(session, now - window)) == {
            alma.member_id: 1,
            bao.member_id: 1,
            gone.member_id: 1,
        }

    with harness.matching.unit_of_work(wake_worker=False) as session:
        settle_member_offers(session, harness.matching.offers_topic, bao.member_id, None, now)  # erased now
    assert {member_id for member_id, _ in missed(harness)} == {alma.member_id, gone.member_id}

    harness.task(task(slots=1, starts_at=now + timedelta(days=3)), now)  # a reconciliation pass forgets the rest
    until_idle(harness, now)
    assert [member_id for member_id, _ in missed(harness)] == [alma.member_id]  # the recent one; gone was erased


@pytest.mark.kafka
def test_marks_arrive_from_the_attendance_topic(start_matching, new_database, publisher):
    running = start_matching(new_database("sqlite", "matching"))
    alma, task_id, now = uuid.uuid4(), uuid.uuid4(), utc_now()
    fact = AttendanceMarked(
        task_id=task_id, member_id=alma, presence=Presence.no_show, task_ended_at=now - timedelta(days=1), marked_at=now
    )
    publisher.producer.send(
        publisher.topics.attendance_events,
        key=str(alma).encode(),
        value=wrap(ATTENDANCE_MARKED, fact, "tasks").to_bytes(),
    )
    publisher.flush()

    def held() -> list:
        with Session(running.matching.runtime.engine) as session:
            return [(row.member_id, row.task_id) for row in session.scalars(select(MissedTask))]

    assert eventually(held, 20, message="the no-show stored") == [(alma, task_id)]
