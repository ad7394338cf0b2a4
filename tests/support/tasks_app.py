"""The tasks service as its tests build it (tests/support/service_apps.py): its settings, its
callers, and factories for organizations, coordinators and tasks. Its app checks skills against
the ``skills`` fixture (tests/tasks/conftest.py)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from services.tasks.config import Settings
from services.tasks.main import create_app
from tests.support.service_apps import ServiceApp
from tests.support.service_tokens import SignedHeaders, signed_headers

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
    added = client.post(
        f"/organizations/{created.json()['id']}/coordinators", json={"coordinator_id": coordinator_id}, headers=ADMIN
    )
    assert added.status_code == 201, added.text
    return Organization(created.json()["id"], coordinator(coordinator_id))


def post_task(client: TestClient, organization: Organization, **changes) -> dict:
    response = client.post("/tasks", json=task_payload(organization.id, **changes), headers=organization.coordinator)
    assert response.status_code == 201, response.text
    return response.json()


def tasks_settings(database_url: str, bootstrap: str, prefix: str) -> Settings:
    return Settings(
        database_url=database_url, kafka_bootstrap_servers=bootstrap, topic_prefix=prefix, environment="test"
    )


# The app checks skill slugs against the session's members service (the ``skills`` fixture).
TASKS = ServiceApp(
    "tasks", tasks_settings, lambda settings, request: create_app(settings, request.getfixturevalue("skills")), SYSTEM
)
