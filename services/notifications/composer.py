"""Turns a delivery into the message a member reads: their language, their detail level, the
one-click links it needs, the unsubscribe headers (RFC 8058) and any calendar attachment.

It runs at send time, in memory: nothing it builds is stored.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from email.utils import parseaddr
from typing import TypeGuard

from services.common import answer_links
from services.common.clock import as_utc
from services.common.contracts import MessageDetail, OfferReason, read_reasons
from services.common.reason_words import describe_reasons
from services.notifications import calendar, local_times
from services.notifications.config import Settings
from services.notifications.messages import Attachment, Message, phrase, render, words
from services.notifications.models import COORDINATOR_KINDS, Delivery, MessageKind, Recipient, TaskSchedule

# Which one-click answers each kind of message carries.
LINKS: dict[MessageKind, tuple[answer_links.Action, ...]] = {
    MessageKind.new_offer: ("accept", "decline"),
    MessageKind.reminder: ("still_coming", "cant_come"),
}

# Kinds whose calendar attachment cancels the invitation sent with the confirmation.
CANCELLATIONS = (MessageKind.task_cancelled, MessageKind.acceptance_withdrawn)


class Composer:
    def __init__(self, settings: Settings, clock: Callable[[], datetime]):
        self.settings, self.clock = settings, clock
        self.public = settings.public_url.rstrip("/")
        self.domain = parseaddr(settings.mail_from)[1].rpartition("@")[2] or "localhost"
        self.signing_key = answer_links.private_key(settings.link_signing_key)

    def language(self, recipient: Recipient | None) -> str:
        return recipient.language if recipient else self.settings.default_language

    def compose(
        self,
        delivery: Delivery,
        recipient: Recipient | None,
        schedule: TaskSchedule | None,
        address: str,
        language: str | None = None,
        figures: dict[str, str] | None = None,
    ) -> Message:
        """``language`` overrides the member's (a coordinator's, from their account); ``figures``
        are counts a coordinator's message states (the at-risk mail's)."""
        kind = MessageKind(delivery.kind)
        if kind in COORDINATOR_KINDS:
            return self.to_coordinator(kind, language or self.settings.default_language, figures or {})
        language = language or self.language(recipient)
        values = self.values(delivery, language, schedule)
        detailed = recipient is not None and recipient.detail == MessageDetail.detailed.value
        variant = delivery.variant if kind is MessageKind.offer_withdrawn else None
        reasons = why_asked(delivery, language, schedule) if detailed else []  # they name skills and places
        message = render(kind, language, values, variant, detailed, reasons=reasons)
        attachments: tuple[Attachment, ...] = ()
        if kind in (MessageKind.offer_accepted, *CANCELLATIONS) and _timed(schedule):
            attachments = (self._calendar(delivery, schedule, address, language, values),)
        headers = {
            "List-Unsubscribe": f"<{values['unsubscribe_url']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
        return replace(message, headers=headers, attachments=attachments)

    def to_coordinator(self, kind: MessageKind, language: str, figures: dict[str, str]) -> Message:
        """Discreet always (coordinators have no detail preference yet): no task, place or person,
        and never the volunteer; counts at most; the coordinator page says which task. No answer
        links, and no unsubscribe link: that one unsubscribes a member, which a coordinator's
        account is not."""
        values = figures | {"coalition": self.settings.coalition_name, "open_url": f"{self.public}/coordinator.html"}
        return render(kind, language, values, why="why_coordinator")

    def values(self, delivery: Delivery, language: str, schedule: TaskSchedule | None) -> dict[str, str]:
        unsubscribe = answer_links.sign_unsubscribe(
            answer_links.UnsubscribeLink(delivery.member_id, self.clock(), language), self.signing_key
        )
        values = {
            "coalition": self.settings.coalition_name,
            "open_url": f"{self.public}/volunteer.html",
            "unsubscribe_url": f"{self.public}/unsubscribe/{unsubscribe}",
        }
        if schedule is not None and schedule.title:
            values["about"] = schedule.title + (
                f", {local_times.describe(schedule.starts_at, schedule.ends_at, schedule.time_zone, words(language))}"
                if schedule.starts_at
                else ""
            )
        expires_at = self._links_expire(delivery, schedule)
        for action in LINKS.get(MessageKind(delivery.kind), ()):
            link = answer_links.AnswerLink(offer_of(delivery), delivery.member_id, action, expires_at, language)
            values[f"{action}_url"] = f"{self.public}/answer/" + answer_links.sign(link, self.signing_key)
        return values

    def _links_expire(self, delivery: Delivery, schedule: TaskSchedule | None) -> datetime:
        if delivery.kind == MessageKind.reminder.value and schedule is not None and schedule.starts_at:
            return as_utc(schedule.starts_at)  # "still coming" means nothing once the task began
        return as_utc(delivery.expires_at) or self.clock() + timedelta(seconds=self.settings.link_lifetime_seconds)

    def _calendar(
        self, delivery: Delivery, schedule: TaskSchedule, address: str, language: str, values: dict[str, str]
    ) -> Attachment:
        cancelled = MessageKind(delivery.kind) in CANCELLATIONS
        starts_at, ends_at = schedule.starts_at, schedule.ends_at
        assert starts_at is not None and ends_at is not None, "only a timed task has a calendar entry"
        text = calendar.invitation(
            uid=f"{offer_of(delivery)}@{self.domain}",
            starts_at=as_utc(starts_at),
            ends_at=as_utc(ends_at),
            time_zone=local_times.zone(schedule.time_zone).key,
            organizer=parseaddr(self.settings.mail_from)[1] or f"no-reply@{self.domain}",
            attendee=address,
            summary=phrase(language, "calendar.cancelled" if cancelled else "calendar.summary", values),
            description=phrase(language, "calendar.description", values),
            stamp=self.clock(),
            cancelled=cancelled,
        )
        method = "CANCEL" if cancelled else "REQUEST"
        return Attachment("invitation.ics", "text/calendar", text, {"method": method})


def why_asked(delivery: Delivery, language: str, schedule: TaskSchedule | None) -> list[str]:
    """The offer's reasons in the member's words; free times in the task's zone, areas by name."""
    if not delivery.reasons:
        return []
    entries = words(language)
    reasons = [OfferReason.model_validate(reason) for reason in read_reasons(delivery.reasons)]
    return describe_reasons(
        reasons, entries.get, entries["weekdays"].split(","), local_times.zone(schedule.time_zone if schedule else None)
    )


def offer_of(delivery: Delivery):
    """The offer a message's answers and calendar entry are bound to."""
    return delivery.offer_id or delivery.subject_id


def _timed(schedule: TaskSchedule | None) -> TypeGuard[TaskSchedule]:
    return schedule is not None and schedule.starts_at is not None and schedule.ends_at is not None
