"""The gateway end to end: real services, real broker, real tokens."""

from __future__ import annotations

import sqlite3
from datetime import datetime

import httpx
import pytest

from tests.gateway.client import AUTH, OFFER, TASK, GraphQLError
from tests.support.processes import eventually
from tests.support.service_tokens import signed_headers

pytestmark = pytest.mark.kafka

ME = "{ me { id role memberId member { displayName status skills { skill level } } } }"
OPEN_TASKS = "query($f: OpenTaskFilter) { openTasks(filter: $f) { totalCount nodes { id title openSlots } } }"


def test_a_volunteer_signs_up_in_one_go_and_sees_their_profile(world, graphql):
    skill = world.skill()
    volunteer = world.volunteer(skill)

    me = graphql(ME, token=volunteer.token)["me"]

    assert me["role"] == "VOLUNTEER"
    assert me["member"] == {
        "displayName": "Amina Diallo",
        "status": "ACTIVE",
        "skills": [{"skill": skill, "level": "EXPERT"}],
    }


def test_signing_up_twice_with_one_email_is_refused_without_leaving_a_profile_behind(world, graphql):
    volunteer = world.volunteer()
    data = graphql(
        "mutation($i: RegisterMemberInput!) { registerMember(input: $i) { __typename %s } }" % AUTH,
        {
            "i": {
                "email": volunteer.email.upper(),
                "password": "another-password",
                "displayName": "X",
                "contacts": {"email": {"value": "x@example.org", "consent": False}},
            }
        },
    )["registerMember"]

    assert data["__typename"] == "ValidationProblem"
    assert data["fields"][0]["field"] == "email"


def test_an_invitation_code_makes_one_coordinator_and_only_one(world, graphql):
    organization = world.organization()
    code = world.invite(organization)
    register = "mutation($i: RegisterCoordinatorInput!) { registerCoordinator(input: $i) { __typename %s } }" % AUTH

    first = graphql(
        register, {"i": {"email": "first-coordinator@example.org", "password": "long-password", "inviteCode": code}}
    )["registerCoordinator"]
    second = graphql(
        register, {"i": {"email": "second-coordinator@example.org", "password": "long-password", "inviteCode": code}}
    )["registerCoordinator"]

    assert first["__typename"] == "AuthPayload"
    assert first["viewer"]["organizationId"] == organization
    assert second["__typename"] == "ValidationProblem"
    assert second["fields"] == [
        {"field": "inviteCode", "message": "This invitation code is not valid (unknown, already used or expired)."}
    ]


def test_a_posted_task_reaches_a_matching_volunteer_with_the_reasons_as_data(world):
    skill = world.skill()
    volunteer = world.volunteer(skill)
    task = world.task(world.coordinator(), skill)

    offer = world.wait_for_offer(volunteer, task["id"])

    assert offer["status"] == "PENDING"
    assert offer["taskTitle"] == task["title"]
    kinds = {reason["kind"]: reason for reason in offer["reasons"]}
    assert (kinds["SKILL"]["skill"], kinds["SKILL"]["level"]) == (skill, "EXPERT")
    assert (kinds["LANGUAGE"]["language"], kinds["LANGUAGE"]["fluency"]) == ("fr", "FLUENT")
    assert not [reason for reason in offer["reasons"] if reason["kind"] == "TEXT"]
    start, end = (datetime.fromisoformat(moment) for moment in kinds["FREE_TIME"]["windows"][0].split("/"))
    assert start.utcoffset() is not None and start < end  # an ISO 8601 interval between two instants


def test_accepting_fills_the_task_and_it_leaves_the_public_list(world, graphql):
    skill = world.skill()
    volunteer = world.volunteer(skill)
    coordinator = world.coordinator()
    task = world.task(coordinator, skill)
    assert task["id"] in {t["id"] for t in graphql(OPEN_TASKS, {"f": {"skill": skill}})["openTasks"]["nodes"]}

    accepted = world.accept(volunteer, world.wait_for_offer(volunteer, task["id"])["id"])

    assert accepted["status"] == "ACCEPTED"
    mine = graphql("{ myTasks { nodes { %s } } }" % TASK, token=coordinator.token)["myTasks"]["nodes"]
    assert mine[0]["fill"]["acceptedMemberIds"] == [volunteer.member_id]
    eventually(
        lambda: graphql(OPEN_TASKS, {"f": {"skill": skill}})["openTasks"]["totalCount"] == 0,
        15,
        message="the filled task to leave openTasks",
    )


def test_the_slower_volunteer_hears_that_the_task_was_just_filled(world, graphql):
    skill = world.skill()
    fast, slow = world.volunteer(skill), world.volunteer(skill)
    task = world.task(world.coordinator(), skill, slots=1)
    fast_offer, slow_offer = world.wait_for_offer(fast, task["id"]), world.wait_for_offer(slow, task["id"])

    world.accept(fast, fast_offer["id"])
    late = world.accept(slow, slow_offer["id"])

    assert late["__typename"] in {"TaskFilled", "OfferNotPending"}  # or already withdrawn by the fill
    assert late["message"]


def test_contact_details_only_after_acceptance_and_every_read_is_audited(world, graphql):
    skill = world.skill()
    volunteer = world.volunteer(skill)
    coordinator = world.coordinator()
    task = world.task(coordinator, skill)
    offer = world.wait_for_offer(volunteer, task["id"])
    contact = (
        "query($t: ID!, $m: ID!) { volunteerContact(taskId: $t, memberId: $m) { __typename "
        "... on ContactDetails { displayName email } ... on Problem { message } } }"
    )
    variables = {"t": task["id"], "m": volunteer.member_id}

    before = graphql(contact, variables, coordinator.token)["volunteerContact"]
    world.accept(volunteer, offer["id"])
    after = graphql(contact, variables, coordinator.token)["volunteerContact"]

    assert before["__typename"] == "NotAllowed"
    assert after == {"__typename": "ContactDetails", "displayName": "Amina Diallo", "email": volunteer.email}
    audit = graphql("{ myAuditLog { action purpose actorRole taskId } }", token=volunteer.token)["myAuditLog"]
    assert {
        "action": "contact.read",
        "purpose": "coordinate_accepted_task",
        "actorRole": "coordinator",
        "taskId": task["id"],
    } in audit


def test_a_coordinator_cannot_see_or_change_another_organizations_task(world, graphql):
    skill = world.skill()
    task = world.task(world.coordinator(), skill)
    outsider = world.coordinator()

    seen = graphql("query($id: ID!) { task(id: $id) { id } }", {"id": task["id"]}, outsider.token)["task"]
    cancelled = graphql(
        "mutation($id: ID!) { cancelTask(id: $id) { __typename ... on Problem { message } } }",
        {"id": task["id"]},
        outsider.token,
    )["cancelTask"]

    assert seen is None
    assert cancelled["__typename"] == "NotFound"


def test_a_volunteer_cannot_answer_someone_elses_offer(world):
    skill = world.skill()
    invited, intruder = world.volunteer(skill), world.volunteer()
    offer = world.wait_for_offer(invited, world.task(world.coordinator(), skill)["id"])

    answer = world.accept(intruder, offer["id"])

    assert answer["__typename"] == "NotAllowed"


def test_withdrawing_after_accepting_frees_the_place(world, graphql):
    skill = world.skill()
    volunteer = world.volunteer(skill)
    task = world.task(world.coordinator(), skill)
    world.accept(volunteer, world.wait_for_offer(volunteer, task["id"])["id"])

    withdrawn = graphql(
        "mutation($t: ID!) { withdrawFromTask(taskId: $t) { __typename ... on Offer { status } } }",
        {"t": task["id"]},
        volunteer.token,
    )["withdrawFromTask"]
    again = graphql(
        "mutation($t: ID!) { withdrawFromTask(taskId: $t) { __typename } }", {"t": task["id"]}, volunteer.token
    )["withdrawFromTask"]

    assert withdrawn == {"__typename": "Offer", "status": "CANCELLED_BY_VOLUNTEER"}
    assert again["__typename"] == "NotFound"


def test_pausing_and_resuming_a_profile(world, graphql):
    volunteer = world.volunteer()
    status = "{ __typename ... on MemberProfile { status } }"

    paused = graphql("mutation { pauseMe %s }" % status, token=volunteer.token)["pauseMe"]
    resumed = graphql("mutation { resumeMe %s }" % status, token=volunteer.token)["resumeMe"]

    assert paused["status"] == "PAUSED" and resumed["status"] == "ACTIVE"


def test_a_profile_change_that_breaks_the_rules_names_the_field(world, graphql):
    volunteer = world.volunteer()
    result = graphql(
        "mutation($i: ProfileUpdateInput!) { updateProfile(input: $i) { __typename "
        "... on ValidationProblem { fields { field message } } } }",
        {"i": {"maxTasksPerMonth": 500}},
        volunteer.token,
    )["updateProfile"]

    assert result["__typename"] == "ValidationProblem"
    assert [f["field"] for f in result["fields"]] == ["maxTasksPerMonth"]


def test_erasing_me_needs_the_password_then_removes_profile_and_login(world, graphql):
    volunteer = world.volunteer()
    erase = "mutation($p: String!) { eraseMe(password: $p) { __typename } }"

    refused = graphql(erase, {"p": "not-my-password"}, volunteer.token)["eraseMe"]
    erased = graphql(erase, {"p": volunteer.password}, volunteer.token)["eraseMe"]

    assert refused["__typename"] == "LoginFailed"
    assert erased["__typename"] == "Erasure"
    assert graphql(ME, token=volunteer.token)["me"] is None  # the token speaks for nobody now
    login = graphql(
        "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { __typename } }",
        {"e": volunteer.email, "p": volunteer.password},
    )["login"]
    assert login["__typename"] == "LoginFailed"
    member = graphql("query($e: String!) { userByEmail(email: $e) { id } }", {"e": volunteer.email}, world.admin.token)[
        "userByEmail"
    ]
    assert member is None


def test_an_admin_erases_a_member_on_request(world, graphql):
    volunteer = world.volunteer()

    result = graphql(
        "mutation($m: ID!) { eraseMember(memberId: $m) { __typename } }", {"m": volunteer.member_id}, world.admin.token
    )["eraseMember"]

    assert result["__typename"] == "Erasure"
    assert graphql(ME, token=volunteer.token)["me"] is None


def test_a_member_erased_by_the_members_service_itself_loses_their_login_too(world, graphql, stack):
    volunteer = world.volunteer()
    admin = signed_headers("members", "admin", world.admin.id)

    erased = httpx.delete(f"{stack.members.url}/members/{volunteer.member_id}", headers=admin, timeout=10)

    assert erased.status_code == 204
    find = "query($e: String!) { userByEmail(email: $e) { id } }"
    eventually(
        lambda: graphql(find, {"e": volunteer.email}, world.admin.token)["userByEmail"] is None,
        20,
        message="the erasure tombstone to remove the login",
    )


def test_a_role_change_or_a_disabled_account_stops_old_tokens_at_once(world, graphql):
    coordinator = world.coordinator()
    volunteer = world.volunteer()
    admin = world.admin.token
    set_active = "mutation($u: ID!, $a: Boolean!) { setUserActive(userId: $u, active: $a) { __typename } }"

    graphql(set_active, {"u": volunteer.id, "a": False}, admin)
    moved = graphql(
        "mutation($u: ID!, $o: ID!) { setUserRole(userId: $u, role: COORDINATOR, organizationId: $o) "
        "{ __typename ... on UserAccount { role organizationId } } }",
        {"u": coordinator.id, "o": world.organization()},
        admin,
    )["setUserRole"]

    assert graphql(ME, token=volunteer.token)["me"] is None
    assert moved["role"] == "COORDINATOR"
    assert graphql(ME, token=coordinator.token)["me"] is None  # log in again to act for the new organization


def test_an_admin_cannot_demote_or_disable_themself(world, graphql):
    admin = world.admin
    demoted = graphql(
        "mutation($u: ID!) { setUserRole(userId: $u, role: VOLUNTEER) { __typename } }", {"u": admin.id}, admin.token
    )["setUserRole"]

    assert demoted["__typename"] == "StateConflict"


def test_login_emails_are_not_stored_in_plain_text(world, stack):
    volunteer = world.volunteer()
    path = stack.gateway_env["GATEWAY_DATABASE_URL"].removeprefix("sqlite:///")

    with sqlite3.connect(path) as connection:
        rows = connection.execute("SELECT email_lookup, email_encrypted, password_hash FROM gateway_user").fetchall()
    dump = repr(rows).lower()

    assert volunteer.email.lower() not in dump
    assert volunteer.email.split("@")[0].lower() not in dump
    assert all(row[2].startswith("$argon2id$") for row in rows)


def test_public_open_tasks_carry_no_personal_data(world, graphql):
    skill = world.skill()
    volunteer = world.volunteer(skill)
    coordinator = world.coordinator()
    task = world.task(coordinator, skill, slots=2)
    world.accept(volunteer, world.wait_for_offer(volunteer, task["id"])["id"])
    everything = (
        "query($f: OpenTaskFilter) { openTasks(filter: $f) { nodes { id title summary languages area "
        "areaName remote startsAt endsAt deadline urgency slots openSlots status "
        "skills { skill name minLevel } } } }"
    )

    text = str(eventually(lambda: graphql(everything, {"f": {"skill": skill}})["openTasks"]["nodes"], 10))

    for secret in (volunteer.member_id, volunteer.email, "Amina", coordinator.id, coordinator.email):
        assert secret not in text


def test_the_expired_or_forged_token_is_refused(graphql):
    with pytest.raises(GraphQLError, match="UNAUTHENTICATED"):
        graphql("{ myOffers { totalCount } }", token="not.a.token")


def test_renewing_a_token_gives_a_working_new_one(world, graphql):
    volunteer = world.volunteer()
    renewed = graphql("mutation { renewToken { ... on AuthPayload { token } } }", token=volunteer.token)["renewToken"]

    assert graphql(ME, token=renewed["token"])["me"]["memberId"] == volunteer.member_id


def test_offer_updates_arrive_live_over_graphql_transport_ws(world, graphql):
    skill = world.skill()
    volunteer = world.volunteer(skill)
    coordinator = world.coordinator()
    query = "subscription { offerUpdates { kind offer { %s task { title } } } }" % OFFER

    with graphql.subscribe(query, volunteer.token) as updates:
        task = world.task(coordinator, skill)
        created = updates.next_data()["offerUpdates"]
        world.accept(volunteer, created["offer"]["id"])
        accepted = updates.next_data(lambda d: d["offerUpdates"]["offer"]["status"] == "ACCEPTED")["offerUpdates"]

    assert created["kind"] == "offer.created"
    assert created["offer"]["task"]["title"] == task["title"]
    assert accepted["kind"] == "offer.accepted"


def test_a_coordinator_watches_a_task_fill_live(world, graphql):
    skill = world.skill()
    volunteer = world.volunteer(skill)
    coordinator = world.coordinator()
    task = world.task(coordinator, skill)
    offer = world.wait_for_offer(volunteer, task["id"])
    query = "subscription { taskUpdates { kind taskId task { %s } } }" % TASK

    with graphql.subscribe(query, coordinator.token) as updates:
        world.accept(volunteer, offer["id"])
        filled = updates.next_data(lambda d: d["taskUpdates"]["task"]["fill"]["accepted"] == 1)["taskUpdates"]

    assert filled["taskId"] == task["id"]
    assert filled["task"]["fill"]["acceptedMemberIds"] == [volunteer.member_id]


def test_anyone_hears_when_the_open_tasks_change(world, graphql):
    skill = world.skill()
    coordinator = world.coordinator()

    with graphql.subscribe("subscription { openTasksChanged { taskId kind status } }") as changes:
        task = world.task(coordinator, skill)
        change = changes.next_data(lambda d: d["openTasksChanged"]["taskId"] == task["id"])["openTasksChanged"]

    assert change == {"taskId": task["id"], "kind": "task.posted", "status": "OPEN"}


def test_a_subscription_needing_a_role_is_refused_to_the_anonymous(graphql):
    with graphql.subscribe("subscription { offerUpdates { kind } }") as updates:
        message = updates.next(5)

    assert message["type"] == "error"
    assert message["payload"][0]["extensions"]["code"] == "UNAUTHENTICATED"
