"""Finding tasks: filters (status, skills, area, language, place, dates, owner, ids) and pagination.

Reading many tasks by id goes through the same listing (``?id=a&id=b``), so a batch read answers
exactly what ``GET /tasks/{id}`` would for each id, one request instead of one per task.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement
from sqlalchemy.orm import Mapped
from sqlmodel import Session, col, exists, func, select

from services.common.contracts import TaskStatus
from services.common.http_api import Page, PageRequest
from services.common.problems import Invalid
from services.tasks.handlers import to_public
from services.tasks.models import Task, TaskLanguage, TaskPublic, TaskSkill

MAX_IDS = 100  # one page: a batch read never needs a second one
MAX_SKILLS = 20


@dataclass(frozen=True)
class TaskFilters:
    status: TaskStatus | None = None
    skills: tuple[str, ...] = ()  # any of them
    area: str | None = None
    language: str | None = None
    remote: bool | None = None
    starts_after: datetime | None = None
    starts_before: datetime | None = None
    organization_id: UUID | None = None
    coordinator_id: UUID | None = None
    committee_id: UUID | None = None
    ids: tuple[UUID, ...] = ()
    # False for the public: a committee's members-only needs are its own business, not a widget's.
    members_only: bool | None = None


def find_tasks(session: Session, filters: TaskFilters, page: PageRequest) -> Page[TaskPublic]:
    """Matching tasks, soonest first (a flexible task counts from its deadline)."""
    conditions = _conditions(filters)
    total = session.exec(select(func.count()).select_from(Task).where(*conditions)).one()
    tasks = session.exec(
        select(Task)
        .where(*conditions)
        .order_by(col(Task.scheduled_at), col(Task.id))
        .offset(page.offset)
        .limit(page.limit)
    ).all()
    skills, languages = _needs_of(session, [task.id for task in tasks])
    items = [to_public(session, task, skills[task.id], languages[task.id]) for task in tasks]
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


def _conditions(filters: TaskFilters) -> list[ColumnElement[bool]]:
    if filters.starts_after and filters.starts_before and filters.starts_after >= filters.starts_before:
        raise Invalid("starts_after must be before starts_before")
    columns: dict[str, Mapped[Any]] = {
        "status": col(Task.status),
        "area": col(Task.area),
        "remote": col(Task.remote),
        "organization_id": col(Task.organization_id),
        "coordinator_id": col(Task.coordinator_id),
        "committee_id": col(Task.committee_id),
        "members_only": col(Task.members_only),
    }
    conditions: list[ColumnElement[bool]] = []
    for name, column in columns.items():
        value = getattr(filters, name)
        if value is not None:
            conditions.append(column == (value.value if isinstance(value, TaskStatus) else value))
    if filters.skills:
        conditions.append(exists().where(col(TaskSkill.task_id) == Task.id, col(TaskSkill.skill).in_(filters.skills)))
    if filters.ids:
        conditions.append(col(Task.id).in_(filters.ids))
    if filters.language is not None:
        conditions.append(
            exists().where(col(TaskLanguage.task_id) == Task.id, col(TaskLanguage.code) == filters.language)
        )
    if filters.starts_after is not None:
        conditions.append(col(Task.scheduled_at) >= filters.starts_after)
    if filters.starts_before is not None:
        conditions.append(col(Task.scheduled_at) < filters.starts_before)
    return conditions


def _needs_of(session: Session, task_ids: list[UUID]) -> tuple[dict, dict]:
    """Skills and languages of a page of tasks in two queries rather than two per task."""
    skills, languages = defaultdict(list), defaultdict(list)
    if task_ids:
        for need in session.exec(
            select(TaskSkill).where(col(TaskSkill.task_id).in_(task_ids)).order_by(col(TaskSkill.skill))
        ):
            skills[need.task_id].append(need)
        for language in session.exec(
            select(TaskLanguage).where(col(TaskLanguage.task_id).in_(task_ids)).order_by(col(TaskLanguage.code))
        ):
            languages[language.task_id].append(language.code)
    return skills, languages
