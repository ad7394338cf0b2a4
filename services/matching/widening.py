"""An unfilled task widens by itself as its start approaches, in steps the coalition configures
(``MATCHING_AUTO_WIDEN``: e.g. the whole city from 72 hours before the start).

Each step taken is recorded (``task_widening``: which, when, and how many more members it made
eligible then) and shown to the coordinator with the task's diagnosis. The task itself, owned by
the tasks service, is not changed: matching applies the recorded widenings to its copy of the task
wherever it matches (``as_matched``), so a later edit by the coordinator keeps them.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable, Iterator, Mapping
from datetime import datetime, timedelta
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlmodel import Session, col

from services.common.clock import as_utc
from services.common.contracts import TaskState
from services.matching.engine import MemberLoad
from services.matching.engine.diagnosis import widened
from services.matching.models import TaskWidening

log = logging.getLogger(__name__)

WideningName = Literal["whole_city", "any_level", "any_fluency"]


class AutoWiden(BaseModel):
    """One step: from ``hours_before`` the task's start, an unfilled task takes ``widening``."""

    widening: WideningName
    hours_before: float = Field(gt=0)


class AppliedWidening(BaseModel):
    widening: WideningName
    applied_at: datetime
    more_members: int


def recorded(session: Session, task_id: UUID) -> list[TaskWidening]:
    return list(
        session.scalars(
            select(TaskWidening).where(col(TaskWidening.task_id) == task_id).order_by(col(TaskWidening.applied_at))
        )
    )


def recorded_for(session: Session, task_ids: Iterable[UUID]) -> dict[UUID, list[str]]:
    names: dict[UUID, list[str]] = {}
    ids = list(task_ids)
    if not ids:
        return names
    rows = session.execute(
        select(col(TaskWidening.task_id), col(TaskWidening.widening))
        .where(col(TaskWidening.task_id).in_(ids))
        .order_by(col(TaskWidening.applied_at))
    )
    for task_id, name in rows:
        names.setdefault(task_id, []).append(name)
    return names


def applied(state: TaskState, names: Iterable[str]) -> TaskState:
    """The task as matching matches it: with the widenings taken so far."""
    for name in names:
        state = widened(state).get(name, state)
    return state


def as_matched(session: Session, state: TaskState) -> TaskState:
    return applied(state, [row.widening for row in recorded(session, state.task_id)])


def public(rows: Iterable[TaskWidening]) -> list[AppliedWidening]:
    return [
        AppliedWidening(widening=row.widening, applied_at=as_utc(row.applied_at), more_members=row.more_members)
        for row in rows
    ]


def _steps_due(
    matching: Any, state: TaskState, taken: Collection[str], now: datetime
) -> Iterator[tuple[AutoWiden, TaskState]]:
    """The steps due now for the task (``state`` as matched, with the steps ``taken``), in order,
    each with the task as that step widens it; the next step to come is put on the worker's clock
    (after a restart, reconciliation finds it)."""
    if state.starts_at is None or now >= state.starts_at:
        return
    for step in sorted(matching.settings.auto_widen, key=lambda step: -step.hours_before):
        moment = state.starts_at - timedelta(hours=step.hours_before)
        if step.widening in taken:
            continue
        if now < moment:
            matching.work.look_again(moment, state.task_id)
            return
        wider = widened(state).get(step.widening)
        if wider is None:  # already as wide (e.g. a remote task has no city to widen to)
            continue
        yield step, wider
        state = wider


def step_due(matching: Any, state: TaskState, taken: Collection[str], now: datetime) -> bool:
    """Read-only: whether ``widen_when_due`` would take a step now."""
    return next(_steps_due(matching, state, taken, now), None) is not None


def widen_when_due(
    session: Session,
    matching: Any,
    state: TaskState,
    loads: Mapping[UUID, MemberLoad],
    asked: Collection[UUID],
    now: datetime,
) -> TaskState:
    """Take the steps due for this unfilled task, record them, and return the task as matched now."""
    taken = [row.widening for row in recorded(session, state.task_id)]
    state = applied(state, taken)
    for step, wider in _steps_due(matching, state, taken, now):
        gain = matching.directory.diagnose(state, loads=loads, asked=set(asked), now=now).widenings[step.widening]
        session.add(TaskWidening(task_id=state.task_id, widening=step.widening, applied_at=now, more_members=gain))
        log.info(
            "task %s widened to %s, %s hours before its start: %s more members",
            state.task_id,
            step.widening,
            step.hours_before,
            gain,
        )
        state = wider
        matching.open_tasks.update(state)
    return state
