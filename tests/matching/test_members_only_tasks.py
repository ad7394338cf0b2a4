"""A task limited to its committee's members is offered to them alone, through the real broker."""

from __future__ import annotations

from uuid import uuid4

import pytest

from tests.matching.factories import SETTLE_S, member, task, with_changes
from tests.support.processes import eventually

pytestmark = pytest.mark.kafka


def test_a_members_only_task_is_offered_only_to_the_committee_s_members(start_matching, new_database, publisher):
    matching = start_matching(new_database("sqlite", "matching"))
    food_for_all = uuid4()
    members = [with_changes(member(), committees=[food_for_all]) for _ in range(2)]
    outsiders = [member() for _ in range(3)] + [with_changes(member(), committees=[uuid4()])]
    for state in members + outsiders:
        publisher.member(state)
    picket = with_changes(
        task(slots=5, title="Picket at the school board"), committee_id=food_for_all, members_only=True
    )
    publisher.task(picket)
    publisher.flush()

    offers = eventually(
        lambda: (found := matching.offers(task_id=picket.task_id)) and len(found) == 2 and found,
        SETTLE_S,
        message="offers to both committee members",
    )

    assert {offer["member_id"] for offer in offers} == {str(state.member_id) for state in members}
    opened = with_changes(picket, members_only=False)  # the lead opens it to everyone
    publisher.task(opened)
    publisher.flush()
    eventually(
        lambda: len(matching.offers(task_id=picket.task_id)) == 6,
        SETTLE_S,
        message="offers to everyone once the task is open to all",
    )
