"""A coalition of 300 members and 40 needs of the kinds it posts, on PostgreSQL and the real
broker: volunteers answer their offers as they arrive (most accept, some decline), and every need
with enough qualified members fills, nobody goes past their own monthly limit, and nobody is
asked to do something they cannot."""

from __future__ import annotations

import random
import time
from collections import Counter, defaultdict
from itertools import pairwise
from uuid import UUID

import pytest

from tests.matching.coalition import coalition_members, coalition_tasks, qualifies

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]


def answer_offers_as_volunteers(matching, rng: random.Random) -> None:
    for offer in matching.offers(status="pending"):
        verb = "decline" if rng.random() < 0.2 else "accept"
        response = matching.answer(offer, verb)
        assert response.status_code in (200, 409), response.text


def accepted_counts(matching, needs) -> dict[UUID, int]:
    """Accepted volunteers per need; a need the service has not heard of yet has none."""
    return {need.state.task_id: matching.fill(need.state.task_id).get("accepted", 0) for need in needs}


def test_a_coalition_s_needs_all_fill_within_everyone_s_limits(start_matching, new_database, publisher):
    matching = start_matching(new_database("postgresql", "matching"))
    members = {state.member_id: state for state in coalition_members()}
    needs = coalition_tasks()
    for state in members.values():
        publisher.member(state)
    for need in needs:
        publisher.task(need.state)
    publisher.flush()

    eligible = {need.state.task_id: sum(qualifies(m, need.state) for m in members.values()) for need in needs}
    fillable = [need for need in needs if need.kind != "scarce"]
    assert all(eligible[n.state.task_id] >= 2 * n.state.slots for n in fillable), eligible  # the premise
    scarce = next(need for need in needs if need.kind == "scarce")
    assert eligible[scarce.state.task_id] == 1

    rng = random.Random(11)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        answer_offers_as_volunteers(matching, rng)
        accepted = accepted_counts(matching, fillable)
        if all(accepted[n.state.task_id] == n.state.slots for n in fillable):
            break
        time.sleep(0.3)

    unfilled = {n.state.title: accepted[n.state.task_id] for n in fillable if accepted[n.state.task_id] < n.state.slots}
    assert not unfilled, unfilled
    scarce_fill = matching.fill(scarce.state.task_id)
    assert scarce_fill["accepted"] + scarce_fill["pending"] <= 1  # the only qualified member

    by_task = {need.state.task_id: need.state for need in needs}
    offers = [o for task_id in by_task for o in matching.offers(task_id=task_id)]
    for offer in offers:
        assert qualifies(members[UUID(offer["member_id"])], by_task[UUID(offer["task_id"])]), offer
    taken = [o for o in offers if o["status"] == "accepted"]
    per_member = Counter(UUID(o["member_id"]) for o in taken)
    assert all(count <= members[m].max_tasks_per_month for m, count in per_member.items())
    assert_no_one_is_in_two_places_at_once(taken, by_task)
    # Rotation spreads the work: most places go to different people.
    assert len(per_member) >= 0.6 * len(taken)


def assert_no_one_is_in_two_places_at_once(accepted, by_task) -> None:
    windows = defaultdict(list)
    for offer in accepted:
        state = by_task[UUID(offer["task_id"])]
        if state.starts_at is not None:
            windows[offer["member_id"]].append((state.starts_at, state.ends_at))
    for spans in windows.values():
        spans.sort()
        assert all(earlier[1] <= later[0] for earlier, later in pairwise(spans)), spans
