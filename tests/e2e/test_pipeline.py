"""The walking skeleton end to end: gateway -> members/tasks -> Kafka -> matching -> gateway."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from tests.gateway.client import OFFER
from tests.support.processes import eventually

pytestmark = pytest.mark.kafka

MY_OFFERS = "{ myOffers { nodes { %s } } }" % OFFER
ACCEPT = (
    "mutation($id: ID!) { acceptOffer(offerId: $id) { __typename ... on Offer { id status } "
    "... on Problem { message } } }"
)
POST_TASK = (
    "mutation($i: TaskInput!) { postTask(input: $i) { __typename ... on Task { id status } "
    "... on Problem { message } } }"
)


def in_a_week() -> str:
    return (datetime.now(UTC) + timedelta(days=7)).isoformat()


def ensure_design_skill(world) -> str:
    result = world.gql(
        "mutation($i: SkillInput!) { createSkill(input: $i) { __typename ... on Problem { message } } }",
        {"i": {"slug": "design", "name": "Design"}},
        world.admin.token,
    )["createSkill"]
    assert result["__typename"] in {"Skill", "StateConflict"}, result  # exists already on a re-run
    return "design"


def test_a_designer_gets_the_design_task_accepts_it_and_a_member_without_the_skill_gets_nothing(world, graphql):
    skill = ensure_design_skill(world)
    designer = world.volunteer(skill)
    # Same language, area and availability as the designer: only the skill differs.
    bystander = world.volunteer(None)
    coordinator = world.coordinator()

    posted_at = time.monotonic()
    task = graphql(
        POST_TASK,
        {
            "i": {
                "title": "Design the rally poster",
                "skills": [{"skill": skill, "minLevel": "CAPABLE"}],
                "languages": ["fr"],
                "slots": 1,
                "remote": True,
                "deadline": in_a_week(),
            }
        },
        coordinator.token,
    )["postTask"]
    assert task["__typename"] == "Task" and task["status"] == "OPEN", task

    def offer_for_designer():
        nodes = graphql(MY_OFFERS, token=designer.token)["myOffers"]["nodes"]
        return [o for o in nodes if o["taskId"] == task["id"]]

    offers = eventually(offer_for_designer, timeout_s=5, message="the designer's offer within 5 s")
    seconds_to_offer = time.monotonic() - posted_at
    offer = offers[0]
    assert offer["status"] == "PENDING"
    assert any(reason["kind"] == "SKILL" and "design" in reason["skill"] for reason in offer["reasons"]), offer[
        "reasons"
    ]

    accepted = graphql(ACCEPT, {"id": offer["id"]}, designer.token)["acceptOffer"]
    assert accepted == {"__typename": "Offer", "id": offer["id"], "status": "ACCEPTED"}
    assert offer_for_designer()[0]["status"] == "ACCEPTED"

    assert graphql(MY_OFFERS, token=bystander.token)["myOffers"]["nodes"] == []
    print(f"offer visible through the gateway {seconds_to_offer:.2f}s after postTask")
