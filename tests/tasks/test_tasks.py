"""Coordinators post and edit tasks; anyone finds them with filters, a page at a time."""

from __future__ import annotations

import json
import uuid

import pytest
from fastapi.testclient import TestClient

from services.common.problems import Invalid
from services.tasks.main import create_app
from services.tasks.skills import SkillCatalogue
from tests.support.infra import new_sqlite_database, new_topic_prefix
from tests.support.members_app import ADMIN as MEMBERS_ADMIN
from tests.support.processes import free_port
from tests.support.tasks_app import ADMIN, new_organization, post_task, soon, task_payload, tasks_settings
from tests.support.topic_reading import read_topic

pytestmark = pytest.mark.kafka


@pytest.mark.postgres
def test_a_coordinator_posts_a_task_and_anyone_can_read_it_without_the_address(client):
    organization = new_organization(client)
    task = post_task(client, organization)
    assert task["status"] == "open" and task["accepted_count"] == 0 and task["slots"] == 2
    assert task["coordinator_id"] == organization.coordinator.actor_id
    assert task["skills"] == [
        {"skill": "accompaniment", "min_level": "capable"},
        {"skill": "interpretation", "min_level": "learning"},
    ]
    assert task["languages"] == ["es", "fr"] and task["has_address"] and not task["flexible"]
    assert "address" not in task and "Notre-Dame" not in str(task)
    assert client.get(f"/tasks/{task['id']}").json() == task


@pytest.mark.postgres
def test_a_flexible_remote_task_has_a_deadline_instead_of_a_window(client):
    organization = new_organization(client)
    task = post_task(
        client,
        organization,
        starts_at=...,
        ends_at=...,
        address=...,
        area=None,
        remote=True,
        deadline=soon(14).isoformat(),
        skills=[{"skill": "website-maintenance", "min_level": "expert"}],
    )
    assert task["flexible"] and task["remote"] and task["starts_at"] is None and not task["has_address"]


@pytest.mark.postgres
def test_editing_a_task_changes_only_what_is_sent_and_rechecks_the_whole(client):
    organization = new_organization(client)
    task = post_task(client, organization)
    edited = client.patch(
        f"/tasks/{task['id']}",
        headers=organization.coordinator,
        json={"slots": 5, "languages": ["ar"], "urgency": "low"},
    )
    assert edited.status_code == 200, edited.text
    assert (edited.json()["slots"], edited.json()["languages"], edited.json()["urgency"]) == (5, ["ar"], "low")
    assert edited.json()["skills"] == task["skills"] and edited.json()["title"] == task["title"]

    flexible = client.patch(
        f"/tasks/{task['id']}",
        headers=organization.coordinator,
        json={"starts_at": None, "ends_at": None, "deadline": soon(3).isoformat()},
    )
    assert flexible.status_code == 200 and flexible.json()["flexible"]
    half = client.patch(
        f"/tasks/{task['id']}", headers=organization.coordinator, json={"starts_at": soon(2).isoformat()}
    )
    assert half.status_code == 422 and "either starts_at and ends_at" in half.json()["detail"]
    remote_with_address = client.patch(f"/tasks/{task['id']}", headers=organization.coordinator, json={"remote": True})
    assert (
        remote_with_address.status_code == 422 and "remote task has no address" in remote_with_address.json()["detail"]
    )


def test_a_public_title_may_carry_a_date_a_time_and_a_room_number(shared_client):
    organization = new_organization(shared_client)
    title = "Rally for status for all, 2026-11-28, 10:00-12:00, room 2.10"
    response = shared_client.post(
        "/tasks", json=task_payload(organization.id, title=title), headers=organization.coordinator
    )
    assert response.status_code == 201, response.text
    assert response.json()["title"] == title


@pytest.mark.parametrize(
    ("changes", "complaint"),
    [
        ({"slots": 0}, "slots"),
        ({"slots": 501}, "slots"),
        ({"title": ""}, "title"),
        ({"title": "Call Rosa at +1 514 555 0199"}, "must not contain an email address or phone number"),
        ({"summary": "write to rosa@example.org"}, "must not contain an email address or phone number"),
        ({"title": "Flyers for the rally \u202egnp.exe"}, "invisible formatting character U+202E"),
        ({"title": "Flyers for the \u2066rally\u2069"}, "invisible formatting character U+2066"),
        ({"summary": "Sign\u200bholders wanted"}, "invisible formatting character U+200B"),
        ({"title": "Flyers\ufeff"}, "invisible formatting character U+FEFF"),
        (
            {"starts_at": soon(2, 15).isoformat(), "ends_at": soon(2, 11).isoformat()},
            "starts_at must be before ends_at",
        ),
        ({"starts_at": soon(-2).isoformat(), "ends_at": soon(-1).isoformat()}, "ends_at is in the past"),
        ({"starts_at": "2027-03-01T10:00:00", "ends_at": "2027-03-01T12:00:00"}, "include a UTC offset"),
        ({"deadline": soon(3).isoformat()}, "either starts_at and ends_at"),
        ({"starts_at": ..., "ends_at": ..., "deadline": soon(5000).isoformat()}, "more than three years away"),
        ({"area": None}, "in-person task needs an area"),
        ({"remote": True}, "remote task has no address"),
        ({"skills": [{"skill": "writing"}, {"skill": "writing"}]}, "listed once"),
        ({"skills": [{"skill": "juggling"}, {"skill": "writing"}]}, "unknown or retired skill 'juggling'"),
        ({"skills": [{"skill": "writing", "min_level": "wizard"}]}, "skills.0.min_level"),
        ({"languages": ["fr", "fr"]}, "listed once"),
        ({"urgency": "yesterday"}, "urgency"),
        ({"status": "filled"}, "status"),
        ({"nationality_required": "x"}, "nationality_required: unknown field"),
    ],
)
def test_invalid_tasks_get_a_422_saying_what_to_fix(shared_client, changes, complaint):
    organization = new_organization(shared_client)
    response = shared_client.post(
        "/tasks", json=task_payload(organization.id, **changes), headers=organization.coordinator
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert complaint in response.json()["detail"]


def test_an_in_person_task_without_an_area_is_refused_on_the_area_field(shared_client):
    organization = new_organization(shared_client)
    response = shared_client.post(
        "/tasks", json=task_payload(organization.id, area=None), headers=organization.coordinator
    )
    assert response.status_code == 422, response.text
    assert response.json()["errors"] == [
        {"field": "area", "message": "an in-person task needs an area (or set remote to true)"}
    ]
    posted = post_task(shared_client, organization)
    edited = shared_client.patch(f"/tasks/{posted['id']}", json={"area": None}, headers=organization.coordinator)
    assert edited.status_code == 422 and edited.json()["errors"][0]["field"] == "area", edited.text


def test_tasks_are_found_with_filters_soonest_first(sqlite_client):
    organization, other = new_organization(sqlite_client), new_organization(sqlite_client)
    design = post_task(
        sqlite_client,
        organization,
        title="Flyer design",
        starts_at=soon(3, 10).isoformat(),
        ends_at=soon(3, 12).isoformat(),
        skills=[{"skill": "graphic-design", "min_level": 2}],
        languages=["en"],
        area="montreal-plateau",
    )
    hearing = post_task(sqlite_client, organization)  # day 7, ville-marie, fr/es, accompaniment
    remote = post_task(
        sqlite_client,
        other,
        remote=True,
        area=None,
        address=...,
        languages=["fr"],
        starts_at=soon(7, 11).isoformat(),
        ends_at=soon(7, 12).isoformat(),
    )
    draft = post_task(
        sqlite_client, other, status="draft", starts_at=soon(20, 9).isoformat(), ends_at=soon(20, 11).isoformat()
    )

    def ids(**params) -> list[str]:
        response = sqlite_client.get("/tasks", params=params)
        assert response.status_code == 200, response.text
        return [task["id"] for task in response.json()["items"]]

    assert ids() == [design["id"], hearing["id"], remote["id"], draft["id"]]
    assert ids(status="open") == [design["id"], hearing["id"], remote["id"]]
    assert ids(skill="graphic-design") == [design["id"]]
    assert ids(area="montreal-ville-marie") == [hearing["id"], draft["id"]]
    assert ids(language="fr") == [hearing["id"], remote["id"], draft["id"]]
    assert ids(remote=True) == [remote["id"]]
    assert ids(organization_id=other.id) == [remote["id"], draft["id"]]
    assert ids(coordinator_id=organization.coordinator.actor_id) == [design["id"], hearing["id"]]
    assert ids(starts_after=soon(5).isoformat(), starts_before=soon(10).isoformat()) == [hearing["id"], remote["id"]]
    page = sqlite_client.get("/tasks", params={"limit": 2, "offset": 1}).json()
    assert (page["total"], page["limit"], page["offset"]) == (4, 2, 1)
    assert [task["id"] for task in page["items"]] == [hearing["id"], remote["id"]]


def test_listing_refuses_out_of_range_pages_and_backwards_date_ranges(shared_client):
    assert shared_client.get("/tasks", params={"limit": 101}).status_code == 422
    assert shared_client.get("/tasks", params={"offset": -1}).status_code == 422
    backwards = shared_client.get(
        "/tasks", params={"starts_after": soon(5).isoformat(), "starts_before": soon(2).isoformat()}
    )
    assert backwards.status_code == 422 and "starts_after must be before starts_before" in backwards.json()["detail"]
    assert shared_client.get("/tasks", params={"skill": "Not A Slug"}).status_code == 422


def test_unknown_tasks_and_organizations_are_404_problems(shared_client):
    assert shared_client.get(f"/tasks/{uuid.uuid4()}").json()["type"] == "/problems/not-found"
    missing_org = shared_client.post("/tasks", json=task_payload(str(uuid.uuid4())), headers=ADMIN)
    assert missing_org.status_code == 404 and "GET /organizations" in missing_org.json()["detail"]


def test_a_task_asks_only_for_skills_of_the_taxonomy_the_members_service_keeps(shared_client, members_service):
    organization = new_organization(shared_client)
    task = post_task(shared_client, organization, skills=[{"skill": "writing", "min_level": 1}])
    slug = f"zine-making-{uuid.uuid4().hex[:6]}"

    edited = shared_client.patch(
        f"/tasks/{task['id']}", json={"skills": [{"skill": slug}]}, headers=organization.coordinator
    )
    added = members_service.post("/skills", json={"slug": slug, "name": "Zine making"}, headers=MEMBERS_ADMIN)
    accepted_at_once = shared_client.patch(
        f"/tasks/{task['id']}", json={"skills": [{"skill": slug}]}, headers=organization.coordinator
    )

    assert edited.status_code == 422 and f"unknown or retired skill '{slug}'" in edited.json()["detail"]
    assert added.status_code == 201
    assert accepted_at_once.status_code == 200, accepted_at_once.text


def test_a_retired_skill_is_refused_once_the_copy_of_the_taxonomy_expires(members_service):
    now = [0.0]
    catalogue = SkillCatalogue(members_service, ttl_seconds=60, clock=lambda: now[0])
    slug = f"zine-making-{uuid.uuid4().hex[:6]}"
    assert members_service.post("/skills", json={"slug": slug, "name": "Zine making"}, headers=MEMBERS_ADMIN).is_success
    catalogue.require_known([slug])
    assert members_service.patch(f"/skills/{slug}", json={"retired": True}, headers=MEMBERS_ADMIN).is_success

    catalogue.require_known([slug])  # the copy is a minute old at most
    now[0] += 61
    with pytest.raises(Invalid, match=f"unknown or retired skill '{slug}'"):
        catalogue.require_known([slug])


def test_with_the_members_service_unreachable_skills_cannot_be_checked_and_the_answer_is_try_again(
    kafka_bootstrap, tmp_path
):
    settings = tasks_settings(new_sqlite_database(tmp_path, "tasks"), kafka_bootstrap, new_topic_prefix())
    settings.members_url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    with TestClient(create_app(settings)) as client:
        organization = new_organization(client)
        with_skills = client.post("/tasks", json=task_payload(organization.id), headers=organization.coordinator)
        without = client.post("/tasks", json=task_payload(organization.id, skills=[]), headers=organization.coordinator)

    assert with_skills.status_code == 503 and int(with_skills.headers["retry-after"]) > 0
    assert "try again" in with_skills.json()["detail"]
    assert without.status_code == 201


def test_a_task_open_to_its_whole_city_with_a_fluency_floor_travels_to_matching(sqlite_client, sqlite_settings):
    organization = new_organization(sqlite_client)
    posted = post_task(
        sqlite_client, organization, languages=["pa", "en"], whole_city=True, min_fluency={"pa": "conversational"}
    )
    assert posted["whole_city"] is True and posted["min_fluency"] == {"pa": "conversational"}
    states = read_topic(
        sqlite_settings.kafka_bootstrap_servers, sqlite_settings.topics.tasks_state, lambda records: bool(records)
    )
    data = json.loads(states[-1].value)["data"]
    assert data["whole_city"] is True and data["min_fluency"] == {"pa": 2}
    narrowed = sqlite_client.patch(
        f"/tasks/{posted['id']}", json={"languages": ["en"]}, headers=organization.coordinator
    )
    assert narrowed.status_code == 422 and narrowed.json()["errors"][0]["field"] == "min_fluency", narrowed.text
    remote = sqlite_client.patch(
        f"/tasks/{posted['id']}", json={"remote": True, "address": None}, headers=organization.coordinator
    )
    assert remote.status_code == 422 and remote.json()["errors"][0]["field"] == "whole_city"
