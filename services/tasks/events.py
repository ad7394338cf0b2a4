"""Events the tasks service publishes: each task's state on tasks.state (what it consumes is in
``consumers``).

A TaskState carries what matching and public views need; never the description (free text that
may name people) nor the exact address.
"""

from __future__ import annotations

from uuid import UUID

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from services.common import catalogue
from services.common.catalogue import EventType
from services.common.clock import as_utc
from services.common.contracts import (
    Fluency,
    SkillLevel,
    SkillNeed,
    TaskState,
    TaskStatus,
    Urgency,
)
from services.common.envelope import wrap
from services.common.outbox import add_event
from services.common.republish import Source, refill
from services.common.settings import ServiceSettings
from services.common.topics import Topics
from services.tasks.models import Task, TaskLanguage, TaskSkill

SOURCE = "tasks"


def task_state(session: Session, task: Task) -> TaskState:
    skills = session.exec(select(TaskSkill).where(TaskSkill.task_id == task.id).order_by(TaskSkill.skill)).all()
    languages = session.exec(
        select(TaskLanguage.code).where(TaskLanguage.task_id == task.id).order_by(TaskLanguage.code)
    ).all()
    return TaskState(
        task_id=task.id,
        organization_id=task.organization_id,
        coordinator_id=task.coordinator_id,
        status=TaskStatus(task.status),
        title=task.title,
        summary=task.summary,
        skills=[SkillNeed(skill=s.skill, min_level=SkillLevel[s.min_level]) for s in skills],
        languages=list(languages),
        slots=task.slots,
        starts_at=as_utc(task.starts_at),
        ends_at=as_utc(task.ends_at),
        deadline=as_utc(task.deadline),
        area=task.area,
        remote=task.remote,
        urgency=Urgency(task.urgency),
        time_zone=task.time_zone,
        whole_city=task.whole_city,
        min_fluency={code: Fluency[name] for code, name in (task.min_fluency or {}).items()},
        committee_id=task.committee_id,
        members_only=task.members_only,
    )


def publish_task_state(session: Session, topics: Topics, task: Task, event_type: EventType) -> None:
    """Queue the task's full state in the caller's transaction (outbox)."""
    session.flush()  # child rows (skills, languages) must be visible to task_state
    add_event(session, topics.tasks_state, str(task.id), wrap(event_type, task_state(session, task), SOURCE))


def republish(engine: Engine, settings: ServiceSettings, only: list[UUID] | None = None) -> dict[str, int]:
    """Refill tasks.state from this database (see ``services.common.republish``)."""
    topics = settings.topics
    return refill(
        engine,
        settings,
        {
            "tasks": Source(
                Task, lambda session, task: publish_task_state(session, topics, task, catalogue.TASK_REPUBLISHED)
            ),
        },
        only,
    )
