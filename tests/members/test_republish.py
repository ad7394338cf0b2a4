"""After Kafka lost everything, ``python -m services.members republish`` refills members.state from
the database: every member's current state, and a tombstone for every erasure."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from services.common.envelope import Envelope
from tests.support.infra import delete_topics_with_prefix, new_topic_prefix
from tests.support.members_app import register, volunteer
from tests.support.processes import REPO
from tests.support.topic_reading import read_topic

pytestmark = pytest.mark.kafka


def republish(settings, prefix: str, *args: str) -> dict:
    env = os.environ | {
        "MEMBERS_DATABASE_URL": settings.database_url,
        "KAFKA_BOOTSTRAP_SERVERS": settings.kafka_bootstrap_servers,
        "KAFKA_TOPIC_PREFIX": prefix,
        "ENVIRONMENT": "test",
    }
    done = subprocess.run(
        [sys.executable, "-m", "services.members", "republish", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def latest_by_key(records) -> dict:
    return {record.key.decode(): record.value for record in records}


def test_republish_refills_an_empty_members_topic_from_the_database(sqlite_client, sqlite_settings, kafka_bootstrap):
    kept, paused, erased = (register(sqlite_client) for _ in range(3))
    sqlite_client.post(f"/members/{paused['id']}/pause", headers=volunteer(paused["id"]))
    assert sqlite_client.delete(f"/members/{erased['id']}", headers=volunteer(erased["id"])).status_code == 204

    lost = new_topic_prefix()  # the topics as a broker that lost its data sees them: none
    try:
        counts = republish(sqlite_settings, lost)  # the running service's relay may send some of them
        assert (counts["members"], counts["erasures"]) == (2, 1)
        records = read_topic(kafka_bootstrap, f"{lost}members.state", lambda r: len(r) >= 3)
        state = latest_by_key(records)
        assert set(state) == {kept["id"], paused["id"], erased["id"]}
        assert state[erased["id"]] is None  # a tombstone: compaction and every consumer forget them
        statuses = {key: Envelope.from_bytes(value).data["status"] for key, value in state.items() if value}
        assert statuses == {kept["id"]: "active", paused["id"]: "paused"}
        assert Envelope.from_bytes(state[kept["id"]]).type == "member.republished"
        assert "Marisol" not in b"".join(r.value or b"" for r in records).decode()
    finally:
        delete_topics_with_prefix(kafka_bootstrap, lost)


def test_republish_can_repair_one_member(sqlite_client, sqlite_settings, kafka_bootstrap):
    first, second = register(sqlite_client), register(sqlite_client)
    lost = new_topic_prefix()
    try:
        counts = republish(sqlite_settings, lost, "--id", second["id"])
        assert (counts["members"], counts["erasures"]) == (1, 0)
        records = read_topic(kafka_bootstrap, f"{lost}members.state", lambda r: len(r) >= 1)
        assert list(latest_by_key(records)) == [second["id"]]
        assert first["id"] not in latest_by_key(records)
    finally:
        delete_topics_with_prefix(kafka_bootstrap, lost)
