"""The gateway's HTTP edge on its own: the services are stood in for by an httpx MockTransport
(a unit test of the gateway's layers; the same behaviour end to end is in test_flows)."""

from __future__ import annotations

import json
from uuid import uuid4

import httpx
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.websockets import WebSocketDisconnect

from gateway.app import create_app
from gateway.config import Settings
from services.common import answer_links
from services.common.identity import (
    DEFAULT_ISSUER_ROLES,
    TokenVerifier,
    Unauthenticated,
    development_key,
    new_signing_key,
)

TASK_ID = str(uuid4())
TASK = {
    "id": TASK_ID,
    "organization_id": str(uuid4()),
    "coordinator_id": str(uuid4()),
    "status": "open",
    "title": "Accompany a family to a hearing",
    "summary": "Court house, Spanish",
    "description": "Call Ana: 514 555 0100",
    "campaign": None,
    "skills": [{"skill": "accompaniment", "min_level": "capable"}],
    "languages": ["es"],
    "slots": 3,
    "starts_at": "2027-03-02T14:00:00Z",
    "ends_at": "2027-03-02T17:00:00Z",
    "deadline": None,
    "area": "montreal-nord",
    "remote": False,
    "urgency": "high",
    "time_zone": "America/Toronto",
    "flexible": False,
    "has_address": True,
    "accepted_count": 1,
    "created_at": "2027-01-01T00:00:00Z",
    "updated_at": "2027-01-01T00:00:00Z",
}
OPEN_TASKS = "{ openTasks { totalCount nodes { id title openSlots areaName skills { name minLevel } } } }"


class FakeServices:
    """Answers like the members, tasks and matching services would; counts the calls."""

    def __init__(self):
        self.calls: list[str] = []
        self.authorizations: list[tuple[str, str]] = []
        self.tasks_down = False
        self.broken_task = False
        self.title = TASK["title"]

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls.append(f"{request.method} {request.url.host}{request.url.path}")
        self.authorizations.append((request.url.host, request.headers.get("authorization", "")))
        route = (request.url.host, request.method, request.url.path)
        if request.url.host == "tasks.test" and self.tasks_down:
            raise httpx.ConnectError("connection refused", request=request)
        if route == ("members.test", "GET", "/skills"):
            return httpx.Response(200, json={"items": [{"slug": "accompaniment", "name": "Accompaniment"}], "total": 1})
        if route == ("members.test", "GET", "/areas"):
            return httpx.Response(
                200,
                json={"items": [{"slug": "montreal-nord", "name": "Montréal-Nord", "city": "Montréal"}], "total": 1},
            )
        if route == ("tasks.test", "GET", "/tasks"):
            task = {k: v for k, v in TASK.items() if k != "title"} if self.broken_task else TASK | {"title": self.title}
            return httpx.Response(200, json={"items": [task], "total": 1, "limit": 20, "offset": 0})
        return httpx.Response(
            404, json={"type": "/problems/not-found", "title": "Not found", "status": 404, "detail": "no such thing"}
        )


@pytest.fixture
def services() -> FakeServices:
    return FakeServices()


def notifier_key() -> str:
    """The notifications service's public key, which the gateway must list outside development."""
    return new_signing_key("notifications").trusted_key("notifications").text


def make_client(tmp_path, services, **overrides) -> TestClient:
    values = dict(
        database_url=f"sqlite:///{tmp_path / 'gateway.db'}",
        environment="test",
        live_updates=False,
        members_url="http://members.test",
        tasks_url="http://tasks.test",
        matching_url="http://matching.test",
        widget_origins=["http://partner.example"],
        jwt_secret="unit-test-secret-0123456789-abcdefghij",
        data_key="unit-test-secret-0123456789-abcdefghij",
        answer_link_public_key=answer_links.new_key_pair()[1],
    )
    return TestClient(create_app(Settings(**(values | overrides)), transport=httpx.MockTransport(services)))


@pytest.fixture
def client(tmp_path, services):
    with make_client(tmp_path, services) as test_client:
        yield test_client


def post(client, body, **kwargs) -> httpx.Response:
    return client.post(
        "/graphql",
        content=body if isinstance(body, (bytes, str)) else json.dumps(body),
        headers={"content-type": "application/json"} | kwargs.pop("headers", {}),
        **kwargs,
    )


def test_open_tasks_show_public_fields_only_and_come_from_the_cache_the_second_time(client, services):
    first = post(client, {"query": OPEN_TASKS}).json()
    second = post(client, {"query": OPEN_TASKS}).json()

    assert (
        first
        == second
        == {
            "data": {
                "openTasks": {
                    "totalCount": 1,
                    "nodes": [
                        {
                            "id": TASK_ID,
                            "title": "Accompany a family to a hearing",
                            "openSlots": 2,
                            "areaName": "Montréal-Nord",
                            "skills": [{"name": "Accompaniment", "minLevel": "CAPABLE"}],
                        }
                    ],
                }
            }
        }
    )
    assert services.calls.count("GET tasks.test/tasks") == 1
    everything = post(client, {"query": "{ openTasks { nodes { " + " ".join(PUBLIC_FIELDS) + " } } }"}).text
    assert "514 555" not in everything and TASK["coordinator_id"] not in everything


def response_cache(client):
    layer = client.app.middleware_stack
    while type(layer).__name__ != "PublicResponseCache":
        layer = layer.app
    return layer


def test_identical_anonymous_public_queries_are_served_whole_until_a_task_event(client, services):
    first = post(client, {"query": OPEN_TASKS}).json()
    services.title = "Accompany two families to a hearing"
    cached = post(client, {"query": OPEN_TASKS}).json()
    client.app.state.gateway.cache.invalidate_tasks()  # what the Kafka reader does on every task event
    fresh = post(client, {"query": OPEN_TASKS}).json()

    assert cached == first
    assert fresh["data"]["openTasks"]["nodes"][0]["title"] == "Accompany two families to a hearing"


def test_signed_in_personal_or_failed_requests_are_never_kept_whole(client):
    post(client, {"query": "{ openTasks { totalCount } me { id } }"})
    post(client, {"query": OPEN_TASKS}, headers={"authorization": "Bearer anything"})
    post(client, {"query": "{ openTasks(first: 0) { totalCount } }"})
    post(client, {"query": 'mutation { login(email: "a@example.org", password: "x") { __typename } }'})

    assert response_cache(client).entries == {}


PUBLIC_FIELDS = [
    "id",
    "title",
    "summary",
    "languages",
    "area",
    "areaName",
    "remote",
    "startsAt",
    "endsAt",
    "deadline",
    "urgency",
    "slots",
    "openSlots",
    "status",
    "skills { skill name minLevel }",
]


@pytest.mark.parametrize(
    "body, expected",
    [
        (b"{not json", "Unable to parse request body as JSON"),
        (b'[{"query": "{ skills { slug } }"}]', "Batching is not enabled"),
        (b'{"query": 42}', "must be a string"),
        (b'{"query": "{ skills { slug } }", "variables": "nope"}', "must be an object"),
        (b"{}", "No GraphQL query found in the request"),
    ],
)
def test_malformed_http_bodies_get_a_readable_400(client, body, expected):
    response = post(client, body)

    assert response.status_code == 400
    assert expected in response.text


def test_a_body_that_is_not_json_is_refused(client):
    response = client.post("/graphql", content=b"query=x", headers={"content-type": "text/plain"})

    assert response.status_code in (400, 415)
    assert "content type" in response.text.lower()


@pytest.mark.parametrize(
    "query, expected",
    [
        ("{ skills { slug ", "Syntax Error"),
        ("{ nothingHere }", "Cannot query field 'nothingHere'"),
        (
            "query($n: Int!) { openTasks(first: $n) { totalCount } }",
            "Expected a value of non-null type 'Int!' to be provided.",
        ),
        ("{ openTasks(first: 500) { totalCount } }", "first must be between 1 and 50"),
        ("{ " + " ".join(f"a{i}: skills {{ slug }}" for i in range(20)) + " }", "Too many aliases"),
    ],
)
def test_malformed_or_abusive_graphql_gets_a_400_naming_the_problem(client, query, expected):
    response = post(client, {"query": query})

    assert response.status_code == 400
    assert expected in response.json()["errors"][0]["message"]


def test_a_query_with_too_many_tokens_is_refused_before_parsing_it_all(client):
    response = post(client, {"query": "{ " + "skills { slug } " * 1500 + "}"})

    assert response.status_code == 400
    assert "token" in response.json()["errors"][0]["message"].lower()


def test_variables_of_the_wrong_type_are_a_400(client):
    response = post(
        client,
        {
            "query": "query($f: OpenTaskFilter) { openTasks(filter: $f) { totalCount } }",
            "variables": {"f": {"remote": "yes please"}},
        },
    )

    assert response.status_code == 400
    assert "Boolean cannot represent a non boolean value" in response.text


def test_a_body_over_the_limit_is_refused_with_413(client):
    big = json.dumps({"query": "{ skills { slug } }", "variables": {"x": "a" * 70_000}})

    response = post(client, big)
    streamed = client.post(
        "/graphql",
        content=iter([big[:40_000].encode(), big[40_000:].encode()]),
        headers={"content-type": "application/json"},
    )

    assert response.status_code == streamed.status_code == 413
    assert response.json()["type"] == "/problems/body-too-large"


def test_queries_over_get_are_not_accepted(client):
    response = client.get("/graphql", params={"query": "{ skills { slug } }"})

    assert 400 <= response.status_code < 500


def test_a_service_that_is_down_gives_a_readable_error_not_a_500(client, services):
    services.tasks_down = True

    response = post(client, {"query": OPEN_TASKS})

    assert response.status_code == 200
    error = response.json()["errors"][0]
    assert error["message"] == "The tasks service is not answering; try again in a moment."
    assert error["extensions"]["code"] == "SERVICE_UNAVAILABLE"


def test_an_unexpected_failure_is_masked_and_not_leaked(client, services):
    services.broken_task = True

    response = post(client, {"query": OPEN_TASKS})

    assert response.status_code == 200
    assert response.json()["errors"][0]["message"] == "Something went wrong on our side; it has been logged."
    assert "KeyError" not in response.text and "title" not in response.json()["errors"][0]["message"]


def test_anonymous_requests_are_rate_limited_per_address(tmp_path, services):
    with make_client(tmp_path, services, rate_limit_public_per_minute=3) as limited:
        statuses = [post(limited, {"query": "{ skills { slug } }"}).status_code for _ in range(4)]
        refused = post(limited, {"query": "{ skills { slug } }"})

    assert statuses == [200, 200, 200, 429]
    assert refused.json()["type"] == "/problems/rate-limited"
    assert int(refused.headers["retry-after"]) > 0


def test_login_attempts_are_rate_limited(tmp_path, services):
    login = {
        "query": 'mutation { login(email: "x@example.org", password: "guess-guess") { __typename '
        "... on RateLimited { retryAfterSeconds } } }"
    }
    with make_client(tmp_path, services, rate_limit_login_per_minute=2) as limited:
        answers = [post(limited, login).json()["data"]["login"]["__typename"] for _ in range(3)]

    assert answers == ["LoginFailed", "LoginFailed", "RateLimited"]


def test_cors_lets_allow_listed_widget_origins_in_and_no_one_else(client):
    def preflight(origin):
        return client.options(
            "/graphql",
            headers={
                "Origin": origin,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type",
            },
        )

    allowed, other = preflight("http://partner.example"), preflight("http://evil.example")

    assert allowed.headers["access-control-allow-origin"] == "http://partner.example"
    assert "access-control-allow-origin" not in other.headers


def test_websockets_from_origins_off_the_list_are_refused(client):
    with pytest.raises(WebSocketDisconnect):
        with client.websocket_connect(
            "/graphql", subprotocols=["graphql-transport-ws"], headers={"Origin": "http://evil.example"}
        ) as socket:
            socket.receive_text()


@pytest.mark.parametrize("payload", [{"token": "forged"}, {"token": 42}, {"Authorization": ["Bearer", "x"]}])
def test_a_websocket_with_a_bad_token_is_closed_at_connection_init(client, payload):
    with client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as socket:
        socket.send_json({"type": "connection_init", "payload": payload})
        with pytest.raises(WebSocketDisconnect) as closed:
            socket.receive_json()

    assert closed.value.code == 4403


def test_one_address_may_hold_only_so_many_websockets_at_once(tmp_path, services):
    with make_client(tmp_path, services, max_websockets_per_address=1) as limited:
        with limited.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]):
            with pytest.raises(WebSocketDisconnect) as refused:
                with limited.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as second:
                    second.receive_text()
        with limited.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as again:
            again.send_json({"type": "connection_init", "payload": {}})
            assert again.receive_json()["type"] == "connection_ack"

    assert refused.value.code == 1008


def test_pages_carry_a_strict_content_security_policy(client):
    page = client.get("/volunteer.html")
    widget = client.get("/widget.js")

    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert widget.headers["cross-origin-resource-policy"] == "cross-origin"


def test_graphiql_is_served_in_development_only(tmp_path, services):
    with make_client(tmp_path, services, environment="development") as development:
        assert "graphiql" in development.get("/graphql", headers={"accept": "text/html"}).text.lower()
    with make_client(
        tmp_path,
        services,
        environment="production",
        service_token_key=new_signing_key("gateway").text,
        token_issuer_keys=notifier_key(),
    ) as production:
        assert production.get("/graphql", headers={"accept": "text/html"}).status_code == 404


INTROSPECTION = {"query": "{ __schema { queryType { name } } }"}


def test_introspection_is_off_outside_development_unless_configured_on(tmp_path, services):
    signing_key, notifier = new_signing_key("gateway").text, notifier_key()
    with make_client(
        tmp_path, services, environment="production", service_token_key=signing_key, token_issuer_keys=notifier
    ) as production:
        refused = post(production, INTROSPECTION)
        typename = post(production, {"query": "{ __typename }"})
    with make_client(
        tmp_path,
        services,
        environment="production",
        introspection=True,
        service_token_key=signing_key,
        token_issuer_keys=notifier,
    ) as configured:
        allowed = post(configured, INTROSPECTION)
    with make_client(tmp_path, services, environment="development") as development:
        in_development = post(development, INTROSPECTION)

    assert refused.status_code == 400
    assert "introspection" in refused.json()["errors"][0]["message"].lower()
    assert typename.json() == {"data": {"__typename": "Query"}}
    assert allowed.json() == in_development.json() == {"data": {"__schema": {"queryType": {"name": "Query"}}}}


def test_an_admin_can_be_bootstrapped_from_the_environment(tmp_path, services):
    login = {
        "query": 'mutation { login(email: "founder@example.org", password: "a long admin password") '
        "{ __typename ... on AuthPayload { viewer { role } } } }"
    }
    with make_client(
        tmp_path,
        services,
        bootstrap_admin_email="founder@example.org",
        bootstrap_admin_password="a long admin password",
    ) as bootstrapped:
        answer = post(bootstrapped, login).json()["data"]["login"]

    assert answer == {"__typename": "AuthPayload", "viewer": {"role": "ADMIN"}}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=st.text(max_size=200))
def test_no_query_text_whatsoever_causes_a_500(client, query):
    response = post(client, {"query": query})

    assert response.status_code in (200, 400)


def test_an_authorization_header_that_proves_nothing_does_not_skip_the_anonymous_limit(tmp_path, services):
    garbage = {"authorization": "Bearer garbage"}
    with make_client(tmp_path, services, rate_limit_public_per_minute=3) as limited:
        statuses = [post(limited, {"query": "{ skills { slug } }"}, headers=garbage).status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]


def test_a_signed_in_person_is_counted_on_their_own_not_with_their_address(tmp_path, services):
    from gateway.auth.tokens import TokenService

    secret = "unit-test-secret-0123456789-abcdefghij"
    signed_in = {"authorization": f"Bearer {TokenService(secret, 600).issue(uuid4(), 'volunteer', 0).token}"}
    query = {"query": "{ skills { slug } }"}
    with make_client(tmp_path, services, rate_limit_public_per_minute=3) as limited:
        anonymous = [post(limited, query).status_code for _ in range(4)]
        theirs = [post(limited, query, headers=signed_in).status_code for _ in range(4)]

    assert anonymous == [200, 200, 200, 429]
    assert theirs == [200, 200, 200, 429]  # the same quota, their own


def test_each_service_call_carries_a_token_signed_for_that_service_alone(client, services):
    post(client, {"query": "{ skills { slug } openTasks { totalCount } }"})

    hosts = {host for host, _ in services.authorizations}
    assert hosts == {"members.test", "tasks.test"}
    for host, authorization in services.authorizations:
        service = host.removesuffix(".test")
        token = authorization.removeprefix("Bearer ")
        claims = TokenVerifier(
            service, [development_key("gateway").trusted_key("gateway")], DEFAULT_ISSUER_ROLES
        ).verify(token)
        assert (claims.issuer, claims.audience, claims.role, claims.actor_id) == ("gateway", service, "public", None)
        assert claims.expires_at - claims.issued_at == 60
        other = "tasks" if service == "members" else "members"
        with pytest.raises(Unauthenticated):
            TokenVerifier(other, [development_key("gateway").trusted_key("gateway")], DEFAULT_ISSUER_ROLES).verify(
                token
            )
