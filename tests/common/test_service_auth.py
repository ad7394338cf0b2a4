"""Every service believes signed service tokens only: no token, a bad one, one for another service
or from an issuer asserting a role it may not assert, and the service refuses to act."""

from __future__ import annotations

import time
from uuid import uuid4

import pytest
from fastapi.testclient import TestClient

from services.common.identity import new_signing_key
from services.matching.config import Settings as MatchingSettings
from services.matching.main import create_app as matching_app
from services.members.config import Settings as MembersSettings
from services.members.main import create_app as members_app
from services.tasks.config import Settings as TasksSettings
from services.tasks.main import create_app as tasks_app
from tests.support.infra import new_sqlite_database, new_topic_prefix
from tests.support.processes import eventually
from tests.support.service_tokens import signed_headers

# One read per service that the system may do and that needs no data.
SERVICES = {
    "members": (MembersSettings, members_app, "/members"),
    "tasks": (TasksSettings, tasks_app, "/tasks"),
    "matching": (MatchingSettings, matching_app, "/offers"),
}


def settings_of(name: str, directory, bootstrap: str, **overrides):
    settings_class = SERVICES[name][0]
    return settings_class(
        database_url=new_sqlite_database(directory, name),
        kafka_bootstrap_servers=bootstrap,
        topic_prefix=new_topic_prefix(),
        environment="test",
        **overrides,
    )


@pytest.fixture(scope="module", params=list(SERVICES))
def service(request, kafka_bootstrap, tmp_path_factory):
    """(name, client, a route): each service as its real app, called with no default caller."""
    name = request.param
    settings = settings_of(name, tmp_path_factory.mktemp(name), kafka_bootstrap)
    with TestClient(SERVICES[name][1](settings)) as client:
        yield name, client, SERVICES[name][2]


def test_a_request_without_a_token_is_refused_with_401(service):
    name, client, path = service

    response = client.get(path)

    assert response.status_code == 401, response.text
    assert response.json()["type"] == "/problems/unauthenticated"


def test_actor_headers_are_not_believed(service):
    name, client, path = service

    assert client.get(path, headers={"X-Actor-Role": "admin", "X-Actor-Id": str(uuid4())}).status_code == 401


@pytest.mark.parametrize("authorization", ["Bearer garbage", "Bearer a.b.c", "Basic YWRtaW46YWRtaW4=", "Bearer "])
def test_a_garbage_token_is_refused_with_401(service, authorization):
    name, client, path = service

    assert client.get(path, headers={"Authorization": authorization}).status_code == 401


def test_an_expired_token_is_refused_with_401(service):
    name, client, path = service
    two_minutes_ago = lambda: time.time() - 120  # noqa: E731

    response = client.get(path, headers=signed_headers(name, "admin", uuid4(), clock=two_minutes_ago))

    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


def test_a_token_for_another_service_is_refused_with_401(service):
    name, client, path = service
    other = next(other for other in SERVICES if other != name)

    response = client.get(path, headers=signed_headers(other, "system"))

    assert response.status_code == 401
    assert "another service" in response.json()["detail"]


def test_a_token_signed_by_an_unknown_key_is_refused_with_401(service):
    name, client, path = service

    response = client.get(path, headers=signed_headers(name, "system", key=new_signing_key("operator")))

    assert response.status_code == 401
    assert "not trusted" in response.json()["detail"]


@pytest.mark.parametrize("issuer, role", [("gateway", "system"), ("operator", "admin"), ("gateway", "superuser")])
def test_an_issuer_asserting_a_role_it_may_not_is_refused_with_403(service, issuer, role):
    name, client, path = service

    response = client.get(path, headers=signed_headers(name, role, uuid4(), issuer=issuer))

    assert response.status_code == 403
    assert f"may not act as '{role}'" in response.json()["detail"]


def test_an_issuer_the_service_does_not_know_is_refused_with_401(service):
    name, client, path = service

    response = client.get(path, headers=signed_headers(name, "reminder", uuid4(), issuer="reminders"))

    assert response.status_code == 401


def test_the_gateways_and_the_operators_tokens_are_accepted(service):
    name, client, path = service

    assert client.get(path, headers=signed_headers(name, "admin", uuid4())).status_code == 200
    assert client.get(path, headers=signed_headers(name, "system")).status_code == 200


def test_health_and_readiness_need_no_token(service):
    name, client, path = service

    assert client.get("/healthz").status_code == 200
    # Ready once started (matching: once the members topic is read, a moment after start-up).
    eventually(lambda: client.get("/readyz").status_code == 200, 60, message="ready")


def test_during_a_rotation_both_keys_work_and_the_retired_one_stops_working(kafka_bootstrap, tmp_path):
    old, new = new_signing_key("gateway"), new_signing_key("gateway")
    operator = new_signing_key("operator")

    def tasks_trusting(*keys):
        listed = ",".join(key.trusted_key(issuer).text for issuer, key in keys)
        return TestClient(tasks_app(settings_of("tasks", tmp_path, kafka_bootstrap, token_issuer_keys=listed)))

    with tasks_trusting(("gateway", old), ("gateway", new), ("operator", operator)) as during:
        assert during.get("/tasks", headers=signed_headers("tasks", "volunteer", uuid4(), key=old)).status_code == 200
        assert during.get("/tasks", headers=signed_headers("tasks", "volunteer", uuid4(), key=new)).status_code == 200
        assert during.get("/tasks", headers=signed_headers("tasks", "system", key=operator)).status_code == 200
        # Configured keys replace the development ones.
        assert during.get("/tasks", headers=signed_headers("tasks", "volunteer", uuid4())).status_code == 401
    with tasks_trusting(("gateway", new), ("operator", operator)) as after:
        assert after.get("/tasks", headers=signed_headers("tasks", "volunteer", uuid4(), key=old)).status_code == 401
        assert after.get("/tasks", headers=signed_headers("tasks", "volunteer", uuid4(), key=new)).status_code == 200
