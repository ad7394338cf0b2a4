"""The tasks service on the real broker: TaskState out (nothing private in it), offer outcomes and
member erasures in."""

from __future__ import annotations

import uuid

import pytest

from services.common.contracts import OfferChanged, OfferStatus, TaskFillChanged, TaskState
from services.common.envelope import Envelope, wrap
from tests.members.kafka_helpers import produce, read_topic
from tests.support.processes import eventually
from tests.tasks.conftest import ADMIN, new_organization, post_task, volunteer

pytestmark = pytest.mark.kafka

PRIVATE = ["Meet the family", "Rosa", "Notre-Dame", "salle 4.10"]


def states(records) -> list[tuple[str, TaskState]]:
    envelopes = [Envelope.from_bytes(record.value) for record in records if record.value is not None]
    return [(e.type, TaskState.model_validate(e.data)) for e in envelopes]


def offer(settings, bootstrap, task_id: str, member_id: str, status: OfferStatus, offer_id: str | None = None) -> str:
    offer_id = offer_id or str(uuid.uuid4())
    payload = OfferChanged(offer_id=offer_id, task_id=task_id, member_id=member_id, status=status)
    produce(bootstrap, settings.topics.offers_events, task_id, wrap(f"offer.{status.value}", payload, "matching").to_bytes())
    return offer_id


def fill(settings, bootstrap, task_id: str, event_type: str, slots: int, accepted: int) -> None:
    payload = TaskFillChanged(task_id=task_id, slots=slots, accepted=accepted)
    produce(bootstrap, settings.topics.offers_events, task_id, wrap(event_type, payload, "matching").to_bytes())


@pytest.mark.postgres
def test_every_change_publishes_the_full_task_state_and_nothing_private(client, settings, kafka_bootstrap):
    organization = new_organization(client)
    task = post_task(client, organization, status="draft")
    path, headers = f"/tasks/{task['id']}", organization.coordinator
    client.post(f"{path}/open", headers=headers)
    client.patch(path, json={"slots": 4, "description": "Ask for Rosa again"}, headers=headers)
    client.post(f"{path}/close", headers=headers)
    second = post_task(client, organization)
    client.post(f"/tasks/{second['id']}/cancel", headers=headers)

    records = read_topic(kafka_bootstrap, settings.topics.tasks_state, lambda rs: len(rs) >= 6)
    assert {record.key.decode() for record in records} == {task["id"], second["id"]}
    # Order holds per key (one task's states stay on one partition), so read each task's history alone.
    published = states(r for r in records if r.key.decode() == task["id"])
    assert [kind for kind, _ in published] == ["task.posted", "task.opened", "task.updated", "task.closed"]
    assert [kind for kind, _ in states(r for r in records if r.key.decode() == second["id"])] == [
        "task.posted", "task.cancelled"
    ]
    assert [(s.status, s.slots) for _, s in published[:4]] == [("draft", 2), ("open", 2), ("open", 4), ("closed", 4)]
    first = published[0][1]
    assert first.title == task["title"] and first.area == "montreal-ville-marie" and first.languages == ["es", "fr"]
    assert [(need.skill, int(need.min_level)) for need in first.skills] == [("accompaniment", 2), ("interpretation", 1)]
    everything = b"".join(record.value for record in records)
    assert b"montreal-ville-marie" in everything  # the search can find what is there
    for private in PRIVATE:
        assert private.encode() not in everything, f"{private!r} published"


@pytest.mark.postgres
def test_accepted_offers_fill_the_task_and_unlock_the_address(client, settings, kafka_bootstrap):
    organization = new_organization(client)
    task = post_task(client, organization, slots=2)
    alma, bao, chidi = (str(uuid.uuid4()) for _ in range(3))
    offer(settings, kafka_bootstrap, task["id"], alma, OfferStatus.accepted)
    bao_offer = offer(settings, kafka_bootstrap, task["id"], bao, OfferStatus.accepted)

    def status() -> tuple:
        body = client.get(f"/tasks/{task['id']}").json()
        return body["status"], body["accepted_count"]

    eventually(lambda: status() == ("filled", 2), timeout_s=15, message="two acceptances fill two slots")
    address = client.get(f"/tasks/{task['id']}/address", params={"member_id": alma},
                         headers=volunteer(alma))
    assert address.status_code == 200 and address.json()["address"] == "1 rue Notre-Dame Est, salle 4.10"
    refused = client.get(f"/tasks/{task['id']}/address", headers=volunteer(chidi))
    assert refused.status_code == 403 and "accepted this task" in refused.json()["detail"]
    assert client.get(f"/tasks/{task['id']}/address", headers=organization.coordinator).status_code == 200

    offer(settings, kafka_bootstrap, task["id"], bao, OfferStatus.cancelled_by_volunteer, offer_id=bao_offer)
    eventually(lambda: status() == ("open", 1), timeout_s=15, message="a cancellation frees the slot")
    assert client.get(f"/tasks/{task['id']}/address", params={"member_id": bao}).status_code == 403
    published = states(read_topic(kafka_bootstrap, settings.topics.tasks_state, lambda rs: len(rs) >= 3))
    assert [(kind, s.status) for kind, s in published] == [
        ("task.posted", "open"), ("task.updated", "filled"), ("task.updated", "open")
    ]


def test_slot_changes_follow_the_accepted_count(sqlite_client, sqlite_settings, kafka_bootstrap):
    organization = new_organization(sqlite_client)
    task = post_task(sqlite_client, organization, slots=3)
    path, headers = f"/tasks/{task['id']}", organization.coordinator
    for _ in range(2):
        offer(sqlite_settings, kafka_bootstrap, task["id"], str(uuid.uuid4()), OfferStatus.accepted)
    eventually(lambda: sqlite_client.get(path).json()["accepted_count"] == 2, timeout_s=15, message="acceptances counted")
    too_few = sqlite_client.patch(path, json={"slots": 1}, headers=headers)
    assert too_few.status_code == 409 and "slots cannot go below 2" in too_few.json()["detail"]
    assert sqlite_client.patch(path, json={"slots": 2}, headers=headers).json()["status"] == "filled"
    assert sqlite_client.patch(path, json={"slots": 4}, headers=headers).json()["status"] == "open"


def test_matching_fill_events_set_filled_and_reopened(sqlite_client, sqlite_settings, kafka_bootstrap):
    organization = new_organization(sqlite_client)
    task = post_task(sqlite_client, organization, slots=1)
    path = f"/tasks/{task['id']}"
    fill(sqlite_settings, kafka_bootstrap, task["id"], "task.filled", slots=1, accepted=1)
    eventually(lambda: sqlite_client.get(path).json()["status"] == "filled", timeout_s=15, message="task.filled applied")
    fill(sqlite_settings, kafka_bootstrap, task["id"], "task.reopened", slots=1, accepted=0)
    eventually(lambda: sqlite_client.get(path).json()["status"] == "open", timeout_s=15, message="task.reopened applied")
    assert sqlite_client.post(f"{path}/cancel", headers=ADMIN).json()["status"] == "cancelled"
    fill(sqlite_settings, kafka_bootstrap, task["id"], "task.filled", slots=1, accepted=1)
    eventually(lambda: sqlite_client.get(path).json()["accepted_count"] == 1, timeout_s=15, message="count kept")
    assert sqlite_client.get(path).json()["status"] == "cancelled"  # a fill never revives a cancelled task


def test_an_erased_member_is_dropped_from_the_tasks_they_accepted(sqlite_client, sqlite_settings, kafka_bootstrap):
    organization = new_organization(sqlite_client)
    task = post_task(sqlite_client, organization, slots=1)
    member = str(uuid.uuid4())
    offer(sqlite_settings, kafka_bootstrap, task["id"], member, OfferStatus.accepted)
    path = f"/tasks/{task['id']}"
    eventually(lambda: sqlite_client.get(path).json()["status"] == "filled", timeout_s=15, message="filled")

    produce(kafka_bootstrap, sqlite_settings.topics.members_state, member, None)  # the members service's tombstone
    eventually(lambda: sqlite_client.get(path).json()["accepted_count"] == 0, timeout_s=15, message="member dropped")
    assert sqlite_client.get(path).json()["status"] == "open"
    assert sqlite_client.get(f"{path}/address", params={"member_id": member}, headers=ADMIN).status_code == 403


def test_unreadable_offer_events_go_to_the_dead_letter_topic(sqlite_client, sqlite_settings, kafka_bootstrap):
    organization = new_organization(sqlite_client)
    task = post_task(sqlite_client, organization, slots=1)
    produce(kafka_bootstrap, sqlite_settings.topics.offers_events, task["id"], b'{"not": "an envelope"}')
    dead = read_topic(kafka_bootstrap, sqlite_settings.topics.offers_events + ".dlt", lambda rs: len(rs) >= 1)
    assert dead[0].value == b'{"not": "an envelope"}'
    offer(sqlite_settings, kafka_bootstrap, task["id"], str(uuid.uuid4()), OfferStatus.accepted)
    eventually(lambda: sqlite_client.get(f"/tasks/{task['id']}").json()["status"] == "filled", timeout_s=15,
               message="consumption moved on past the bad message")
