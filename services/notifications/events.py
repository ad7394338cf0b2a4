"""What the service takes from Kafka: one function per event type it acts on.

offers.events (keyed by task id):
  ``offer.created`` v1 (``OfferChanged``: offer_id, task_id, member_id, expires_at) queues a
  discreet "new request" message to the member.
  ``offer.withdrawn`` v1 (``OfferChanged``: offer_id, task_id, member_id, withdrawn_because) tells a
  member who was sent the request that the task filled, was cancelled or closed; a request mail not
  sent yet is dropped instead. Withdrawals for the member's own reasons (paused, erased) send nothing.
  ``offer.accepted`` v1 (``OfferChanged``: offer_id, task_id, member_id) queues the confirmation,
  with a calendar invitation when the task's time is known.
  Other offer and fill events are not this service's concern yet: its subscription ignores them.
tasks.state (compacted, keyed by task id):
  every ``task.*`` v1 state (``TaskState``: task_id, starts_at, ends_at) records when the task
  happens, for invitations; a tombstone forgets it.
members.state (compacted, keyed by member id):
  every ``member.*`` v1 state (``MemberState``: member_id, languages) records the language the
  member's messages are written in; a tombstone (erasure) drops the member's queued messages and
  delivery records.
"""

from __future__ import annotations

from functools import partial
from uuid import UUID

from sqlmodel import Session

from services.common.catalogue import OFFER_ACCEPTED, OFFER_CREATED, OFFER_WITHDRAWN, types_on
from services.common.consumer import PoisonEvent
from services.common.contracts import MemberState, OfferChanged, TaskState
from services.common.dispatch import Event, Subscription, Tombstone
from services.common.topics import MEMBERS_STATE, OFFERS_EVENTS, TASKS_STATE, Topics
from services.notifications import handlers
from services.notifications.messages import choose_language
from services.notifications.models import DeliveryStatus, MessageKind, WithdrawalReason


def offer_news(topics: Topics) -> Subscription:
    """offers.events: new requests, confirmations and withdrawals; every other type is ignored."""
    handles = {OFFER_CREATED: offer_created, OFFER_ACCEPTED: offer_accepted, OFFER_WITHDRAWN: offer_withdrawn}
    return Subscription(topics, handles, ignores=[event for event in types_on(OFFERS_EVENTS) if event not in handles])


def recipients(topics: Topics, default_language: str) -> Subscription:
    """members.state: each member's language; a tombstone (erasure) forgets them and their mail."""
    remember = partial(member_state_changed, default_language=default_language)
    return Subscription(topics, {event: remember for event in types_on(MEMBERS_STATE)},
                        tombstones={MEMBERS_STATE: member_erased})


def schedules(topics: Topics) -> Subscription:
    """tasks.state: when each task happens, for invitations; a tombstone forgets the task."""
    return Subscription(topics, {event: task_state_changed for event in types_on(TASKS_STATE)},
                        tombstones={TASKS_STATE: task_deleted})


def offer_created(session: Session, event: Event[OfferChanged]) -> None:
    offer = event.payload
    handlers.queue_delivery(session, offer.member_id, MessageKind.new_offer, offer.offer_id, event.occurred_at,
                            task_id=offer.task_id, expires_at=offer.expires_at)


def offer_accepted(session: Session, event: Event[OfferChanged]) -> None:
    offer = event.payload
    handlers.queue_delivery(session, offer.member_id, MessageKind.offer_accepted, offer.offer_id, event.occurred_at,
                            task_id=offer.task_id)


# matching's withdrawn_because -> the wording the member gets
WITHDRAWALS = {"task filled": WithdrawalReason.filled, "task cancelled": WithdrawalReason.cancelled,
               "task closed": WithdrawalReason.closed}


def offer_withdrawn(session: Session, event: Event[OfferChanged]) -> None:
    offer = event.payload
    reason = WITHDRAWALS.get(offer.withdrawn_because or "")
    told = handlers.find_delivery(session, offer.member_id, offer.offer_id, MessageKind.new_offer)
    if reason is None or told is None:
        return
    if told.status == DeliveryStatus.queued.value:  # never reached them: no need to say it went away
        handlers.finish(session, told, DeliveryStatus.dropped, event.occurred_at, f"offer withdrawn: {reason.value}")
        return
    if told.status == DeliveryStatus.sent.value:
        handlers.queue_delivery(session, offer.member_id, MessageKind.offer_withdrawn, offer.offer_id,
                                event.occurred_at, task_id=offer.task_id, variant=reason.value)


def task_state_changed(session: Session, event: Event[TaskState]) -> None:
    task = event.payload
    handlers.remember_schedule(session, task.task_id, task.starts_at, task.ends_at)


def task_deleted(session: Session, tombstone: Tombstone) -> None:
    handlers.forget_task(session, _entity_id(tombstone))


def member_state_changed(session: Session, event: Event[MemberState], default_language: str) -> None:
    member = event.payload
    spoken = [claim.code for claim in member.languages]
    handlers.remember_recipient(session, member.member_id, choose_language(spoken, default_language))


def member_erased(session: Session, tombstone: Tombstone) -> None:
    handlers.forget_member(session, _entity_id(tombstone))


def _entity_id(tombstone: Tombstone) -> UUID:
    try:
        return UUID(tombstone.key or "")
    except ValueError:
        raise PoisonEvent(f"a {tombstone.topic} tombstone must be keyed by an entity id, not {tombstone.key!r}") from None
