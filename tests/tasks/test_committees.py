"""Committees: admins create them and name their leads; a lead manages the committee's tasks and
nothing else; a task may be limited to the committee's members, and says so on tasks.state."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest

from tests.support.service_tokens import SignedHeaders, signed_headers
from tests.support.tasks_app import (
    ADMIN,
    SYSTEM,
    Organization,
    coordinator,
    new_organization,
    post_task,
    task_payload,
    volunteer,
)

pytestmark = pytest.mark.kafka


def letters() -> str:
    """A unique word with no digits: a run of digits in a public name reads as a phone number."""
    return uuid.uuid4().hex[:8].translate(str.maketrans("0123456789", "ghijklmnop"))


def new_committee(client, name: str | None = None, organization_id: str | None = None) -> dict:
    created = client.post(
        "/committees",
        json={"name": name or f"Committee {letters()}", "organization_id": organization_id},
        headers=ADMIN,
    )
    assert created.status_code == 201, created.text
    return created.json()


def name_lead(client, committee: dict) -> SignedHeaders:
    lead = coordinator()
    named = client.post(f"/committees/{committee['id']}/leads", json={"lead_id": lead.actor_id}, headers=ADMIN)
    assert named.status_code == 201, named.text
    return lead


@dataclass
class Coalition:
    organization: Organization
    committee: dict
    lead: SignedHeaders
    task: dict  # a task of the committee
    roles: dict[str, SignedHeaders]


def coalition(client) -> Coalition:
    organization, other = new_organization(client), new_organization(client)
    committee, other_committee = new_committee(client, organization_id=organization.id), new_committee(client)
    lead, other_lead = name_lead(client, committee), name_lead(client, other_committee)
    task = post_task(client, organization, committee_id=committee["id"])
    roles = {
        "admin": ADMIN,
        "system": SYSTEM,
        "coordinator of the organization": organization.coordinator,
        "lead of the committee": lead,
        "lead of another committee": other_lead,
        "coordinator of another organization": other.coordinator,
        "volunteer": volunteer(str(uuid.uuid4())),
        "gateway": signed_headers("tasks", "gateway"),
    }
    return Coalition(organization, committee, lead, task, roles)


MANAGERS = {"admin", "system", "coordinator of the organization", "lead of the committee"}
STAFF = {"admin", "system"}


def attempts(world: Coalition) -> dict:
    """Each committee operation, as a function of the caller, with the roles that may do it."""
    task_path, committee_path = f"/tasks/{world.task['id']}", f"/committees/{world.committee['id']}"

    def post(client, headers):
        changes = {"committee_id": world.committee["id"]}
        if headers in (ADMIN, SYSTEM):
            changes["coordinator_id"] = world.lead.actor_id
        return client.post("/tasks", json=task_payload(world.organization.id, **changes), headers=headers)

    return {
        "create a committee": (lambda c, h: c.post("/committees", json={"name": f"C {letters()}"}, headers=h), STAFF),
        "name a lead": (
            lambda c, h: c.post(f"{committee_path}/leads", json={"lead_id": str(uuid.uuid4())}, headers=h),
            STAFF,
        ),
        "remove a lead": (
            lambda c, h: c.delete(f"{committee_path}/leads/{name_lead(c, world.committee).actor_id}", headers=h),
            STAFF,
        ),
        "see the leads": (lambda c, h: c.get(f"{committee_path}/leads", headers=h), MANAGERS),
        "post a task of the committee": (post, MANAGERS),
        "edit the committee's task": (lambda c, h: c.patch(task_path, json={"slots": 3}, headers=h), MANAGERS),
        "limit it to members": (lambda c, h: c.patch(task_path, json={"members_only": True}, headers=h), MANAGERS),
        "see its address": (lambda c, h: c.get(f"{task_path}/address", headers=h), MANAGERS),
        "close it": (lambda c, h: c.post(f"{task_path}/close", headers=h), MANAGERS),
        "see who came to it": (lambda c, h: c.get(f"{task_path}/attendance", headers=h), MANAGERS),
        "read the committee's attendance totals": (
            lambda c, h: c.get("/attendance/totals", params={"committee_id": world.committee["id"]}, headers=h),
            MANAGERS,
        ),
        "read who came, by member, to export with names": (
            lambda c, h: c.get("/attendance/records", params={"committee_id": world.committee["id"]}, headers=h),
            MANAGERS,
        ),
    }


def test_the_authorization_matrix_of_committees(sqlite_client):
    world = coalition(sqlite_client)
    wrong = []
    for operation, (attempt, allowed) in attempts(world).items():
        for role, headers in world.roles.items():
            status = attempt(sqlite_client, headers).status_code
            if (status < 400) != (role in allowed) or status >= 500:
                wrong.append(f"{operation} as {role}: {status}")
    assert wrong == []


def test_a_lead_cannot_touch_another_committees_task(sqlite_client):
    world = coalition(sqlite_client)
    outsider = world.roles["lead of another committee"]
    refused = sqlite_client.patch(f"/tasks/{world.task['id']}", json={"slots": 5}, headers=outsider)
    assert refused.status_code == 403
    assert "nor lead the task's committee" in refused.json()["detail"]
    plain_task = post_task(sqlite_client, world.organization)  # of the organization, in no committee
    assert sqlite_client.post(f"/tasks/{plain_task['id']}/cancel", headers=world.lead).status_code == 403
    moving = sqlite_client.patch(f"/tasks/{world.task['id']}", json={"committee_id": None}, headers=world.lead)
    assert moving.status_code == 403 and "do not act for organization" in moving.json()["detail"]


def test_a_lead_posts_for_their_committee_and_lists_its_tasks(sqlite_client):
    world = coalition(sqlite_client)
    payload = task_payload(world.organization.id, committee_id=world.committee["id"], members_only=True)
    posted = sqlite_client.post("/tasks", json=payload, headers=world.lead)
    assert posted.status_code == 201, posted.text
    assert posted.json()["coordinator_id"] == world.lead.actor_id and posted.json()["members_only"] is True
    listed = sqlite_client.get("/tasks", params={"committee_id": world.committee["id"]}).json()
    assert {item["id"] for item in listed["items"]} == {world.task["id"], posted.json()["id"]}
    led = sqlite_client.get("/committees", params={"led_by": world.lead.actor_id}, headers=world.lead).json()
    assert [c["id"] for c in led["items"]] == [world.committee["id"]]
    peeking = sqlite_client.get("/committees", params={"led_by": world.lead.actor_id}, headers=coordinator())
    assert peeking.status_code == 403


def test_committee_rules_are_plain_4xx(sqlite_client):
    organization, other = new_organization(sqlite_client), new_organization(sqlite_client)
    theirs = new_committee(sqlite_client, organization_id=other.id)
    duplicate = sqlite_client.post("/committees", json={"name": theirs["name"].upper()}, headers=ADMIN)
    assert duplicate.status_code == 409
    unknown_org = sqlite_client.post(
        "/committees", json={"name": "Food for All", "organization_id": str(uuid.uuid4())}, headers=ADMIN
    )
    assert unknown_org.status_code == 404
    wrong_org = sqlite_client.post(
        "/tasks", json=task_payload(organization.id, committee_id=theirs["id"]), headers=organization.coordinator
    )
    assert wrong_org.status_code == 422 and "belongs to another organization" in wrong_org.json()["detail"]
    no_committee = sqlite_client.post(
        "/tasks", json=task_payload(organization.id, members_only=True), headers=organization.coordinator
    )
    assert no_committee.status_code == 422 and "give committee_id" in no_committee.text
    task = post_task(sqlite_client, organization)
    limiting = sqlite_client.patch(
        f"/tasks/{task['id']}", json={"members_only": True}, headers=organization.coordinator
    )
    assert limiting.status_code == 422 and "give committee_id" in limiting.json()["detail"]
    unknown = sqlite_client.post(
        "/tasks", json=task_payload(organization.id, committee_id=str(uuid.uuid4())), headers=organization.coordinator
    )
    assert unknown.status_code == 422 and "no committee with id" in unknown.json()["detail"]


@pytest.mark.postgres
def test_a_coalition_committee_takes_tasks_of_any_organization(client):
    first, second = new_organization(client), new_organization(client)
    shelters = new_committee(client, name=f"Shelters, Not Borders! {letters()}")
    assert shelters["organization_id"] is None
    for organization in (first, second):
        task = post_task(client, organization, committee_id=shelters["id"], members_only=True)
        assert task["committee_id"] == shelters["id"] and task["members_only"] is True
    listed = client.get("/committees", params={"organization_id": first.id}).json()
    assert shelters["id"] in {c["id"] for c in listed["items"]}
