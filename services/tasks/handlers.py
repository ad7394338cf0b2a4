"""What the tasks service does: post, edit, open, cancel, close, list tasks; reveal addresses
(one task's, or many at once under the same rule).

Routes call these with a :class:`Call`; each runs inside the caller's transaction and queues
its TaskState there (outbox), so a change and its event commit together.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from enum import Enum
from uuid import UUID

from sqlmodel import Session, col, delete, select

from services.common import catalogue
from services.common.clock import as_utc, utc_now
from services.common.problems import Conflict, Forbidden, Invalid, NotFound
from services.common.roles import Actor
from services.common.topics import Topics
from services.tasks import lifecycle
from services.tasks.committees import check_committee_fits
from services.tasks.config import DEFAULT_TIME_ZONE, SERIES_HORIZON
from services.tasks.events import publish_task_state
from services.tasks.models import (
    FieldProblem,
    Task,
    TaskAcceptance,
    TaskAddress,
    TaskAddresses,
    TaskCreate,
    TaskLanguage,
    TaskPublic,
    TaskSkill,
    TaskUpdate,
    check_fluency_floors,
    check_members_only,
    check_place,
    check_schedule,
    check_unique_needs,
    scheduled_at,
)
from services.tasks.organizations import load_organization
from services.tasks.permissions import (
    acts_for,
    can_manage_task,
    check_known,
    leads,
    require_task_manager,
    sees_members_only,
)
from services.tasks.skills import SkillCatalogue

SCHEDULE = ("starts_at", "ends_at", "deadline")
CHILD_FIELDS = ("skills", "languages")


@dataclass(frozen=True)
class Call:
    """One call of a handler: the transaction it runs in, the topics and skill catalogue it checks
    and publishes with, who is calling (the verified actor), and the service's settings it needs."""

    session: Session
    topics: Topics
    actor: Actor
    skills: SkillCatalogue
    default_time_zone: str = DEFAULT_TIME_ZONE
    series_horizon: timedelta = SERIES_HORIZON  # how far ahead a series' occurrences are posted
    attendance_assumed_after: timedelta = timedelta(hours=72)  # unmarked volunteers then count as attended


def post_task(
    call: Call, payload: TaskCreate, series_id: UUID | None = None, series_index: int | None = None
) -> TaskPublic:
    load_organization(call.session, payload.organization_id)
    check_committee_fits(call.session, payload.committee_id, payload.organization_id)
    require_task_manager(
        call.session, call.actor, payload.organization_id, payload.committee_id, "post tasks for this organization"
    )
    coordinator_id = payload.coordinator_id or (call.actor.id if call.actor.role == "coordinator" else None)
    if coordinator_id is None:
        raise Invalid("coordinator_id is required when an admin or the system posts a task")
    _check_coordinator(call.session, coordinator_id, payload.organization_id, payload.committee_id)

    def check() -> None:
        check_place(payload.area, payload.remote, payload.address, payload.whole_city)
        check_fluency_floors(payload.languages, payload.min_fluency)

    _require_consistent(check)
    call.skills.require_known(need.skill for need in payload.skills)
    values = _column_values(payload.model_dump(exclude={"skills", "languages", "coordinator_id", "time_zone"}))
    task = Task(
        **values,
        coordinator_id=coordinator_id,
        scheduled_at=scheduled_at(payload.starts_at, payload.deadline),
        time_zone=payload.time_zone or call.default_time_zone,
        series_id=series_id,
        series_index=series_index,
    )
    call.session.add(task)
    _replace_needs(call.session, task.id, payload.skills, payload.languages)
    publish_task_state(call.session, call.topics, task, catalogue.TASK_POSTED)
    return to_public(call.session, task)


def get_task(call: Call, task_id: UUID) -> TaskPublic:
    task = load_task(call.session, task_id)
    if task.members_only and not sees_members_only(call.actor):
        raise NotFound(f"no task with id {task_id}")  # to the public, as if it were not there
    return to_public(call.session, task)


def edit_task(call: Call, task_id: UUID, payload: TaskUpdate) -> TaskPublic:
    task = load_task(call.session, task_id)
    require_task_manager(call.session, call.actor, task.organization_id, task.committee_id, "edit this task")
    lifecycle.require_editable(task)
    call.skills.require_known(need.skill for need in payload.skills or [])
    changes = _column_values(payload.model_dump(exclude_unset=True, exclude=set(CHILD_FIELDS)))
    _check_edit(call, task, payload, changes)
    for name, value in changes.items():
        setattr(task, name, value)
    task.scheduled_at = scheduled_at(task.starts_at, task.deadline)
    task.updated_at = utc_now()
    _replace_needs(call.session, task.id, payload.skills, payload.languages)
    call.session.add(task)
    publish_task_state(call.session, call.topics, task, catalogue.TASK_UPDATED)
    return to_public(call.session, task)


def change_status(call: Call, task_id: UUID, action: str) -> TaskPublic:
    """open / cancel / close; a repeat of the current status is accepted and publishes nothing."""
    task = load_task(call.session, task_id)
    require_task_manager(call.session, call.actor, task.organization_id, task.committee_id, f"{action} this task")
    event_type = lifecycle.transition(task, action)
    if event_type is not None:
        task.updated_at = utc_now()
        call.session.add(task)
        publish_task_state(call.session, call.topics, task, event_type)
    return to_public(call.session, task)


def task_address(call: Call, task_id: UUID, member_id: UUID | None) -> TaskAddress:
    """The exact place: for volunteers who accepted, the task's coordinators, admins and the system."""
    check_known(call.actor)
    task = load_task(call.session, task_id)
    member_id = _asking_for(call.actor, member_id)
    if member_id is not None:
        if not _accepted_by(call.session, member_id, [task.id]):
            raise Forbidden("the exact address is shared only with volunteers who accepted this task")
    elif not can_manage_task(call.session, call.actor, task.organization_id, task.committee_id):
        raise Forbidden("only the task's coordinators, or volunteers who accepted it, may see the address")
    return _address_of(task)


def task_addresses(call: Call, task_ids: Sequence[UUID], member_id: UUID | None) -> TaskAddresses:
    """Many tasks' exact places in one read, each under the rule of :func:`task_address`.

    A task the actor may not see, or that does not exist, is left out rather than failing the
    read, so one forbidden task does not hide the others. Items follow the order asked for.
    """
    check_known(call.actor)
    member_id = _asking_for(call.actor, member_id)
    wanted = list(dict.fromkeys(task_ids))
    tasks = {task.id: task for task in call.session.exec(select(Task).where(col(Task.id).in_(wanted)))}
    if member_id is not None:
        visible = _accepted_by(call.session, member_id, wanted)
    else:
        visible = _managed_by_actor(call, tasks.values())
    return TaskAddresses(
        items=[_address_of(tasks[task_id]) for task_id in wanted if task_id in tasks and task_id in visible]
    )


def _asking_for(actor: Actor, member_id: UUID | None) -> UUID | None:
    """The volunteer on whose behalf the address is asked; a volunteer asks only for themself."""
    if actor.role != "volunteer":
        return member_id
    if member_id not in (None, actor.id):
        raise Forbidden("a volunteer may only ask for the address on their own behalf")
    return actor.id


def _accepted_by(session: Session, member_id: UUID, task_ids: Sequence[UUID]) -> set[UUID]:
    accepted = select(TaskAcceptance.task_id).where(
        col(TaskAcceptance.member_id) == member_id, col(TaskAcceptance.task_id).in_(task_ids)
    )
    return set(session.exec(accepted).all())


def _managed_by_actor(call: Call, tasks: Iterable[Task]) -> set[UUID]:
    # One check per organization and committee, however many of their tasks are asked for.
    tasks = list(tasks)  # read twice
    owners = {(task.organization_id, task.committee_id): task.id for task in tasks}
    managed = {owner for owner in owners if can_manage_task(call.session, call.actor, *owner)}
    return {task.id for task in tasks if (task.organization_id, task.committee_id) in managed}


def _address_of(task: Task) -> TaskAddress:
    return TaskAddress(task_id=task.id, address=task.address, area=task.area, remote=task.remote)


def load_task(session: Session, task_id: UUID) -> Task:
    task = session.get(Task, task_id)
    if task is None:
        raise NotFound(f"no task with id {task_id}")
    return task


def to_public(
    session: Session, task: Task, skills: Sequence[TaskSkill] | None = None, languages: Sequence[str] | None = None
) -> TaskPublic:
    """The API view of a task; pass ``skills``/``languages`` when already loaded (listing)."""
    if skills is None:
        skills = session.exec(select(TaskSkill).where(TaskSkill.task_id == task.id).order_by(TaskSkill.skill)).all()
    if languages is None:
        languages = _languages_of(session, task.id)
    return TaskPublic(
        id=task.id,
        organization_id=task.organization_id,
        coordinator_id=task.coordinator_id,
        status=task.status,
        title=task.title,
        summary=task.summary,
        description=task.description,
        campaign=task.campaign,
        skills=[{"skill": s.skill, "min_level": s.min_level} for s in skills],
        languages=list(languages),
        slots=task.slots,
        starts_at=as_utc(task.starts_at),
        ends_at=as_utc(task.ends_at),
        deadline=as_utc(task.deadline),
        area=task.area,
        remote=task.remote,
        whole_city=task.whole_city,
        min_fluency=task.min_fluency or {},
        urgency=task.urgency,
        time_zone=task.time_zone,
        committee_id=task.committee_id,
        members_only=task.members_only,
        series_id=task.series_id,
        flexible=task.deadline is not None,
        has_address=bool(task.address),
        accepted_count=task.accepted_count,
        created_at=as_utc(task.created_at),
        updated_at=as_utc(task.updated_at),
    )


def _check_edit(call: Call, task: Task, payload: TaskUpdate, changes: dict) -> None:
    """The task as it would be after the edit must still be consistent."""
    session = call.session
    fields = (*SCHEDULE, "area", "remote", "address", "whole_city", "min_fluency", "committee_id", "members_only")
    merged = {name: changes.get(name, getattr(task, name)) for name in fields}
    languages = payload.languages if payload.languages is not None else _languages_of(session, task.id)

    def check() -> None:
        if any(name in changes for name in SCHEDULE):
            starts_at, ends_at, deadline = (as_utc(merged[name]) for name in SCHEDULE)
            check_schedule(starts_at, ends_at, deadline, utc_now())
        check_place(merged["area"], merged["remote"], merged["address"], merged["whole_city"])
        check_unique_needs(payload.skills or [], payload.languages or [])
        check_fluency_floors(languages, merged["min_fluency"] or {})
        check_members_only(merged["committee_id"], merged["members_only"])

    _require_consistent(check)
    if "slots" in changes and changes["slots"] < task.accepted_count:
        raise Conflict(
            f"{task.accepted_count} volunteers have already accepted; slots cannot go below {task.accepted_count}",
            accepted_count=task.accepted_count,
        )
    if "committee_id" in changes:  # moved: the actor must be able to manage it where it goes too
        check_committee_fits(session, merged["committee_id"], task.organization_id)
        require_task_manager(session, call.actor, task.organization_id, merged["committee_id"], "move this task there")
    if "coordinator_id" in changes or "committee_id" in changes:
        _check_coordinator(
            session, changes.get("coordinator_id", task.coordinator_id), task.organization_id, merged["committee_id"]
        )


def _check_coordinator(
    session: Session, coordinator_id: UUID, organization_id: UUID, committee_id: UUID | None
) -> None:
    if not (acts_for(session, coordinator_id, organization_id) or leads(session, coordinator_id, committee_id)):
        also = " nor leads the task's committee" if committee_id else ""
        raise Invalid(f"coordinator {coordinator_id} does not act for organization {organization_id}{also}")


def _require_consistent(check) -> None:
    """Run ``check``; a task that does not hold together is a 422 naming the field at fault."""
    try:
        check()
    except FieldProblem as problem:
        raise Invalid(str(problem), errors=[{"field": problem.field, "message": str(problem)}]) from None
    except ValueError as error:
        raise Invalid(str(error)) from None


def _languages_of(session: Session, task_id: UUID) -> list[str]:
    return list(
        session.exec(select(TaskLanguage.code).where(TaskLanguage.task_id == task_id).order_by(TaskLanguage.code)).all()
    )


def _column_values(values: dict) -> dict:
    return {name: value.value if isinstance(value, Enum) else value for name, value in values.items()}


def _replace_needs(session: Session, task_id: UUID, skills, languages) -> None:
    """New skill and language rows for the task; ``None`` leaves that list as it is."""
    if skills is not None:
        session.execute(delete(TaskSkill).where(col(TaskSkill.task_id) == task_id))
        session.add_all(TaskSkill(task_id=task_id, skill=need.skill, min_level=need.min_level) for need in skills)
    if languages is not None:
        session.execute(delete(TaskLanguage).where(col(TaskLanguage.task_id) == task_id))
        session.add_all(TaskLanguage(task_id=task_id, code=code) for code in languages)
