"""Privacy by design: names and contacts are unreadable at rest, absent from events, and every
read of them is audited without the audit log becoming a copy of them."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from services.common.contracts import MemberState
from services.common.envelope import Envelope
from tests.support.members_app import ADMIN, coordinator, register, volunteer
from tests.support.topic_reading import read_topic

pytestmark = pytest.mark.kafka

SECRETS = ["Marisol Quispe", "marisol.quispe@example.org", "514 555 0172", "5145550172", "marisol.27", "she/her"]


def raw_database_bytes(database_url: str) -> bytes:
    """What an attacker holding the database would read: the SQLite files, or every PostgreSQL row."""
    if database_url.startswith("sqlite"):
        path = Path(make_url(database_url).database)
        return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())
    chunks = []
    with psycopg.connect(database_url) as connection:
        tables = connection.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall()
        for (table,) in tables:
            for row in connection.execute(f'SELECT * FROM "{table}"'):
                chunks += [v if isinstance(v, bytes) else str(v).encode() for v in row if v is not None]
    return b"\n".join(chunks)


@pytest.mark.postgres
def test_names_and_contacts_are_not_readable_in_the_raw_database(client, settings):
    member = register(client)
    client.patch(f"/members/{member['id']}", json={"pronouns": "she/her"}, headers=volunteer(member["id"]))
    client.get(f"/members/{member['id']}/contact", params={"purpose": "member_support"}, headers=ADMIN)
    raw = raw_database_bytes(settings.database_url)
    # The reading itself works: plaintext columns (area, interests) are there to be found.
    assert b"montreal-parc-extension" in raw and b"anti-deportation-support" in raw
    for secret in SECRETS:
        assert secret.encode() not in raw, f"{secret!r} found in the raw database"


@pytest.mark.postgres
def test_published_member_states_carry_no_personal_data(client, settings, kafka_bootstrap):
    member = register(client)
    me = volunteer(member["id"])
    client.patch(f"/members/{member['id']}", json={"display_name": "Marisol Q."}, headers=me)
    client.post(f"/members/{member['id']}/pause", headers=me)
    client.post(f"/members/{member['id']}/resume", headers=me)

    records = read_topic(kafka_bootstrap, settings.topics.members_state, lambda records: len(records) >= 4)
    envelopes = [Envelope.from_bytes(record.value) for record in records]
    assert [e.type for e in envelopes] == ["member.registered", "member.updated", "member.paused", "member.resumed"]
    assert {record.key.decode() for record in records} == {member["id"]}
    state = MemberState.model_validate(envelopes[0].data)
    assert state.area == "montreal-parc-extension" and state.skills[0].skill == "graphic-design"
    assert state.skills[0].level == 3 and state.languages[1].fluency == 2 and state.remote_ok
    everything = b"".join(record.value + b"".join(v for _, v in record.headers) for record in records)
    for secret in [*SECRETS, "Marisol Q."]:
        assert secret.encode() not in everything, f"{secret!r} published on {settings.topics.members_state}"


def test_contact_details_are_revealed_only_with_consent_and_every_read_is_audited(sqlite_client):
    member = register(sqlite_client)
    reader = coordinator()
    task_id = str(uuid.uuid4())
    response = sqlite_client.get(
        f"/members/{member['id']}/contact",
        params={"purpose": "coordinate_accepted_task", "task_id": task_id},
        headers=reader,
    )
    assert response.status_code == 200
    assert response.json() == {
        "member_id": member["id"],
        "display_name": "Marisol Quispe",
        "pronouns": "she/her",
        "email": "marisol.quispe@example.org",
        "phone": None,
        "signal": "marisol.27",
    }
    log = sqlite_client.get(f"/members/{member['id']}/audit", headers=volunteer(member["id"])).json()
    latest = log["items"][0]
    assert latest["action"] == "contact.read" and latest["actor_role"] == "coordinator"
    assert latest["actor_id"] == reader.actor_id and latest["task_id"] == task_id
    assert latest["purpose"] == "coordinate_accepted_task"
    assert latest["fields"] == ["contacts.email", "contacts.signal", "display_name", "pronouns"]
    assert [entry["action"] for entry in log["items"]] == ["contact.read", "profile.registered"]


def test_every_change_is_audited_by_field_name_and_the_log_holds_no_values(sqlite_client, sqlite_settings):
    member = register(sqlite_client)
    me = volunteer(member["id"])
    contacts = {"email": {"value": "new.address@example.org", "consent": True}}
    sqlite_client.patch(f"/members/{member['id']}", json={"contacts": contacts, "remote_ok": False}, headers=me)
    sqlite_client.post(f"/members/{member['id']}/pause", headers=ADMIN)
    entries = sqlite_client.get(f"/members/{member['id']}/audit", headers=ADMIN).json()["items"]
    assert [(e["action"], e["actor_role"]) for e in entries] == [
        ("profile.paused", "admin"),
        ("profile.updated", "volunteer"),
        ("profile.registered", "system"),
    ]
    assert entries[1]["fields"] == ["contacts.email", "contacts.phone", "contacts.signal", "remote_ok"]
    assert "new.address@example.org" not in json.dumps(entries)


def test_reading_contacts_needs_a_known_purpose(shared_client):
    member = register(shared_client)
    missing = shared_client.get(f"/members/{member['id']}/contact", headers=ADMIN)
    assert missing.status_code == 422 and "purpose" in missing.json()["detail"]
    free_text = shared_client.get(f"/members/{member['id']}/contact", params={"purpose": "call Marisol"}, headers=ADMIN)
    assert free_text.status_code == 422 and "coordinate_accepted_task" in free_text.json()["detail"]
    stranger = shared_client.get(
        f"/members/{member['id']}/contact", params={"purpose": "member_support"}, headers=volunteer(str(uuid.uuid4()))
    )
    assert stranger.status_code == 403
