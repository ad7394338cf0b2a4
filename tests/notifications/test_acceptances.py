"""Who accepted which task is kept for the reminders only: erasure removes it, and it goes once the
task began more than the retention period ago (or, its time never known, once the acceptance is
that old). Against the service's own migrated database."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlmodel import select

from services.common.clock import utc_now
from services.common.db import make_engine, migrate, session_scope
from services.notifications import handlers
from services.notifications.main import MIGRATIONS
from services.notifications.models import Acceptance, TaskSchedule
from services.notifications.purge import purge


def test_who_accepted_goes_with_erasure_and_after_the_retention_period(database_url):
    engine = make_engine(database_url)
    migrate(engine, MIGRATIONS)
    now, month = utc_now(), timedelta(days=30)
    began_long_ago, ahead, never_timed, fresh = (uuid.uuid4() for _ in range(4))
    erased = uuid.uuid4()
    with session_scope(engine) as session:
        session.add(TaskSchedule(task_id=began_long_ago, starts_at=now - timedelta(days=40)))
        session.add(TaskSchedule(task_id=ahead, starts_at=now + timedelta(days=5)))
        for task_id, accepted_days_ago, member_id in (
            (began_long_ago, 50, uuid.uuid4()),
            (ahead, 50, uuid.uuid4()),
            (never_timed, 50, uuid.uuid4()),
            (fresh, 1, erased),
        ):
            session.add(
                Acceptance(
                    offer_id=uuid.uuid4(),
                    member_id=member_id,
                    task_id=task_id,
                    accepted_at=now - timedelta(days=accepted_days_ago),
                )
            )

    with session_scope(engine) as session:
        purge(session, now - month)
    with session_scope(engine) as session:
        assert {row.task_id for row in session.exec(select(Acceptance))} == {ahead, fresh}
        handlers.forget_member(session, erased)
    with session_scope(engine) as session:
        assert {row.task_id for row in session.exec(select(Acceptance))} == {ahead}
    engine.dispose()
