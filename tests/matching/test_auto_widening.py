"""An unfilled task widens by itself as its start approaches, in the steps the coalition
configures; each step is recorded and shown with the task's diagnosis. Handler level with the
worker's own steps, a chosen clock, real databases (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from services.common.clock import as_utc, utc_now
from services.common.contracts import AreaState, OfferStatus
from services.matching import handlers
from services.matching.models import Offer, TaskWidening
from services.matching.scheduler import Schedule, step
from services.matching.unfilled import diagnose_task
from services.matching.widening import AutoWiden
from tests.matching.factories import member, task

HAMILTON = [
    AreaState(slug="hamilton", name="Hamilton", latitude=43.2557, longitude=-79.8711),
    AreaState(slug="downtown", name="Downtown", parent="hamilton", latitude=43.2560, longitude=-79.8690),
    AreaState(slug="glanbrook", name="Glanbrook", parent="hamilton", latitude=43.1720, longitude=-79.9360),
]
STEPS = [AutoWiden(widening="whole_city", hours_before=48)]


def offers_of(harness, task_id) -> list[Offer]:
    with harness.session() as session:
        return list(session.scalars(select(Offer).where(Offer.task_id == task_id)))


def widenings_of(harness, task_id) -> list[TaskWidening]:
    with harness.session() as session:
        return list(session.scalars(select(TaskWidening).where(TaskWidening.task_id == task_id)))


def until_idle(harness, schedule, now) -> None:
    for _ in range(200):
        if step(harness.matching, schedule, now) > 0:
            return
    raise AssertionError("the worker never ran out of work")


def in_glanbrook(harness, now, slots=2):
    harness.matching.directory.learn_areas(HAMILTON)
    downtown = [member(area="downtown") for _ in range(3)]
    harness.members(*downtown)
    outreach = task(area="glanbrook", slots=slots, starts_at=now + timedelta(days=5))
    harness.task(outreach, now)
    return outreach, downtown


def test_an_unfilled_task_takes_the_whole_city_when_the_step_comes_and_not_before(harness_with):
    harness = harness_with(auto_widen=STEPS)
    now, schedule = utc_now(), Schedule()
    outreach, downtown = in_glanbrook(harness, now)
    until_idle(harness, schedule, now)
    assert offers_of(harness, outreach.task_id) == []  # nobody lives in Glanbrook

    step_at = outreach.starts_at - timedelta(hours=48)
    assert harness.matching.work.next_moment() == step_at  # on the worker's clock, no scan needed
    until_idle(harness, schedule, step_at - timedelta(minutes=1))
    assert offers_of(harness, outreach.task_id) == [] and widenings_of(harness, outreach.task_id) == []

    until_idle(harness, schedule, step_at)
    offered = {offer.member_id for offer in offers_of(harness, outreach.task_id)}
    assert len(offered) == 3 and offered <= {m.member_id for m in downtown}  # a wave of ceil(2 x 1.5)
    [taken] = widenings_of(harness, outreach.task_id)
    assert (taken.widening, as_utc(taken.applied_at), taken.more_members) == ("whole_city", step_at, 3)

    with harness.session() as session:
        shown = diagnose_task(harness.call(session, step_at), outreach.task_id)
    assert [(w.widening, w.more_members) for w in shown.automatic_widenings] == [("whole_city", 3)]
    assert "whole_city" not in shown.widenings  # already taken: no longer suggested
    assert shown.eligible == 0 and shown.excluded["already_asked"] == 3


def test_the_widening_holds_when_the_coordinator_edits_the_task_afterwards(harness_with):
    harness = harness_with(auto_widen=STEPS)
    now, schedule = utc_now(), Schedule()
    outreach, downtown = in_glanbrook(harness, now, slots=5)
    step_at = outreach.starts_at - timedelta(hours=48)
    until_idle(harness, schedule, step_at)
    assert len(offers_of(harness, outreach.task_id)) == 3

    harness.matching.directory.apply([(late.member_id, late) for late in [member(area="downtown")]])
    harness.task(
        outreach.model_copy(update={"title": "Farm-worker outreach (new meeting point)"}),
        step_at,
        occurred_at=step_at + timedelta(seconds=1),
    )
    until_idle(harness, schedule, step_at + timedelta(minutes=1))
    assert len(offers_of(harness, outreach.task_id)) == 4  # the newcomer downtown too: still the whole city
    assert len(widenings_of(harness, outreach.task_id)) == 1


def test_no_step_for_a_filled_task_and_none_when_the_coalition_sets_none(harness_with):
    none = harness_with(auto_widen=[])
    now, schedule = utc_now(), Schedule()
    outreach, _ = in_glanbrook(none, now)
    until_idle(none, schedule, outreach.starts_at - timedelta(hours=1))
    assert offers_of(none, outreach.task_id) == [] and widenings_of(none, outreach.task_id) == []

    harness = harness_with(auto_widen=STEPS)
    schedule = Schedule()
    harness.matching.directory.learn_areas(HAMILTON)
    volunteer = member(area="glanbrook")
    harness.members(volunteer, member(area="downtown"))
    small = task(area="glanbrook", slots=1, starts_at=now + timedelta(days=5))
    harness.task(small, now)
    until_idle(harness, schedule, now)
    [offer] = offers_of(harness, small.task_id)
    with harness.matching.unit_of_work() as session:
        handlers.accept_offer(harness.call(session, now), offer.id, offer.member_id)
    until_idle(harness, schedule, small.starts_at - timedelta(hours=47))
    assert widenings_of(harness, small.task_id) == []  # filled: nothing to widen for
    assert [o.status for o in offers_of(harness, small.task_id)] == [OfferStatus.accepted]
