"""Offers stored while reasons were English strings read as reasons-as-data after the migration
(and the service still reads a string reason it meets). Against the service's own database."""

from __future__ import annotations

import uuid

from alembic import command
from alembic.config import Config
from sqlalchemy import text

from services.common.clock import utc_now
from services.common.contracts import ReasonKind
from services.common.db import make_engine, session_scope
from services.matching.handlers import to_public
from services.matching.main import MIGRATIONS
from services.matching.models import Offer


def alembic(engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection_engine"] = engine
    return config


def test_string_reasons_stored_before_become_data_and_old_words_stay_as_written(database_url):
    engine = make_engine(database_url)
    command.upgrade(alembic(engine), "0005")
    offer_id, now = uuid.uuid4(), utc_now()
    with session_scope(engine) as session:
        session.add(
            Offer(
                id=offer_id,
                task_id=uuid.uuid4(),
                member_id=uuid.uuid4(),
                expires_at=now,
                created_at=now,
                reasons=["legal knowledge: expert", "open to remote work", "no recent tasks"],
            )
        )

    command.upgrade(alembic(engine), "head")

    with session_scope(engine) as session:
        public = to_public(session, session.get(Offer, offer_id), title="Clinic")
    assert [(r.kind, r.text, r.recent_tasks) for r in public.reasons] == [
        (ReasonKind.text, "legal knowledge: expert", None),
        (ReasonKind.remote, None, None),
        (ReasonKind.recent_load, None, 0),
    ]

    command.downgrade(alembic(engine), "0005")
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT reasons FROM offer")).scalar_one()
    assert stored in (
        ["legal knowledge: expert", "open to remote work", "no recent tasks"],
        '["legal knowledge: expert", "open to remote work", "no recent tasks"]',
    )
