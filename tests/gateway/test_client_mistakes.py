"""A client's mistake is a 400 the person can act on, never a 500: bodies too deep, bytes that are
not text, lone surrogates, subscriptions sent over HTTP (services stood in for as in test_http_edges)."""

from __future__ import annotations

import json

import pytest

from tests.gateway.test_http_edges import client, post, services  # noqa: F401  (fixtures)

REGISTER = """mutation($name: String!) { registerMember(input: {email: "ana@example.org",
  password: "a long password", displayName: $name, contacts: {}}) { __typename } }"""


def test_a_body_nested_thirty_thousand_levels_deep_is_a_400(client):
    body = b'{"query": "{ skills { slug } }", "variables": {"x": ' + b"[" * 30_000 + b"]" * 30_000 + b"}}"

    response = post(client, body)

    assert len(body) < 64 * 1024
    assert response.status_code == 400
    assert "nested too deeply" in response.text


def test_a_body_that_is_not_utf8_is_a_400(client):
    response = post(client, b'{"query": "{ skills { slug } }", "operationName": "\xff\xfe"}')

    assert response.status_code == 400
    assert "not valid UTF-8" in response.text


@pytest.mark.parametrize("variables", [{"name": "\ud800"}, {"name": "Ana", "\udfff": 1}])
def test_a_lone_surrogate_in_any_string_is_a_400(client, services, variables):
    response = post(client, json.dumps({"query": REGISTER, "variables": variables}))

    assert response.status_code == 400
    assert "surrogate" in response.text.lower()
    assert not [call for call in services.calls if "members" in call]


def test_a_subscription_sent_over_http_post_is_a_400_pointing_to_websockets(client):
    response = post(client, {"query": "subscription { openTasksChanged { taskId } }"})

    assert response.status_code == 400
    assert "open a WebSocket to /graphql" in response.text
