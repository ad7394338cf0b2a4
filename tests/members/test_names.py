"""Names in bulk, for an attendance list a coordinator downloads: display names only (no contact),
for coordinators and staff, and each read shows in the member's own audit log with its purpose."""

from __future__ import annotations

import uuid

import pytest

from tests.support.members_app import ADMIN, coordinator, register, volunteer

pytestmark = pytest.mark.kafka


def names(client, headers, *member_ids, purpose="attendance_export"):
    return client.post(
        "/members/names", json={"member_ids": [str(m) for m in member_ids], "purpose": purpose}, headers=headers
    )


def test_a_coordinator_reads_names_and_each_member_sees_it_in_their_audit_log(sqlite_client):
    alma = register(sqlite_client, display_name="Alma Reyes")
    bao = register(sqlite_client, display_name="Bao Tran")
    unknown = uuid.uuid4()
    reader = coordinator()

    found = names(sqlite_client, reader, alma["id"], bao["id"], unknown, alma["id"])

    assert found.status_code == 200, found.text
    assert found.json() == {
        "names": [
            {"member_id": alma["id"], "display_name": "Alma Reyes"},
            {"member_id": bao["id"], "display_name": "Bao Tran"},
        ],
        "missing": [str(unknown)],
    }
    assert "example.org" not in found.text  # no contact data
    for member in (alma, bao):
        [entry] = [
            e
            for e in sqlite_client.get(f"/members/{member['id']}/audit", headers=volunteer(member["id"])).json()[
                "items"
            ]
            if e["action"] == "name.read"
        ]
        assert (entry["actor_role"], entry["actor_id"], entry["purpose"], entry["fields"]) == (
            "coordinator",
            reader.actor_id,
            "attendance_export",
            ["display_name"],
        )


def test_names_are_refused_to_volunteers_and_need_a_known_purpose_and_a_bounded_list(sqlite_client):
    alma = register(sqlite_client)
    assert names(sqlite_client, volunteer(alma["id"]), alma["id"]).status_code == 403
    assert names(sqlite_client, ADMIN, alma["id"], purpose="curiosity").status_code == 422
    assert names(sqlite_client, ADMIN).status_code == 422
    assert names(sqlite_client, ADMIN, *(uuid.uuid4() for _ in range(501))).status_code == 422
    assert names(sqlite_client, ADMIN, alma["id"]).status_code == 200
