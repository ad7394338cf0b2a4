"""A volunteer who came from a widget's link asks for that task: offered it at once when they fit,
told plainly why not otherwise, and never shown anything of another member's."""

from __future__ import annotations

import pytest

from tests.gateway.client import World
from tests.gateway.test_committees import create_committee
from tests.support.processes import eventually

pytestmark = pytest.mark.kafka

ASK = (
    "mutation($t: ID!) { askForTask(taskId: $t) { __typename ... on Problem { message } ... on TaskForMe { "
    "answer reasons task { id title } offer { id taskId status reasons { kind } } } } }"
)


def ask(world: World, token: str, task_id: str) -> dict:
    return world.gql(ASK, {"t": task_id}, token)["askForTask"]


def settled(world: World, token: str, task_id: str) -> dict:
    """The answer once matching has heard of the volunteer who just signed up."""
    return eventually(
        lambda: (found := ask(world, token, task_id))["answer"] != "CHECKING" and found,
        60,
        interval_s=0.3,
        message="matching to hear of the new volunteer",
    )


def test_a_volunteer_who_fits_is_offered_the_task_they_asked_for_at_once(world):
    coordinator, skill = world.coordinator(), world.skill()
    first, second = world.volunteer(skill), world.volunteer(skill)
    posted = world.task(coordinator, skill, slots=1)
    for early in (first, second):  # the task's first wave is out: no room left for a newcomer
        world.wait_for_offer(early, posted["id"])
    newcomer = world.volunteer(skill)

    answer = settled(world, newcomer.token, posted["id"])

    assert answer["answer"] == "OFFERED" and answer["reasons"] == []
    assert answer["task"] == {"id": posted["id"], "title": posted["title"]}
    assert answer["offer"]["taskId"] == posted["id"] and answer["offer"]["status"] == "PENDING"
    assert answer["offer"]["reasons"] == [{"kind": "ASKED_FOR"}]
    assert [offer["id"] for offer in world.offers(newcomer)] == [answer["offer"]["id"]]
    assert ask(world, newcomer.token, posted["id"])["offer"]["id"] == answer["offer"]["id"]  # asking again


def test_a_volunteer_who_does_not_fit_is_told_why_and_offered_nothing(world):
    organization = world.organization()
    coordinator = world.coordinator(organization)
    committee = create_committee(world, organization)
    posted = world.task(coordinator, world.skill(), committeeId=committee["id"], membersOnly=True, languages=["es"])
    newcomer = world.volunteer()  # no skill; speaks French

    answer = settled(world, newcomer.token, posted["id"])

    assert answer["answer"] == "NOT_ELIGIBLE" and answer["offer"] is None
    assert answer["reasons"] == ["SKILLS", "LANGUAGES", "MEMBERS_ONLY"]
    assert world.offers(newcomer) == []


def test_asking_shows_only_the_asker_s_own_offer_never_another_member_s(world):
    coordinator, skill = world.coordinator(), world.skill()
    holder = world.volunteer(skill)
    posted = world.task(coordinator, skill, slots=1)
    held = world.wait_for_offer(holder, posted["id"])
    accepted = world.accept(holder, held["id"])
    assert accepted["status"] == "ACCEPTED"
    other = world.volunteer(skill)

    answer = settled(world, other.token, posted["id"])

    assert answer["answer"] == "NOT_ELIGIBLE" and answer["reasons"] == ["TASK_FULL"] and answer["offer"] is None
    assert ask(world, holder.token, posted["id"])["offer"] == {
        "id": held["id"],
        "taskId": posted["id"],
        "status": "ACCEPTED",
        "reasons": [{"kind": reason["kind"]} for reason in held["reasons"]],
    }
    unknown = ask(world, other.token, "00000000-0000-0000-0000-000000000000")
    assert unknown["__typename"] == "NotFound"
