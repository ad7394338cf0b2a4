"""Through GraphQL: admins place areas in their city with a centre, volunteers say where they can
go, coordinators open a task to its whole city and ask for a least fluency."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.gateway.stack import unique
from tests.support.processes import eventually

pytestmark = pytest.mark.kafka

CREATE_AREA = "mutation($i: AreaInput!) { createArea(input: $i) { __typename ... on Problem { message } } }"
UPDATE_AREA = (
    "mutation($s: String!, $i: AreaUpdateInput!) { updateArea(slug: $s, input: $i) { __typename "
    "... on Area { slug parent latitude longitude } ... on ValidationProblem { message } } }"
)


def add_city(world, graphql) -> tuple[str, str, str]:
    """A city with two neighbourhoods about 11 km apart; returns their slugs."""
    city, downtown, glanbrook = unique("hamilton"), unique("downtown"), unique("glanbrook")
    token = world.admin.token
    assert graphql(CREATE_AREA, {"i": {"slug": city, "name": "Hamilton", "city": "Hamilton"}}, token)
    for slug, name, lat, lon in (
        (downtown, "Downtown", 43.2560, -79.8690),
        (glanbrook, "Glanbrook", 43.1720, -79.9360),
    ):
        created = graphql(CREATE_AREA, {"i": {"slug": slug, "name": name, "city": "Hamilton", "parent": city}}, token)[
            "createArea"
        ]
        assert created["__typename"] == "Area", created
        placed = graphql(UPDATE_AREA, {"s": slug, "i": {"latitude": lat, "longitude": lon}}, token)["updateArea"]
        assert placed == {"__typename": "Area", "slug": slug, "parent": city, "latitude": lat, "longitude": lon}
    return city, downtown, glanbrook


def test_an_area_placed_inside_itself_is_a_validation_problem(world, graphql):
    city, downtown, _ = add_city(world, graphql)
    refused = graphql(UPDATE_AREA, {"s": city, "i": {"parent": downtown}}, world.admin.token)["updateArea"]
    assert refused["__typename"] == "ValidationProblem" and "loop" in refused["message"]


def test_a_volunteer_who_covers_their_city_is_offered_a_task_in_the_next_neighbourhood(world, graphql):
    _, downtown, glanbrook = add_city(world, graphql)
    skill = world.skill()
    volunteer = world.volunteer(
        skill, area=downtown, reach={"wholeCity": True}, interests=["Labour rights"], remoteOk=False
    )
    profile = graphql("{ me { member { area interests reach { areas wholeCity km } } } }", token=volunteer.token)
    assert profile["me"]["member"] == {
        "area": downtown,
        "interests": ["labour-rights"],
        "reach": {"areas": [], "wholeCity": True, "km": None},
    }

    coordinator = world.coordinator()
    task = world.task(
        coordinator,
        skill,
        remote=False,
        area=glanbrook,
        wholeCity=True,
        minFluency=[{"language": "fr", "fluency": "CONVERSATIONAL"}],
    )

    offer = world.wait_for_offer(volunteer, task["id"])
    (place,) = [reason for reason in offer["reasons"] if reason["kind"] == "PLACE"]
    assert (place["area"], place["areaName"], place["distanceKm"], place["ownArea"]) == (
        glanbrook,
        "Glanbrook",
        11,
        False,
    )
    shown = graphql(
        "query($id: ID!) { task(id: $id) { wholeCity minFluency { language fluency } } }",
        {"id": task["id"]},
        coordinator.token,
    )["task"]
    assert shown == {"wholeCity": True, "minFluency": [{"language": "fr", "fluency": "CONVERSATIONAL"}]}


WHY = (
    "query($id: ID!) { task(id: $id) { whyNotFilling { activeMembers eligible "
    "excluded { constraint members } widenings { widening moreMembers } "
    "automaticWidenings { widening takenAt moreMembers } } } }"
)


def test_a_coordinator_sees_why_a_task_is_not_filling_and_what_the_whole_city_would_add(world, graphql):
    _, downtown, glanbrook = add_city(world, graphql)
    skill = world.skill()
    for _ in range(2):
        world.volunteer(skill, area=downtown, remoteOk=False)
    coordinator = world.coordinator()
    task = world.task(coordinator, skill, remote=False, area=glanbrook)

    why = graphql(WHY, {"id": task["id"]}, coordinator.token)["task"]["whyNotFilling"]

    assert why is None or why["eligible"] == 0  # None until matching has read the task
    why = eventually(
        lambda: graphql(WHY, {"id": task["id"]}, coordinator.token)["task"]["whyNotFilling"], 60, message="a diagnosis"
    )
    assert why["eligible"] == 0
    assert {"widening": "WHOLE_CITY", "moreMembers": 2} in why["widenings"]
    assert why["automaticWidenings"] == []  # days away: not yet
    assert [e["constraint"] for e in why["excluded"]] == ["SKILL", "LANGUAGE", "PLACE", "TIME", "LOAD", "ALREADY_ASKED"]


def test_a_task_starting_within_two_days_with_nobody_in_its_neighbourhood_opens_to_its_city_by_itself(world, graphql):
    _, downtown, glanbrook = add_city(world, graphql)
    skill = world.skill()
    volunteers = [world.volunteer(skill, area=downtown, remoteOk=False) for _ in range(2)]
    coordinator = world.coordinator()
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=30)
    task = world.task(
        coordinator,
        skill,
        remote=False,
        area=glanbrook,
        startsAt=starts.isoformat(),
        endsAt=(starts + timedelta(hours=2)).isoformat(),
    )

    for volunteer in volunteers:  # the coalition's default step: the whole city from 48 hours before
        world.wait_for_offer(volunteer, task["id"])
    why = graphql(WHY, {"id": task["id"]}, coordinator.token)["task"]["whyNotFilling"]
    [taken] = why["automaticWidenings"]
    assert (taken["widening"], taken["moreMembers"]) == ("WHOLE_CITY", 2)
    assert abs(datetime.fromisoformat(taken["takenAt"]) - datetime.now(UTC)) < timedelta(minutes=2)
    assert "WHOLE_CITY" not in [gain["widening"] for gain in why["widenings"]]
