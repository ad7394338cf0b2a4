"""Events the tasks service publishes (TaskState) and consumes (offer outcomes, member erasures).

A TaskState carries what matching and public views need; never the description (free text that
may name people) nor the exact address.
"""

from __future__ import annotations

import logging
from uuid import UUID

from sqlalchemy.engine import Engine
from sqlmodel import Session, delete, func, select

from services.common.consumer import Incoming
from services.common.contracts import (
    OfferChanged,
    OfferStatus,
    SkillLevel,
    SkillNeed,
    TaskFillChanged,
    TaskState,
    TaskStatus,
    Urgency,
)
from services.common.envelope import wrap
from services.common.outbox import add_event
from services.common.republish import Source, refill
from services.common.settings import ServiceSettings
from services.common.topics import Topics
from services.tasks.lifecycle import follow_fill
from services.tasks.models import CoordinatorMembership, Task, TaskAcceptance, TaskLanguage, TaskSkill, as_utc

log = logging.getLogger(__name__)
SOURCE = "tasks"
# Outcomes after which a volunteer no longer holds a place on the task.
RELEASED = {OfferStatus.withdrawn, OfferStatus.cancelled_by_volunteer, OfferStatus.declined, OfferStatus.expired}
FILL_EVENTS = {"task.filled", "task.reopened"}


def task_state(session: Session, task: Task) -> TaskState:
    skills = session.exec(select(TaskSkill).where(TaskSkill.task_id == task.id).order_by(TaskSkill.skill)).all()
    languages = session.exec(select(TaskLanguage.code).where(TaskLanguage.task_id == task.id).order_by(TaskLanguage.code)).all()
    return TaskState(
        task_id=task.id, organization_id=task.organization_id, coordinator_id=task.coordinator_id,
        status=TaskStatus(task.status), title=task.title, summary=task.summary,
        skills=[SkillNeed(skill=s.skill, min_level=SkillLevel[s.min_level]) for s in skills],
        languages=list(languages), slots=task.slots, starts_at=as_utc(task.starts_at), ends_at=as_utc(task.ends_at),
        deadline=as_utc(task.deadline), area=task.area, remote=task.remote, urgency=Urgency(task.urgency),
        time_zone=task.time_zone,
    )


def publish_task_state(session: Session, topics: Topics, task: Task, event_type: str) -> None:
    """Queue the task's full state in the caller's transaction (outbox)."""
    session.flush()  # child rows (skills, languages) must be visible to task_state
    add_event(session, topics.tasks_state, str(task.id), wrap(event_type, task_state(session, task), SOURCE))


def republish(engine: Engine, settings: ServiceSettings, only: list[UUID] | None = None) -> dict[str, int]:
    """Refill tasks.state from this database (see ``services.common.republish``)."""
    topics = settings.topics
    return refill(engine, settings, {
        "tasks": Source(Task, lambda session, task: publish_task_state(session, topics, task, "task.republished")),
    }, only)


def offer_outcomes_handler(topics: Topics):
    """Consumer of offers.events: keeps who accepted each task, accepted_count and filled/open."""

    def apply(session: Session, incoming: Incoming) -> None:
        envelope = incoming.envelope
        if envelope is None:
            return
        if envelope.type.startswith("offer."):
            task = _apply_offer(session, OfferChanged.model_validate(envelope.data))
        elif envelope.type in FILL_EVENTS:
            task = _apply_fill(session, TaskFillChanged.model_validate(envelope.data))
        else:
            return
        if task is not None:
            _settle(session, topics, task)

    return apply


def member_erasures_handler(topics: Topics):
    """Consumer of members.state: an erased member (tombstone) is dropped from every task."""

    def apply(session: Session, incoming: Incoming) -> None:
        if not incoming.is_tombstone or incoming.key is None:
            return
        try:
            member_id = UUID(incoming.key)
        except ValueError:
            log.warning("ignoring a members tombstone whose key is not a member id")
            return
        task_ids = session.exec(select(TaskAcceptance.task_id).where(TaskAcceptance.member_id == member_id)).all()
        session.execute(delete(TaskAcceptance).where(TaskAcceptance.member_id == member_id))
        session.execute(delete(CoordinatorMembership).where(CoordinatorMembership.coordinator_id == member_id))
        for task_id in task_ids:
            task = session.get(Task, task_id)
            task.accepted_count = _count_accepted(session, task_id)
            _settle(session, topics, task)

    return apply


def _apply_offer(session: Session, offer: OfferChanged) -> Task | None:
    task = session.get(Task, offer.task_id)
    if task is None:
        log.warning("offer %s refers to unknown task %s; ignored", offer.offer_id, offer.task_id)
        return None
    held = session.get(TaskAcceptance, (offer.task_id, offer.member_id))
    if offer.status == OfferStatus.accepted and held is None:
        session.add(TaskAcceptance(task_id=offer.task_id, member_id=offer.member_id, offer_id=offer.offer_id))
    elif offer.status in RELEASED and held is not None and held.offer_id == offer.offer_id:
        session.delete(held)
    session.flush()
    task.accepted_count = _count_accepted(session, task.id)
    return task


def _apply_fill(session: Session, fill: TaskFillChanged) -> Task | None:
    task = session.get(Task, fill.task_id)
    if task is None:
        log.warning("fill change for unknown task %s; ignored", fill.task_id)
        return None
    # Matching owns capacity; its count is authoritative once the preceding offer events applied.
    task.accepted_count = fill.accepted
    return task


def _settle(session: Session, topics: Topics, task: Task) -> None:
    if follow_fill(task):
        publish_task_state(session, topics, task, "task.updated")
    session.add(task)


def _count_accepted(session: Session, task_id: UUID) -> int:
    return session.exec(select(func.count()).select_from(TaskAcceptance).where(TaskAcceptance.task_id == task_id)).one()

