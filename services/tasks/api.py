"""HTTP routes of the tasks service: each turns a request into one handler call."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request, Response, status
from sqlmodel import Session

from services.common.contracts import TaskStatus
from services.common.deps import get_actor, get_runtime, unit_of_work
from services.common.http_api import (
    LANGUAGE_PATTERN,
    SLUG_PATTERN,
    Page,
    PageRequest,
    Slug,
    batch_ids,
    page_request,
    problem_responses,
)
from services.common.roles import Actor
from services.common.runtime import Runtime
from services.tasks import attendance, committees, handlers, organizations, series
from services.tasks.attendance_models import (
    AttendanceMark,
    AttendancePublic,
    AttendanceRecords,
    AttendanceTotals,
    TaskAttendance,
    VolunteerRecord,
)
from services.tasks.committee_models import CommitteeCreate, CommitteePublic, LeadAdd, LeadPublic
from services.tasks.config import settings_of
from services.tasks.handlers import Call
from services.tasks.listing import MAX_IDS, MAX_SKILLS, TaskFilters, find_tasks
from services.tasks.models import (
    CoordinatorAdd,
    CoordinatorPublic,
    FilterMoment,
    OrganizationCreate,
    OrganizationPublic,
    TaskAddress,
    TaskAddresses,
    TaskCreate,
    TaskPublic,
    TaskUpdate,
)
from services.tasks.permissions import sees_members_only
from services.tasks.series_models import SeriesCreate, SeriesEdit, SeriesPublic

tasks = APIRouter(prefix="/tasks", tags=["tasks"], responses=problem_responses(403, 404, 409, 422, 503))
orgs = APIRouter(prefix="/organizations", tags=["organizations"], responses=problem_responses(403, 404, 409, 422, 503))


def current_call(
    request: Request,
    session: Session = unit_of_work,
    runtime: Runtime = Depends(get_runtime),
    actor: Actor = Depends(get_actor),
) -> Call:
    settings = settings_of(runtime)
    return Call(
        session,
        settings.topics,
        actor,
        request.app.state.skills,
        settings.default_time_zone,
        timedelta(days=settings.series_horizon_days),
        timedelta(hours=settings.attendance_assumed_after_hours),
    )


def task_filters(
    actor: Actor = Depends(get_actor),
    status_filter: TaskStatus | None = Query(None, alias="status"),
    ids: list[UUID] = batch_ids("id", MAX_IDS, "Only these tasks; unknown ids are simply absent.", required=False),
    skills: list[Slug] = Query(
        [],
        alias="skill",
        max_length=MAX_SKILLS,
        description=f"Tasks needing any of these skills; repeat it (?skill=a&skill=b), at most {MAX_SKILLS}",
    ),
    area: str | None = Query(None, pattern=SLUG_PATTERN, max_length=60),
    language: str | None = Query(None, pattern=LANGUAGE_PATTERN, max_length=20, description="Tasks accepting it"),
    remote: bool | None = Query(None),
    starts_after: FilterMoment | None = Query(None, description="Starts (or is due) at or after this moment"),
    starts_before: FilterMoment | None = Query(None, description="Starts (or is due) before this moment"),
    organization_id: UUID | None = Query(None),
    coordinator_id: UUID | None = Query(None),
    committee_id: UUID | None = Query(None),
) -> TaskFilters:
    return TaskFilters(
        status=status_filter,
        skills=tuple(skills),
        area=area,
        language=language,
        remote=remote,
        starts_after=starts_after,
        starts_before=starts_before,
        organization_id=organization_id,
        coordinator_id=coordinator_id,
        committee_id=committee_id,
        ids=tuple(ids),
        members_only=None if sees_members_only(actor) else False,
    )


@tasks.post("", status_code=status.HTTP_201_CREATED, summary="Post a task (open by default, or a draft)")
def post_task(payload: TaskCreate, call: Call = Depends(current_call)) -> TaskPublic:
    return handlers.post_task(call, payload)


@tasks.get("", summary="Find tasks, soonest first; or read many at once by id")
def list_tasks(
    filters: TaskFilters = Depends(task_filters),
    page: PageRequest = Depends(page_request),
    session: Session = unit_of_work,
) -> Page[TaskPublic]:
    return find_tasks(session, filters, page)


# Declared before "/{task_id}", which would otherwise take "addresses" for a task id.
@tasks.get("/addresses", summary="Exact addresses of many tasks at once: those the actor may see")
def task_addresses(
    task_ids: list[UUID] = batch_ids(
        "task_id", MAX_IDS, "Tasks whose address the actor may not see, and unknown ones, are absent from the answer."
    ),
    member_id: UUID | None = Query(None, description="The volunteer asking; only tasks they accepted"),
    call: Call = Depends(current_call),
) -> TaskAddresses:
    return handlers.task_addresses(call, task_ids, member_id)


@tasks.get("/{task_id}", summary="A task (without its exact address)")
def get_task(task_id: UUID, call: Call = Depends(current_call)) -> TaskPublic:
    return handlers.get_task(call, task_id)


@tasks.patch("/{task_id}", summary="Edit a task; only the fields sent change")
def edit_task(task_id: UUID, payload: TaskUpdate, call: Call = Depends(current_call)) -> TaskPublic:
    return handlers.edit_task(call, task_id, payload)


@tasks.post("/{task_id}/open", summary="Open a draft to volunteers")
def open_task(task_id: UUID, call: Call = Depends(current_call)) -> TaskPublic:
    return handlers.change_status(call, task_id, "open")


@tasks.post("/{task_id}/cancel", summary="Cancel a task (it will not happen)")
def cancel_task(task_id: UUID, call: Call = Depends(current_call)) -> TaskPublic:
    return handlers.change_status(call, task_id, "cancel")


@tasks.post("/{task_id}/close", summary="Close a task (it happened, or needs no one else)")
def close_task(task_id: UUID, call: Call = Depends(current_call)) -> TaskPublic:
    return handlers.change_status(call, task_id, "close")


@tasks.get("/{task_id}/address", summary="The exact address, for accepted volunteers and coordinators")
def task_address(
    task_id: UUID,
    member_id: UUID | None = Query(None, description="The volunteer asking; must have accepted the task"),
    call: Call = Depends(current_call),
) -> TaskAddress:
    return handlers.task_address(call, task_id, member_id)


@orgs.post("", status_code=status.HTTP_201_CREATED, summary="Add a member organization of the coalition (admins)")
def create_organization(payload: OrganizationCreate, call: Call = Depends(current_call)) -> OrganizationPublic:
    return organizations.create_organization(call, payload)


@orgs.get("", summary="The coalition's member organizations")
def list_organizations(
    page: PageRequest = Depends(page_request), session: Session = unit_of_work
) -> Page[OrganizationPublic]:
    return organizations.list_organizations(session, page)


@orgs.get("/{organization_id}", summary="One organization")
def get_organization(organization_id: UUID, session: Session = unit_of_work) -> OrganizationPublic:
    return organizations.get_organization(session, organization_id)


@orgs.post(
    "/{organization_id}/coordinators",
    status_code=status.HTTP_201_CREATED,
    responses={200: {"model": CoordinatorPublic, "description": "The coordinator already acted for it"}},
    summary="Let a coordinator act for the organization (admins)",
)
def add_coordinator(
    organization_id: UUID, payload: CoordinatorAdd, response: Response, call: Call = Depends(current_call)
) -> CoordinatorPublic:
    membership, created = organizations.add_coordinator(call, organization_id, payload)
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    return membership


@orgs.get("/{organization_id}/coordinators", summary="Coordinators acting for the organization")
def list_coordinators(
    organization_id: UUID, page: PageRequest = Depends(page_request), call: Call = Depends(current_call)
) -> Page[CoordinatorPublic]:
    return organizations.list_coordinators(call, organization_id, page)


@orgs.delete(
    "/{organization_id}/coordinators/{coordinator_id}", status_code=204, summary="Remove a coordinator (admins)"
)
def remove_coordinator(organization_id: UUID, coordinator_id: UUID, call: Call = Depends(current_call)) -> Response:
    organizations.remove_coordinator(call, organization_id, coordinator_id)
    return Response(status_code=204)


committee_routes = APIRouter(
    prefix="/committees", tags=["committees"], responses=problem_responses(403, 404, 409, 422, 503)
)


@committee_routes.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Create a committee of an organization, or of the whole coalition (admins)",
)
def create_committee(payload: CommitteeCreate, call: Call = Depends(current_call)) -> CommitteePublic:
    return committees.create_committee(call, payload)


@committee_routes.get(
    "", summary="Committees, by name: all, an organization's (with the coalition's), or those led by one lead"
)
def list_committees(
    organization_id: UUID | None = Query(None),
    led_by: UUID | None = Query(None, description="Only committees this lead leads"),
    page: PageRequest = Depends(page_request),
    call: Call = Depends(current_call),
) -> Page[CommitteePublic]:
    return committees.list_committees(call, page, organization_id, led_by)


@committee_routes.get("/{committee_id}", summary="One committee")
def get_committee(committee_id: UUID, call: Call = Depends(current_call)) -> CommitteePublic:
    return committees.get_committee(call, committee_id)


@committee_routes.post(
    "/{committee_id}/leads",
    status_code=status.HTTP_201_CREATED,
    responses={200: {"model": LeadPublic, "description": "Already a lead of it"}},
    summary="Name a lead: a coordinator who manages the committee's tasks (admins)",
)
def add_lead(
    committee_id: UUID, payload: LeadAdd, response: Response, call: Call = Depends(current_call)
) -> LeadPublic:
    lead, created = committees.add_lead(call, committee_id, payload)
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    return lead


@committee_routes.get("/{committee_id}/leads", summary="The committee's leads")
def list_leads(
    committee_id: UUID, page: PageRequest = Depends(page_request), call: Call = Depends(current_call)
) -> Page[LeadPublic]:
    return committees.list_leads(call, committee_id, page)


@committee_routes.delete("/{committee_id}/leads/{lead_id}", status_code=204, summary="Remove a lead (admins)")
def remove_lead(committee_id: UUID, lead_id: UUID, call: Call = Depends(current_call)) -> Response:
    committees.remove_lead(call, committee_id, lead_id)
    return Response(status_code=204)


series_routes = APIRouter(prefix="/series", tags=["series"], responses=problem_responses(403, 404, 409, 422, 503))


@series_routes.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Post a need that repeats: its occurrences are posted ahead, each a task of its own",
)
def create_series(payload: SeriesCreate, call: Call = Depends(current_call)) -> SeriesPublic:
    return series.create_series(call, payload)


@series_routes.get("/{series_id}", summary="A series, and its occurrences posted so far")
def get_series(series_id: UUID, call: Call = Depends(current_call)) -> SeriesPublic:
    return series.get_series(call, series_id)


@series_routes.patch(
    "/{series_id}/following/{task_id}",
    summary="Edit this occurrence and the following ones (one alone: PATCH /tasks/{id})",
)
def edit_following(
    series_id: UUID, task_id: UUID, payload: SeriesEdit, call: Call = Depends(current_call)
) -> SeriesPublic:
    return series.edit_following(call, series_id, task_id, payload)


@series_routes.post("/{series_id}/cancel", summary="Cancel the series: its occurrences still to come are cancelled")
def cancel_series(series_id: UUID, call: Call = Depends(current_call)) -> SeriesPublic:
    return series.cancel_series(call, series_id)


@tasks.get("/{task_id}/attendance", summary="Who came: each volunteer who accepted the task, marked or not")
def task_attendance(task_id: UUID, call: Call = Depends(current_call)) -> TaskAttendance:
    return attendance.task_attendance(call, task_id)


@tasks.put(
    "/{task_id}/attendance/{member_id}",
    summary="Mark a volunteer attended, no-show or excused (a volunteer: only themself, excused)",
)
def mark_attendance(
    task_id: UUID, member_id: UUID, payload: AttendanceMark, call: Call = Depends(current_call)
) -> AttendancePublic:
    return attendance.mark(call, task_id, member_id, payload)


attendance_routes = APIRouter(tags=["attendance"], responses=problem_responses(403, 404, 422, 503))


@attendance_routes.get("/members/{member_id}/attendance", summary="A volunteer's own count of tasks and time given")
def volunteer_record(member_id: UUID, call: Call = Depends(current_call)) -> VolunteerRecord:
    return attendance.volunteer_record(call, member_id)


@attendance_routes.get("/attendance/totals", summary="Counts per month for an organization or a committee; no names")
def attendance_totals(
    organization_id: UUID | None = Query(None),
    committee_id: UUID | None = Query(None),
    call: Call = Depends(current_call),
) -> AttendanceTotals:
    return attendance.totals(call, organization_id, committee_id)


@attendance_routes.get(
    "/attendance/records", summary="Each volunteer at each ended task of an organization or committee, by member id"
)
def attendance_records(
    organization_id: UUID | None = None,
    committee_id: UUID | None = None,
    since: str | None = Query(None, description="First month, YYYY-MM"),
    until: str | None = Query(None, description="Last month, YYYY-MM"),
    call: Call = Depends(current_call),
) -> AttendanceRecords:
    return attendance.records(call, organization_id, committee_id, since, until)


routers = [tasks, orgs, committee_routes, series_routes, attendance_routes]
