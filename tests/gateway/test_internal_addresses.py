"""The gateway's internal read of a coordinator's delivery address: the notifications service
only, proven by its signed identity, and every read recorded."""

from __future__ import annotations

from uuid import uuid4

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from gateway.app import create_app
from gateway.config import Settings
from gateway.models import AddressRead, Role
from services.common import answer_links
from services.common.identity import NOTIFIER, SigningKey, development_key, new_signing_key
from tests.support.service_tokens import signed_headers

SECRET = "unit-test-secret-0123456789-abcdefghij"
DEV_NOTIFIER_KEY = development_key("notifications").trusted_key("notifications").text
NOTIFIER_HEADERS = signed_headers("gateway", NOTIFIER, issuer="notifications")


@pytest.fixture
def client(tmp_path):
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'gateway.db'}",
        environment="test",
        live_updates=False,
        members_url="http://members.test",
        tasks_url="http://tasks.test",
        matching_url="http://matching.test",
        jwt_secret=SECRET,
        data_key=SECRET,
        answer_link_public_key=answer_links.new_key_pair()[1],
    )
    unreachable = httpx.MockTransport(lambda request: httpx.Response(503))
    with TestClient(create_app(settings, transport=unreachable)) as test_client:
        yield test_client


def account(client, role: Role, email: str | None = None):
    email = email or f"someone-{uuid4().hex[:8]}@example.org"
    return client.app.state.gateway.accounts.create(email, "a long enough password 1", role, locale="fr")


def read(client, account_id, headers=None, purpose="notification") -> httpx.Response:
    return client.get(
        f"/internal/accounts/{account_id}/delivery-address", params={"purpose": purpose}, headers=headers or {}
    )


def reads(client) -> list[AddressRead]:
    with Session(client.app.state.gateway.engine) as session:
        return list(session.exec(select(AddressRead)).all())


def test_the_notifications_service_reads_a_coordinators_address_and_the_read_is_recorded(client):
    coordinator = account(client, Role.coordinator, "Coord.Inator@Example.org")

    response = read(client, coordinator.id, NOTIFIER_HEADERS)

    assert response.status_code == 200, response.text
    assert response.json() == {"address": "coord.inator@example.org", "language": "fr"}
    [entry] = reads(client)
    assert (entry.account_id, entry.reader, entry.purpose) == (coordinator.id, "notifications:notifier", "notification")
    assert entry.read_at is not None


def forged_notifier() -> dict:
    """A token that says it comes from the notifications service, under its development key's
    name, but signed with another key."""
    impostor = new_signing_key("notifications")
    key = SigningKey("notifications-development", impostor.private_key)
    return dict(signed_headers("gateway", NOTIFIER, issuer="notifications", key=key))


@pytest.mark.parametrize(
    "caller, status",
    [
        (None, 401),
        ("volunteer access token", 401),
        (signed_headers("gateway", "volunteer", uuid4()), 401),  # the gateway's own key is not trusted here
        (signed_headers("gateway", "gateway"), 401),
        (signed_headers("gateway", "admin", uuid4()), 401),
        (signed_headers("members", NOTIFIER, issuer="notifications"), 401),  # meant for another service
        (signed_headers("gateway", "system", issuer="notifications"), 403),  # a role it may not assert here
        (signed_headers("gateway", NOTIFIER, issuer="operator"), 401),
        ("forged", 401),
    ],
)
def test_everyone_else_is_refused_and_nothing_is_recorded(client, caller, status):
    coordinator = account(client, Role.coordinator)
    volunteer = account(client, Role.volunteer)
    if caller == "volunteer access token":
        token = client.app.state.gateway.tokens.issue(volunteer.id, "volunteer", volunteer.token_version).token
        caller = {"Authorization": f"Bearer {token}"}
    elif caller == "forged":
        caller = forged_notifier()

    response = read(client, coordinator.id, caller)

    assert response.status_code == status, response.text
    assert "example.org" not in response.text
    assert reads(client) == []


def test_only_active_coordinators_and_admins_for_a_notification(client):
    volunteer = account(client, Role.volunteer)
    disabled = account(client, Role.coordinator)
    client.app.state.gateway.accounts.set_active(disabled.id, False)
    admin = account(client, Role.admin)

    assert read(client, volunteer.id, NOTIFIER_HEADERS).status_code == 404
    assert read(client, disabled.id, NOTIFIER_HEADERS).status_code == 404
    assert read(client, uuid4(), NOTIFIER_HEADERS).status_code == 404
    assert read(client, admin.id, NOTIFIER_HEADERS, purpose="marketing").status_code == 422
    assert reads(client) == []
    assert read(client, admin.id, NOTIFIER_HEADERS).status_code == 200
    assert [entry.account_id for entry in reads(client)] == [admin.id]


def test_the_route_is_in_no_public_document(client):
    assert not [path for path in client.app.openapi()["paths"] if path.startswith("/internal")]
    schema = client.post("/graphql", json={"query": "{ __schema { queryType { fields { name } } } }"}).text
    assert "deliveryAddress" not in schema


def test_outside_development_the_notifications_key_must_be_listed():
    # Only the internal callers' keys are looked at here: the settings' other checks are tested elsewhere.
    for listed, refusal in (
        ("", "must list the public keys"),
        (DEV_NOTIFIER_KEY, "development key"),
        (new_signing_key("gateway").trusted_key("gateway").text, "may assert no role"),
    ):
        production = Settings.model_construct(environment="production", token_issuer_keys=listed)
        with pytest.raises(ValueError, match=refusal):
            production.internal_token_verifier  # noqa: B018
    real = new_signing_key("notifications")
    production = Settings.model_construct(
        environment="production", token_issuer_keys=real.trusted_key("notifications").text
    )
    assert (
        production.internal_token_verifier.verify(
            signed_headers("gateway", NOTIFIER, issuer="notifications", key=real).token()
        ).role
        == NOTIFIER
    )


def test_the_generated_production_secrets_let_the_notifications_service_in_and_no_one_else(tmp_path, monkeypatch):
    from deploy import make_secrets

    make_secrets.write_secret_files(tmp_path, make_secrets.secret_files())
    values = {}
    for name in ("gateway.env", "notifications.env"):
        values |= dict(line.split("=", 1) for line in (tmp_path / name).read_text().splitlines() if "=" in line)
    monkeypatch.setenv("ENVIRONMENT", "production")
    for name, value in values.items():
        if name.startswith("GATEWAY_"):
            monkeypatch.setenv(name, value)
    gateway = Settings()
    notifier_key = SigningKey.parse(values["NOTIFICATIONS_SERVICE_TOKEN_KEY"])
    gateway_key = SigningKey.parse(values["GATEWAY_SERVICE_TOKEN_KEY"])

    verified = gateway.internal_token_verifier.verify(
        signed_headers("gateway", NOTIFIER, issuer="notifications", key=notifier_key).token()
    )
    assert (verified.issuer, verified.role) == ("notifications", NOTIFIER)
    with pytest.raises(Exception, match="not trusted"):
        gateway.internal_token_verifier.verify(signed_headers("gateway", "gateway", key=gateway_key).token())
