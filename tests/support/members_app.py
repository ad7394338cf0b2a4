"""The members service as its tests build it (tests/support/service_apps.py): its settings,
its callers, and valid profiles to register."""

from __future__ import annotations

import copy
import uuid
from datetime import date, timedelta

from fastapi.testclient import TestClient

from services.members.config import Settings
from services.members.main import create_app
from tests.support.service_apps import ServiceApp
from tests.support.service_tokens import signed_headers

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
        database_url=database_url,
        kafka_bootstrap_servers=bootstrap,
        topic_prefix=prefix,
        environment="test",
        retention_sweep_seconds=3600,
        inactive_retention=timedelta(days=730),
    )
    return Settings(**(values | overrides))


def register(client: TestClient, **changes) -> dict:
    response = client.post("/members", json=profile(**changes), headers=SYSTEM)
    assert response.status_code == 201, response.text
    return response.json()


MEMBERS = ServiceApp("members", members_settings, lambda settings, request: create_app(settings), SYSTEM)
