"""Erasure reaches the matching service within seconds: the member's offers are withdrawn."""

from __future__ import annotations

import time

import httpx
import pytest

from tests.e2e.test_pipeline import MY_OFFERS, POST_TASK, in_a_week
from tests.support.processes import eventually
from tests.support.service_tokens import signed_headers

pytestmark = pytest.mark.kafka

ERASE_ME = "mutation($p: String!) { eraseMe(password: $p) { __typename } }"


def offers_in_matching(stack, member_id: str) -> list[dict]:
    response = httpx.get(
        stack.matching.url + "/offers",
        params={"member_id": member_id},
        timeout=10,
        headers=signed_headers("matching", "system"),
    )
    response.raise_for_status()
    return response.json()["items"]


def test_an_erased_volunteer_is_gone_from_matching_within_seconds(world, graphql, stack):
    skill = world.skill()
    volunteer = world.volunteer(skill)
    coordinator = world.coordinator()
    task = graphql(
        POST_TASK,
        {
            "i": {
                "title": "Accompany a neighbour to a hearing",
                "skills": [{"skill": skill}],
                "languages": ["fr"],
                "remote": True,
                "deadline": in_a_week(),
            }
        },
        coordinator.token,
    )["postTask"]
    eventually(
        lambda: graphql(MY_OFFERS, token=volunteer.token)["myOffers"]["nodes"],
        timeout_s=10,
        message="the volunteer's offer",
    )

    asked_at = time.monotonic()
    assert graphql(ERASE_ME, {"p": volunteer.password}, volunteer.token)["eraseMe"]["__typename"] == "Erasure"
    eventually(
        lambda: all(o["status"] == "withdrawn" for o in offers_in_matching(stack, volunteer.member_id)),
        timeout_s=10,
        interval_s=0.05,
        message="the erased member's offers withdrawn in matching",
    )
    seconds = time.monotonic() - asked_at
    offers = offers_in_matching(stack, volunteer.member_id)
    assert offers and offers[0]["task_id"] == task["id"]
    print(f"erasure reached matching {seconds:.2f}s after eraseMe")
