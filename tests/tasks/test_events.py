"""The tasks service on the real broker: TaskState out (nothing private in it), offer outcomes,
matching's fills and member erasures in."""

from __future__ import annotations

import uuid

import pytest

from services.common.contracts import FillChanged, OfferChanged, OfferStatus, TaskState
from services.common.envelope import Envelope, wrap
from tests.support.processes import eventually
from tests.support.service_tokens import signed_headers
from tests.support.tasks_app import ADMIN, new_organization, post_task, volunteer
from tests.support.topic_reading import produce, read_topic

pytestmark = pytest.mark.kafka

PRIVATE = ["Meet the family", "Rosa", "Notre-Dame", "salle 4.10"]


def states(records) -> list[tuple[str, TaskState]]:
    envelopes = [Envelope.from_bytes(record.value) for record in records if record.value is not None]
    return [(e.type, TaskState.model_validate(e.data)) for e in envelopes]


def offer(settings, bootstrap, task_id: str, member_id: str, status: OfferStatus, offer_id: str | None = None) -> str:
    offer_id = offer_id or str(uuid.uuid4())
    payload = OfferChanged(offer_id=offer_id, task_id=task_id, member_id=member_id, status=status)
    produce(
        bootstrap, settings.topics.offers_events, task_id, wrap(f"offer.{status.value}", payload, "matching").to_bytes()
    )
    return offer_id


def fill(settings, bootstrap, task_id: str, event_type: str, slots: int, accepted: int, sequence: int) -> None:
    """What matching publishes when a task's fill changes."""
    payload = FillChanged(task_id=task_id, slots=slots, accepted=accepted, sequence=sequence)
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
        "task.posted",
        "task.cancelled",
    ]
    assert [(s.status, s.slots) for _, s in published[:4]] == [("draft", 2), ("open", 2), ("open", 4), ("closed", 4)]
    first = published[0][1]
    assert first.title == task["title"] and first.area == "montreal-ville-marie" and first.languages == ["es", "fr"]
    assert [(need.skill, int(need.min_level)) for need in first.skills] == [("accompaniment", 2), ("interpretation", 1)]
    everything = b"".join(record.value for record in records)
    assert b"montreal-ville-marie" in everything  # the search can find what is there
    for private in PRIVATE:
        assert private.encode() not in everything, f"{private!r} published"


def can_see_address(client, task_id: str, member_id: str) -> bool:
    response = client.get(f"/tasks/{task_id}/address", headers=signed_headers("tasks", "volunteer", member_id))
    return response.status_code == 200


@pytest.mark.postgres
def test_accepted_offers_unlock_the_address_and_matching_s_fill_fills_the_task(client, settings, kafka_bootstrap):
    organization = new_organization(client)
    task = post_task(client, organization, slots=2)
    alma, bao, chidi = (str(uuid.uuid4()) for _ in range(3))
    offer(settings, kafka_bootstrap, task["id"], alma, OfferStatus.accepted)
    bao_offer = offer(settings, kafka_bootstrap, task["id"], bao, OfferStatus.accepted)
    eventually(lambda: can_see_address(client, task["id"], bao), timeout_s=15, message="acceptances recorded")
    assert can_see_address(client, task["id"], alma)
    assert client.get(f"/tasks/{task['id']}").json()["accepted_count"] == 0  # acceptances are not counted here

    def status() -> tuple:
        body = client.get(f"/tasks/{task['id']}").json()
        return body["status"], body["accepted_count"]

    fill(settings, kafka_bootstrap, task["id"], "fill.completed", slots=2, accepted=2, sequence=3)
    eventually(lambda: status() == ("filled", 2), timeout_s=15, message="matching's fill fills the task")
    address = client.get(f"/tasks/{task['id']}/address", params={"member_id": alma}, headers=volunteer(alma))
    assert address.status_code == 200 and address.json()["address"] == "1 rue Notre-Dame Est, salle 4.10"
    refused = client.get(f"/tasks/{task['id']}/address", headers=volunteer(chidi))
    assert refused.status_code == 403 and "accepted this task" in refused.json()["detail"]
    assert client.get(f"/tasks/{task['id']}/address", headers=organization.coordinator).status_code == 200

    offer(settings, kafka_bootstrap, task["id"], bao, OfferStatus.cancelled_by_volunteer, offer_id=bao_offer)
    fill(settings, kafka_bootstrap, task["id"], "fill.reopened", slots=2, accepted=1, sequence=4)
    eventually(lambda: status() == ("open", 1), timeout_s=15, message="a cancellation frees the slot")
    assert not can_see_address(client, task["id"], bao)


def test_filled_is_decided_once_tasks_never_publish_a_fill_back(sqlite_client, sqlite_settings, kafka_bootstrap):
    organization = new_organization(sqlite_client)
    task = post_task(sqlite_client, organization, slots=1)
    path = f"/tasks/{task['id']}"
    offer(sqlite_settings, kafka_bootstrap, task["id"], str(uuid.uuid4()), OfferStatus.accepted)
    fill(sqlite_settings, kafka_bootstrap, task["id"], "fill.completed", slots=1, accepted=1, sequence=2)
    eventually(lambda: sqlite_client.get(path).json()["status"] == "filled", timeout_s=15, message="filled")
    sqlite_client.patch(path, json={"summary": "Bring a folding table"}, headers=organization.coordinator)
    published = states(read_topic(kafka_bootstrap, sqlite_settings.topics.tasks_state, lambda rs: len(rs) >= 2))
    # Only the coordinator's changes go out; matching, which decided the fill, is not told it back.
    assert [kind for kind, _ in published] == ["task.posted", "task.updated"]


def test_slot_changes_wait_for_matching_to_say_whether_the_task_is_filled(
    sqlite_client, sqlite_settings, kafka_bootstrap
):
    organization = new_organization(sqlite_client)
    task = post_task(sqlite_client, organization, slots=3)
    path, headers = f"/tasks/{task['id']}", organization.coordinator
    fill(sqlite_settings, kafka_bootstrap, task["id"], "fill.reopened", slots=3, accepted=2, sequence=3)
    eventually(lambda: sqlite_client.get(path).json()["accepted_count"] == 2, timeout_s=15, message="fill applied")
    too_few = sqlite_client.patch(path, json={"slots": 1}, headers=headers)
    assert too_few.status_code == 409 and "slots cannot go below 2" in too_few.json()["detail"]
    assert sqlite_client.patch(path, json={"slots": 2}, headers=headers).json()["status"] == "open"
    fill(sqlite_settings, kafka_bootstrap, task["id"], "fill.completed", slots=2, accepted=2, sequence=4)
    eventually(lambda: sqlite_client.get(path).json()["status"] == "filled", timeout_s=15, message="matching filled it")


def test_matching_fill_events_set_filled_and_reopened(sqlite_client, sqlite_settings, kafka_bootstrap):
    organization = new_organization(sqlite_client)
    task = post_task(sqlite_client, organization, slots=1)
    path = f"/tasks/{task['id']}"
    fill(sqlite_settings, kafka_bootstrap, task["id"], "fill.completed", slots=1, accepted=1, sequence=2)
    eventually(
        lambda: sqlite_client.get(path).json()["status"] == "filled", timeout_s=15, message="fill.completed applied"
    )
    fill(sqlite_settings, kafka_bootstrap, task["id"], "fill.reopened", slots=1, accepted=0, sequence=3)
    eventually(
        lambda: sqlite_client.get(path).json()["status"] == "open", timeout_s=15, message="fill.reopened applied"
    )
    assert sqlite_client.post(f"{path}/cancel", headers=ADMIN).json()["status"] == "cancelled"
    fill(sqlite_settings, kafka_bootstrap, task["id"], "fill.completed", slots=1, accepted=1, sequence=4)
    eventually(lambda: sqlite_client.get(path).json()["accepted_count"] == 1, timeout_s=15, message="count kept")
    assert sqlite_client.get(path).json()["status"] == "cancelled"  # a fill never revives a cancelled task


def test_an_older_fill_arriving_after_a_newer_one_is_not_applied(sqlite_client, sqlite_settings, kafka_bootstrap):
    organization = new_organization(sqlite_client)
    task = post_task(sqlite_client, organization, slots=2)
    path = f"/tasks/{task['id']}"
    fill(sqlite_settings, kafka_bootstrap, task["id"], "fill.completed", slots=2, accepted=2, sequence=5)
    fill(sqlite_settings, kafka_bootstrap, task["id"], "fill.reopened", slots=2, accepted=1, sequence=4)  # late
    marker = str(uuid.uuid4())  # an acceptance after both, on the same partition: both were consumed by then
    offer(sqlite_settings, kafka_bootstrap, task["id"], marker, OfferStatus.accepted)
    eventually(lambda: can_see_address(sqlite_client, task["id"], marker), timeout_s=15, message="events consumed")
    body = sqlite_client.get(path).json()
    assert (body["status"], body["accepted_count"]) == ("filled", 2)


def test_an_erased_member_is_dropped_from_the_tasks_they_accepted(sqlite_client, sqlite_settings, kafka_bootstrap):
    organization = new_organization(sqlite_client)
    task = post_task(sqlite_client, organization, slots=1)
    member = str(uuid.uuid4())
    offer(sqlite_settings, kafka_bootstrap, task["id"], member, OfferStatus.accepted)
    path = f"/tasks/{task['id']}"
    eventually(lambda: can_see_address(sqlite_client, task["id"], member), timeout_s=15, message="accepted")

    produce(kafka_bootstrap, sqlite_settings.topics.members_state, member, None)  # the members service's tombstone
    eventually(lambda: not can_see_address(sqlite_client, task["id"], member), timeout_s=15, message="member dropped")
    assert sqlite_client.get(f"{path}/address", params={"member_id": member}, headers=ADMIN).status_code == 403


def test_unreadable_offer_events_go_to_the_dead_letter_topic(sqlite_client, sqlite_settings, kafka_bootstrap):
    organization = new_organization(sqlite_client)
    task = post_task(sqlite_client, organization, slots=1)
    produce(kafka_bootstrap, sqlite_settings.topics.offers_events, task["id"], b'{"not": "an envelope"}')
    dead = read_topic(kafka_bootstrap, sqlite_settings.topics.offers_events + ".dlt", lambda rs: len(rs) >= 1)
    assert dead[0].value == b'{"not": "an envelope"}'
    fill(sqlite_settings, kafka_bootstrap, task["id"], "fill.completed", slots=1, accepted=1, sequence=2)
    eventually(
        lambda: sqlite_client.get(f"/tasks/{task['id']}").json()["status"] == "filled",
        timeout_s=15,
        message="consumption moved on past the bad message",
    )
