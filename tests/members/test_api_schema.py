"""Schemathesis against the running members service: no input gives a 500, every answer matches
the published OpenAPI schema. Most generated requests are aimed at real members with a known role
so the fuzzing reaches past the 403/404 doors into the handlers."""

from __future__ import annotations

import httpx
import pytest

from services.members.main import app
from tests.support.infra import new_sqlite_database, new_topic_prefix
from tests.support.members_app import profile
from tests.support.processes import start_service
from tests.support.schema_fuzz import FUZZ_SETTINGS, FuzzedService
from tests.support.service_tokens import signed_headers

pytestmark = pytest.mark.kafka

fuzz = FuzzedService("members", app)


@pytest.fixture(scope="module")
def members_service(kafka_bootstrap, tmp_path_factory):
    database_url = new_sqlite_database(tmp_path_factory.mktemp("members-api"), "members")
    service = start_service(
        "services.members.main",
        env={
            "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
            "KAFKA_TOPIC_PREFIX": new_topic_prefix(),
            "MEMBERS_DATABASE_URL": database_url,
        },
    )
    try:
        yield service
    finally:
        service.stop()
    fuzz.check_figures(service.log_text())


@pytest.fixture(scope="module")
def member_ids(members_service) -> list[str]:
    system = signed_headers("members", "system")
    return [httpx.post(f"{members_service.url}/members", json=profile(), headers=system).json()["id"] for _ in range(5)]


@fuzz.schema.parametrize()
@FUZZ_SETTINGS
def test_no_request_makes_the_members_service_fail_or_break_its_schema(case, members_service, member_ids):
    fuzz.call(case, members_service.url, {"member_id": member_ids}, {"volunteer": member_ids})
