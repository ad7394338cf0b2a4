"""What the service takes from Kafka: one function per event type it acts on.

offers.events (keyed by task id; versions 1 and 2 read alike, version 1's English reasons as text):
  ``offer.created`` v1, v2 (``OfferChanged``: offer_id, task_id, member_id, expires_at, reasons)
  queues a discreet "new request" message to the member (a detailed one lists the reasons).
  ``offer.withdrawn`` v1 (``OfferChanged``: offer_id, task_id, member_id, withdrawn_because) tells a
  member who was sent the request that the task filled, was cancelled or closed; a request mail not
  sent yet is dropped instead. Withdrawals for the member's own reasons (paused, erased) send nothing.
  ``offer.accepted`` v1 (``OfferChanged``: offer_id, task_id, member_id) queues the confirmation,
  with a calendar invitation when the task's time is known, and the reminders before its start.
  ``offer.cancelled_by_volunteer`` v1 (``OfferChanged``: offer_id, member_id) drops the offer's
  waiting reminders and sends a calendar METHOD:CANCEL to a volunteer whose confirmation went out.
  It also tells the task's coordinator that a volunteer withdrew (never who).
  A withdrawal also drops them; a cancelled task's accepted volunteers get a cancellation, with a
  calendar METHOD:CANCEL.
  ``fill.completed`` v1 (``FillChanged``: task_id, sequence) tells the task's coordinator that every
  place is taken, once per fill (a task that reopens and fills again is told again).
  Other offer and fill events are not this service's concern yet: its subscription ignores them.
tasks.state (compacted, keyed by task id):
  every ``task.*`` v1 state (``TaskState``: task_id, title, starts_at, ends_at, time_zone,
  coordinator_id) records when the task happens, its public title (for invitations and detailed
  messages) and who coordinates it (a gateway account, for the coordinator's messages); a tombstone
  forgets it. A cancelled task's waiting reminders are dropped; a moved task's move with it. An
  open task with a time gets its coordinator's at-risk check planned (``at_risk``), moved with the
  task, dropped when the task is cancelled or closed.
members.state (compacted, keyed by member id):
  every ``member.*`` v1 state (``MemberState``: member_id, languages, notifications) records the
  language the member's messages are written in and what they chose (email on or off, discreet or
  detailed, quiet hours); a tombstone (erasure) drops the member's queued messages and
  delivery records.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from uuid import UUID, uuid5

from sqlalchemy import event as sa_event
from sqlmodel import Session

from services.common.catalogue import (
    FILL_COMPLETED,
    OFFER_ACCEPTED,
    OFFER_CANCELLED_BY_VOLUNTEER,
    OFFER_CREATED,
    OFFER_WITHDRAWN,
    EventType,
    types_on,
)
from services.common.clock import as_utc, utc_now
from services.common.consumer import PoisonEvent
from services.common.contracts import FillChanged, MemberState, OfferChanged, TaskState, TaskStatus
from services.common.dispatch import Event, Subscription, Tombstone
from services.common.topics import MEMBERS_STATE, OFFERS_EVENTS, TASKS_STATE, Topics
from services.notifications import at_risk, handlers, reminders
from services.notifications.messages import choose_language
from services.notifications.models import Acceptance, Delivery, DeliveryStatus, MessageKind, WithdrawalReason


def offer_news(
    topics: Topics, reminder_offsets_seconds: list[float], queued: Callable[[], None] = lambda: None
) -> Subscription:
    """offers.events: new requests, confirmations (and their reminders) and withdrawals to members;
    fills and withdrawals to coordinators; every other type is ignored. ``queued`` is called once
    each event's transaction committed (the sender sends at once what it queued)."""
    reactions: dict[EventType, Callable[[Session, Event], None]] = {
        OFFER_CREATED: offer_created,
        OFFER_WITHDRAWN: offer_withdrawn,
        OFFER_ACCEPTED: partial(offer_accepted, reminder_offsets_seconds=reminder_offsets_seconds),
        OFFER_CANCELLED_BY_VOLUNTEER: acceptance_withdrawn,
        FILL_COMPLETED: task_filled,
    }
    return Subscription(
        topics,
        {event: _then(react, queued) for event, react in reactions.items()},
        ignores=[event for event in types_on(OFFERS_EVENTS) if event not in reactions],
    )


def _then(react: Callable[[Session, Event], None], committed: Callable[[], None]) -> Callable[[Session, Event], None]:
    """``react``, and ``committed`` called after its transaction commits (never before: the sender
    would look for a delivery it cannot see yet)."""

    def reacted(session: Session, event: Event) -> None:
        react(session, event)
        sa_event.listen(session, "after_commit", lambda _: committed(), once=True)

    return reacted


def recipients(topics: Topics, default_language: str) -> Subscription:
    """members.state: each member's language; a tombstone (erasure) forgets them and their mail."""
    remember = partial(member_state_changed, default_language=default_language)
    return Subscription(
        topics, {event: remember for event in types_on(MEMBERS_STATE)}, tombstones={MEMBERS_STATE: member_erased}
    )


def schedules(topics: Topics, reminder_offsets_seconds: list[float], at_risk_seconds_before: float) -> Subscription:
    """tasks.state: when each task happens, for invitations, reminders and the coordinator's at-risk
    check; a tombstone forgets the task."""
    changed = partial(
        task_state_changed,
        reminder_offsets_seconds=reminder_offsets_seconds,
        at_risk_seconds_before=at_risk_seconds_before,
    )
    return Subscription(
        topics, {event: changed for event in types_on(TASKS_STATE)}, tombstones={TASKS_STATE: task_deleted}
    )


def offer_created(session: Session, event: Event[OfferChanged]) -> None:
    offer = event.payload
    handlers.queue_delivery(
        session,
        offer.member_id,
        MessageKind.new_offer,
        offer.offer_id,
        event.occurred_at,
        task_id=offer.task_id,
        expires_at=offer.expires_at,
        reasons=[reason.model_dump(mode="json", exclude_defaults=True) for reason in offer.reasons],
    )


def offer_accepted(session: Session, event: Event[OfferChanged], reminder_offsets_seconds: list[float]) -> None:
    offer = event.payload
    handlers.queue_delivery(
        session, offer.member_id, MessageKind.offer_accepted, offer.offer_id, event.occurred_at, task_id=offer.task_id
    )
    reminders.accepted(session, offer.offer_id, offer.member_id, offer.task_id, event.occurred_at)
    reminders.plan(session, offer.offer_id, offer.member_id, offer.task_id, event.occurred_at, reminder_offsets_seconds)


def acceptance_withdrawn(session: Session, event: Event[OfferChanged]) -> None:
    """The volunteer can no longer come: no reminder of a task they left, and the invitation they
    were sent is cancelled in their calendar (a confirmation not sent yet is simply dropped)."""
    offer = event.payload
    # The coordinator learns that a place came free, not who freed it.
    handlers.queue_coordinator_delivery(
        session, offer.task_id, MessageKind.volunteer_withdrew, offer.offer_id, event.occurred_at
    )
    reminders.drop(session, event.occurred_at, "acceptance withdrawn", Delivery.offer_id == offer.offer_id)
    reminders.stepped_back(session, offer.offer_id)
    confirmed = handlers.find_delivery(session, offer.member_id, offer.offer_id, MessageKind.offer_accepted)
    if confirmed is None:
        return
    being_sent = confirmed.claimed_until is not None and as_utc(confirmed.claimed_until) > utc_now()
    if confirmed.status == DeliveryStatus.queued.value and not being_sent:
        handlers.finish(session, confirmed, DeliveryStatus.dropped, event.occurred_at, "acceptance withdrawn")
    elif confirmed.status == DeliveryStatus.sent.value or being_sent:  # sent, or going out right now
        handlers.queue_delivery(
            session,
            offer.member_id,
            MessageKind.acceptance_withdrawn,
            offer.offer_id,
            event.occurred_at,
            task_id=offer.task_id,
        )


def task_filled(session: Session, event: Event[FillChanged]) -> None:
    """Every place taken: the coordinator is told once per fill (matching numbers each change of
    the task's fill, so a replay of this one queues nothing, a later fill does)."""
    fill = event.payload
    handlers.queue_coordinator_delivery(
        session,
        fill.task_id,
        MessageKind.task_filled,
        uuid5(fill.task_id, f"filled/{fill.sequence}"),
        event.occurred_at,
    )


# matching's withdrawn_because -> the wording the member gets
WITHDRAWALS = {
    "task filled": WithdrawalReason.filled,
    "task cancelled": WithdrawalReason.cancelled,
    "task closed": WithdrawalReason.closed,
}


def offer_withdrawn(session: Session, event: Event[OfferChanged]) -> None:
    offer = event.payload
    reason = WITHDRAWALS.get(offer.withdrawn_because or "")
    reminders.drop(
        session, event.occurred_at, f"offer withdrawn: {offer.withdrawn_because}", Delivery.offer_id == offer.offer_id
    )
    reminders.stepped_back(session, offer.offer_id)
    confirmed = handlers.find_delivery(session, offer.member_id, offer.offer_id, MessageKind.offer_accepted)
    if reason is WithdrawalReason.cancelled and confirmed is not None:  # they had said yes: cancel the invitation
        handlers.queue_delivery(
            session,
            offer.member_id,
            MessageKind.task_cancelled,
            offer.offer_id,
            event.occurred_at,
            task_id=offer.task_id,
        )
        return
    told = handlers.find_delivery(session, offer.member_id, offer.offer_id, MessageKind.new_offer)
    if reason is None or told is None:
        return
    if told.status == DeliveryStatus.queued.value:  # never reached them: no need to say it went away
        handlers.finish(session, told, DeliveryStatus.dropped, event.occurred_at, f"offer withdrawn: {reason.value}")
        return
    if told.status == DeliveryStatus.sent.value:
        handlers.queue_delivery(
            session,
            offer.member_id,
            MessageKind.offer_withdrawn,
            offer.offer_id,
            event.occurred_at,
            task_id=offer.task_id,
            variant=reason.value,
        )


def task_state_changed(
    session: Session, event: Event[TaskState], reminder_offsets_seconds: list[float], at_risk_seconds_before: float
) -> None:
    task = event.payload
    schedule = handlers.remember_schedule(session, task)
    at_risk.follow_task(session, task, at_risk_seconds_before, event.occurred_at)
    if task.status is TaskStatus.cancelled:
        reminders.drop(session, event.occurred_at, "task cancelled", Delivery.task_id == task.task_id)
        reminders.forget(session, Acceptance.task_id == task.task_id)
    else:  # waiting reminders move with the task; those it lacked (no time yet when accepted) are planned
        reminders.follow_task(session, schedule, reminder_offsets_seconds, max(event.occurred_at, utc_now()))


def task_deleted(session: Session, tombstone: Tombstone) -> None:
    handlers.forget_task(session, _entity_id(tombstone))


def member_state_changed(session: Session, event: Event[MemberState], default_language: str) -> None:
    member = event.payload
    spoken = [claim.code for claim in member.languages]
    handlers.remember_recipient(
        session, member.member_id, choose_language(spoken, default_language), member.notifications
    )


def member_erased(session: Session, tombstone: Tombstone) -> None:
    handlers.forget_member(session, _entity_id(tombstone))


def _entity_id(tombstone: Tombstone) -> UUID:
    try:
        return UUID(tombstone.key or "")
    except ValueError:
        raise PoisonEvent(
            f"a {tombstone.topic} tombstone must be keyed by an entity id, not {tombstone.key!r}"
        ) from None
