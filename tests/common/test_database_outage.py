"""While its database is down a service answers 503 with Retry-After (try again), never a 500,
and it serves again by itself once the database is back. The database is a real PostgreSQL
server of this test's own, really stopped and started again."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from services.tasks.main import create_app
from tests.support.infra import new_topic_prefix
from tests.support.own_postgres import own_postgres_server
from tests.support.processes import eventually
from tests.support.tasks_app import ADMIN, new_organization, tasks_settings

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]


def test_a_service_whose_database_is_down_answers_503_with_retry_after_then_recovers(kafka_bootstrap):
    with own_postgres_server() as postgres:
        app = create_app(tasks_settings(postgres.url, kafka_bootstrap, new_topic_prefix()))
        with TestClient(app, raise_server_exceptions=False) as client:
            organization = new_organization(client)
            postgres.stop()

            reading = client.get(f"/organizations/{organization.id}", headers=ADMIN)
            writing = client.post("/organizations", json={"name": "Tenants of Parc-Ex"}, headers=ADMIN)

            for answer in (reading, writing):
                assert answer.status_code == 503, answer.text
                assert answer.headers["content-type"].startswith("application/problem+json")
                assert int(answer.headers["retry-after"]) > 0
                assert answer.json()["type"] == "/problems/service-unavailable"
                assert "try again" in answer.json()["detail"]
            postgres.start()
            eventually(
                lambda: client.get(f"/organizations/{organization.id}", headers=ADMIN).status_code == 200,
                30,
                message="served again once the database is back",
            )
