"""Real infrastructure for tests: the Kafka broker, PostgreSQL, fresh databases and topic names."""

from __future__ import annotations

import functools
import logging
import os
import uuid
from pathlib import Path

import psycopg
import pytest

log = logging.getLogger(__name__)

# For a test that mostly waits on real time (a quiet window, a reminder's offset, a mail server that
# is down) and whose subject is not storage: it runs on PostgreSQL, the production database, only,
# instead of once per database (the ``database_url`` fixture's parameters).
POSTGRES_ONLY = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)

KAFKA_TEST_PORT = int(os.environ.get("TEST_KAFKA_PORT", "19092"))
POSTGRES_TEST_PORT = int(os.environ.get("TEST_POSTGRES_PORT", "15432"))


def ensure_kafka() -> str:
    """Bootstrap address of the test broker, started (and left for reuse) if not running."""
    if bootstrap := os.environ.get("TEST_KAFKA_BOOTSTRAP"):
        return bootstrap
    from deploy import kafka_broker

    broker = kafka_broker.Broker(KAFKA_TEST_PORT, KAFKA_TEST_PORT + 1)
    kafka_broker.start(broker)
    return broker.bootstrap


def ensure_postgres() -> str:
    """URL of the test PostgreSQL server's maintenance database."""
    if url := os.environ.get("TEST_POSTGRES_URL"):
        return url
    from deploy import postgres_server

    return postgres_server.start(POSTGRES_TEST_PORT)


def new_postgres_database(server_url: str, label: str = "t") -> str:
    name = f"{label}_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server_url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return server_url.rsplit("/", 1)[0] + "/" + name


def new_sqlite_database(directory: Path, label: str = "t") -> str:
    return f"sqlite:///{directory / (label + '-' + uuid.uuid4().hex[:8] + '.db')}"


def new_topic_prefix() -> str:
    """Each test gets its own topics, so no test sees another's events."""
    return f"test-{uuid.uuid4().hex[:10]}."


@functools.cache
def _admin(bootstrap: str):
    from kafka import KafkaAdminClient

    return KafkaAdminClient(bootstrap_servers=bootstrap, client_id="test-cleanup")


def delete_topics_with_prefix(bootstrap: str, prefix: str) -> None:
    """Delete a finished test's topics. Best effort: a test never fails over its clean-up."""
    try:
        admin = _admin(bootstrap)
        doomed = [topic for topic in admin.list_topics() if topic.startswith(prefix)]
        if doomed:
            admin.delete_topics(doomed, timeout_ms=10_000)
    except Exception as error:  # the broker may be gone already, e.g. a test that stops its own
        log.warning("could not delete the topics of %s: %s", prefix, error)
        _admin.cache_clear()
