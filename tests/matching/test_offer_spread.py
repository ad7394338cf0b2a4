"""Offers spread across members before anyone gets a second, nobody holds more offers waiting than
they may, and an ignored offer does not hold its place for a day: handler level, real databases
(SQLite and PostgreSQL), a chosen clock."""

from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta
from uuid import UUID

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from services.common.clock import as_utc, utc_now
from services.common.contracts import OfferStatus, SkillLevel, Weekday
from services.common.db import session_scope
from services.common.outbox import OutboxMessage
from services.common.problems import DomainError
from services.matching import handlers
from services.matching.models import Offer
from tests.matching.factories import TORONTO, member, next_weekday, task

LIVE = (OfferStatus.pending, OfferStatus.accepted)


def offers_of(harness, **filters) -> list[Offer]:
    with harness.session() as session:
        query = select(Offer).where(*(getattr(Offer, key) == value for key, value in filters.items()))
        return list(session.scalars(query.order_by(Offer.created_at)))


def answer(harness, offer, verb, now):
    action = {"accept": handlers.accept_offer, "decline": handlers.decline_offer}[verb]
    try:
        with session_scope(harness.engine) as session:
            action(harness.call(session, now), offer.id, offer.member_id)
    except DomainError:
        pass  # e.g. the task filled meanwhile: nothing changed


def shift(number: int):
    """Task ``number``'s own time: no two tasks overlap, so nobody is kept from one by another."""
    return next_weekday(Weekday.saturday, (8, 11, 14, 17)[number % 4], 1 + number // 4)


def offers_created_after(harness, last_id: int) -> tuple[list[dict], int]:
    with harness.session() as session:
        rows = session.execute(
            select(OutboxMessage.id, OutboxMessage.payload).where(OutboxMessage.id > last_id).order_by(OutboxMessage.id)
        ).all()
    created = [json.loads(payload)["data"] for _, payload in rows if json.loads(payload)["type"] == "offer.created"]
    return created, max((row_id for row_id, _ in rows), default=last_id)


steps_strategy = st.lists(
    st.one_of(
        st.tuples(st.just("post"), st.integers(1, 3)),
        st.tuples(st.sampled_from(["accept", "decline"]), st.integers(0, 50)),
    ),
    min_size=1,
    max_size=10,
)


@pytest.mark.postgres
def test_among_equally_eligible_members_offers_spread_before_anyone_gets_a_second(harness):
    @settings(
        max_examples=25,
        deadline=None,
        phases=[Phase.explicit, Phase.reuse, Phase.generate],
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(count=st.integers(3, 8), steps=steps_strategy)
    def spread(count, steps):
        harness.reset()
        members = [member(member_id=UUID(int=3000 + n), max_tasks_per_month=30) for n in range(count)]
        harness.members(*members)
        now, last_outbox_id, posted = utc_now(), 0, 0
        for verb, number in steps:
            now += timedelta(seconds=1)
            if verb != "post":
                pending = [o for o in offers_of(harness) if o.status == OfferStatus.pending]
                if pending:
                    answer(harness, pending[number % len(pending)], verb, now)
                continue
            harness.task(task(task_id=UUID(int=4000 + posted), slots=number, starts_at=shift(posted)), now)
            posted += 1
            live, waiting, asked = loads_before(harness)
            harness.run_pass(now)
            created, last_outbox_id = offers_created_after(harness, last_outbox_id)
            for offer in created:  # in the order they were made
                task_id, chosen = UUID(offer["task_id"]), UUID(offer["member_id"])
                passed_over = [
                    m.member_id
                    for m in members
                    if m.member_id != chosen
                    and m.member_id not in asked[task_id]
                    and waiting[m.member_id] < harness.settings.max_pending_offers
                ]
                assert all(live[chosen] <= live[other] for other in passed_over), (
                    "an offer went to a member holding more than someone passed over",
                    live[chosen],
                    sorted(live[other] for other in passed_over),
                )
                live[chosen] += 1
                waiting[chosen] += 1
                asked[task_id].add(chosen)

    spread()


def loads_before(harness):
    """Per member: live offers (waiting or accepted) and waiting ones; per task: who was asked."""
    live, waiting, asked = Counter(), Counter(), {}
    for offer in offers_of(harness):
        asked.setdefault(offer.task_id, set())
        if offer.status != OfferStatus.withdrawn:
            asked[offer.task_id].add(offer.member_id)
        live[offer.member_id] += offer.status in LIVE
        waiting[offer.member_id] += offer.status == OfferStatus.pending
    for number in range(20):
        asked.setdefault(UUID(int=4000 + number), set())
    return live, waiting, asked


def test_a_member_holds_no_more_offers_waiting_than_the_cap_until_they_answer_one(harness):
    now = utc_now()
    volunteer = member(max_tasks_per_month=10)
    harness.members(volunteer)
    for number in range(3):
        harness.task(task(starts_at=shift(number)), now)
    harness.run_pass(now)
    waiting = offers_of(harness, status=OfferStatus.pending)
    assert len(waiting) == harness.settings.max_pending_offers == 2

    answer(harness, waiting[0], "decline", now)
    harness.run_pass(now + timedelta(seconds=1))
    assert len(offers_of(harness, status=OfferStatus.pending)) == 2
    assert len({o.task_id for o in offers_of(harness)}) == 3  # the third task reached them at last


def test_the_cap_on_waiting_offers_is_configurable(harness_with):
    harness = harness_with(max_pending_offers=1)
    now = utc_now()
    harness.members(member(max_tasks_per_month=10))
    for number in range(3):
        harness.task(task(starts_at=shift(number)), now)
    harness.run_pass(now)
    assert len(offers_of(harness, status=OfferStatus.pending)) == 1


@pytest.mark.parametrize(
    ("hours_ahead", "answer_hours"),
    [
        (24 * 10, 24),  # next week and later: a day, the longest
        (20, 5),  # tomorrow: a quarter of the time left
        (5, 2),  # this afternoon: the shortest answer time
        (1, 1),  # within the hour: until it starts, never later
    ],
)
def test_the_time_to_answer_follows_the_time_left_before_the_task(harness, hours_ahead, answer_hours):
    now = utc_now()
    harness.members(member())
    harness.task(task(starts_at=(now + timedelta(hours=hours_ahead)).astimezone(TORONTO)), now)
    harness.run_pass(now)
    (offer,) = offers_of(harness)
    assert as_utc(offer.expires_at) - now == timedelta(hours=answer_hours)


def test_a_large_task_meeting_declines_sends_a_wider_wave_at_once(harness):
    """Twenty sign holders: a first wave of 30; when 12 decline, the next wave is sized from that
    rate, well beyond replacing the 12."""
    now = utc_now()
    harness.members(*(member(skills={"sign-holding": SkillLevel.learning}) for _ in range(100)))
    rally = task(slots=20, skills={"sign-holding": SkillLevel.learning}, title="City Hall rally")
    harness.task(rally, now)
    harness.run_pass(now)
    first_wave = offers_of(harness, task_id=rally.task_id)
    assert len(first_wave) == 30  # ceil(20 x 1.5)

    for offer in first_wave[:3]:
        answer(harness, offer, "accept", now)
    for offer in first_wave[3:15]:
        answer(harness, offer, "decline", now)
    harness.run_pass(now + timedelta(seconds=1))
    pending = offers_of(harness, task_id=rally.task_id, status=OfferStatus.pending)
    # 3 yes, 12 no: an estimated rate of (3 + 2/1.5) / (15 + 2), so about 3.9 offers per open slot
    # (the widest is 4), for 17 open places.
    assert len(pending) == 67


def test_offers_left_unanswered_widen_the_wave_before_they_expire(harness):
    now = utc_now()
    harness.members(*(member() for _ in range(12)))
    posted = task(slots=2, starts_at=(now + timedelta(days=10)).astimezone(TORONTO))
    harness.task(posted, now)
    harness.run_pass(now)
    assert len(offers_of(harness, status=OfferStatus.pending)) == 3
    harness.run_pass(now + timedelta(hours=11))  # not half their 24 hours yet: nothing changes
    assert len(offers_of(harness, status=OfferStatus.pending)) == 3

    harness.run_pass(now + timedelta(hours=12))  # half-way, and silence: the wave widens now
    pending = offers_of(harness, status=OfferStatus.pending)
    assert len(pending) == 8  # rate (0 + 2/1.5) / (3 + 2): 3.75 per open slot, for 2 open places
    assert not offers_of(harness, status=OfferStatus.expired)
