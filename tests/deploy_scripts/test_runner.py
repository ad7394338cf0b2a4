"""./start.sh on one machine: the apps run here exactly as deploy/runner.py starts them (real
uvicorn processes). Every local client is 127.0.0.1, so a forwarded address it makes up must not
give it a fresh rate limit; and the services believe the keys the runner made, not the
well-known development ones."""

from __future__ import annotations

import httpx

from deploy import demo_data, kafka_broker, runner
from services.common.identity import SigningKey
from tests.support.infra import new_sqlite_database, new_topic_prefix
from tests.support.processes import eventually, free_port
from tests.support.service_tokens import signed_headers

QUERY = {"query": "{ __typename }"}


def start_like_the_runner(module: str, env: dict[str, str]) -> tuple[runner.Part, object]:
    part = runner.Part(f"{module.split('.')[-2]}-runner-test-{free_port()}", module, free_port())
    process = runner.start_part(part, env)
    try:
        eventually(lambda: _ready(part), 90, message=f"{module} started by the runner is ready")
    except BaseException:
        runner.stop_process(part.name, process)
        raise
    return part, process


def start_gateway_like_the_runner(tmp_path, **settings) -> tuple[runner.Part, object]:
    env = (
        runner.service_env("127.0.0.1:1", runner.parts(), runner.local_mailpit())
        | {
            "ENVIRONMENT": "test",
            "GATEWAY_LIVE_UPDATES": "false",
            "GATEWAY_DATABASE_URL": f"sqlite:///{tmp_path / 'gateway.db'}",
        }
        | settings
    )
    return start_like_the_runner("gateway.main", env)


def _ready(part) -> bool:
    try:
        return httpx.get(part.url + "/readyz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def test_rotating_x_forwarded_for_does_not_escape_the_anonymous_limit(tmp_path):
    part, process = start_gateway_like_the_runner(tmp_path, GATEWAY_RATE_LIMIT_PUBLIC_PER_MINUTE="3")
    try:
        statuses = [
            httpx.post(
                part.url + "/graphql", json=QUERY, headers={"X-Forwarded-For": f"203.0.113.{n}"}, timeout=10
            ).status_code
            for n in range(1, 6)
        ]
    finally:
        runner.stop_process(part.name, process)

    assert statuses == [200, 200, 200, 429, 429]


def test_a_configured_proxy_forwards_each_visitors_own_address(tmp_path):
    part, process = start_gateway_like_the_runner(
        tmp_path, GATEWAY_RATE_LIMIT_PUBLIC_PER_MINUTE="2", GATEWAY_TRUSTED_PROXIES="127.0.0.1"
    )
    try:

        def from_visitor(address: str) -> int:
            return httpx.post(
                part.url + "/graphql", json=QUERY, headers={"X-Forwarded-For": address}, timeout=10
            ).status_code

        first = [from_visitor("203.0.113.7") for _ in range(3)]
        second = [from_visitor("203.0.113.8") for _ in range(2)]
        # What a visitor writes to the left of the proxy's own entry is not believed.
        spoofed = from_visitor("198.51.100.1, 203.0.113.7")
    finally:
        runner.stop_process(part.name, process)

    assert first == [200, 200, 429]
    assert second == [200, 200]
    assert spoofed == 429


def test_the_services_believe_the_keys_the_runner_made_and_not_the_development_ones(tmp_path, kafka_bootstrap):
    env = runner.service_env(kafka_bootstrap, runner.parts(), runner.local_mailpit()) | {
        "ENVIRONMENT": "development",
        "KAFKA_TOPIC_PREFIX": new_topic_prefix(),
        "MEMBERS_DATABASE_URL": new_sqlite_database(tmp_path, "members"),
    }
    gateway_key = SigningKey.parse(env["GATEWAY_SERVICE_TOKEN_KEY"])
    part, process = start_like_the_runner("services.members.main", env)
    try:

        def skills(headers) -> int:
            return httpx.get(part.url + "/skills", headers=headers, timeout=10).status_code

        statuses = (
            skills(signed_headers("members", "public", key=gateway_key)),
            skills(signed_headers("members", "public")),
            skills({}),
        )
    finally:
        runner.stop_process(part.name, process)

    assert statuses == (200, 401, 401)
    assert "OPERATOR_TOKEN_KEY" not in env  # kept in var/service-token-keys.env for the operator, given to no app


# --- What it prints and takes: clean wording on --fresh, demo logins on every start, partner origins


def test_fresh_says_what_it_forgets_and_nothing_that_reads_like_an_error(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(runner, "REPO", tmp_path)
    monkeypatch.setattr(kafka_broker, "REPO", tmp_path)
    (tmp_path / "var").mkdir()
    (tmp_path / "var" / "members.db").write_text("old")
    broker = kafka_broker.Broker(port=29992, controller_port=29993)  # nothing runs there

    runner.forget_local_data(broker)

    printed = capsys.readouterr().out
    assert "no Kafka running" not in printed
    assert "forgetting the local databases" in printed
    assert not (tmp_path / "var" / "members.db").exists()


class LoadedGateway:
    """A gateway where the demo coordinator can already log in."""

    def __init__(self, url: str):
        self.url = url

    def login(self, email: str, password: str) -> str:
        return "a token"


def test_a_restart_prints_the_demo_logins_again(monkeypatch):
    monkeypatch.setattr(demo_data, "Client", LoadedGateway)

    printed = demo_data.load_demo_data("http://127.0.0.1:1")

    assert printed.startswith("demo data already loaded")
    assert demo_data.COORDINATOR[0] in printed and demo_data.COORDINATOR[1] in printed
    assert demo_data.ADMIN[0] in printed and demo_data.VOLUNTEER_PASSWORD in printed


def test_widget_origins_given_to_start_reach_the_gateway(monkeypatch):
    monkeypatch.setenv("GATEWAY_WIDGET_ORIGINS", "")

    runner.parse_options(["--widget-origins", "https://tenants.example.org,https://mutual-aid.example"])
    env = runner.service_env("127.0.0.1:9092", runner.parts(), runner.local_mailpit())

    assert env["GATEWAY_WIDGET_ORIGINS"] == "https://tenants.example.org,https://mutual-aid.example"


def test_local_keys_made_before_a_service_trusted_a_new_caller_are_made_anew(tmp_path):
    path = tmp_path / "service-token-keys.env"
    made = runner.local_token_keys(path)
    assert runner.local_token_keys(path) == made  # read back, not made again
    # As an older version wrote them: matching trusted the gateway and the operator only.
    older = made | {"MATCHING_TOKEN_ISSUER_KEYS": made["TASKS_TOKEN_ISSUER_KEYS"]}
    path.write_text("".join(f"{name}={value}\n" for name, value in older.items()))

    again = runner.local_token_keys(path)
    issuers = {key.split(":", 1)[0] for key in again["MATCHING_TOKEN_ISSUER_KEYS"].split(",")}
    assert issuers == {"gateway", "operator", "notifications"} and again != made
