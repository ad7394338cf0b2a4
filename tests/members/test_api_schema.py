"""Schemathesis against the running members service: no input gives a 500, every answer matches
the published OpenAPI schema. Most generated requests are aimed at real members with a known role
so the fuzzing reaches past the 403/404 doors into the handlers."""

from __future__ import annotations

from collections import Counter

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from services.members.main import app
from tests.members.conftest import profile
from tests.members.schema_fuzz import EXAMPLES_PER_OPERATION, PHASES, aim_at_real_data, report_figures
from tests.support.infra import new_sqlite_database, new_topic_prefix
from tests.support.processes import start_service
from tests.support.service_tokens import signed_headers

pytestmark = pytest.mark.kafka

# The schema the app publishes at /openapi.json, built without starting the app.
schema = schemathesis.openapi.from_dict(app.openapi())
schema.config.phases.update(phases=PHASES)
examples_run: Counter = Counter()


@pytest.fixture(scope="module")
def members_service(kafka_bootstrap, tmp_path_factory):
    database_url = new_sqlite_database(tmp_path_factory.mktemp("members-api"), "members")
    service = start_service(
        "services.members.main",
        env={"KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap, "KAFKA_TOPIC_PREFIX": new_topic_prefix(),
             "MEMBERS_DATABASE_URL": database_url},
    )
    try:
        yield service
    finally:
        service.stop()
    figures = report_figures("members", examples_run, service.log_text())
    assert figures["operations"] == len(list(schema.get_all_operations())), "every operation was exercised"
    assert figures["errors_logged_by_service"] == 0, "the service logged errors; see var/test-logs"


@pytest.fixture(scope="module")
def member_ids(members_service) -> list[str]:
    system = signed_headers("members", "system")
    return [httpx.post(f"{members_service.url}/members", json=profile(), headers=system).json()["id"] for _ in range(5)]


@schema.parametrize()
@settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_request_makes_the_members_service_fail_or_break_its_schema(case, members_service, member_ids):
    aim_at_real_data(case, "members", {"member_id": member_ids}, {"volunteer": member_ids})
    case.call_and_validate(base_url=members_service.url, checks=[not_a_server_error, response_schema_conformance])
    examples_run[case.operation.label] += 1
