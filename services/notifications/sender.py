"""The sender: takes due deliveries, reads each address at send time, sends, retries with backoff.

The address is read just before the send (a member's from the members service, a coordinator's
from the gateway) and dropped right after; it never reaches the database, a log line or an
exception message. A delivery the mail server did not
take is tried again later (doubling pauses up to a limit) and marked failed after the configured
number of attempts; nothing is dropped silently: each end is counted in
``notifications_sent_total`` and in the delivery's status. A delivery due in the member's quiet
hours is held (``not_before``) until they end, unless the task starts or the offer expires first.
A task's at-risk check reads matching's counts when it is due, and sends only if the task is
still short (``at_risk``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from sqlalchemy.engine import Engine
from sqlmodel import Session

from services.common.clock import as_utc, utc_now
from services.notifications import at_risk, handlers, quiet_hours
from services.notifications.channels import Channel, PermanentFailure, TemporaryFailure
from services.notifications.composer import Composer
from services.notifications.config import Settings
from services.notifications.gateway_client import AccountGone, GatewayClient, GatewayUnavailable
from services.notifications.matching_client import MatchingClient, MatchingUnavailable, TaskUnknown
from services.notifications.members_client import MemberGone, MembersClient, MembersUnavailable
from services.notifications.messages import choose_language
from services.notifications.metrics import DELIVERY_LATENCY, SENT
from services.notifications.models import (
    COORDINATOR_KINDS,
    COORDINATOR_NOT_KNOWN_YET,
    Delivery,
    DeliveryStatus,
    MessageKind,
    Recipient,
    TaskSchedule,
)

log = logging.getLogger(__name__)
BATCH = 20


@dataclass(frozen=True)
class Address:
    """Where a message goes and in which language; only in memory, for one send."""

    address: str | None
    language: str | None = None  # None: the member's language as members.state says


@dataclass(frozen=True)
class Outcome:
    status: DeliveryStatus | None  # None: try again later
    label: str  # the metric's outcome
    error: str | None = None
    held_until: datetime | None = None  # quiet hours: not an attempt, just later


class Sender:
    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        channels: dict[str, Channel],
        members: MembersClient,
        coordinators: GatewayClient,
        matching: MatchingClient,
        clock: Callable[[], datetime] = utc_now,
    ):
        self.engine, self.settings, self.channels, self.members, self.clock = engine, settings, channels, members, clock
        self.coordinators, self.matching = coordinators, matching
        self.wakeup = threading.Event()  # set by ``queued``: a delivery was committed, look now
        self.stopping = threading.Event()  # set by ``stop``: the service is shutting down
        self.composer = Composer(settings, clock)
        # Several deliveries at a time: each spends most of its time waiting (the address read, the
        # SMTP conversation), and each thread keeps its own SMTP connection.
        self.pool = ThreadPoolExecutor(settings.send_concurrency, thread_name_prefix="notifications-send")
        self.batch = max(BATCH, 4 * settings.send_concurrency)

    def queued(self) -> None:
        """A delivery was queued (its transaction committed): send it now rather than at the next poll."""
        self.wakeup.set()

    def stop(self) -> None:
        """The service is stopping: end ``run`` now, not after the poll it may be waiting out (the
        runtime's stop event cannot wake that wait, and its join gives up after 10 s)."""
        self.stopping.set()
        self.wakeup.set()

    def run(self, stop: threading.Event) -> None:
        try:
            while not (stop.is_set() or self.stopping.is_set()):
                self.wakeup.clear()  # before looking: a delivery queued while we look wakes the wait below
                try:
                    busy = self.send_due()
                except Exception:  # a database hiccup must not end the thread: deliveries would wait forever
                    log.exception("sending due deliveries failed; trying again")
                    busy = 0
                if not busy:
                    self.wakeup.wait(self.settings.send_poll_seconds)
        finally:
            self.pool.shutdown(wait=True)

    def send_due(self) -> int:
        """Send what is due now, ``send_concurrency`` at a time; returns how many deliveries were looked at."""
        with Session(self.engine) as session:
            due = handlers.due_deliveries(session, self.clock(), self.batch)
        for finished in [self.pool.submit(self._claim_and_deliver, delivery_id) for delivery_id in due]:
            finished.result()  # the whole batch ends before the next is looked for; an error reaches ``run``
        return len(due)

    def _claim_and_deliver(self, delivery_id: UUID) -> None:
        """Claimed just before its own send, so the claim (``claim_seconds``) covers that send
        however long the others of the batch take."""
        now = self.clock()
        with Session(self.engine) as session:
            taken = handlers.claim(session, delivery_id, now, timedelta(seconds=self.settings.claim_seconds))
            session.commit()
        if taken:
            self.deliver(delivery_id)

    def deliver(self, delivery_id: UUID) -> None:
        with Session(self.engine, expire_on_commit=False) as session:
            delivery = session.get(Delivery, delivery_id)
            if delivery is None:
                return  # erased between claim and send
            # A coordinator is no member: none of a member's choices applies to them.
            to_member = MessageKind(delivery.kind) not in COORDINATOR_KINDS
            recipient = handlers.recipient_of(session, delivery.member_id) if to_member else None
            schedule = handlers.schedule_of(session, delivery.task_id)
        outcome = self._attempt(delivery, recipient, schedule)
        with Session(self.engine) as session:
            current = session.get(Delivery, delivery_id)
            if current is None:
                return
            label = self._record(session, current, outcome)
            session.commit()
        SENT.labels(delivery.kind, delivery.channel, label).inc()
        log.info("delivery %s (%s) to member %s: %s", delivery.id, delivery.kind, delivery.member_id, label)

    def _attempt(self, delivery: Delivery, recipient: Recipient | None, schedule: TaskSchedule | None) -> Outcome:
        now = self.clock()
        if delivery.expires_at is not None and as_utc(delivery.expires_at) <= now:
            return Outcome(DeliveryStatus.dropped, "dropped", "expired before it could be sent")
        channel = self.channels[delivery.channel]
        if recipient is None and MessageKind(delivery.kind) not in COORDINATOR_KINDS:
            # The member's choices (language, detail, quiet hours, email on or off) arrive on
            # members.state, apart from the offer: sent now, the mail could go against them.
            return Outcome(None, "retry", "the member's choices have not arrived yet")
        if recipient is not None and not recipient.email and channel.name == "email":
            return Outcome(DeliveryStatus.dropped, "dropped", "the member turned email off")
        if (until := quiet_hours.held_until(delivery, recipient, schedule, now)) is not None:
            return Outcome(None, "held", held_until=until)
        figures = self._at_risk_figures(delivery) if delivery.kind == MessageKind.task_at_risk.value else {}
        if isinstance(figures, Outcome):
            return figures
        found = self._address(delivery, channel.name)
        if isinstance(found, Outcome):
            return found
        if not found.address:
            return Outcome(DeliveryStatus.dropped, "dropped", f"no {channel.name} address")
        message = self.composer.compose(delivery, recipient, schedule, found.address, found.language, figures)
        try:
            channel.send(found.address, message, f"<{delivery.id}@{self.composer.domain}>")
        except TemporaryFailure as error:
            return Outcome(None, "retry", f"{channel.name}: {error}")
        except PermanentFailure as error:
            return Outcome(DeliveryStatus.failed, "failed", f"{channel.name}: {error}")
        DELIVERY_LATENCY.labels(delivery.kind, delivery.channel).observe(
            max((self.clock() - as_utc(delivery.not_before or delivery.event_at)).total_seconds(), 0.0)
        )
        return Outcome(DeliveryStatus.sent, "sent")

    def _at_risk_figures(self, delivery: Delivery) -> dict[str, str] | Outcome:
        """The task's at-risk check, now that it is due: matching's counts for the mail, or nothing
        to send (the task filled enough, or matching does not know it)."""
        assert delivery.task_id is not None, "an at-risk check is about a task"
        try:
            diagnosis = self.matching.diagnosis(delivery.task_id)
        except TaskUnknown:
            return Outcome(DeliveryStatus.dropped, "dropped", "matching does not know the task")
        except MatchingUnavailable as error:
            return Outcome(None, "retry", f"matching service: {error}")
        if not at_risk.should_send(diagnosis, self.settings.at_risk_fill_share):
            return Outcome(DeliveryStatus.dropped, "dropped", "the task filled enough")
        return at_risk.figures(diagnosis)

    def _address(self, delivery: Delivery, channel: str) -> Address | Outcome:
        """The address, read now: a member's from the members service, a coordinator's (email only)
        from the gateway; or what to do when there is none to read."""
        if MessageKind(delivery.kind) not in COORDINATOR_KINDS:
            try:
                return Address(self.members.delivery_address(delivery.member_id, channel))
            except MemberGone:
                return Outcome(DeliveryStatus.dropped, "dropped", "member gone")
            except MembersUnavailable as error:
                return Outcome(None, "retry", f"members service: {error}")
        if channel != "email":
            return Outcome(DeliveryStatus.dropped, "dropped", f"coordinators have no {channel} address")
        if delivery.member_id == COORDINATOR_NOT_KNOWN_YET:  # the task's state has not arrived yet
            return Outcome(None, "retry", "the task's coordinator is not known yet")
        try:
            account = self.coordinators.delivery_address(delivery.member_id)
        except AccountGone:
            return Outcome(DeliveryStatus.dropped, "dropped", "coordinator account gone")
        except GatewayUnavailable as error:
            return Outcome(None, "retry", f"gateway: {error}")
        return Address(account.address, choose_language([account.language], self.settings.default_language))

    def _record(self, session: Session, delivery: Delivery, outcome: Outcome) -> str:
        """Store what the attempt came to; returns the metric's outcome label."""
        now = self.clock()
        if outcome.held_until is not None:
            handlers.hold(session, delivery, outcome.held_until)
            return outcome.label
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
