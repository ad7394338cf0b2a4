"""The running matcher learns the areas' geography from their topic and offers tasks to members
who can reach them, not only to those living in the task's own neighbourhood."""

from __future__ import annotations

import pytest

from services.common.contracts import AreaState, Reach
from tests.matching.factories import SETTLE_S, member, task, with_changes
from tests.support.processes import eventually

pytestmark = pytest.mark.kafka

HAMILTON = [
    AreaState(slug="hamilton", name="Hamilton", latitude=43.2557, longitude=-79.8711),
    AreaState(slug="downtown", name="Downtown", parent="hamilton", latitude=43.2560, longitude=-79.8690),
    AreaState(slug="glanbrook", name="Glanbrook", parent="hamilton", latitude=43.1720, longitude=-79.9360),
    AreaState(slug="parkdale", name="Parkdale", latitude=43.6400, longitude=-79.4360),
]


def test_a_whole_city_task_and_members_who_travel_are_matched_across_neighbourhoods(
    start_matching, new_database, publisher
):
    matching = start_matching(new_database("sqlite", "matching"))
    for area in HAMILTON:
        publisher.area(area)
    travels = member(area="downtown", reach=Reach(km=15))
    stays_home = member(area="downtown")
    in_toronto = member(area="parkdale", reach=Reach(whole_city=True))
    for state in (travels, stays_home, in_toronto):
        publisher.member(state)
    outreach = task(area="glanbrook", slots=2)
    publisher.task(outreach)
    publisher.flush()

    offers = eventually(lambda: matching.offers(task_id=outreach.task_id), SETTLE_S, message="an offer")
    assert [offer["member_id"] for offer in offers] == [str(travels.member_id)]
    assert {"kind": "place", "area": "glanbrook", "area_name": "Glanbrook", "distance_km": 11} in [
        {key: reason.get(key) for key in ("kind", "area", "area_name", "distance_km")}
        for reason in offers[0]["reasons"]
    ]

    rally = with_changes(task(area="glanbrook", slots=3), whole_city=True)
    publisher.task(rally)
    publisher.flush()
    offers = eventually(
        lambda: (found := matching.offers(task_id=rally.task_id)) and len(found) == 2 and found,
        SETTLE_S,
        message="two offers",
    )
    assert {offer["member_id"] for offer in offers} == {str(travels.member_id), str(stays_home.member_id)}
