"""After Kafka lost everything, ``republish`` refills tasks.state from the database, on SQLite and
PostgreSQL alike, while the service keeps running."""

from __future__ import annotations

import pytest

from services.common.db import make_engine
from services.common.envelope import Envelope
from services.tasks.events import republish
from tests.support.infra import delete_topics_with_prefix, new_topic_prefix
from tests.support.tasks_app import new_organization, post_task, tasks_settings
from tests.support.topic_reading import read_topic

pytestmark = pytest.mark.kafka


def test_republish_refills_an_empty_tasks_topic_with_every_task_as_it_is_now(client, settings, kafka_bootstrap):
    organization = new_organization(client)
    open_task = post_task(client, organization)
    cancelled = post_task(client, organization, title="Rally sign holders")
    client.post(f"/tasks/{cancelled['id']}/cancel", headers=organization.coordinator)

    lost = new_topic_prefix()
    engine = make_engine(settings.database_url)
    try:
        counts = republish(engine, tasks_settings(settings.database_url, kafka_bootstrap, lost))
        assert counts["tasks"] == 2  # the running service's relay may have sent some of them itself
        records = read_topic(kafka_bootstrap, f"{lost}tasks.state", lambda r: len(r) >= 2)
        states = {r.key.decode(): Envelope.from_bytes(r.value) for r in records}
        assert {key: e.data["status"] for key, e in states.items()} == {
            open_task["id"]: "open",
            cancelled["id"]: "cancelled",
        }
        assert {e.type for e in states.values()} == {"task.republished"}
        assert "Ask for Rosa" not in b"".join(r.value for r in records).decode()  # descriptions stay home
    finally:
        engine.dispose()
        delete_topics_with_prefix(kafka_bootstrap, lost)
