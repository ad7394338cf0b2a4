"""Needs that repeat: post a series, keep its occurrences posted ahead on a rolling horizon, edit
one occurrence and the following ones, cancel the rest of a series.

Each occurrence is posted and changed through the same handlers as any task (``handlers``), so it
is checked, stored and published (tasks.state, outbox) exactly like one: matching offers it,
and when it is cancelled withdraws its offers, and the notifications service tells the accepted.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import replace
from datetime import datetime, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from services.common.clock import as_utc, utc_now
from services.common.problems import Conflict, NotFound
from services.common.roles import Actor
from services.tasks import handlers, lifecycle
from services.tasks.handlers import Call
from services.tasks.models import Task, TaskCreate, TaskUpdate
from services.tasks.permissions import require_task_manager
from services.tasks.recurrence import moved, occurrences, rule_text
from services.tasks.series_models import ACTIVE, CANCELLED, SeriesCreate, SeriesEdit, SeriesPublic, TaskSeries

log = logging.getLogger(__name__)
SYSTEM = Actor(None, "system")
# Fields of a task that an occurrence takes from its series (its times come from the rule).
TEMPLATE_EXCLUDE = {"repeat", "starts_at", "ends_at", "deadline"}


def create_series(call: Call, payload: SeriesCreate) -> SeriesPublic:
    zone = payload.time_zone or call.default_time_zone
    starts_at, ends_at = payload.window()
    first_local = starts_at.astimezone(ZoneInfo(zone)).replace(tzinfo=None)
    repeat = payload.repeat
    series = TaskSeries(
        organization_id=payload.organization_id,
        committee_id=payload.committee_id,
        time_zone=zone,
        rule=rule_text(repeat.frequency, repeat.interval, first_local, repeat.until, repeat.count),
        first_local=first_local.isoformat(timespec="seconds"),
        duration_minutes=int((ends_at - starts_at).total_seconds() // 60),
        template=payload.model_dump(mode="json", exclude=TEMPLATE_EXCLUDE) | {"time_zone": zone},
    )
    if series.template.get("coordinator_id") is None and call.actor.role == "coordinator":
        series.template["coordinator_id"] = str(call.actor.id)
    call.session.add(series)
    call.session.flush()
    post_ahead(call, series, utc_now(), at_least_one=True)
    return to_public(call.session, series)


def post_ahead(call: Call, series: TaskSeries, now: datetime, at_least_one: bool = False) -> int:
    """Post the occurrences due within the horizon that are not posted yet; returns how many."""
    if series.status != ACTIVE:
        return 0
    horizon = now + call.series_horizon
    due = occurrences(
        series.rule,
        _first_local(series),
        _duration(series),
        series.time_zone,
        from_index=series.next_index,
        until_utc=None if at_least_one else horizon,
    )
    posted = 0
    for occurrence in due:
        if posted and occurrence.starts_at > horizon:
            break
        series.next_index = occurrence.index + 1
        if occurrence.starts_at <= now:
            continue  # its time passed before it was due to be posted
        values = series.template | {"starts_at": occurrence.starts_at, "ends_at": occurrence.ends_at}
        task = handlers.post_task(
            call, TaskCreate.model_validate(values), series_id=series.id, series_index=occurrence.index
        )
        posted += 1
        log.info("series %s: posted occurrence %s as task %s", series.id, occurrence.index, task.id)
    call.session.add(series)
    return posted


def edit_following(call: Call, series_id: UUID, task_id: UUID, payload: SeriesEdit) -> SeriesPublic:
    """Change ``task_id`` and every later occurrence still to come, and the occurrences yet to be posted."""
    series = load_series(call.session, series_id)
    start = handlers.load_task(call.session, task_id)
    if start.series_id != series.id or start.series_index is None:
        raise NotFound(f"task {task_id} is not an occurrence of series {series_id}")
    require_task_manager(call.session, call.actor, series.organization_id, series.committee_id, "edit this series")
    refuse_if_cancelled(series)
    changes = payload.model_dump(mode="json", exclude_unset=True, exclude={"local_start", "duration_minutes"})
    if "committee_id" in changes:  # checked here too: no occurrence may be left to edit
        require_task_manager(
            call.session,
            call.actor,
            series.organization_id,
            payload.committee_id,
            "move this series into that committee",
        )
        series.committee_id = payload.committee_id
    for task in _occurrences_from(call.session, series, start.series_index):
        if task.status in lifecycle.EDITABLE:
            handlers.edit_task(call, task.id, TaskUpdate.model_validate(changes | _new_times(series, task, payload)))
    series.template = series.template | changes
    _move_rule(series, payload)
    series.updated_at = utc_now()
    call.session.add(series)
    return to_public(call.session, series)


def cancel_series(call: Call, series_id: UUID) -> SeriesPublic:
    """No more occurrences; those still to come are cancelled (their offers withdrawn, the accepted told)."""
    series = load_series(call.session, series_id)
    require_task_manager(call.session, call.actor, series.organization_id, series.committee_id, "cancel this series")
    now = utc_now()
    for task in _occurrences_from(call.session, series, 0):
        if as_utc(task.scheduled_at) > now and task.status in lifecycle.EDITABLE:
            handlers.change_status(call, task.id, "cancel")
    series.status = CANCELLED
    series.updated_at = now
    call.session.add(series)
    return to_public(call.session, series)


def get_series(call: Call, series_id: UUID) -> SeriesPublic:
    return to_public(call.session, load_series(call.session, series_id))


def load_series(session: Session, series_id: UUID) -> TaskSeries:
    series = session.get(TaskSeries, series_id)
    if series is None:
        raise NotFound(f"no series with id {series_id}")
    return series


def to_public(session: Session, series: TaskSeries) -> SeriesPublic:
    task_ids = session.exec(
        select(Task.id).where(col(Task.series_id) == series.id).order_by(col(Task.series_index))
    ).all()
    return SeriesPublic(
        id=series.id,
        organization_id=series.organization_id,
        committee_id=series.committee_id,
        rule=series.rule,
        first_local=_first_local(series),
        duration_minutes=series.duration_minutes,
        time_zone=series.time_zone,
        status=series.status,
        occurrences_posted=len(task_ids),
        task_ids=list(task_ids),
    )


SessionFactory = Callable[[], AbstractContextManager[Session]]


def keep_posting_ahead(
    session_factory: SessionFactory, call_for: Callable[[Session], Call], every_seconds: float
) -> Callable[[threading.Event], None]:
    """The background job posting each active series' occurrences as they come within the horizon.
    ``session_factory`` is the runtime's unit of work, which has the relay publish them at once."""

    def run(stop: threading.Event) -> None:
        while not stop.wait(every_seconds):
            try:
                post_all_due(session_factory, call_for, utc_now())
            except Exception:  # database or taxonomy briefly away: next round
                log.exception("posting series occurrences ahead failed")

    return run


def post_all_due(session_factory: SessionFactory, call_for: Callable[[Session], Call], now: datetime) -> int:
    """One round over every active series, each in its own transaction, as the system; returns
    occurrences posted. ``call_for`` gives a handler ``Call`` in a transaction's session."""
    with session_factory() as session:
        ids = session.exec(select(TaskSeries.id).where(TaskSeries.status == ACTIVE)).all()
    posted = 0
    for series_id in ids:
        with session_factory() as session:
            call = replace(call_for(session), actor=SYSTEM)
            posted += post_ahead(call, load_series(session, series_id), now)
    return posted


def _occurrences_from(session: Session, series: TaskSeries, index: int) -> list[Task]:
    return list(
        session.exec(
            select(Task)
            .where(col(Task.series_id) == series.id, col(Task.series_index) >= index)
            .order_by(col(Task.series_index))
        )
    )


def _new_times(series: TaskSeries, task: Task, payload: SeriesEdit) -> dict:
    """The occurrence's new window on its own local date; nothing when the time is not changed."""
    if payload.local_start is None and payload.duration_minutes is None:
        return {}
    assert task.starts_at is not None, "an occurrence has a time window"
    new_time = payload.local_start or as_utc(task.starts_at).astimezone(ZoneInfo(series.time_zone)).time()
    duration = timedelta(minutes=payload.duration_minutes or series.duration_minutes)
    starts_at, ends_at = moved(as_utc(task.starts_at), series.time_zone, new_time, duration)
    return {"starts_at": starts_at.isoformat(), "ends_at": ends_at.isoformat()}


def _move_rule(series: TaskSeries, payload: SeriesEdit) -> None:
    """Occurrences posted later follow the new time of day and length (the dates stay the rule's)."""
    if payload.local_start is not None:
        series.first_local = datetime.combine(_first_local(series).date(), payload.local_start).isoformat(
            timespec="seconds"
        )
    if payload.duration_minutes is not None:
        series.duration_minutes = payload.duration_minutes


def _first_local(series: TaskSeries) -> datetime:
    return datetime.fromisoformat(series.first_local)


def _duration(series: TaskSeries) -> timedelta:
    return timedelta(minutes=series.duration_minutes)


def refuse_if_cancelled(series: TaskSeries) -> None:
    if series.status == CANCELLED:
        raise Conflict("this series was cancelled; post a new one", current_status=series.status)
