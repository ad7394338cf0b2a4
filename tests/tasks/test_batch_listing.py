"""Reading many tasks by id in one request, and finding tasks that need any of several skills."""

from __future__ import annotations

import uuid

import pytest

from services.tasks.listing import MAX_IDS, MAX_SKILLS
from tests.support.tasks_app import new_organization, post_task, soon

pytestmark = pytest.mark.kafka


def listed(client, params) -> list[str]:
    response = client.get("/tasks", params=params)
    assert response.status_code == 200, response.text
    return [task["id"] for task in response.json()["items"]]


def test_many_tasks_are_read_by_id_in_one_request_exactly_as_one_by_one(client):
    organization, other = new_organization(client), new_organization(client)
    later = post_task(client, organization, starts_at=soon(9, 10).isoformat(), ends_at=soon(9, 12).isoformat())
    sooner = post_task(client, other, status="draft", skills=[{"skill": "event-logistics", "min_level": 1}])
    unrelated = post_task(client, organization)
    unknown = str(uuid.uuid4())

    page = client.get("/tasks", params=[("id", later["id"]), ("id", unknown), ("id", sooner["id"])]).json()

    assert [task["id"] for task in page["items"]] == [sooner["id"], later["id"]]  # soonest first, unknown absent
    assert page["total"] == 2 and unrelated["id"] not in str(page)
    for task in page["items"]:
        assert task == client.get(f"/tasks/{task['id']}").json()
    # Ids narrow the other filters, they do not replace them.
    assert listed(client, [("id", later["id"]), ("id", sooner["id"]), ("status", "open")]) == [later["id"]]
    assert listed(client, [("id", unknown)]) == []


def test_a_batch_read_refuses_more_ids_than_one_page_and_ids_that_are_not_ids(shared_client):
    too_many = shared_client.get("/tasks", params=[("id", str(uuid.uuid4())) for _ in range(MAX_IDS + 1)])
    assert too_many.status_code == 422
    assert too_many.headers["content-type"].startswith("application/problem+json")
    assert too_many.json()["errors"][0]["field"] == "query.id" and "100" in too_many.json()["detail"]
    assert shared_client.get("/tasks", params=[("id", str(uuid.uuid4())) for _ in range(MAX_IDS)]).status_code == 200
    not_an_id = shared_client.get("/tasks", params={"id": "task-1"})
    assert not_an_id.status_code == 422 and not_an_id.json()["errors"][0]["field"] == "query.id.0"


def test_tasks_needing_any_of_several_skills_are_found(sqlite_client):
    organization = new_organization(sqlite_client)
    design = post_task(
        sqlite_client,
        organization,
        skills=[{"skill": "graphic-design", "min_level": 2}],
        starts_at=soon(3, 10).isoformat(),
        ends_at=soon(3, 12).isoformat(),
    )
    both = post_task(
        sqlite_client,
        organization,
        skills=[{"skill": "graphic-design", "min_level": 1}, {"skill": "social-media", "min_level": 1}],
        starts_at=soon(4, 10).isoformat(),
        ends_at=soon(4, 12).isoformat(),
    )
    hearing = post_task(sqlite_client, organization)  # accompaniment and interpretation, day 7

    assert listed(sqlite_client, [("skill", "graphic-design"), ("skill", "interpretation")]) == [
        design["id"],
        both["id"],
        hearing["id"],
    ]
    assert listed(sqlite_client, [("skill", "social-media"), ("skill", "event-logistics")]) == [both["id"]]
    assert listed(sqlite_client, {"skill": "graphic-design"}) == [design["id"], both["id"]]  # one still works
    assert listed(sqlite_client, [("skill", "event-logistics")]) == []


def test_a_skills_filter_refuses_too_many_skills_and_bad_slugs(shared_client):
    many = [("skill", f"skill-{n}") for n in range(MAX_SKILLS + 1)]
    too_many = shared_client.get("/tasks", params=many)
    assert too_many.status_code == 422 and too_many.json()["errors"][0]["field"] == "query.skill"
    assert shared_client.get("/tasks", params=many[:MAX_SKILLS]).status_code == 200
    bad = shared_client.get("/tasks", params=[("skill", "event-logistics"), ("skill", "Not A Slug")])
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"].startswith("query.skill")
