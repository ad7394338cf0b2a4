"""Under ./start.sh every client is 127.0.0.1: a forwarded address it makes up must not give it a
fresh rate limit. The gateway runs here exactly as deploy/runner.py starts it, a real uvicorn."""

from __future__ import annotations

import httpx

from deploy import runner
from tests.support.processes import eventually, free_port

QUERY = {"query": "{ __typename }"}


def start_gateway_like_the_runner(tmp_path, **settings) -> tuple[runner.Part, object]:
    part = runner.Part(f"gateway-forwarded-{free_port()}", "gateway.main", free_port())
    env = runner.service_env("127.0.0.1:1", runner.parts()) | {
        "ENVIRONMENT": "test", "GATEWAY_LIVE_UPDATES": "false",
        "GATEWAY_DATABASE_URL": f"sqlite:///{tmp_path / 'gateway.db'}",
    } | settings
    process = runner.start_part(part, env)
    try:
        eventually(lambda: _ready(part), 90, message="the gateway started by the runner is ready")
    except BaseException:
        runner.stop_process(part.name, process)
        raise
    return part, process


def _ready(part) -> bool:
    try:
        return httpx.get(part.url + "/readyz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def test_rotating_x_forwarded_for_does_not_escape_the_anonymous_limit(tmp_path):
    part, process = start_gateway_like_the_runner(tmp_path, GATEWAY_RATE_LIMIT_PUBLIC_PER_MINUTE="3")
    try:
        statuses = [
            httpx.post(part.url + "/graphql", json=QUERY, headers={"X-Forwarded-For": f"203.0.113.{n}"},
                       timeout=10).status_code
            for n in range(1, 6)
        ]
    finally:
        runner.stop_process(part.name, process)

    assert statuses == [200, 200, 200, 429, 429]


def test_a_configured_proxy_forwards_each_visitors_own_address(tmp_path):
    part, process = start_gateway_like_the_runner(
        tmp_path, GATEWAY_RATE_LIMIT_PUBLIC_PER_MINUTE="2", GATEWAY_TRUSTED_PROXIES="127.0.0.1")
    try:
        def from_visitor(address: str) -> int:
            return httpx.post(part.url + "/graphql", json=QUERY, headers={"X-Forwarded-For": address},
                              timeout=10).status_code

        first = [from_visitor("203.0.113.7") for _ in range(3)]
        second = [from_visitor("203.0.113.8") for _ in range(2)]
        # What a visitor writes to the left of the proxy's own entry is not believed.
        spoofed = from_visitor("198.51.100.1, 203.0.113.7")
    finally:
        runner.stop_process(part.name, process)

    assert first == [200, 200, 429]
    assert second == [200, 200]
    assert spoofed == 429
