"""What the tasks service will not apply: on each topic it reads, a type the catalogue does not list
or a version it does not read goes to the dead-letter topic with the reason, on the real broker."""

from __future__ import annotations

import uuid

import pytest

from services.common.contracts import FillChanged, OfferChanged, OfferStatus
from tests.support.events import dead_letters, raw_event
from tests.support.processes import eventually
from tests.support.service_tokens import signed_headers
from tests.support.tasks_app import new_organization, post_task
from tests.support.topic_reading import produce

pytestmark = pytest.mark.kafka


def test_an_unknown_offer_event_and_a_fill_from_the_future_are_dead_lettered_not_applied(
    sqlite_client, sqlite_settings, kafka_bootstrap
):
    organization = new_organization(sqlite_client)
    task = post_task(sqlite_client, organization, slots=1)
    member = str(uuid.uuid4())
    accepted = OfferChanged(offer_id=uuid.uuid4(), task_id=task["id"], member_id=member, status=OfferStatus.accepted)
    topic = sqlite_settings.topics.offers_events
    produce(kafka_bootstrap, topic, task["id"], raw_event("offer.teleported", accepted))
    future_fill = FillChanged(task_id=task["id"], slots=1, accepted=1)
    produce(kafka_bootstrap, topic, task["id"], raw_event("fill.completed", future_fill, version=99))

    dead = dead_letters(kafka_bootstrap, topic, count=2)
    reasons = [letter["headers"]["dlt.reason"] for letter in dead]
    assert "'offer.teleported' is not in the catalogue for offers.events" in reasons[0]
    assert "fill.completed version 99 is not supported" in reasons[1]
    assert {letter["headers"]["dlt.consumer"] for letter in dead} == {"tasks.offer-outcomes"}
    body = sqlite_client.get(f"/tasks/{task['id']}").json()
    assert (body["status"], body["accepted_count"]) == ("open", 0)
    address = sqlite_client.get(f"/tasks/{task['id']}/address", headers=signed_headers("tasks", "volunteer", member))
    assert address.status_code == 403


def test_an_unknown_event_on_the_members_topic_is_dead_lettered_by_the_erasure_consumer(
    sqlite_client, sqlite_settings, kafka_bootstrap
):
    member = str(uuid.uuid4())
    topic = sqlite_settings.topics.members_state
    produce(kafka_bootstrap, topic, member, raw_event("member.teleported", {"member_id": member, "status": "active"}))
    dead = dead_letters(kafka_bootstrap, topic)
    assert "'member.teleported' is not in the catalogue for members.state" in dead[0]["headers"]["dlt.reason"]
    assert dead[0]["headers"]["dlt.consumer"] == "tasks.member-erasures"
    eventually(lambda: sqlite_client.get("/healthz").status_code == 200, timeout_s=15, message="still consuming")
