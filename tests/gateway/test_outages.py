"""When something the gateway needs is down, GraphQL says so with a typed result, Unavailable
(try again), never "something went wrong" nor a validation problem: a service answering 503, a
service not answering at all, and the gateway's own database stopped for real."""

from __future__ import annotations

import httpx
import pytest

from tests.gateway.test_http_edges import FakeServices, make_client, post
from tests.support.own_postgres import own_postgres_server

REGISTER = {
    "query": """mutation { registerMember(input: {email: "ana@example.org", password: "a long password",
  displayName: "Ana", contacts: {email: {value: "ana@example.org", consent: true}}}) {
  __typename ... on Problem { message } ... on Unavailable { retryAfterSeconds } } }"""
}
LOGIN = {
    "query": """mutation { login(email: "ana@example.org", password: "a long password") {
  __typename ... on Problem { message } ... on Unavailable { retryAfterSeconds } } }"""
}

ADMIN_LOGIN = {
    "query": """mutation { login(email: "founder@example.org", password: "a long admin password") {
  ... on AuthPayload { token } } }"""
}


class MembersDown(FakeServices):
    def __init__(self, how: str):
        super().__init__()
        self.how = how

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.host != "members.test" or request.method != "POST":
            return super().__call__(request)
        if self.how == "refused":
            raise httpx.ConnectError("connection refused", request=request)
        return httpx.Response(
            503,
            headers={"retry-after": "7"},
            json={
                "type": "/problems/service-unavailable",
                "title": "Briefly unavailable",
                "status": 503,
                "detail": "The database is not answering; try again in 7 seconds.",
                "retry_after_seconds": 7,
            },
        )


@pytest.mark.parametrize(
    "how, message, retry_after",
    [
        ("503", "The database is not answering; try again in 7 seconds.", 7),
        ("refused", "The members service is not answering; try again in a moment.", 5),
    ],
)
def test_a_mutation_needing_a_service_that_is_down_answers_unavailable(tmp_path, how, message, retry_after):
    with make_client(tmp_path, MembersDown(how)) as client:
        answer = post(client, REGISTER).json()

    assert answer == {
        "data": {"registerMember": {"__typename": "Unavailable", "message": message, "retryAfterSeconds": retry_after}}
    }


@pytest.mark.postgres
def test_with_its_own_database_stopped_the_gateway_answers_unavailable_then_recovers(tmp_path):
    admin = {"bootstrap_admin_email": "founder@example.org", "bootstrap_admin_password": "a long admin password"}
    with own_postgres_server() as postgres:
        with make_client(tmp_path, FakeServices(), database_url=postgres.url, **admin) as client:
            token = post(client, ADMIN_LOGIN).json()["data"]["login"]["token"]
            signed_in = {"authorization": f"Bearer {token}"}
            postgres.stop()
            during = post(client, LOGIN)
            me_during = post(client, {"query": "{ me { role } }"}, headers=signed_in)
            postgres.start()
            after = post(client, LOGIN)
            me_after = post(client, {"query": "{ me { role } }"}, headers=signed_in)

    assert during.status_code == 200
    assert during.json()["data"]["login"]["__typename"] == "Unavailable", during.text
    assert "try again" in during.json()["data"]["login"]["message"]
    error = me_during.json()["errors"][0]
    assert error["extensions"]["code"] == "SERVICE_UNAVAILABLE" and "try again" in error["message"], me_during.text
    assert after.json()["data"]["login"]["__typename"] == "LoginFailed"
    assert me_after.json() == {"data": {"me": {"role": "ADMIN"}}}
