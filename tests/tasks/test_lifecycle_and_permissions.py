"""A task's status moves only along allowed paths; coordinators act only for their organizations."""

from __future__ import annotations

import uuid

import pytest

from tests.support.service_tokens import signed_headers
from tests.support.tasks_app import ADMIN, coordinator, new_organization, post_task, task_payload, volunteer

pytestmark = pytest.mark.kafka


@pytest.mark.postgres
def test_a_draft_is_opened_then_closed_and_final_states_stay_final(client):
    organization = new_organization(client)
    task = post_task(client, organization, status="draft")
    path, headers = f"/tasks/{task['id']}", organization.coordinator
    assert task["status"] == "draft"
    closing_draft = client.post(f"{path}/close", headers=headers)
    assert closing_draft.status_code == 409 and "cancel it instead" in closing_draft.json()["detail"]
    assert client.post(f"{path}/open", headers=headers).json()["status"] == "open"
    assert client.post(f"{path}/open", headers=headers).json()["status"] == "open"  # a retry changes nothing
    assert client.post(f"{path}/close", headers=headers).json()["status"] == "closed"
    for action in ("open", "cancel"):
        refused = client.post(f"{path}/{action}", headers=headers)
        assert refused.status_code == 409 and refused.json()["current_status"] == "closed"
    edit = client.patch(path, json={"slots": 3}, headers=headers)
    assert edit.status_code == 409 and "can no longer be changed" in edit.json()["detail"]


def test_a_cancelled_task_cannot_be_reopened(sqlite_client):
    organization = new_organization(sqlite_client)
    task = post_task(sqlite_client, organization)
    assert (
        sqlite_client.post(f"/tasks/{task['id']}/cancel", headers=organization.coordinator).json()["status"]
        == "cancelled"
    )
    reopen = sqlite_client.post(f"/tasks/{task['id']}/open", headers=organization.coordinator)
    assert reopen.status_code == 409
    assert reopen.json()["detail"] == "a cancelled task cannot be reopened; post a new task instead"
    assert reopen.json()["type"] == "/problems/conflict"


def test_a_coordinator_manages_only_tasks_of_organizations_they_act_for(sqlite_client):
    mine, theirs = new_organization(sqlite_client), new_organization(sqlite_client)
    their_task = post_task(sqlite_client, theirs)
    me = mine.coordinator
    posting = sqlite_client.post("/tasks", json=task_payload(theirs.id), headers=me)
    assert posting.status_code == 403 and "do not act for organization" in posting.json()["detail"]
    for method, suffix, body in [("patch", "", {"slots": 4}), ("post", "/cancel", None), ("post", "/close", None)]:
        response = sqlite_client.request(method, f"/tasks/{their_task['id']}{suffix}", json=body, headers=me)
        assert response.status_code == 403, (method, suffix)
    someone = volunteer(str(uuid.uuid4()))
    assert sqlite_client.patch(f"/tasks/{their_task['id']}", json={"slots": 4}, headers=someone).status_code == 403
    assert sqlite_client.patch(f"/tasks/{their_task['id']}", json={"slots": 4}, headers=ADMIN).status_code == 200


def test_a_coordinator_acting_for_two_organizations_posts_for_both(sqlite_client):
    first, second = new_organization(sqlite_client), new_organization(sqlite_client)
    shared_id = first.coordinator.actor_id
    added = sqlite_client.post(
        f"/organizations/{second.id}/coordinators", json={"coordinator_id": shared_id}, headers=ADMIN
    )
    assert added.status_code == 201
    again = sqlite_client.post(
        f"/organizations/{second.id}/coordinators", json={"coordinator_id": shared_id}, headers=ADMIN
    )
    assert again.status_code == 200
    first.coordinator = second.coordinator = coordinator(shared_id)
    assert post_task(sqlite_client, first)["organization_id"] == first.id
    assert post_task(sqlite_client, second)["organization_id"] == second.id
    listed = sqlite_client.get(f"/organizations/{second.id}/coordinators", headers=ADMIN).json()
    assert listed["total"] == 2 and shared_id in {c["coordinator_id"] for c in listed["items"]}

    assert (
        sqlite_client.delete(f"/organizations/{second.id}/coordinators/{shared_id}", headers=ADMIN).status_code == 204
    )
    assert sqlite_client.post("/tasks", json=task_payload(second.id), headers=second.coordinator).status_code == 403


def test_a_task_may_be_handed_only_to_a_coordinator_of_its_organization(sqlite_client):
    organization, other = new_organization(sqlite_client), new_organization(sqlite_client)
    task = post_task(sqlite_client, organization)
    outsider = other.coordinator.actor_id
    handover = sqlite_client.patch(f"/tasks/{task['id']}", json={"coordinator_id": outsider}, headers=ADMIN)
    assert handover.status_code == 422 and "does not act for organization" in handover.json()["detail"]
    admin_post = sqlite_client.post("/tasks", json=task_payload(organization.id), headers=ADMIN)
    assert admin_post.status_code == 422 and "coordinator_id is required" in admin_post.json()["detail"]


def test_only_admins_manage_organizations(shared_client):
    assert shared_client.post("/organizations", json={"name": "Rogue org"}, headers=coordinator()).status_code == 403
    created = shared_client.post("/organizations", json={"name": "Tenant Union of Parc-Ex"}, headers=ADMIN)
    assert created.status_code == 201
    duplicate = shared_client.post("/organizations", json={"name": "tenant union of parc-ex"}, headers=ADMIN)
    assert duplicate.status_code == 409 and "already exists" in duplicate.json()["detail"]
    add = shared_client.post(
        f"/organizations/{created.json()['id']}/coordinators",
        json={"coordinator_id": str(uuid.uuid4())},
        headers=coordinator(),
    )
    assert add.status_code == 403
    names = [o["name"] for o in shared_client.get("/organizations", params={"limit": 100}).json()["items"]]
    assert "Tenant Union of Parc-Ex" in names


def test_the_gateway_on_its_own_account_adds_invited_coordinators_and_nothing_more(shared_client):
    organization = new_organization(shared_client)
    task = post_task(shared_client, organization)
    gateway = signed_headers("tasks", "gateway")
    invited = str(uuid.uuid4())

    added = shared_client.post(
        f"/organizations/{organization.id}/coordinators", json={"coordinator_id": invited}, headers=gateway
    )

    assert added.status_code == 201
    assert (
        shared_client.delete(f"/organizations/{organization.id}/coordinators/{invited}", headers=gateway).status_code
        == 204
    )
    for refused in (
        shared_client.get(f"/tasks/{task['id']}/address", params={"member_id": invited}, headers=gateway),
        shared_client.get("/tasks/addresses", params={"task_id": task["id"]}, headers=gateway),
        shared_client.patch(f"/tasks/{task['id']}", json={"slots": 3}, headers=gateway),
        shared_client.post("/organizations", json={"name": "Gateway's own"}, headers=gateway),
    ):
        assert refused.status_code == 403, refused.text
