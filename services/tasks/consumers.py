"""What the tasks service consumes: offers and fills from matching (who accepted each task, and
whether it is filled), and members' erasures. One consumer group each (``consumers``).
"""

from __future__ import annotations

import logging
from uuid import UUID

from sqlmodel import Session, col, delete

from services.common import catalogue
from services.common.catalogue import EventType
from services.common.composition import Consume
from services.common.consumer import PoisonEvent
from services.common.contracts import FillChanged, OfferChanged, OfferStatus
from services.common.dispatch import Event, EventReaction, Subscription, Tombstone
from services.common.runtime import Runtime
from services.common.topics import MEMBERS_STATE, Topics
from services.tasks.attendance_models import Attendance, MemberTally
from services.tasks.lifecycle import follow_fill
from services.tasks.models import CoordinatorMembership, Task, TaskAcceptance

log = logging.getLogger(__name__)
# Outcomes after which a volunteer no longer holds a place on the task.
RELEASED = {OfferStatus.withdrawn, OfferStatus.cancelled_by_volunteer, OfferStatus.declined, OfferStatus.expired}


def consumers(runtime: Runtime) -> list[Consume]:
    topics = runtime.settings.topics
    return [Consume("offer-outcomes", offer_outcomes(topics)), Consume("member-erasures", member_erasures(topics))]


def offer_outcomes(topics: Topics) -> Subscription:
    """Consumer of offers.events: who accepted each task (they may see its address), and the fill
    as matching counts it. Matching owns capacity; this service never recounts it."""
    reactions: dict[EventType, EventReaction[None]] = {
        catalogue.OFFER_ACCEPTED: offer_accepted,
        **{catalogue.OFFER_EVENT_FOR[status]: offer_released for status in RELEASED},
        catalogue.FILL_COMPLETED: fill_changed,
        catalogue.FILL_REOPENED: fill_changed,
    }
    return Subscription(topics, reactions, ignores=[catalogue.OFFER_CREATED])


def member_erasures(topics: Topics) -> Subscription:
    """Consumer of members.state: an erased member (tombstone) no longer holds any task.

    Matching withdraws their accepted offers too and tells the new fill (``fill.reopened``).
    """
    return Subscription(
        topics, {}, ignores=catalogue.types_on(MEMBERS_STATE), tombstones={MEMBERS_STATE: member_erased}
    )


def offer_accepted(session: Session, event: Event[OfferChanged]) -> None:
    offer = event.payload
    if session.get(Task, offer.task_id) is None:
        log.warning("offer %s refers to unknown task %s; ignored", offer.offer_id, offer.task_id)
        return
    if session.get(TaskAcceptance, (offer.task_id, offer.member_id)) is None:
        session.add(TaskAcceptance(task_id=offer.task_id, member_id=offer.member_id, offer_id=offer.offer_id))


def offer_released(session: Session, event: Event[OfferChanged]) -> None:
    offer = event.payload
    held = session.get(TaskAcceptance, (offer.task_id, offer.member_id))
    if held is not None and held.offer_id == offer.offer_id:
        session.delete(held)


def fill_changed(session: Session, event: Event[FillChanged]) -> None:
    """Matching's count and its verdict (filled or not); an older fill than the one held is dropped."""
    fill = event.payload
    task = session.get(Task, fill.task_id)
    if task is None:
        log.warning("fill change for unknown task %s; ignored", fill.task_id)
        return
    if fill.sequence and fill.sequence <= task.fill_sequence:
        log.info("ignoring fill %s of task %s: already at %s", fill.sequence, fill.task_id, task.fill_sequence)
        return
    task.accepted_count = fill.accepted
    task.fill_sequence = fill.sequence or task.fill_sequence
    follow_fill(task, fill.is_full)
    session.add(task)


def member_erased(session: Session, tombstone: Tombstone) -> None:
    try:
        member_id = UUID(str(tombstone.key))
    except ValueError as error:
        raise PoisonEvent(f"a members tombstone whose key is not a member id: {tombstone.key!r}") from error
    session.execute(delete(TaskAcceptance).where(col(TaskAcceptance.member_id) == member_id))
    session.execute(delete(Attendance).where(col(Attendance.member_id) == member_id))  # who came, too
    session.execute(delete(MemberTally).where(col(MemberTally.member_id) == member_id))
    session.execute(delete(CoordinatorMembership).where(col(CoordinatorMembership.coordinator_id) == member_id))
