"""Needs that repeat: a series posts its occurrences ahead (each its own task), keeps their local
time across daylight-saving changes, edits "this and the following", and cancels what is to come."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from services.common.db import make_engine, session_scope
from services.tasks import series
from services.tasks.config import Settings
from services.tasks.handlers import Call
from services.tasks.main import create_app
from tests.support.service_tokens import calling_as
from tests.support.tasks_app import ADMIN, SYSTEM, coordinator, new_organization, soon, task_payload
from tests.support.topic_reading import read_topic
from tests.tasks.test_committees import coalition, name_lead, new_committee

pytestmark = pytest.mark.kafka
TORONTO = ZoneInfo("America/Toronto")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def year_ahead(request, new_database, kafka_bootstrap, topic_prefix, skills):
    """The tasks app posting a whole year of occurrences ahead (the default is four weeks)."""
    settings = Settings(
        database_url=new_database(request.param, "tasks"),
        kafka_bootstrap_servers=kafka_bootstrap,
        topic_prefix=topic_prefix,
        environment="test",
        series_horizon_days=366,
    )
    with TestClient(create_app(settings, skills)) as client:
        yield calling_as(client, SYSTEM)


def topic_prefix_topics(client):
    return client.app.state.runtime.settings.topics


def series_payload(organization_id: str, first: datetime, hours: float = 2, **repeat) -> dict:
    payload = task_payload(
        organization_id,
        starts_at=first.isoformat(),
        ends_at=(first + timedelta(hours=hours)).isoformat(),
        time_zone="America/Toronto",
    )
    return payload | {"repeat": {"frequency": "weekly"} | repeat}


def post_series(client, organization, payload) -> dict:
    created = client.post("/series", json=payload, headers=organization.coordinator)
    assert created.status_code == 201, created.text
    return created.json()


def occurrences(client, created) -> list[dict]:
    return [
        client.get(f"/tasks/{task_id}").json() for task_id in client.get(f"/series/{created['id']}").json()["task_ids"]
    ]


def local(moment: str) -> str:
    return datetime.fromisoformat(moment).astimezone(TORONTO).strftime("%Y-%m-%d %H:%M")


def test_a_weekly_series_keeps_its_local_time_across_both_daylight_saving_changes(year_ahead):
    organization = new_organization(year_ahead)
    spring = post_series(
        year_ahead, organization, series_payload(organization.id, datetime(2027, 3, 2, 18, tzinfo=TORONTO), count=4)
    )
    autumn = post_series(
        year_ahead,
        organization,
        series_payload(organization.id, datetime(2027, 10, 26, 18, tzinfo=TORONTO), interval=2, until="2027-11-30"),
    )

    spring_tasks, autumn_tasks = occurrences(year_ahead, spring), occurrences(year_ahead, autumn)
    assert [local(t["starts_at"]) for t in spring_tasks] == [
        "2027-03-02 18:00",
        "2027-03-09 18:00",
        "2027-03-16 18:00",
        "2027-03-23 18:00",
    ]
    assert [datetime.fromisoformat(t["starts_at"]).astimezone(UTC).hour for t in spring_tasks] == [23, 23, 22, 22]
    assert [local(t["starts_at"]) for t in autumn_tasks] == ["2027-10-26 18:00", "2027-11-09 18:00", "2027-11-23 18:00"]
    assert [local(t["ends_at"]) for t in autumn_tasks] == ["2027-10-26 20:00", "2027-11-09 20:00", "2027-11-23 20:00"]
    assert {t["series_id"] for t in spring_tasks} == {spring["id"]} and spring["rule"] == "FREQ=WEEKLY;COUNT=4"
    assert len({t["id"] for t in spring_tasks}) == 4 and all(t["status"] == "open" for t in spring_tasks)


def test_occurrences_are_posted_on_a_rolling_horizon_and_never_twice(sqlite_client, sqlite_settings, skills):
    organization = new_organization(sqlite_client)
    created = post_series(sqlite_client, organization, series_payload(organization.id, soon(3, 18), count=12))
    assert created["occurrences_posted"] in (4, 5)  # four weeks ahead (default horizon)

    engine = make_engine(sqlite_settings.database_url)

    def call_for(session):
        return Call(session, sqlite_settings.topics, series.SYSTEM, skills, "America/Toronto", timedelta(weeks=4))

    two_weeks_on = datetime.now(UTC) + timedelta(weeks=2)
    series.post_all_due(lambda: session_scope(engine), call_for, two_weeks_on)
    series.post_all_due(lambda: session_scope(engine), call_for, two_weeks_on)  # a second round adds nothing
    engine.dispose()

    tasks = occurrences(sqlite_client, created)
    assert len(tasks) == created["occurrences_posted"] + 2
    starts = [datetime.fromisoformat(t["starts_at"]) for t in tasks]
    assert all(
        later - earlier == timedelta(weeks=1)
        or later - earlier == timedelta(weeks=1, hours=1)
        or later - earlier == timedelta(weeks=1, hours=-1)
        for earlier, later in pairwise(starts)
    )


def test_this_and_the_following_occurrences_change_and_the_earlier_ones_do_not(year_ahead):
    organization = new_organization(year_ahead)
    created = post_series(
        year_ahead, organization, series_payload(organization.id, datetime(2027, 3, 2, 18, tzinfo=TORONTO), count=4)
    )
    first, second, third, fourth = occurrences(year_ahead, created)
    alone = year_ahead.patch(f"/tasks/{first['id']}", json={"slots": 5}, headers=organization.coordinator)
    assert alone.status_code == 200

    edit = year_ahead.patch(
        f"/series/{created['id']}/following/{third['id']}",
        json={"title": "Legal clinic (new room)", "local_start": "19:00"},
        headers=organization.coordinator,
    )

    assert edit.status_code == 200, edit.text
    after = occurrences(year_ahead, created)
    assert [t["title"] for t in after] == [
        first["title"],
        second["title"],
        "Legal clinic (new room)",
        "Legal clinic (new room)",
    ]
    assert [local(t["starts_at"]) for t in after] == [
        "2027-03-02 18:00",
        "2027-03-09 18:00",
        "2027-03-16 19:00",
        "2027-03-23 19:00",
    ]
    assert [local(t["ends_at"]) for t in after][2:] == ["2027-03-16 21:00", "2027-03-23 21:00"]
    assert [t["slots"] for t in after] == [5, 2, 2, 2]
    refused = year_ahead.patch(
        f"/series/{created['id']}/following/{third['id']}",
        json={"starts_at": "2027-03-16T19:00:00-04:00"},
        headers=organization.coordinator,
    )
    assert refused.status_code == 422 and "local_start" in refused.text


def test_cancelling_a_series_cancels_what_is_to_come_and_stops_it(year_ahead, kafka_bootstrap):
    organization = new_organization(year_ahead)
    created = post_series(year_ahead, organization, series_payload(organization.id, soon(3, 18), count=3))
    one, _, _ = occurrences(year_ahead, created)
    assert year_ahead.post(f"/tasks/{one['id']}/close", headers=organization.coordinator).status_code == 200

    cancelled = year_ahead.post(f"/series/{created['id']}/cancel", headers=organization.coordinator)

    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert [t["status"] for t in occurrences(year_ahead, created)] == ["closed", "cancelled", "cancelled"]
    cancellations = read_topic(
        kafka_bootstrap,
        topic_prefix_topics(year_ahead).tasks_state,
        lambda records: sum(b'"task.cancelled"' in (r.value or b"") for r in records) >= 2,
    )
    cancelled_ids = {
        json.loads(r.value)["data"]["task_id"] for r in cancellations if b'"task.cancelled"' in (r.value or b"")
    }
    assert cancelled_ids == {t["id"] for t in occurrences(year_ahead, created)[1:]}  # matching withdraws their offers
    again = year_ahead.patch(
        f"/series/{created['id']}/following/{one['id']}", json={"slots": 3}, headers=organization.coordinator
    )
    assert again.status_code == 409


def test_series_rules_are_plain_4xx_and_leads_of_other_committees_are_refused(sqlite_client):
    world = coalition(sqlite_client)
    organization = world.organization
    first = soon(3, 18)
    for repeat, says in [
        ({}, "give either until"),
        ({"count": 3, "until": "2027-01-01"}, "give either until"),
        ({"count": 3, "frequency": "monthly", "interval": 2}, "every month"),
        ({"count": 900}, "less than or equal"),
    ]:
        refused = sqlite_client.post(
            "/series",
            json=series_payload(organization.id, first) | {"repeat": {"frequency": "weekly"} | repeat},
            headers=organization.coordinator,
        )
        assert refused.status_code == 422 and says in refused.text, (repeat, refused.text)
    flexible = series_payload(organization.id, first, count=3) | {
        "starts_at": None,
        "ends_at": None,
        "deadline": first.isoformat(),
    }
    assert sqlite_client.post("/series", json=flexible, headers=organization.coordinator).status_code == 422

    payload = series_payload(organization.id, first, count=3) | {"committee_id": world.committee["id"]}
    created = sqlite_client.post("/series", json=payload, headers=world.lead)
    assert created.status_code == 201, created.text
    outsider = world.roles["lead of another committee"]
    assert sqlite_client.post(f"/series/{created.json()['id']}/cancel", headers=outsider).status_code == 403
    assert sqlite_client.post("/series", json=payload, headers=outsider).status_code == 403
    assert sqlite_client.post("/series", json=payload, headers=coordinator()).status_code == 403
    assert sqlite_client.get(f"/series/{uuid.uuid4()}", headers=ADMIN).status_code == 404


def test_a_series_moved_to_another_committee_is_managed_by_that_committee_s_lead(sqlite_client):
    world = coalition(sqlite_client)
    organization = world.organization
    payload = series_payload(organization.id, soon(3, 18), count=3) | {"committee_id": world.committee["id"]}
    created = post_series(sqlite_client, organization, payload)
    moved_to = new_committee(sqlite_client, organization_id=organization.id)
    new_lead = name_lead(sqlite_client, moved_to)
    first_id = created["task_ids"][0]

    moved = sqlite_client.patch(
        f"/series/{created['id']}/following/{first_id}",
        json={"committee_id": moved_to["id"]},
        headers=organization.coordinator,
    )

    assert moved.status_code == 200, moved.text
    assert moved.json()["committee_id"] == moved_to["id"]
    assert {t["committee_id"] for t in occurrences(sqlite_client, created)} == {moved_to["id"]}
    assert sqlite_client.post(f"/series/{created['id']}/cancel", headers=world.lead).status_code == 403
    assert sqlite_client.post(f"/series/{created['id']}/cancel", headers=new_lead).status_code == 200


def test_a_lead_cannot_move_a_series_into_a_committee_they_do_not_lead(sqlite_client):
    world = coalition(sqlite_client)
    organization = world.organization
    payload = series_payload(organization.id, soon(3, 18), count=2) | {"committee_id": world.committee["id"]}
    created = post_series(sqlite_client, organization, payload)
    elsewhere = new_committee(sqlite_client, organization_id=organization.id)
    for task_id in created["task_ids"]:  # nothing left to edit: the series itself must still be guarded
        assert sqlite_client.post(f"/tasks/{task_id}/close", headers=world.lead).status_code == 200

    refused = sqlite_client.patch(
        f"/series/{created['id']}/following/{created['task_ids'][0]}",
        json={"committee_id": elsewhere["id"]},
        headers=world.lead,
    )

    assert refused.status_code == 403, refused.text
    assert sqlite_client.get(f"/series/{created['id']}", headers=ADMIN).json()["committee_id"] == world.committee["id"]
