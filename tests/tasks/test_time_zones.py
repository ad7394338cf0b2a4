"""Each task carries the IANA time zone it happens in: given by its coordinator or the service's
default, checked, editable, and published with the task's state."""

from __future__ import annotations

import pytest

from services.common.contracts import TaskState
from services.common.envelope import Envelope
from tests.support.tasks_app import new_organization, post_task, task_payload
from tests.support.topic_reading import read_topic


@pytest.mark.postgres
def test_a_task_posted_without_a_zone_takes_the_services_default_and_one_with_a_zone_keeps_it(client):
    organization = new_organization(client)

    default = post_task(client, organization)
    paris = post_task(client, organization, time_zone="Europe/Paris")

    assert default["time_zone"] == "America/Toronto"
    assert paris["time_zone"] == "Europe/Paris"
    assert client.get(f"/tasks/{paris['id']}").json()["time_zone"] == "Europe/Paris"


@pytest.mark.parametrize("zone", ["EST", "Mars/Olympus_Mons", "+05:00", "America/Toronto/../x", ""])
def test_a_zone_that_is_not_an_iana_name_gets_a_422_naming_the_field(shared_client, zone):
    organization = new_organization(shared_client)

    response = shared_client.post(
        "/tasks", json=task_payload(organization.id, time_zone=zone), headers=organization.coordinator
    )

    assert response.status_code == 422, response.text
    assert "time_zone" in response.json()["detail"]


def test_a_coordinator_moves_a_task_to_another_zone(shared_client):
    organization = new_organization(shared_client)
    task = post_task(shared_client, organization)

    edited = shared_client.patch(
        f"/tasks/{task['id']}", json={"time_zone": "America/Vancouver"}, headers=organization.coordinator
    )

    assert edited.status_code == 200, edited.text
    assert edited.json()["time_zone"] == "America/Vancouver"


@pytest.mark.kafka
def test_the_zone_travels_with_the_task_state(sqlite_client, sqlite_settings, kafka_bootstrap):
    organization = new_organization(sqlite_client)
    task = post_task(sqlite_client, organization, time_zone="America/Halifax")

    def ours(records) -> list[TaskState]:
        return [
            TaskState.model_validate(Envelope.from_bytes(r.value).data)
            for r in records
            if r.value is not None and r.key.decode() == task["id"]
        ]

    records = read_topic(kafka_bootstrap, sqlite_settings.topics.tasks_state, until=lambda found: bool(ours(found)))
    assert ours(records)[-1].time_zone == "America/Halifax"
