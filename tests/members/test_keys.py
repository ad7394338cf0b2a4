"""Encryption keys: configuration rules and the rotation procedure of KEY_ROTATION.md."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlmodel import Session, select

from services.common.db import make_engine
from services.members.config import Settings
from services.members.crypto import FieldCipher, UndecryptableData, generate_key
from services.members.keys import key_usage, rotate_keys
from services.members.main import create_app
from services.members.models import Member
from services.members.personal_data import unseal
from tests.support.members_app import ADMIN, members_settings, register
from tests.support.processes import REPO
from tests.support.service_tokens import real_trusted_keys

OLD_KEY, NEW_KEY = generate_key(), generate_key()


def contact_of(client: TestClient, member_id: str):
    return client.get(f"/members/{member_id}/contact", params={"purpose": "member_support"}, headers=ADMIN)


def test_a_placeholder_key_is_refused_outside_development():
    with pytest.raises(ValidationError, match="MEMBERS_ENCRYPTION_KEYS must be set to a real secret"):
        Settings(
            environment="production", token_issuer_keys=real_trusted_keys(), encryption_keys="dev-only-insecure-secret"
        )
    with pytest.raises(ValidationError, match="32 random bytes"):
        Settings(environment="production", token_issuer_keys=real_trusted_keys(), encryption_keys="not-a-key")
    settings = Settings(
        environment="production", token_issuer_keys=real_trusted_keys(), encryption_keys=f"{NEW_KEY},{OLD_KEY}"
    )
    assert len(settings.encryption_key_list()) == 2
    assert len(Settings(environment="development").encryption_key_list()) == 1


def test_a_sealed_value_opens_only_with_its_key_and_in_its_own_row():
    cipher = FieldCipher([Settings(encryption_keys=OLD_KEY).encryption_key_list()[0]])
    sealed = cipher.seal(b"marisol.quispe@example.org", "member:1:personal_data")
    assert cipher.open(sealed, "member:1:personal_data") == b"marisol.quispe@example.org"
    with pytest.raises(UndecryptableData, match="belongs elsewhere"):
        cipher.open(sealed, "member:2:personal_data")
    with pytest.raises(UndecryptableData, match="no longer configured"):
        Settings(encryption_keys=NEW_KEY).cipher().open(sealed, "member:1:personal_data")


@pytest.mark.kafka
@pytest.mark.postgres
def test_rotating_keys_reseals_every_row_so_the_old_key_can_be_dropped(database_url, kafka_bootstrap, topic_prefix):
    def app_with(keys: str):
        return TestClient(
            create_app(members_settings(database_url, kafka_bootstrap, topic_prefix, encryption_keys=keys))
        )

    with app_with(OLD_KEY) as client:
        members = [register(client)["id"] for _ in range(3)]
    with app_with(f"{NEW_KEY},{OLD_KEY}") as client:  # step 1: new key first, old key still readable
        members.append(register(client)["id"])
        assert all(contact_of(client, m).status_code == 200 for m in members)

    settings = members_settings(database_url, kafka_bootstrap, topic_prefix, encryption_keys=f"{NEW_KEY},{OLD_KEY}")
    engine = make_engine(database_url)
    assert rotate_keys(engine, settings.cipher(), batch_size=2) == {"resealed": 3, "already_current": 1}
    usage = key_usage(engine, settings.cipher())
    assert usage == {"newest": usage["newest"], usage["newest"]: 4}

    # Step 3: the old key is gone and every row still opens.
    new_key_only = members_settings(database_url, kafka_bootstrap, topic_prefix, encryption_keys=NEW_KEY).cipher()
    with Session(engine) as session:
        rows = session.exec(select(Member)).all()
        assert [unseal(new_key_only, row).contacts.email.value for row in rows] == ["marisol.quispe@example.org"] * 4
    engine.dispose()


@pytest.mark.kafka
def test_the_rotate_keys_command_reports_what_it_did(new_database, kafka_bootstrap, topic_prefix):
    database_url = new_database("sqlite", "rotation")
    with TestClient(
        create_app(members_settings(database_url, kafka_bootstrap, topic_prefix, encryption_keys=OLD_KEY))
    ) as client:
        register(client)
    env = os.environ | {
        "MEMBERS_DATABASE_URL": database_url,
        "MEMBERS_ENCRYPTION_KEYS": f"{NEW_KEY},{OLD_KEY}",
        "MEMBERS_TOKEN_ISSUER_KEYS": real_trusted_keys(),
        "ENVIRONMENT": "production",
    }
    result = subprocess.run(
        [sys.executable, "-m", "services.members", "rotate-keys"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    rotated, usage = (json.loads(line) for line in result.stdout.strip().splitlines()[-2:])
    assert rotated == {"resealed": 1, "already_current": 0}
    assert usage[usage["newest"]] == 1 and len(usage) == 2
