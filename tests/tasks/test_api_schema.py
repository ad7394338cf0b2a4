"""Schemathesis against the running tasks service: no input gives a 500, every answer matches the
published OpenAPI schema. Most generated requests are aimed at real organizations and tasks, with
a known role, so the fuzzing reaches past the 403/404 doors into the handlers."""

from __future__ import annotations

from collections import Counter

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from services.tasks.main import app
from tests.members.schema_fuzz import EXAMPLES_PER_OPERATION, PHASES, aim_at_real_data, report_figures
from tests.support.infra import new_sqlite_database, new_topic_prefix
from tests.support.processes import start_service
from tests.support.service_tokens import CallsAs, signed_headers
from tests.tasks.conftest import new_organization, post_task

pytestmark = pytest.mark.kafka

# The schema the app publishes at /openapi.json, built without starting the app.
schema = schemathesis.openapi.from_dict(app.openapi())
schema.config.phases.update(phases=PHASES)
examples_run: Counter = Counter()


@pytest.fixture(scope="module")
def tasks_service(kafka_bootstrap, tmp_path_factory):
    directory = tmp_path_factory.mktemp("tasks-api")
    common = {"KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap, "KAFKA_TOPIC_PREFIX": new_topic_prefix()}
    # The skill taxonomy tasks are checked against.
    members = start_service("services.members.main", env=common | {
        "MEMBERS_DATABASE_URL": new_sqlite_database(directory, "members")})
    try:
        service = start_service("services.tasks.main", env=common | {
            "TASKS_DATABASE_URL": new_sqlite_database(directory, "tasks"), "TASKS_MEMBERS_URL": members.url})
    except BaseException:
        members.stop()
        raise
    try:
        yield service
    finally:
        service.stop()
        members.stop()
    figures = report_figures("tasks", examples_run, service.log_text())
    assert figures["operations"] == len(list(schema.get_all_operations())), "every operation was exercised"
    assert figures["errors_logged_by_service"] == 0, "the service logged errors; see var/test-logs"


@pytest.fixture(scope="module")
def real_data(tasks_service) -> dict:
    with httpx.Client(base_url=tasks_service.url, auth=CallsAs(signed_headers("tasks", "system"))) as client:
        organizations = [new_organization(client) for _ in range(2)]
        tasks = [post_task(client, org, status=status) for org in organizations for status in ("open", "draft")]
    coordinators = [org.coordinator.actor_id for org in organizations]
    return {
        "ids": {"organization_id": [o.id for o in organizations], "task_id": [t["id"] for t in tasks],
                "coordinator_id": coordinators},
        "actors": {"coordinator": coordinators},
    }


@schema.parametrize()
@settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_request_makes_the_tasks_service_fail_or_break_its_schema(case, tasks_service, real_data):
    aim_at_real_data(case, "tasks", real_data["ids"], real_data["actors"])
    case.call_and_validate(base_url=tasks_service.url, checks=[not_a_server_error, response_schema_conformance])
    examples_run[case.operation.label] += 1
