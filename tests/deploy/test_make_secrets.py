"""deploy/make_secrets.py: fresh, private, consistent secret files the services accept in production."""

from __future__ import annotations

import stat
from uuid import uuid4

import pytest

from deploy import make_secrets
from services.common.identity import SigningKey, TokenIssuer, development_key
from tests.support.service_tokens import real_trusted_keys


def read(path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text().splitlines())


def test_one_private_file_per_container_and_one_for_the_operator(tmp_path):
    written = make_secrets.write_secret_files(tmp_path, make_secrets.secret_files())

    assert sorted(path.name for path in written) == [
        "gateway.env",
        "matching.env",
        "members.env",
        "notifications.env",
        "operator.env",
        "postgres.env",
        "tasks.env",
    ]
    for path in written:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_each_service_holds_only_its_own_secrets():
    files = make_secrets.secret_files()
    for service in make_secrets.SERVICES:
        assert all(name.startswith(service.upper() + "_") for name in files[f"{service}.env"])


def test_existing_secrets_are_never_overwritten(tmp_path):
    make_secrets.write_secret_files(tmp_path, make_secrets.secret_files())
    before = (tmp_path / "members.env").read_text()

    with pytest.raises(FileExistsError, match="not overwritten"):
        make_secrets.write_secret_files(tmp_path, make_secrets.secret_files())
    assert (tmp_path / "members.env").read_text() == before


def test_database_urls_use_the_passwords_that_create_the_roles(tmp_path):
    make_secrets.main(["--dir", str(tmp_path), "--postgres-host", "db.internal", "--postgres-port", "6432"])

    passwords = read(tmp_path / "postgres.env")
    for service in make_secrets.SERVICES:
        url = read(tmp_path / f"{service}.env")[f"{service.upper()}_DATABASE_URL"]
        password = passwords[f"{service.upper()}_DB_PASSWORD"]
        assert url == f"postgresql://{service}:{password}@db.internal:6432/{service}"


def test_two_runs_never_share_a_secret():
    first, second = make_secrets.secret_files(), make_secrets.secret_files()
    values = lambda files: {value for variables in files.values() for value in variables.values()}  # noqa: E731
    assert not values(first) & values(second)


def test_the_services_accept_the_generated_secrets_in_production(tmp_path, monkeypatch):
    from gateway.config import Settings as GatewaySettings
    from services.members.config import Settings as MembersSettings

    make_secrets.write_secret_files(tmp_path, make_secrets.secret_files())
    monkeypatch.setenv("ENVIRONMENT", "production")
    for service in ("members", "gateway"):
        for name, value in read(tmp_path / f"{service}.env").items():
            monkeypatch.setenv(name, value)

    members = MembersSettings()
    assert len(members.encryption_key_list()) == 1 and len(members.encryption_key_list()[0]) == 32
    gateway = GatewaySettings()
    assert gateway.jwt_secret and gateway.data_key and not gateway.is_development
    # The members service believes the gateway's tokens, and the operator's for the system role.
    operator_key = SigningKey.parse(read(tmp_path / "operator.env")["OPERATOR_TOKEN_KEY"])
    for tokens, role in (
        (gateway.service_token_issuer(), "volunteer"),
        (TokenIssuer("operator", operator_key), "system"),
    ):
        assert members.token_verifier.verify(tokens.issue("members", role, uuid4())).role == role


def test_services_refuse_missing_or_development_token_keys_in_production(monkeypatch):
    from services.tasks.config import Settings as TasksSettings

    monkeypatch.setenv("ENVIRONMENT", "production")
    with pytest.raises(ValueError, match="TASKS_TOKEN_ISSUER_KEYS must list the public keys"):
        TasksSettings()
    monkeypatch.setenv("TASKS_TOKEN_ISSUER_KEYS", development_key("gateway").trusted_key("gateway").text)
    with pytest.raises(ValueError, match="'gateway-development' is a development key"):
        TasksSettings()


def test_production_refuses_the_example_placeholders(monkeypatch):
    from gateway.config import Settings as GatewaySettings
    from services.members.config import Settings as MembersSettings

    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.setenv("MEMBERS_TOKEN_ISSUER_KEYS", "change-me")
    with pytest.raises(ValueError, match="MEMBERS_TOKEN_ISSUER_KEYS: a trusted key reads issuer:kid:public-key"):
        MembersSettings()
    monkeypatch.setenv("MEMBERS_TOKEN_ISSUER_KEYS", real_trusted_keys())
    monkeypatch.setenv("MEMBERS_ENCRYPTION_KEYS", "change-me")
    with pytest.raises(ValueError, match="MEMBERS_ENCRYPTION_KEYS"):
        MembersSettings()
    monkeypatch.setenv("GATEWAY_SERVICE_TOKEN_KEY", "change-me")
    with pytest.raises(ValueError, match="GATEWAY_SERVICE_TOKEN_KEY: a signing key reads kid:private-key"):
        GatewaySettings(jwt_secret="x" * 40, data_key="y" * 40)


def test_matching_believes_the_notifications_service_for_a_task_s_diagnosis_in_production(tmp_path, monkeypatch):
    from services.matching.config import Settings as MatchingSettings
    from services.notifications.config import Settings as NotificationsSettings

    make_secrets.write_secret_files(tmp_path, make_secrets.secret_files())
    monkeypatch.setenv("ENVIRONMENT", "production")
    for service in ("matching", "notifications"):
        for name, value in read(tmp_path / f"{service}.env").items():
            monkeypatch.setenv(name, value)

    token = NotificationsSettings().service_token_issuer().issue("matching", "notifier")
    assert MatchingSettings().token_verifier.verify(token).issuer == "notifications"
