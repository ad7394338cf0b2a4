"""A member's profile: registering, reading, changing, pausing; and what the service refuses."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from tests.support.members_app import ADMIN, coordinator, profile, register, volunteer
from tests.support.service_tokens import signed_headers

pytestmark = pytest.mark.kafka


@pytest.mark.postgres
def test_a_member_registers_and_sees_their_profile_without_contact_values(client):
    member = register(client)
    assert member["display_name"] == "Marisol Quispe" and member["status"] == "active"
    assert member["skills"] == [
        {"skill": "graphic-design", "level": "expert"},
        {"skill": "translation", "level": "capable"},
    ]
    assert {"channel": "phone", "consent": False} in member["contact_channels"]
    assert "marisol.quispe@example.org" not in str(member)

    fetched = client.get(f"/members/{member['id']}", headers=volunteer(member["id"])).json()
    assert fetched == member


@pytest.mark.postgres
def test_a_member_changes_only_what_they_send(client):
    member = register(client)
    changed = client.patch(
        f"/members/{member['id']}",
        headers=volunteer(member["id"]),
        json={"area": "montreal-plateau", "skills": [{"skill": "writing", "level": 2}], "pronouns": None},
    )
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert body["area"] == "montreal-plateau" and body["pronouns"] is None
    assert body["skills"] == [{"skill": "writing", "level": "capable"}]
    assert body["languages"] == member["languages"] and body["display_name"] == member["display_name"]


@pytest.mark.postgres
def test_pausing_and_resuming_a_profile(client):
    member = register(client)
    me = volunteer(member["id"])
    assert client.post(f"/members/{member['id']}/pause", headers=me).json()["status"] == "paused"
    assert client.post(f"/members/{member['id']}/pause", headers=me).json()["status"] == "paused"
    assert client.post(f"/members/{member['id']}/resume", headers=me).json()["status"] == "active"


def test_members_are_listed_by_page_with_filters(sqlite_client):
    for area in ("montreal-plateau", "montreal-plateau", "montreal-nord"):
        register(sqlite_client, area=area)
    page = sqlite_client.get("/members", params={"area": "montreal-plateau", "limit": 1}, headers=ADMIN).json()
    assert page["total"] == 2 and len(page["items"]) == 1 and page["limit"] == 1
    second = sqlite_client.get("/members", params={"area": "montreal-plateau", "limit": 1, "offset": 1}, headers=ADMIN)
    assert second.json()["items"][0]["id"] != page["items"][0]["id"]
    too_big = sqlite_client.get("/members", params={"limit": 101}, headers=ADMIN)
    assert too_big.status_code == 422 and "limit" in too_big.json()["detail"]


@pytest.mark.parametrize("field", ["immigration_status", "citizenship", "nationality", "ethnicity", "religion"])
def test_sensitive_fields_are_refused_by_name(shared_client, field):
    response = shared_client.post("/members", json=profile(**{field: "anything"}))
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert {"field": field, "message": "unknown field: this service does not accept it"} in response.json()["errors"]
    member = register(shared_client)
    patched = shared_client.patch(f"/members/{member['id']}", json={field: "x"}, headers=volunteer(member["id"]))
    assert patched.status_code == 422 and field in patched.json()["detail"]


def test_unknown_fields_inside_contacts_are_refused_too(shared_client):
    contacts = {"email": {"value": "a@example.org", "consent": True, "citizenship": "x"}}
    response = shared_client.post("/members", json=profile(contacts=contacts))
    assert response.status_code == 422 and "contacts.email.citizenship" in response.json()["detail"]


def days_from_today(days: int) -> str:
    return (datetime.now(UTC).date() + timedelta(days=days)).isoformat()


@pytest.mark.parametrize(
    ("changes", "complaint"),
    [
        ({"contacts": {}}, "at least one contact channel"),
        ({"contacts": {"email": {"value": "a@example.org"}}}, "contacts.email.consent"),
        ({"contacts": {"phone": {"value": "call me", "consent": True}}}, "contacts.phone.value"),
        ({"contacts": {"signal": {"value": "@x", "consent": True}}}, "Signal username"),
        ({"display_name": "   "}, "must not be blank"),
        ({"display_name": "x" * 81}, "display_name"),
        ({"skills": [{"skill": "juggling", "level": "expert"}]}, "unknown skill 'juggling'"),
        ({"skills": [{"skill": "writing", "level": "guru"}]}, "skills.0.level"),
        ({"skills": [{"skill": "writing", "level": 1}, {"skill": "writing", "level": 2}]}, "listed twice"),
        ({"area": "atlantis"}, "unknown area 'atlantis'"),
        (
            {"weekly_availability": [{"weekday": "monday", "start": "14:00", "end": "10:00"}]},
            "start must be before end",
        ),
        ({"weekly_availability": [{"weekday": "someday", "start": "10:00", "end": "11:00"}]}, "weekday"),
        ({"unavailable": [{"start": "2027-02-01", "end": "2027-01-01"}]}, "start must be on or before end"),
        ({"unavailable": [{"start": "0001-01-01", "end": "9999-12-31"}]}, "start may be at most 31 days ago"),
        # Dates from today as the test runs, not as it was collected: a run that collected before
        # midnight UTC and ran after it sent an end the service then found within two years.
        (lambda: {"unavailable": [{"start": days_from_today(-32), "end": days_from_today(3)}]}, "at most 31 days ago"),
        (
            lambda: {"unavailable": [{"start": days_from_today(1), "end": days_from_today(731)}]},
            "end may be at most 2 years ahead",
        ),
        ({"max_tasks_per_month": 0}, "max_tasks_per_month"),
        ({"languages": [{"code": "not a language"}]}, "languages.0.code"),
    ],
)
def test_invalid_profiles_get_a_422_saying_what_to_fix(shared_client, changes, complaint):
    response = shared_client.post("/members", json=profile(**(changes() if callable(changes) else changes)))
    assert response.status_code == 422, response.text
    assert complaint in response.json()["detail"]


def test_time_away_may_start_a_month_ago_and_end_two_years_ahead(shared_client):
    away = [{"start": days_from_today(-31), "end": days_from_today(730)}]

    response = shared_client.post("/members", json=profile(unavailable=away))

    assert response.status_code == 201, response.text
    assert response.json()["unavailable"] == away


def test_a_volunteer_cannot_see_or_change_someone_elses_profile(shared_client):
    member = register(shared_client)
    stranger = volunteer(str(uuid.uuid4()))
    for method, path in [("get", ""), ("patch", ""), ("post", "/pause"), ("delete", ""), ("get", "/audit")]:
        kwargs = {"json": {"remote_ok": False}} if method == "patch" else {}
        response = shared_client.request(method, f"/members/{member['id']}{path}", headers=stranger, **kwargs)
        assert response.status_code == 403, (method, path, response.text)
        assert response.json()["type"] == "/problems/forbidden"


def test_coordinators_read_profiles_but_do_not_edit_them(shared_client):
    member = register(shared_client)
    assert shared_client.get(f"/members/{member['id']}", headers=coordinator()).status_code == 200
    assert (
        shared_client.patch(f"/members/{member['id']}", json={"remote_ok": False}, headers=coordinator()).status_code
        == 403
    )
    assert shared_client.get("/members", headers=coordinator()).status_code == 403


def test_unknown_roles_and_anonymous_volunteers_are_refused(shared_client):
    member = register(shared_client)
    unknown = shared_client.get(
        f"/members/{member['id']}", headers=signed_headers("members", "hacker", issuer="gateway")
    )
    assert unknown.status_code == 403 and "may not act as 'hacker'" in unknown.json()["detail"]
    anonymous = shared_client.get(f"/members/{member['id']}", headers=signed_headers("members", "volunteer"))
    assert anonymous.status_code == 403 and "must be identified" in anonymous.json()["detail"]


def test_unknown_members_are_a_404_problem(shared_client):
    response = shared_client.get(f"/members/{uuid.uuid4()}")
    assert response.status_code == 404 and response.json()["type"] == "/problems/not-found"
