"""The sender: takes due deliveries, reads each address at send time, sends, retries with backoff.

The address is read from the members service just before the send and dropped right after; it
never reaches the database, a log line or an exception message. A delivery the mail server did not
take is tried again later (doubling pauses up to a limit) and marked failed after the configured
number of attempts; nothing is dropped silently: each end is counted in
``notifications_sent_total`` and in the delivery's status.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from email.utils import parseaddr
from uuid import UUID

from sqlalchemy.engine import Engine
from sqlmodel import Session

from services.common import answer_links
from services.notifications import calendar, handlers
from services.notifications.channels import Channel, PermanentFailure, TemporaryFailure
from services.notifications.config import Settings
from services.notifications.members_client import MemberGone, MembersClient, MembersUnavailable
from services.notifications.messages import Attachment, phrase, render
from services.notifications.metrics import DELIVERY_LATENCY, SENT
from services.notifications.models import Delivery, DeliveryStatus, MessageKind, TaskSchedule, as_utc, utcnow

log = logging.getLogger(__name__)
BATCH = 20


@dataclass(frozen=True)
class Outcome:
    status: DeliveryStatus | None  # None: try again later
    label: str  # the metric's outcome
    error: str | None = None


class Sender:
    def __init__(self, engine: Engine, settings: Settings, channels: dict[str, Channel], members: MembersClient,
                 clock: Callable[[], datetime] = utcnow):
        self.engine, self.settings, self.channels, self.members, self.clock = engine, settings, channels, members, clock
        self.wakeup = threading.Event()
        self.domain = parseaddr(settings.mail_from)[1].rpartition("@")[2] or "localhost"
        self.signing_key = answer_links.private_key(settings.link_signing_key)

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                busy = self.send_due()
            except Exception:  # a database hiccup must not end the thread: deliveries would wait forever
                log.exception("sending due deliveries failed; trying again")
                busy = 0
            if not busy:
                self.wakeup.wait(self.settings.send_poll_seconds)
                self.wakeup.clear()

    def send_due(self) -> int:
        """Send what is due now; returns how many deliveries were looked at."""
        now = self.clock()
        with Session(self.engine) as session:
            due = handlers.due_deliveries(session, now, BATCH)
        for delivery_id in due:
            if self._claim(delivery_id, now):
                self.deliver(delivery_id)
        return len(due)

    def _claim(self, delivery_id: UUID, now: datetime) -> bool:
        with Session(self.engine) as session:
            taken = handlers.claim(session, delivery_id, now, timedelta(seconds=self.settings.claim_seconds))
            session.commit()
        return taken

    def deliver(self, delivery_id: UUID) -> None:
        with Session(self.engine, expire_on_commit=False) as session:
            delivery = session.get(Delivery, delivery_id)
            if delivery is None:
                return  # erased between claim and send
            language = handlers.language_of(session, delivery.member_id)
            schedule = handlers.schedule_of(session, delivery.task_id)
        outcome = self._attempt(delivery, language or self.settings.default_language, schedule)
        with Session(self.engine) as session:
            current = session.get(Delivery, delivery_id)
            if current is None:
                return
            label = self._record(session, current, outcome)
            session.commit()
        SENT.labels(delivery.kind, delivery.channel, label).inc()
        log.info("delivery %s to member %s: %s", delivery.id, delivery.member_id, label)

    def _attempt(self, delivery: Delivery, language: str, schedule: TaskSchedule | None) -> Outcome:
        now = self.clock()
        if delivery.expires_at is not None and as_utc(delivery.expires_at) <= now:
            return Outcome(DeliveryStatus.dropped, "dropped", "expired before it could be sent")
        channel = self.channels[delivery.channel]
        try:
            address = self.members.delivery_address(delivery.member_id, channel.name)
        except MemberGone:
            return Outcome(DeliveryStatus.dropped, "dropped", "member gone")
        except MembersUnavailable as error:
            return Outcome(None, "retry", f"members service: {error}")
        if not address:
            return Outcome(DeliveryStatus.dropped, "dropped", f"no {channel.name} address")
        values = self._values(delivery, language)
        message = render(MessageKind(delivery.kind), language, values, delivery.variant)
        if delivery.kind == MessageKind.offer_accepted.value and schedule and schedule.starts_at and schedule.ends_at:
            message = replace(message, attachments=(self._invitation(delivery, schedule, address, language, values),))
        try:
            channel.send(address, message, f"<{delivery.id}@{self.domain}>")
        except TemporaryFailure as error:
            return Outcome(None, "retry", f"{channel.name}: {error}")
        except PermanentFailure as error:
            return Outcome(DeliveryStatus.failed, "failed", f"{channel.name}: {error}")
        DELIVERY_LATENCY.labels(delivery.kind, delivery.channel).observe(
            max((self.clock() - as_utc(delivery.event_at)).total_seconds(), 0.0))
        return Outcome(DeliveryStatus.sent, "sent")

    def _values(self, delivery: Delivery, language: str) -> dict[str, str]:
        public = self.settings.public_url.rstrip("/")
        expires_at = as_utc(delivery.expires_at) or self.clock() + timedelta(seconds=self.settings.link_lifetime_seconds)
        links = {
            f"{action}_url": f"{public}/answer/" + answer_links.sign(
                answer_links.AnswerLink(delivery.subject_id, delivery.member_id, action, expires_at, language),
                self.signing_key)
            for action in answer_links.ACTIONS
        }
        return {"coalition": self.settings.coalition_name, "open_url": f"{public}/volunteer.html"} | links

    def _invitation(self, delivery: Delivery, schedule: TaskSchedule, address: str, language: str,
                    values: dict[str, str]) -> Attachment:
        text = calendar.invitation(
            uid=f"{delivery.subject_id}@{self.domain}", starts_at=as_utc(schedule.starts_at),
            ends_at=as_utc(schedule.ends_at), organizer=parseaddr(self.settings.mail_from)[1] or f"no-reply@{self.domain}",
            attendee=address, summary=phrase(language, "calendar.summary", values),
            description=phrase(language, "calendar.description", values), stamp=self.clock(),
        )
        return Attachment("invitation.ics", "text/calendar", text, {"method": "REQUEST"})

    def _record(self, session: Session, delivery: Delivery, outcome: Outcome) -> str:
        """Store what the attempt came to; returns the metric's outcome label."""
        now = self.clock()
        if outcome.status is not None:
            delivery.attempts += outcome.status is not DeliveryStatus.dropped
            handlers.finish(session, delivery, outcome.status, now, outcome.error)
            return outcome.label
        delivery.attempts += 1
        if delivery.attempts >= self.settings.max_attempts:
            handlers.finish(session, delivery, DeliveryStatus.failed, now, f"gave up: {outcome.error}")
            return "failed"
        pause = min(self.settings.retry_base_seconds * 2 ** (delivery.attempts - 1), self.settings.retry_max_seconds)
        handlers.retry_later(session, delivery, now + timedelta(seconds=pause), outcome.error or "retry")
        return outcome.label
