"""What the service takes from Kafka: one function per event type it acts on.

offers.events (keyed by task id):
  ``offer.created`` v1 (``OfferChanged``: offer_id, task_id, member_id, expires_at) queues a
  discreet "new request" message to the member.
  ``offer.withdrawn`` v1 (``OfferChanged``: offer_id, task_id, member_id, withdrawn_because) tells a
  member who was sent the request that the task filled, was cancelled or closed; a request mail not
  sent yet is dropped instead. Withdrawals for the member's own reasons (paused, erased) send nothing.
  ``offer.accepted`` v1 (``OfferChanged``: offer_id, task_id, member_id) queues the confirmation,
  with a calendar invitation when the task's time is known.
  Other offer events are not this service's concern yet and are passed over.
tasks.state (compacted, keyed by task id):
  every ``task.*`` v1 state (``TaskState``: task_id, starts_at, ends_at) records when the task
  happens, for invitations; a tombstone forgets it.
members.state (compacted, keyed by member id):
  every ``member.*`` v1 state (``MemberState``: member_id, languages) records the language the
  member's messages are written in; a tombstone (erasure) drops the member's queued messages and
  delivery records.
"""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from sqlmodel import Session

from services.common.consumer import Incoming, PoisonEvent
from services.common.contracts import MemberState, OfferChanged, TaskState
from services.common.envelope import Envelope
from services.notifications import handlers
from services.notifications.messages import choose_language
from services.notifications.models import DeliveryStatus, MessageKind, WithdrawalReason

SUPPORTED_VERSION = 1


def offer_created(session: Session, envelope: Envelope, default_language: str) -> None:
    offer = OfferChanged.model_validate(envelope.data)
    handlers.queue_delivery(session, offer.member_id, MessageKind.new_offer, offer.offer_id, envelope.occurred_at,
                            task_id=offer.task_id, expires_at=offer.expires_at)


def offer_accepted(session: Session, envelope: Envelope, default_language: str) -> None:
    offer = OfferChanged.model_validate(envelope.data)
    handlers.queue_delivery(session, offer.member_id, MessageKind.offer_accepted, offer.offer_id, envelope.occurred_at,
                            task_id=offer.task_id)


def task_state_changed(session: Session, envelope: Envelope) -> None:
    task = TaskState.model_validate(envelope.data)
    handlers.remember_schedule(session, task.task_id, task.starts_at, task.ends_at)


# matching's withdrawn_because -> the wording the member gets
WITHDRAWALS = {"task filled": WithdrawalReason.filled, "task cancelled": WithdrawalReason.cancelled,
               "task closed": WithdrawalReason.closed}


def offer_withdrawn(session: Session, envelope: Envelope, default_language: str) -> None:
    offer = OfferChanged.model_validate(envelope.data)
    reason = WITHDRAWALS.get(offer.withdrawn_because or "")
    told = handlers.find_delivery(session, offer.member_id, offer.offer_id, MessageKind.new_offer)
    if reason is None or told is None:
        return
    if told.status == DeliveryStatus.queued.value:  # never reached them: no need to say it went away
        handlers.finish(session, told, DeliveryStatus.dropped, envelope.occurred_at, f"offer withdrawn: {reason.value}")
        return
    if told.status == DeliveryStatus.sent.value:
        handlers.queue_delivery(session, offer.member_id, MessageKind.offer_withdrawn, offer.offer_id,
                                envelope.occurred_at, task_id=offer.task_id, variant=reason.value)


def member_state_changed(session: Session, envelope: Envelope, default_language: str) -> None:
    member = MemberState.model_validate(envelope.data)
    spoken = [claim.code for claim in member.languages]
    handlers.remember_recipient(session, member.member_id, choose_language(spoken, default_language))


def member_erased(session: Session, member_id: UUID) -> None:
    handlers.forget_member(session, member_id)


EventHandler = Callable[[Session, Envelope, str], None]
OFFER_EVENTS: dict[str, EventHandler] = {
    "offer.created": offer_created, "offer.withdrawn": offer_withdrawn, "offer.accepted": offer_accepted,
}


def offers_handler(default_language: str):
    def handle(session: Session, incoming: Incoming) -> None:
        envelope = incoming.envelope
        if envelope is None or envelope.type not in OFFER_EVENTS:
            return
        _check_version(envelope)
        OFFER_EVENTS[envelope.type](session, envelope, default_language)

    return handle


def members_handler(default_language: str):
    def handle(session: Session, incoming: Incoming) -> None:
        if incoming.is_tombstone:
            member_erased(session, _entity_id(incoming.key, "members.state"))
            return
        _check_version(incoming.envelope)
        if incoming.envelope.type.startswith("member."):
            member_state_changed(session, incoming.envelope, default_language)

    return handle


def tasks_handler(session: Session, incoming: Incoming) -> None:
    if incoming.is_tombstone:
        handlers.forget_task(session, _entity_id(incoming.key, "tasks.state"))
        return
    _check_version(incoming.envelope)
    if incoming.envelope.type.startswith("task."):
        task_state_changed(session, incoming.envelope)


def _check_version(envelope: Envelope) -> None:
    if envelope.version != SUPPORTED_VERSION:
        raise PoisonEvent(f"{envelope.type} version {envelope.version} is not supported (reads {SUPPORTED_VERSION})")


def _entity_id(key: str | None, topic: str) -> UUID:
    try:
        return UUID(key or "")
    except ValueError:
        raise PoisonEvent(f"a {topic} tombstone must be keyed by an entity id, not {key!r}") from None
