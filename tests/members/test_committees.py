"""A member joins and leaves committees; members.state carries them, so matching can honour
members-only tasks. Only the member themself (or an admin, or the system) changes them."""

from __future__ import annotations

import uuid

import pytest

from services.common.contracts import MemberState
from services.common.envelope import Envelope
from tests.support.members_app import ADMIN, coordinator, register, volunteer
from tests.support.topic_reading import read_topic

pytestmark = pytest.mark.kafka


@pytest.mark.postgres
def test_joining_and_leaving_committees_travels_on_members_state(client, settings, kafka_bootstrap):
    member = register(client)
    me = volunteer(member["id"])
    food, health = str(uuid.uuid4()), str(uuid.uuid4())
    path = f"/members/{member['id']}/committees"
    assert client.put(f"{path}/{food}", headers=me).json()["committees"] == [food]
    assert client.put(f"{path}/{food}", headers=me).json()["committees"] == [food]  # joining twice changes nothing
    assert client.put(f"{path}/{health}", headers=me).json()["committees"] == [food, health]
    assert client.delete(f"{path}/{food}", headers=me).json()["committees"] == [health]
    assert client.get(path, headers=me).json()["committees"] == [health]

    records = read_topic(kafka_bootstrap, settings.topics.members_state, lambda records: len(records) >= 4)
    states = [MemberState.model_validate(Envelope.from_bytes(record.value).data) for record in records]
    assert [[str(c) for c in state.committees] for state in states] == [[], [food], [food, health], [health]]


def test_only_the_member_or_staff_change_their_committees(shared_client):
    member = register(shared_client)
    path = f"/members/{member['id']}/committees/{uuid.uuid4()}"
    for someone_else in (volunteer(str(uuid.uuid4())), coordinator()):
        assert shared_client.put(path, headers=someone_else).status_code == 403
        assert shared_client.get(f"/members/{member['id']}/committees", headers=someone_else).status_code == 403
    assert shared_client.put(path, headers=ADMIN).status_code == 200
    assert shared_client.put(f"/members/{uuid.uuid4()}/committees/{uuid.uuid4()}", headers=ADMIN).status_code == 404
    assert shared_client.put(f"/members/{member['id']}/committees/not-an-id", headers=ADMIN).status_code == 422


def test_a_member_belongs_to_a_bounded_number_of_committees(shared_client):
    member = register(shared_client)
    me = volunteer(member["id"])
    for _ in range(30):
        assert shared_client.put(f"/members/{member['id']}/committees/{uuid.uuid4()}", headers=me).status_code == 200
    refused = shared_client.put(f"/members/{member['id']}/committees/{uuid.uuid4()}", headers=me)
    assert refused.status_code == 409 and "at most 30 committees" in refused.json()["detail"]
