"""Erasure, on request and by retention: the profile goes, a tombstone tells every service."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlmodel import Session

from services.common.contracts import OfferChanged, OfferStatus
from services.common.db import make_engine
from services.common.envelope import wrap
from services.members.erasure import purge_inactive
from services.members.main import create_app
from services.members.models import Member
from tests.members.test_privacy import SECRETS, raw_database_bytes
from tests.support.members_app import ADMIN, members_settings, register, volunteer
from tests.support.processes import eventually
from tests.support.topic_reading import produce, read_topic

pytestmark = pytest.mark.kafka


def tombstones(records) -> set[str]:
    return {record.key.decode() for record in records if record.value is None}


def backdate(database_url: str, member_id: str, days: int) -> None:
    engine = make_engine(database_url)
    with Session(engine) as session:
        moment = datetime.now(UTC) - timedelta(days=days)
        session.execute(update(Member).where(Member.id == uuid.UUID(member_id)).values(last_active_at=moment))
        session.commit()
    engine.dispose()


@pytest.mark.postgres
def test_a_member_erases_their_profile_and_a_tombstone_is_published(client, settings, kafka_bootstrap):
    member, other = register(client), register(client)
    response = client.delete(f"/members/{member['id']}", headers=volunteer(member["id"]))
    assert response.status_code == 204

    gone = client.get(f"/members/{member['id']}", headers=ADMIN)
    assert gone.status_code == 410 and gone.json()["type"] == "/problems/member-erased"
    contact = client.get(f"/members/{member['id']}/contact", params={"purpose": "member_support"}, headers=ADMIN)
    assert contact.status_code == 410
    assert client.delete(f"/members/{member['id']}", headers=ADMIN).status_code == 204  # repeating is harmless
    assert client.get(f"/members/{other['id']}", headers=ADMIN).status_code == 200

    records = read_topic(kafka_bootstrap, settings.topics.members_state, lambda rs: member["id"] in tombstones(rs))
    assert tombstones(records) == {member["id"]}
    log = client.get(f"/members/{member['id']}/audit", headers=ADMIN).json()["items"]
    assert log[0]["action"] == "profile.erased" and log[0]["actor_role"] == "volunteer"


def test_nothing_personal_remains_in_the_database_after_erasure(sqlite_client, sqlite_settings):
    member = register(sqlite_client, area="montreal-hochelaga")
    sqlite_client.delete(f"/members/{member['id']}", headers=ADMIN)
    with Session(make_engine(sqlite_settings.database_url)) as session:
        assert session.get(Member, uuid.UUID(member["id"])) is None
    raw = raw_database_bytes(sqlite_settings.database_url)
    for secret in SECRETS:
        assert secret.encode() not in raw


def test_a_scheduled_job_purges_profiles_inactive_beyond_the_retention_period(
    new_database, kafka_bootstrap, topic_prefix
):
    database_url = new_database("sqlite", "retention")
    settings = members_settings(
        database_url, kafka_bootstrap, topic_prefix, inactive_retention=timedelta(days=30), retention_sweep_seconds=0.2
    )
    with TestClient(create_app(settings)) as client:
        dormant, recent = register(client), register(client)
        backdate(database_url, dormant["id"], days=31)
        backdate(database_url, recent["id"], days=29)
        eventually(
            lambda: client.get(f"/members/{dormant['id']}", headers=ADMIN).status_code == 410,
            timeout_s=10,
            message="the dormant profile was purged",
        )
        assert client.get(f"/members/{recent['id']}", headers=ADMIN).status_code == 200
        records = read_topic(kafka_bootstrap, settings.topics.members_state, lambda rs: bool(tombstones(rs)))
        assert tombstones(records) == {dormant["id"]}
        entry = client.get(f"/members/{dormant['id']}/audit", headers=ADMIN).json()["items"][0]
        assert (entry["action"], entry["actor_role"]) == ("profile.purged", "system")


def test_using_the_platform_resets_the_retention_clock(sqlite_client, sqlite_settings, kafka_bootstrap):
    by_edit, by_sign_in, by_answer, idle = (register(sqlite_client) for _ in range(4))
    for member in (by_edit, by_sign_in, by_answer, idle):
        backdate(sqlite_settings.database_url, member["id"], days=400)
    sqlite_client.patch(f"/members/{by_edit['id']}", json={"remote_ok": False}, headers=volunteer(by_edit["id"]))
    assert (
        sqlite_client.post(f"/members/{by_sign_in['id']}/activity", headers=volunteer(by_sign_in["id"])).status_code
        == 204
    )
    answer = OfferChanged(
        offer_id=uuid.uuid4(), task_id=uuid.uuid4(), member_id=by_answer["id"], status=OfferStatus.declined
    )
    produce(
        kafka_bootstrap,
        sqlite_settings.topics.offers_events,
        str(answer.task_id),
        wrap("offer.declined", answer, "matching").to_bytes(),
    )

    engine = make_engine(sqlite_settings.database_url)

    def answer_recorded() -> bool:
        with Session(engine) as session:
            member = session.get(Member, uuid.UUID(by_answer["id"]))
            return member.last_active_at.replace(tzinfo=UTC) > datetime.now(UTC) - timedelta(days=1)

    eventually(answer_recorded, timeout_s=15, message="the offer answer counted as activity")
    cutoff = datetime.now(UTC) - timedelta(days=365)
    assert purge_inactive(engine, sqlite_settings.topics, cutoff) == 1
    assert sqlite_client.get(f"/members/{idle['id']}", headers=ADMIN).status_code == 410
    for member in (by_edit, by_sign_in, by_answer):
        assert sqlite_client.get(f"/members/{member['id']}", headers=ADMIN).status_code == 200


def test_an_admin_edit_does_not_count_as_the_members_activity(sqlite_client, sqlite_settings):
    member = register(sqlite_client)
    backdate(sqlite_settings.database_url, member["id"], days=400)
    sqlite_client.patch(f"/members/{member['id']}", json={"remote_ok": False}, headers=ADMIN)
    engine = make_engine(sqlite_settings.database_url)
    assert purge_inactive(engine, sqlite_settings.topics, datetime.now(UTC) - timedelta(days=365)) == 1
