"""The region the coalition benchmark runs (two cities, members who reach beyond their own
neighbourhood, 32 tasks), at handler level on real databases with a chosen clock: the engine and
the scenario's independent check agree on who can do what, and the first round of offers goes
beyond each task's own neighbourhood without piling up on anyone."""

from __future__ import annotations

from collections import Counter
from datetime import UTC

from sqlalchemy import select

from services.matching.models import Offer
from tests.matching.coalition import REGION, REGION_START, can_reach, regional_members, regional_tasks


def test_the_region_has_the_issue_s_shape():
    members, needs = regional_members(), regional_tasks()
    assert (len(members), len(needs), sum(n.state.slots for n in needs)) == (180, 32, 102)
    rally = next(n.state for n in needs if n.state.title == "City Hall rally sign holders")
    reachable = [m for m in members if can_reach(m, rally)]
    assert any(m.area != rally.area for m in reachable)  # only the whole city makes this rally fillable
    assert len(reachable) >= 2 * rally.slots
    farm = next(n.state for n in needs if n.kind == "farm outreach")
    assert any(m.area != farm.area for m in members if can_reach(m, farm))  # outreach comes from elsewhere


def test_the_first_round_reaches_across_neighbourhoods_and_only_those_who_can_come(harness_with):
    # Reach as members and tasks state it; the widenings near the start are tested on their own
    # (test_auto_widening), and would let more people come than ``can_reach`` knows of.
    harness = harness_with(auto_widen=[])
    members, needs = regional_members(), regional_tasks()
    harness.matching.directory.learn_areas(REGION)
    harness.members(*members)
    now = REGION_START.astimezone(UTC)
    for need in needs:
        harness.task(need.state, now=now)

    assert harness.run_pass(now) > 0

    with harness.session() as session:
        offers = list(session.scalars(select(Offer)))
    by_member = {m.member_id: m for m in members}
    by_task = {n.state.task_id: n.state for n in needs}
    wrong = [
        (by_task[o.task_id].title, o.member_id)
        for o in offers
        if not can_reach(by_member[o.member_id], by_task[o.task_id])
    ]
    assert not wrong
    waiting = Counter(offer.member_id for offer in offers)
    assert max(waiting.values()) <= harness.settings.max_pending_offers
    rally = next(t for t in by_task.values() if t.title == "City Hall rally sign holders")
    rally_homes = {by_member[o.member_id].area for o in offers if o.task_id == rally.task_id}
    assert len(rally_homes) > 1, rally_homes
    offered_tasks = {offer.task_id for offer in offers}
    # Every task that someone can do is offered in the first round, except where everyone who
    # could already holds as many waiting offers as they may (the cap, or their monthly limit).
    for task_id, task in by_task.items():
        able = [m for m in members if can_reach(m, task)]
        if able and task_id not in offered_tasks:
            cap = harness.settings.max_pending_offers
            assert all(waiting[m.member_id] >= min(cap, m.max_tasks_per_month) for m in able), task.title
