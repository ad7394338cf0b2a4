"""Delivery records do not outlive their use: finished ones (sent, failed, dropped) are deleted
after ``record_retention_days`` (30 by default). Their number stays: each purge adds what it
removed to a tally per kind and status, which the admins' counts include, and to
``notifications_purged_total``. Queued deliveries are never purged.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import delete, func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from services.common.clock import utc_now
from services.notifications.metrics import PURGED
from services.notifications.models import Acceptance, Delivery, DeliveryStatus, DeliveryTally, TaskSchedule

log = logging.getLogger(__name__)
FINISHED = (DeliveryStatus.sent.value, DeliveryStatus.failed.value, DeliveryStatus.dropped.value)


def purge(session: Session, before: datetime) -> int:
    """Delete the records finished before ``before``, counting them in the tally; returns how many."""
    old = (col(Delivery.status).in_(FINISHED), col(Delivery.finished_at) < before)
    groups = session.exec(
        select(Delivery.kind, Delivery.status, func.count()).where(*old).group_by(Delivery.kind, Delivery.status)
    ).all()
    for kind, status, count in groups:
        tally = session.get(DeliveryTally, (kind, status)) or DeliveryTally(kind=kind, status=status)
        tally.count += count
        session.add(tally)
        PURGED.labels(kind, status).inc(count)
    removed = sum(count for _, _, count in groups)
    if removed:
        session.exec(delete(Delivery).where(*old))
    _forget_past_acceptances(session, before)
    return removed


def _forget_past_acceptances(session: Session, before: datetime) -> None:
    """Who accepted a task is kept for its reminders only: not once it began before ``before``
    (or, its time never known, once accepted before then)."""
    began = select(TaskSchedule.task_id).where(col(TaskSchedule.starts_at) < before)
    timed = select(TaskSchedule.task_id).where(col(TaskSchedule.starts_at).is_not(None))
    session.exec(delete(Acceptance).where(col(Acceptance.task_id).in_(began)))
    session.exec(delete(Acceptance).where(col(Acceptance.accepted_at) < before, col(Acceptance.task_id).not_in(timed)))


class Purger:
    def __init__(
        self, engine: Engine, retention: timedelta, every_seconds: float, clock: Callable[[], datetime] = utc_now
    ):
        self.engine, self.retention, self.every_seconds, self.clock = engine, retention, every_seconds, clock

    def run(self, stop: threading.Event) -> None:
        while not stop.wait(self.every_seconds):
            try:
                with Session(self.engine) as session:
                    removed = purge(session, self.clock() - self.retention)
                    session.commit()
                if removed:
                    log.info("purged %d delivery records older than %s", removed, self.retention)
            except Exception:  # a database hiccup must not end the thread
                log.exception("purging old delivery records failed; trying again later")
