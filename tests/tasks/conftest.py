"""Tasks service under test: the real app (lifespan, outbox relay, consumers) on a fresh database
and its own topics on the real broker, checking skills against a real members service (shared by
the session: its taxonomy is all the tasks service reads from it); plus factories for
organizations, coordinators and tasks.

Callers sign service tokens as the product's do (tests/support/service_tokens.py). The client
fixtures call as the system (the operator's tools) unless a request names its own caller.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from services.common.identity import TAXONOMY_READER
from services.members.main import create_app as create_members_app
from services.tasks.config import Settings
from services.tasks.main import create_app
from services.tasks.skills import SkillCatalogue
from tests.members.conftest import members_settings
from tests.support.infra import new_sqlite_database, new_topic_prefix
from tests.support.service_tokens import SignedHeaders, calling_as, signed_headers

ADMIN = signed_headers("tasks", "admin", uuid.uuid4())
SYSTEM = signed_headers("tasks", "system")


def volunteer(member_id: str) -> SignedHeaders:
    return signed_headers("tasks", "volunteer", member_id)


def coordinator(coordinator_id: str | None = None) -> SignedHeaders:
    return signed_headers("tasks", "coordinator", coordinator_id or uuid.uuid4())


def soon(days: float = 7, hour: int = 10) -> datetime:
    return (datetime.now(UTC) + timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)


def task_payload(organization_id: str, **changes) -> dict:
    """A valid in-person task with a fixed time window; keyword arguments replace fields."""
    payload = {
        "organization_id": organization_id,
        "title": "Accompaniment to an immigration hearing",
        "summary": "Sit with a member at their hearing downtown; French or Spanish.",
        "description": "Meet the family at the entrance at 9:45. Ask for Rosa at the desk.",
        "campaign": "anti-deportation-support",
        "skills": [{"skill": "accompaniment", "min_level": "capable"}, {"skill": "interpretation", "min_level": 1}],
        "languages": ["fr", "es"],
        "slots": 2,
        "starts_at": soon(7, 10).isoformat(),
        "ends_at": soon(7, 13).isoformat(),
        "area": "montreal-ville-marie",
        "address": "1 rue Notre-Dame Est, salle 4.10",
        "urgency": "high",
    }
    payload.update(changes)
    return {name: value for name, value in payload.items() if value is not ...}


@dataclass
class Organization:
    id: str
    coordinator: SignedHeaders  # a coordinator acting for it


def new_organization(client: TestClient, name: str | None = None) -> Organization:
    created = client.post("/organizations", json={"name": name or f"Org {uuid.uuid4().hex[:8]}"}, headers=ADMIN)
    assert created.status_code == 201, created.text
    coordinator_id = str(uuid.uuid4())
    added = client.post(f"/organizations/{created.json()['id']}/coordinators", json={"coordinator_id": coordinator_id},
                        headers=ADMIN)
    assert added.status_code == 201, added.text
    return Organization(created.json()["id"], coordinator(coordinator_id))


def post_task(client: TestClient, organization: Organization, **changes) -> dict:
    response = client.post("/tasks", json=task_payload(organization.id, **changes), headers=organization.coordinator)
    assert response.status_code == 201, response.text
    return response.json()


def tasks_settings(database_url: str, bootstrap: str, prefix: str) -> Settings:
    return Settings(database_url=database_url, kafka_bootstrap_servers=bootstrap, topic_prefix=prefix, environment="test")


@pytest.fixture(scope="session")
def members_service(kafka_bootstrap, tmp_path_factory):
    database_url = new_sqlite_database(tmp_path_factory.mktemp("members-taxonomy"), "members")
    with TestClient(create_members_app(members_settings(database_url, kafka_bootstrap, new_topic_prefix()))) as client:
        # Calls as the tasks service reads the taxonomy (issuer "tasks", role "taxonomy") unless told otherwise.
        yield calling_as(client, signed_headers("members", TAXONOMY_READER))


@pytest.fixture(scope="session")
def skills(members_service) -> SkillCatalogue:
    return SkillCatalogue(members_service)


@pytest.fixture
def settings(database_url, kafka_bootstrap, topic_prefix) -> Settings:
    return tasks_settings(database_url, kafka_bootstrap, topic_prefix)


@pytest.fixture
def client(settings, skills):
    """The tasks app on SQLite and on PostgreSQL (tests using it run twice)."""
    with TestClient(create_app(settings, skills)) as test_client:
        yield calling_as(test_client, SYSTEM)


@pytest.fixture
def sqlite_settings(new_database, kafka_bootstrap, topic_prefix) -> Settings:
    return tasks_settings(new_database("sqlite", "tasks"), kafka_bootstrap, topic_prefix)


@pytest.fixture
def sqlite_client(sqlite_settings, skills):
    with TestClient(create_app(sqlite_settings, skills)) as test_client:
        yield calling_as(test_client, SYSTEM)


@pytest.fixture(scope="module")
def shared_client(kafka_bootstrap, tmp_path_factory, skills):
    """One SQLite-backed app for a module of tests that only check answers to single requests."""
    database_url = new_sqlite_database(tmp_path_factory.mktemp("tasks"), "tasks")
    settings = tasks_settings(database_url, kafka_bootstrap, new_topic_prefix())
    with TestClient(create_app(settings, skills)) as test_client:
        yield calling_as(test_client, SYSTEM)
