"""How many requests one GraphQL query costs the services: a constant, not one per task.

Every service writes one access-log line per request, tagged with the request id the gateway
passes on; sending our own ``X-Request-Id`` lets the test count exactly the requests its query
caused, whatever else the stack is doing.
"""

from __future__ import annotations

import json
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta

import httpx

from tests.gateway.client import Person, World
from tests.gateway.stack import Stack, unique
from tests.support.processes import eventually

MY_TASKS = """{ myTasks(first: 25) { totalCount nodes { id
  fill { slots accepted pending acceptedMemberIds } offers { id status reasons { kind } memberId } } } }"""
BATCH_READS = Counter({"tasks GET /tasks": 1, "matching GET /offers": 1, "matching GET /fills": 1})
MY_ADDRESSES = "{ myOffers(status: ACCEPTED, first: 50) { totalCount nodes { taskId status address } } }"


def service_calls(stack: Stack, request_id: str) -> Counter:
    """Requests the services served for one gateway request, as 'service METHOD /route'."""
    calls = Counter()
    for process in (stack.members, stack.tasks, stack.matching):
        for line in process.log_text().splitlines():
            if request_id not in line:
                continue
            entry = json.loads(line)
            if entry.get("logger") == "access" and entry.get("request_id") == request_id:
                calls[f"{process.name} {entry['message'].split(' -> ')[0]}"] += 1
    return calls


def query_counting_calls(stack: Stack, query: str, token: str, variables: dict | None = None) -> tuple[dict, Counter]:
    request_id = uuid.uuid4().hex
    response = httpx.post(
        stack.graphql_url,
        json={"query": query, "variables": variables or {}},
        timeout=30,
        headers={"Authorization": f"Bearer {token}", "X-Request-Id": request_id},
    )
    body = response.json()
    assert response.status_code == 200 and not body.get("errors"), body
    return body["data"], service_calls(stack, request_id)


def without_taxonomy(calls: Counter) -> Counter:
    """Skill and area names come from a gateway-wide cache: at most one request for each, or none."""
    members = Counter({call: n for call, n in calls.items() if call.startswith("members ")})
    assert members <= Counter({"members GET /skills": 1, "members GET /areas": 1}), members
    return calls - members


def test_a_page_of_tasks_with_fills_and_offers_costs_the_same_few_requests_for_2_or_25_tasks(world, stack):
    skill, coordinator = world.skill(), world.coordinator()
    volunteer = world.volunteer(skill)
    posted = [world.task(coordinator, skill, slots=2) for _ in range(2)]
    offer = world.wait_for_offer(volunteer, posted[0]["id"])

    few, few_calls = query_counting_calls(stack, MY_TASKS, coordinator.token)
    posted += [world.task(coordinator, skill, slots=2) for _ in range(23)]
    many, many_calls = query_counting_calls(stack, MY_TASKS, coordinator.token)

    assert (few["myTasks"]["totalCount"], many["myTasks"]["totalCount"]) == (2, 25)
    assert without_taxonomy(few_calls) == without_taxonomy(many_calls) == BATCH_READS
    # Each task still gets its own offers and fill from the batch answers.
    nodes = {node["id"]: node for node in many["myTasks"]["nodes"]}
    assert offer["id"] in {o["id"] for o in nodes[posted[0]["id"]]["offers"]}
    assert all(offer["id"] not in {o["id"] for o in nodes[task["id"]]["offers"]} for task in posted[1:])
    assert all(node["fill"]["slots"] == 2 for node in nodes.values())


def test_accepted_offers_show_in_the_fill_of_their_own_task_only(world, stack):
    skill, coordinator = world.skill(), world.coordinator()
    volunteer = world.volunteer(skill)
    taken, other = world.task(coordinator, skill), world.task(coordinator, skill)
    world.accept(volunteer, world.wait_for_offer(volunteer, taken["id"])["id"])

    def fills() -> dict | None:
        data, _ = query_counting_calls(stack, MY_TASKS, coordinator.token)
        by_id = {node["id"]: node["fill"] for node in data["myTasks"]["nodes"]}
        return by_id if by_id[taken["id"]]["accepted"] == 1 else None

    by_id = eventually(fills, 30, interval_s=0.3, message="the accepted offer in the fill")
    assert by_id[taken["id"]]["acceptedMemberIds"] == [volunteer.member_id]
    assert volunteer.member_id not in by_id[other["id"]]["acceptedMemberIds"]


def test_a_volunteer_s_offers_read_their_tasks_in_one_request(world, stack):
    skill, coordinator = world.skill(), world.coordinator()
    volunteer = world.volunteer(skill)  # two offers waiting at once: the most a member is sent by default
    tasks = [world.task(coordinator, skill) for _ in range(2)]
    eventually(lambda: len(world.offers(volunteer)) == 2, 60, interval_s=0.3, message="two offers")

    data, calls = query_counting_calls(stack, "{ myOffers { nodes { taskId task { id title } } } }", volunteer.token)

    assert {node["task"]["id"] for node in data["myOffers"]["nodes"]} == {task["id"] for task in tasks}
    assert without_taxonomy(calls) == Counter({"matching GET /offers": 1, "tasks GET /tasks": 1})


POST_TASK = """mutation($i: TaskInput!) { postTask(input: $i) { __typename
  ... on Task { id skills { skill name } } ... on Problem { message } } }"""


def test_tasks_posted_one_after_another_cost_one_request_each_not_a_read_of_the_skill_names(world, stack):
    """The skill names stay cached through task events: read from the members service again for
    every postTask, they cost a request each under the soak's 20 tasks a second."""
    skill, coordinator = world.skill(), world.coordinator()
    starts = (datetime.now(UTC) + timedelta(days=3)).replace(hour=15, minute=0, second=0, microsecond=0)
    task = {
        "title": unique("Translate a leaflet"),
        "summary": "French to Spanish",
        "skills": [{"skill": skill, "minLevel": "CAPABLE"}],
        "languages": ["fr"],
        "slots": 1,
        "startsAt": starts.isoformat(),
        "endsAt": (starts + timedelta(hours=2)).isoformat(),
        "remote": True,
    }
    costs = []
    for _ in range(3):
        data, calls = query_counting_calls(stack, POST_TASK, coordinator.token, {"i": task})
        assert data["postTask"]["__typename"] == "Task", data
        assert data["postTask"]["skills"][0]["skill"] == skill
        costs.append(calls)
        time.sleep(1.5)  # the task's own event reaches the gateway's feed meanwhile

    # The first post may read the names (a skill was just created); the others do not.
    assert costs[1] == costs[2] == Counter({"tasks POST /tasks": 1}), costs


def new_area(world: World) -> str:
    slug = unique("area")
    result = world.gql(
        "mutation($i: AreaInput!) { createArea(input: $i) { __typename ... on Problem { message } } }",
        {"i": {"slug": slug, "name": "Villeray", "city": "Montréal"}},
        world.admin.token,
    )["createArea"]
    assert result["__typename"] == "Area", result
    return slug


def accept_in_person_task(
    world: World, volunteer: Person, coordinator: Person, skill: str, area: str, in_days: int
) -> tuple[str, str]:
    """Post a task with an exact address on its own day (accepted tasks must not overlap); accept it."""
    starts = (datetime.now(UTC) + timedelta(days=in_days)).replace(hour=15, minute=0, second=0, microsecond=0)
    address = f"{in_days * 100} rue Saint-Denis"
    task = world.task(
        coordinator,
        skill,
        remote=False,
        area=area,
        address=address,
        startsAt=starts.isoformat(),
        endsAt=(starts + timedelta(hours=2)).isoformat(),
    )
    accepted = world.accept(volunteer, world.wait_for_offer(volunteer, task["id"])["id"])
    assert accepted.get("status") == "ACCEPTED", accepted
    return task["id"], address


def test_a_volunteer_s_accepted_offers_show_their_addresses_in_one_request_for_2_or_6_offers(world, stack):
    skill, area, coordinator = world.skill(), new_area(world), world.coordinator()
    volunteer = world.volunteer(skill, area=area, maxTasksPerMonth=10)
    addresses = dict(accept_in_person_task(world, volunteer, coordinator, skill, area, day) for day in (2, 3))

    few, few_calls = query_counting_calls(stack, MY_ADDRESSES, volunteer.token)
    addresses.update(accept_in_person_task(world, volunteer, coordinator, skill, area, day) for day in range(4, 8))
    many, many_calls = query_counting_calls(stack, MY_ADDRESSES, volunteer.token)

    assert (few["myOffers"]["totalCount"], many["myOffers"]["totalCount"]) == (2, 6)
    assert {node["taskId"]: node["address"] for node in many["myOffers"]["nodes"]} == addresses
    one_batch = Counter({"matching GET /offers": 1, "tasks GET /tasks/addresses": 1})
    assert without_taxonomy(few_calls) == without_taxonomy(many_calls) == one_batch
