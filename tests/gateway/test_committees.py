"""Committees through GraphQL on the real stack: admins create them and name leads; a lead manages
their committee's tasks and no other; a members-only task is offered to the committee's members."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.gateway.client import Person, World
from tests.gateway.stack import unique

pytestmark = pytest.mark.kafka

PROBLEM = "__typename ... on Problem { message }"


def create_committee(world: World, organization_id: str | None) -> dict:
    result = world.gql(
        "mutation($i: CommitteeInput!) { createCommittee(input: $i) { %s ... on Committee { id name "
        "organizationId } } }" % PROBLEM,
        {"i": {"name": unique("Food for All"), "organizationId": organization_id}},
        world.admin.token,
    )["createCommittee"]
    assert result["__typename"] == "Committee", result
    return result


def name_lead(world: World, committee_id: str, lead: Person) -> dict:
    return world.gql(
        "mutation($c: ID!, $u: ID!) { addCommitteeLead(committeeId: $c, userId: $u) { %s "
        "... on CommitteeLead { leadId } } }" % PROBLEM,
        {"c": committee_id, "u": lead.id},
        world.admin.token,
    )["addCommitteeLead"]


def update(world: World, person: Person, task_id: str, changes: dict) -> dict:
    return world.gql(
        "mutation($id: ID!, $i: TaskUpdateInput!) { updateTask(id: $id, input: $i) { %s "
        "... on Task { slots membersOnly } } }" % PROBLEM,
        {"id": task_id, "i": changes},
        person.token,
    )["updateTask"]


def test_a_lead_manages_their_committee_s_tasks_and_no_other(world):
    organization = world.organization()
    coordinator = world.coordinator(organization)
    committee, other_committee = create_committee(world, organization), create_committee(world, None)
    lead, other_lead = world.coordinator(), world.coordinator()  # coordinators of other organizations
    assert name_lead(world, committee["id"], lead)["leadId"] == lead.id
    assert name_lead(world, other_committee["id"], other_lead)["__typename"] == "CommitteeLead"
    refused = name_lead(world, committee["id"], world.volunteer())
    assert refused["__typename"] == "ValidationProblem" and "coordinator" in refused["message"]
    led = world.gql("{ ledCommittees { id } }", token=lead.token)["ledCommittees"]
    assert led == [{"id": committee["id"]}]

    task = world.task(lead, world.skill(), committeeId=committee["id"], membersOnly=True)
    listed = world.gql(
        "query($c: ID) { myTasks(committeeId: $c) { nodes { id organizationId committeeId membersOnly } } }",
        {"c": committee["id"]},
        lead.token,
    )["myTasks"]["nodes"]
    assert listed == [
        {"id": task["id"], "organizationId": organization, "committeeId": committee["id"], "membersOnly": True}
    ]
    assert update(world, lead, task["id"], {"slots": 3})["slots"] == 3
    assert update(world, coordinator, task["id"], {"membersOnly": False})["membersOnly"] is False

    assert update(world, other_lead, task["id"], {"slots": 4})["__typename"] == "NotFound"
    assert world.gql("query($id: ID!) { task(id: $id) { id } }", {"id": task["id"]}, other_lead.token)["task"] is None
    cancel = world.gql(
        "mutation($id: ID!) { cancelTask(id: $id) { __typename } }", {"id": task["id"]}, other_lead.token
    )["cancelTask"]
    assert cancel["__typename"] == "NotFound"
    others = world.gql(
        "query($c: ID) { myTasks(committeeId: $c) { totalCount } }", {"c": committee["id"]}, other_lead.token
    )["myTasks"]
    assert others["totalCount"] == 0


def test_a_members_only_task_is_offered_only_to_the_committee_s_members(world):
    organization = world.organization()
    coordinator = world.coordinator(organization)
    committee = create_committee(world, organization)
    skill = world.skill()
    member, outsider = world.volunteer(skill), world.volunteer(skill)
    joined = world.gql(
        "mutation($c: ID!) { joinCommittee(committeeId: $c) { %s ... on Membership { committees { id } } } }" % PROBLEM,
        {"c": committee["id"]},
        member.token,
    )["joinCommittee"]
    assert joined["committees"] == [{"id": committee["id"]}]
    assert world.gql("{ myCommittees { name } }", token=member.token)["myCommittees"] == [{"name": committee["name"]}]

    members_only = world.task(coordinator, skill, slots=2, committeeId=committee["id"], membersOnly=True)
    world.wait_for_offer(member, members_only["id"])
    open_to_all = world.task(coordinator, skill, slots=2)
    world.wait_for_offer(outsider, open_to_all["id"])  # by now matching has seen both tasks
    assert members_only["id"] not in {offer["taskId"] for offer in world.offers(outsider)}

    left = world.gql(
        "mutation($c: ID!) { leaveCommittee(committeeId: $c) { %s ... on Membership { committees { id } } } }"
        % PROBLEM,
        {"c": committee["id"]},
        member.token,
    )["leaveCommittee"]
    assert left["committees"] == []
    unknown = world.gql(
        "mutation($c: ID!) { joinCommittee(committeeId: $c) { %s } }" % PROBLEM,
        {"c": "00000000-0000-0000-0000-000000000000"},
        member.token,
    )["joinCommittee"]
    assert unknown["__typename"] == "NotFound"


def test_a_lead_hears_live_about_their_committee_s_tasks_only(world, graphql):
    organization = world.organization()
    coordinator = world.coordinator(organization)
    committee = create_committee(world, organization)
    lead = world.coordinator()  # of another organization
    name_lead(world, committee["id"], lead)
    skill = world.skill()
    query = "subscription { taskUpdates { kind taskId } }"

    with graphql.subscribe(query, lead.token) as updates:
        outside = world.task(coordinator, skill)  # the organization's, in no committee
        inside = world.task(coordinator, skill, committeeId=committee["id"])
        heard = updates.next_data(lambda d: d["taskUpdates"]["kind"] == "task.posted")["taskUpdates"]

    assert heard["taskId"] == inside["id"] != outside["id"]


SERIES = (
    "__typename ... on Problem { message } ... on Series { id rule status tasks { id title startsAt status seriesId } }"
)


def test_a_lead_posts_a_weekly_series_edits_the_following_and_cancels_it(world):
    organization = world.organization()
    committee = create_committee(world, organization)
    lead, other_lead = world.coordinator(), world.coordinator()
    name_lead(world, committee["id"], lead)
    skill = world.skill()
    starts = (datetime.now(UTC) + timedelta(days=2)).replace(hour=22, minute=0, second=0, microsecond=0)
    task = {
        "title": unique("Legal clinic"),
        "skills": [{"skill": skill, "minLevel": "CAPABLE"}],
        "remote": True,
        "startsAt": starts.isoformat(),
        "endsAt": (starts + timedelta(hours=2)).isoformat(),
        "committeeId": committee["id"],
        "timeZone": "America/Toronto",
    }
    posted = world.gql(
        "mutation($i: SeriesInput!) { postSeries(input: $i) { %s } }" % SERIES,
        {"i": {"task": task, "repeat": {"frequency": "WEEKLY", "count": 3}}},
        lead.token,
    )["postSeries"]
    assert posted["__typename"] == "Series", posted
    assert posted["rule"] == "FREQ=WEEKLY;COUNT=3" and len(posted["tasks"]) == 3
    first, second, _ = posted["tasks"]

    changed = world.gql(
        "mutation($s: ID!, $t: ID!, $i: FollowingUpdateInput!) { updateFollowing(seriesId: $s, "
        "fromTaskId: $t, input: $i) { %s } }" % SERIES,
        {"s": posted["id"], "t": second["id"], "i": {"title": "Legal clinic, new room"}},
        lead.token,
    )
    titles = [t["title"] for t in changed["updateFollowing"]["tasks"]]
    assert titles == [first["title"], "Legal clinic, new room", "Legal clinic, new room"]

    refused = world.gql(
        "mutation($s: ID!) { cancelSeries(seriesId: $s) { %s } }" % SERIES, {"s": posted["id"]}, other_lead.token
    )["cancelSeries"]
    assert refused["__typename"] == "NotFound"
    cancelled = world.gql(
        "mutation($s: ID!) { cancelSeries(seriesId: $s) { %s } }" % SERIES, {"s": posted["id"]}, lead.token
    )["cancelSeries"]
    assert cancelled["status"] == "cancelled"
    assert {t["status"] for t in cancelled["tasks"]} == {"CANCELLED"}


def test_a_members_only_task_stays_out_of_the_public_list_of_open_tasks(world, graphql):
    organization = world.organization()
    coordinator = world.coordinator(organization)
    committee = create_committee(world, organization)
    skill = world.skill()
    internal = world.task(coordinator, skill, committeeId=committee["id"], membersOnly=True)
    public = world.task(coordinator, skill, committeeId=committee["id"])
    query = "query($f: OpenTaskFilter) { openTasks(filter: $f) { totalCount nodes { id } } }"

    listed = graphql(query, {"f": {"skills": [skill]}})["openTasks"]
    assert [node["id"] for node in listed["nodes"]] == [public["id"]] and listed["totalCount"] == 1
    # Its coordinator still sees it among their own tasks.
    mine = world.gql(
        "query($c: ID) { myTasks(committeeId: $c) { nodes { id } } }", {"c": committee["id"]}, coordinator.token
    )["myTasks"]["nodes"]
    assert {task["id"] for task in mine} == {internal["id"], public["id"]}
