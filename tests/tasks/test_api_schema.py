"""Schemathesis against the running tasks service: no input gives a 500, every answer matches the
published OpenAPI schema. Most generated requests are aimed at real organizations and tasks, with
a known role, so the fuzzing reaches past the 403/404 doors into the handlers."""

from __future__ import annotations

import httpx
import pytest

from services.tasks.main import app
from tests.support.infra import new_sqlite_database, new_topic_prefix
from tests.support.processes import start_service
from tests.support.schema_fuzz import FUZZ_SETTINGS, FuzzedService
from tests.support.service_tokens import CallsAs, signed_headers
from tests.support.tasks_app import new_organization, post_task

pytestmark = pytest.mark.kafka

fuzz = FuzzedService("tasks", app)


@pytest.fixture(scope="module")
def tasks_service(kafka_bootstrap, tmp_path_factory):
    directory = tmp_path_factory.mktemp("tasks-api")
    common = {"KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap, "KAFKA_TOPIC_PREFIX": new_topic_prefix()}
    # The skill taxonomy tasks are checked against.
    members = start_service(
        "services.members.main", env=common | {"MEMBERS_DATABASE_URL": new_sqlite_database(directory, "members")}
    )
    try:
        service = start_service(
            "services.tasks.main",
            env=common
            | {"TASKS_DATABASE_URL": new_sqlite_database(directory, "tasks"), "TASKS_MEMBERS_URL": members.url},
        )
    except BaseException:
        members.stop()
        raise
    try:
        yield service
    finally:
        service.stop()
        members.stop()
    fuzz.check_figures(service.log_text())


@pytest.fixture(scope="module")
def real_data(tasks_service) -> dict:
    with httpx.Client(base_url=tasks_service.url, auth=CallsAs(signed_headers("tasks", "system"))) as client:
        organizations = [new_organization(client) for _ in range(2)]
        tasks = [post_task(client, org, status=status) for org in organizations for status in ("open", "draft")]
    coordinators = [org.coordinator.actor_id for org in organizations]
    return {
        "ids": {
            "organization_id": [o.id for o in organizations],
            "task_id": [t["id"] for t in tasks],
            "coordinator_id": coordinators,
        },
        "actors": {"coordinator": coordinators},
    }


@fuzz.schema.parametrize()
@FUZZ_SETTINGS
def test_no_request_makes_the_tasks_service_fail_or_break_its_schema(case, tasks_service, real_data):
    fuzz.call(case, tasks_service.url, real_data["ids"], real_data["actors"])
