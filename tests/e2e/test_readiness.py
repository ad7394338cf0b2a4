"""/readyz follows the broker: unready while it is down, ready again when it returns."""

from __future__ import annotations

import httpx
import pytest

from deploy import kafka_broker
from tests.support.infra import new_sqlite_database, new_topic_prefix
from tests.support.processes import eventually, free_port, start_service

pytestmark = pytest.mark.kafka


@pytest.fixture
def own_broker():
    """A broker of this test's own, so stopping it disturbs no other test."""
    port = free_port()
    broker = kafka_broker.Broker(port, free_port())
    kafka_broker.start(broker)
    yield broker
    kafka_broker.stop(broker)


def readiness(url: str) -> tuple[int, dict]:
    response = httpx.get(url + "/readyz", timeout=5)
    return response.status_code, response.json()


def test_readyz_turns_unready_when_the_broker_stops_and_ready_when_it_returns(own_broker, tmp_path):
    env = {
        "KAFKA_BOOTSTRAP_SERVERS": own_broker.bootstrap,
        "KAFKA_TOPIC_PREFIX": new_topic_prefix(),
        "TASKS_DATABASE_URL": new_sqlite_database(tmp_path, "tasks"),
    }
    service = start_service("services.tasks.main", env)
    try:
        assert readiness(service.url)[0] == 200
        kafka_broker.stop(own_broker)
        status, body = eventually(
            lambda: (r := readiness(service.url))[0] == 503 and r, timeout_s=20, message="unready without the broker"
        )
        assert body["checks"] == {"database": True, "broker": False} | {
            k: v for k, v in body["checks"].items() if k not in {"database", "broker"}
        }
        assert httpx.get(service.url + "/healthz", timeout=5).status_code == 200  # alive all the same
        kafka_broker.start(own_broker)
        eventually(lambda: readiness(service.url)[0] == 200, timeout_s=30, message="ready once the broker is back")
    finally:
        service.stop()
