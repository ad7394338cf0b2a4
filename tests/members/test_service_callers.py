"""Services calling on their own account may do only what they are named for. The gateway creates
a profile at sign-up and erases it when the sign-up fails; a notifications service, given its own
key pair and the ``notifier`` role by configuration, reads a member's delivery address, audited."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient

from services.common.identity import DEFAULT_ISSUER_ROLES, new_signing_key
from services.members.main import create_app
from tests.support.members_app import members_settings, profile
from tests.support.service_tokens import signed_headers

pytestmark = pytest.mark.kafka

NOTIFICATIONS = new_signing_key("notifications")


@pytest.fixture
def members_trusting_notifications(new_database, kafka_bootstrap, topic_prefix):
    gateway, operator = new_signing_key("gateway"), new_signing_key("operator")
    keys = ",".join(
        key.trusted_key(issuer).text
        for issuer, key in (("gateway", gateway), ("operator", operator), ("notifications", NOTIFICATIONS))
    )
    settings = members_settings(
        new_database("sqlite", "members"),
        kafka_bootstrap,
        topic_prefix,
        token_issuer_keys=keys,
        token_issuer_roles=DEFAULT_ISSUER_ROLES | {"notifications": ("notifier",)},
    )
    with TestClient(create_app(settings)) as client:
        yield client, signed_headers("members", "system", key=operator)


def test_a_notifier_with_its_own_keys_reads_a_delivery_address_and_the_read_is_audited(members_trusting_notifications):
    client, system = members_trusting_notifications
    member = _register(client, system)
    notifier = signed_headers("members", "notifier", uuid.uuid4(), issuer="notifications", key=NOTIFICATIONS)

    address = client.get(f"/members/{member['id']}/delivery-address", params={"channel": "email"}, headers=notifier)

    assert address.status_code == 200 and address.json()["address"] == "marisol.quispe@example.org"
    audit = client.get(f"/members/{member['id']}/audit", headers=system).json()["items"][0]
    assert (audit["action"], audit["actor_role"], audit["actor_id"]) == (
        "contact.read_for_notification",
        "notifier",
        notifier.actor_id,
    )


def test_a_notifier_may_do_nothing_else(members_trusting_notifications):
    client, system = members_trusting_notifications
    member = _register(client, system)
    notifier = signed_headers("members", "notifier", uuid.uuid4(), issuer="notifications", key=NOTIFICATIONS)

    refused = [
        client.get(f"/members/{member['id']}", headers=notifier),
        client.get("/members", headers=notifier),
        client.patch(f"/members/{member['id']}", json={"remote_ok": False}, headers=notifier),
        client.post(f"/members/{member['id']}/pause", headers=notifier),
        client.get(f"/members/{member['id']}/audit", headers=notifier),
        client.get(f"/members/{member['id']}/contact", params={"purpose": "member_support"}, headers=notifier),
        client.post(
            "/members/names", json={"member_ids": [member["id"]], "purpose": "attendance_export"}, headers=notifier
        ),
        client.delete(f"/members/{member['id']}", headers=notifier),
        client.post("/members", json=profile(), headers=notifier),
    ]

    assert [response.status_code for response in refused] == [403] * len(refused)
    # Nor may the notifications issuer claim any other role.
    as_admin = signed_headers("members", "admin", uuid.uuid4(), issuer="notifications", key=NOTIFICATIONS)
    assert client.get("/members", headers=as_admin).status_code == 403


def _register(client, system) -> dict:
    response = client.post("/members", json=profile(), headers=system)
    assert response.status_code == 201, response.text
    return response.json()


def test_the_gateway_on_its_own_account_signs_members_up_and_reads_nothing(shared_client):
    gateway = signed_headers("members", "gateway")

    created = shared_client.post("/members", json=profile(), headers=gateway)

    assert created.status_code == 201
    member_id = created.json()["id"]
    for refused in (
        shared_client.get(f"/members/{member_id}", headers=gateway),
        shared_client.get(f"/members/{member_id}/contact", params={"purpose": "member_support"}, headers=gateway),
        shared_client.get("/members", headers=gateway),
        shared_client.patch(f"/members/{member_id}", json={"remote_ok": False}, headers=gateway),
    ):
        assert refused.status_code == 403, refused.text
    assert shared_client.delete(f"/members/{member_id}", headers=gateway).status_code == 204  # a failed sign-up
