"""The delivery-address read: the notifications service alone may read a member's address for its
messages; each read is in the member's audit log in plain words; nobody else gets in that way."""

from __future__ import annotations

import uuid

import pytest

from tests.support.members_app import ADMIN, coordinator, register, volunteer
from tests.support.service_tokens import signed_headers

pytestmark = pytest.mark.kafka

NOTIFIER = signed_headers("members", "notifier", issuer="notifications")


def read_address(client, member_id: str, headers: dict, channel: str = "email"):
    return client.get(f"/members/{member_id}/delivery-address", params={"channel": channel}, headers=headers)


def test_the_notifier_reads_the_email_address_and_the_member_sees_that_read_in_their_audit_log(client):
    member = register(client)
    answer = read_address(client, member["id"], NOTIFIER)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"member_id": member["id"], "channel": "email", "address": "marisol.quispe@example.org"}

    log = client.get(f"/members/{member['id']}/audit", headers=volunteer(member["id"])).json()
    latest = log["items"][0]
    assert latest["action"] == "contact.read_for_notification" and latest["actor_role"] == "notifier"
    assert latest["purpose"] == "notification" and latest["fields"] == ["contacts.email"]


def test_the_address_is_given_whatever_the_coordinators_consent_and_nothing_when_there_is_none(client):
    member = register(client, contacts={"email": {"value": "quiet@example.org", "consent": False}})
    assert read_address(client, member["id"], NOTIFIER).json()["address"] == "quiet@example.org"
    assert read_address(client, member["id"], NOTIFIER, channel="phone").json()["address"] is None


@pytest.mark.parametrize(
    "headers",
    [
        ADMIN,
        signed_headers("members", "system"),
        coordinator(),
        signed_headers("members", "volunteer", uuid.uuid4()),
    ],
    ids=["admin", "system", "coordinator", "another-volunteer"],
)
def test_every_other_role_is_refused(sqlite_client, headers):
    member = register(sqlite_client)
    answer = read_address(sqlite_client, member["id"], headers)
    assert answer.status_code == 403, answer.text
    assert "read a delivery address" in answer.json()["detail"]


def test_the_member_themself_is_refused_too(sqlite_client):
    member = register(sqlite_client)
    assert read_address(sqlite_client, member["id"], volunteer(member["id"])).status_code == 403


def test_the_notifier_may_do_nothing_else(sqlite_client):
    member = register(sqlite_client)
    assert sqlite_client.get(f"/members/{member['id']}", headers=NOTIFIER).status_code == 403
    contact = sqlite_client.get(
        f"/members/{member['id']}/contact", params={"purpose": "member_support"}, headers=NOTIFIER
    )
    assert contact.status_code == 403
    assert sqlite_client.get("/members", headers=NOTIFIER).status_code == 403


def test_an_unknown_member_is_404_and_a_bad_channel_is_422(sqlite_client):
    assert read_address(sqlite_client, str(uuid.uuid4()), NOTIFIER).status_code == 404
    member = register(sqlite_client)
    assert read_address(sqlite_client, member["id"], NOTIFIER, channel="pigeon").status_code == 422
