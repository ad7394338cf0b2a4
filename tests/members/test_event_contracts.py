"""What the members service will not apply from offers.events: a type the catalogue does not list,
or a version it does not read, goes to the dead-letter topic with the reason (real broker)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session

from services.common.contracts import OfferChanged, OfferStatus
from services.common.db import make_engine
from services.members.models import Member
from tests.members.test_erasure import backdate
from tests.support.events import dead_letters, raw_event
from tests.support.members_app import register
from tests.support.topic_reading import produce

pytestmark = pytest.mark.kafka


def test_offer_answers_of_an_unknown_type_or_version_are_dead_lettered_not_counted(
    sqlite_client, sqlite_settings, kafka_bootstrap
):
    member = register(sqlite_client)
    backdate(sqlite_settings.database_url, member["id"], days=400)
    answer = OfferChanged(
        offer_id=uuid.uuid4(), task_id=uuid.uuid4(), member_id=member["id"], status=OfferStatus.declined
    )
    topic = sqlite_settings.topics.offers_events
    produce(kafka_bootstrap, topic, str(answer.task_id), raw_event("offer.shrugged", answer))
    produce(kafka_bootstrap, topic, str(answer.task_id), raw_event("offer.declined", answer, version=99))

    dead = dead_letters(kafka_bootstrap, topic, count=2)
    reasons = [letter["headers"]["dlt.reason"] for letter in dead]
    assert "'offer.shrugged' is not in the catalogue for offers.events" in reasons[0]
    assert "offer.declined version 99 is not supported" in reasons[1]
    assert {letter["headers"]["dlt.consumer"] for letter in dead} == {"members.offer-answers"}
    engine = make_engine(sqlite_settings.database_url)
    with Session(engine) as session:  # neither counted as the member using the platform
        stored = session.get(Member, uuid.UUID(member["id"]))
        assert stored.last_active_at.replace(tzinfo=UTC) < datetime.now(UTC) - timedelta(days=399)
    engine.dispose()
