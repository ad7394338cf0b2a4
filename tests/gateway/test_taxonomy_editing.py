"""Through GraphQL: admins edit skills and areas the same way (updateSkill, updateArea), everyone
sees the change at once, and nobody else can make it."""

from __future__ import annotations

import pytest

from tests.gateway.stack import unique

pytestmark = pytest.mark.kafka

CREATE_SKILL = "mutation($i: SkillInput!) { createSkill(input: $i) { __typename ... on Problem { message } } }"
CREATE_AREA = "mutation($i: AreaInput!) { createArea(input: $i) { __typename ... on Problem { message } } }"
UPDATE_SKILL = (
    "mutation($s: String!, $i: SkillUpdateInput!) { updateSkill(slug: $s, input: $i) { __typename "
    "... on Skill { slug name description } ... on Problem { message } } }"
)
UPDATE_AREA = (
    "mutation($s: String!, $i: AreaUpdateInput!) { updateArea(slug: $s, input: $i) { __typename "
    "... on Area { slug name city } ... on Problem { message } } }"
)
LISTS = "{ skills { slug name description } areas { slug name city } }"


def listed(graphql) -> tuple[dict, dict]:
    """The public lists, as a visitor reads them (through the gateway's taxonomy cache)."""
    data = graphql(LISTS)
    return {s["slug"]: s for s in data["skills"]}, {a["slug"]: a for a in data["areas"]}


def test_an_admin_renames_and_retires_a_skill_and_an_area_and_visitors_see_it_at_once(world, graphql):
    token, skill, area = world.admin.token, unique("canvassing"), unique("verdun")
    assert graphql(CREATE_SKILL, {"i": {"slug": skill, "name": "Canvassing"}}, token)["createSkill"]
    assert graphql(CREATE_AREA, {"i": {"slug": area, "name": "Verdun", "city": "Montréal"}}, token)["createArea"]
    skills, areas = listed(graphql)  # now cached
    assert skills[skill]["name"] == "Canvassing" and areas[area]["name"] == "Verdun"

    renamed = graphql(UPDATE_SKILL, {"s": skill, "i": {"name": "Door knocking", "description": "Door to door"}}, token)
    assert renamed["updateSkill"] == {
        "__typename": "Skill",
        "slug": skill,
        "name": "Door knocking",
        "description": "Door to door",
    }
    moved = graphql(UPDATE_AREA, {"s": area, "i": {"name": "Verdun–Île-des-Sœurs", "city": "Montreal"}}, token)
    assert moved["updateArea"] == {
        "__typename": "Area",
        "slug": area,
        "name": "Verdun–Île-des-Sœurs",
        "city": "Montreal",
    }
    skills, areas = listed(graphql)
    assert skills[skill]["name"] == "Door knocking" and areas[area]["city"] == "Montreal"

    graphql(UPDATE_SKILL, {"s": skill, "i": {"retired": True}}, token)
    graphql(UPDATE_AREA, {"s": area, "i": {"retired": True}}, token)
    skills, areas = listed(graphql)
    assert skill not in skills and area not in areas


def test_only_admins_update_an_area_and_bad_input_is_a_problem_that_changes_nothing(world, graphql):
    token, area = world.admin.token, unique("lachine")
    assert graphql(CREATE_AREA, {"i": {"slug": area, "name": "Lachine", "city": "Montréal"}}, token)["createArea"]
    for other in (world.volunteer().token, world.coordinator().token):
        refused = graphql.raw(UPDATE_AREA, {"s": area, "i": {"name": "Taken over"}}, token=other).json()
        assert refused["data"] is None and refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    anonymous = graphql.raw(UPDATE_AREA, {"s": area, "i": {"name": "Taken over"}}).json()
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"

    half_centre = graphql(UPDATE_AREA, {"s": area, "i": {"latitude": 45.43}}, token)["updateArea"]
    assert half_centre["__typename"] == "ValidationProblem" and "both latitude and longitude" in half_centre["message"]
    too_long = graphql(UPDATE_AREA, {"s": area, "i": {"name": "x" * 81}}, token)["updateArea"]
    assert too_long["__typename"] == "ValidationProblem", too_long
    missing = graphql(UPDATE_AREA, {"s": f"{area}-gone", "i": {"name": "Nowhere"}}, token)["updateArea"]
    assert missing["__typename"] == "NotFound" and f"{area}-gone" in missing["message"]
    assert listed(graphql)[1][area] == {"slug": area, "name": "Lachine", "city": "Montréal"}
