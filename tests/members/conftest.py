"""Members service under test: the real app (lifespan, outbox relay, consumers) on a fresh database
and its own topics on the real broker.

Callers sign service tokens as the product's do (tests/support/service_tokens.py). The client
fixtures call as the system (the operator's tools) unless a request names its own caller.
"""

from __future__ import annotations

import copy
import uuid
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient

from services.members.config import Settings
from services.members.main import create_app
from tests.support.infra import new_sqlite_database, new_topic_prefix
from tests.support.service_tokens import calling_as, signed_headers

ADMIN = signed_headers("members", "admin", uuid.uuid4())
SYSTEM = signed_headers("members", "system")

PROFILE = {
    "display_name": "Marisol Quispe",
    "pronouns": "she/her",
    "contacts": {
        "email": {"value": "marisol.quispe@example.org", "consent": True},
        "phone": {"value": "+1 514 555 0172", "consent": False},
        "signal": {"value": "marisol.27", "consent": True},
    },
    "skills": [{"skill": "graphic-design", "level": "expert"}, {"skill": "translation", "level": "capable"}],
    "languages": [{"code": "es", "fluency": "fluent"}, {"code": "fr", "fluency": "conversational"}],
    "weekly_availability": [{"weekday": "saturday", "start": "10:00", "end": "14:00"}],
    "unavailable": [{"start": str(date.today() + timedelta(days=18)), "end": str(date.today() + timedelta(days=32))}],
    "area": "montreal-parc-extension",
    "remote_ok": True,
    "max_tasks_per_month": 3,
    "interests": ["anti-deportation-support", "migrant-workers-organizing"],
}


def profile(**changes) -> dict:
    """A complete, valid registration payload; keyword arguments replace top-level fields."""
    payload = copy.deepcopy(PROFILE)
    payload.update(changes)
    return payload


def volunteer(member_id: str):
    return signed_headers("members", "volunteer", member_id)


def coordinator(coordinator_id: str | None = None):
    return signed_headers("members", "coordinator", coordinator_id or uuid.uuid4())


def members_settings(database_url: str, bootstrap: str, prefix: str, **overrides) -> Settings:
    values = dict(
        database_url=database_url, kafka_bootstrap_servers=bootstrap, topic_prefix=prefix, environment="test",
        retention_sweep_seconds=3600, inactive_retention=timedelta(days=730),
    )
    return Settings(**(values | overrides))


@pytest.fixture
def settings(database_url, kafka_bootstrap, topic_prefix) -> Settings:
    return members_settings(database_url, kafka_bootstrap, topic_prefix)


@pytest.fixture
def client(settings):
    """The members app on SQLite and on PostgreSQL (tests using it run twice)."""
    with TestClient(create_app(settings)) as test_client:
        yield calling_as(test_client, SYSTEM)


@pytest.fixture
def sqlite_settings(new_database, kafka_bootstrap, topic_prefix) -> Settings:
    return members_settings(new_database("sqlite", "members"), kafka_bootstrap, topic_prefix)


@pytest.fixture
def sqlite_client(sqlite_settings):
    """The members app on SQLite only, for behaviour that does not depend on the database."""
    with TestClient(create_app(sqlite_settings)) as test_client:
        yield calling_as(test_client, SYSTEM)


@pytest.fixture(scope="module")
def shared_client(kafka_bootstrap, tmp_path_factory):
    """One SQLite-backed app for a whole module of tests that only check answers to single requests."""
    database_url = new_sqlite_database(tmp_path_factory.mktemp("members"), "members")
    with TestClient(create_app(members_settings(database_url, kafka_bootstrap, new_topic_prefix()))) as test_client:
        yield calling_as(test_client, SYSTEM)


def register(client: TestClient, **changes) -> dict:
    response = client.post("/members", json=profile(**changes), headers=SYSTEM)
    assert response.status_code == 201, response.text
    return response.json()
