"""HTTP routes of the members service: each turns a request into one handler call."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Query, Response, status
from pydantic import BaseModel
from sqlmodel import Session

from services.common.contracts import MemberStatus
from services.common.deps import get_actor, unit_of_work
from services.common.http_api import SLUG_PATTERN, Page, PageRequest, page_request, problem_responses
from services.common.roles import Actor
from services.members import committees, handlers, taxonomy
from services.members.erasure import erase_on_request
from services.members.fields import Channel
from services.members.handlers import Call
from services.members.models import (
    AuditEntryPublic,
    ContactPurpose,
    DeliveryAddress,
    MemberContact,
    MemberCreate,
    MemberNames,
    MemberPublic,
    MemberUpdate,
    NamesRequest,
)
from services.members.taxonomy import TermKind
from services.members.wiring import Members, current_members

members = APIRouter(prefix="/members", tags=["members"], responses=problem_responses(403, 404, 410, 422))

Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])

SlugPath = Path(pattern=SLUG_PATTERN, max_length=60)
SlugQuery = Query(None, pattern=SLUG_PATTERN, max_length=60)


def current_call(
    session: Session = unit_of_work, members: Members = Depends(current_members), actor: Actor = Depends(get_actor)
) -> Call:
    return Call(session, members.cipher, members.settings.topics, actor)


@members.post("", status_code=status.HTTP_201_CREATED, summary="Register a member")
def register(payload: MemberCreate, call: Call = Depends(current_call)) -> MemberPublic:
    return handlers.register_member(call, payload)


@members.get("", summary="List members (admins)")
def list_members(
    page: PageRequest = Depends(page_request),
    status_filter: MemberStatus | None = Query(None, alias="status"),
    area: str | None = SlugQuery,
    call: Call = Depends(current_call),
) -> Page[MemberPublic]:
    return handlers.list_members(call, page, status_filter, area)


@members.get("/{member_id}", summary="A member's profile (without contact details)")
def get_member(member_id: UUID, call: Call = Depends(current_call)) -> MemberPublic:
    return handlers.get_member(call, member_id)


@members.patch("/{member_id}", summary="Change a profile; only the fields sent change")
def update(member_id: UUID, payload: MemberUpdate, call: Call = Depends(current_call)) -> MemberPublic:
    return handlers.update_member(call, member_id, payload)


@members.post("/{member_id}/pause", summary="Stop receiving offers until resumed")
def pause(member_id: UUID, call: Call = Depends(current_call)) -> MemberPublic:
    return handlers.set_paused(call, member_id, paused=True)


@members.post("/{member_id}/resume", summary="Receive offers again")
def resume(member_id: UUID, call: Call = Depends(current_call)) -> MemberPublic:
    return handlers.set_paused(call, member_id, paused=False)


@members.post("/{member_id}/activity", status_code=204, summary="Record that the member used the platform")
def activity(member_id: UUID, call: Call = Depends(current_call)) -> Response:
    handlers.record_activity(call, member_id)
    return Response(status_code=204)


@members.delete("/{member_id}", status_code=204, summary="Erase the profile and everything personal in it")
def erase(member_id: UUID, call: Call = Depends(current_call)) -> Response:
    erase_on_request(call, member_id)
    return Response(status_code=204)


@members.get("/{member_id}/contact", summary="Contact details the member consented to share (audited)")
def contact(
    member_id: UUID,
    purpose: ContactPurpose = Query(description="Why the contact details are needed; recorded in the audit log"),
    task_id: UUID | None = Query(None, description="The task this is about, if any; recorded in the audit log"),
    call: Call = Depends(current_call),
) -> MemberContact:
    return handlers.read_contact(call, member_id, purpose, task_id)


@members.post("/names", summary="Display names of many members, for a stated purpose (each read audited)")
def names(payload: NamesRequest, call: Call = Depends(current_call)) -> MemberNames:
    return handlers.read_names(call, payload)


@members.get(
    "/{member_id}/delivery-address",
    summary="The member's address on one channel, for the notifications service's messages (audited)",
)
def delivery_address(
    member_id: UUID,
    channel: Channel = Query("email"),
    call: Call = Depends(current_call),
) -> DeliveryAddress:
    return handlers.read_delivery_address(call, member_id, channel)


@members.get("/{member_id}/audit", summary="Who read or changed this profile, when and why")
def audit_log(
    member_id: UUID, page: PageRequest = Depends(page_request), call: Call = Depends(current_call)
) -> Page[AuditEntryPublic]:
    return handlers.audit_log(call, member_id, page)


@members.get("/{member_id}/committees", summary="The committees a member joined")
def joined_committees(member_id: UUID, call: Call = Depends(current_call)) -> committees.MemberCommittees:
    return committees.committees_of(call, member_id)


@members.put(
    "/{member_id}/committees/{committee_id}", summary="Join a committee (its members-only tasks may be offered)"
)
def join_committee(
    member_id: UUID, committee_id: UUID, call: Call = Depends(current_call)
) -> committees.MemberCommittees:
    return committees.set_membership(call, member_id, committee_id, joined=True)


@members.delete("/{member_id}/committees/{committee_id}", summary="Leave a committee")
def leave_committee(
    member_id: UUID, committee_id: UUID, call: Call = Depends(current_call)
) -> committees.MemberCommittees:
    return committees.set_membership(call, member_id, committee_id, joined=False)


def body_of(model: type[BaseModel]) -> Callable[[Endpoint], Endpoint]:
    """Declare the model FastAPI validates the body ``payload`` with: a route made for any kind of
    term learns it only when the kind is given, too late to write it in the annotation."""

    def declare(endpoint: Endpoint) -> Endpoint:
        endpoint.__annotations__["payload"] = model
        return endpoint

    return declare


def taxonomy_routes(kind: TermKind, listing: str, adding: str, editing: str) -> APIRouter:
    """The same three routes for every kind of taxonomy term, each with its summary. The route names
    keep the operation ids they had when each kind had its own functions."""
    router = APIRouter(prefix=kind.path, tags=["taxonomy"], responses=problem_responses(403, 404, 409, 422))

    @router.get("", name=f"list_{kind.plural}", summary=listing, response_model=kind.page)
    def list_terms(
        page: PageRequest = Depends(page_request), include_retired: bool = False, session: Session = unit_of_work
    ) -> Page:
        return taxonomy.list_terms(kind, session, page, include_retired)

    @router.post(
        "", status_code=status.HTTP_201_CREATED, name=f"add_{kind.noun}", summary=adding, response_model=kind.public
    )
    @body_of(kind.create)
    def add_term(payload: BaseModel, call: Call = Depends(current_call)) -> BaseModel:
        return taxonomy.add_term(kind, call, payload)

    @router.patch("/{slug}", name=f"edit_{kind.noun}", summary=editing, response_model=kind.public)
    @body_of(kind.update)
    def edit_term(payload: BaseModel, slug: str = SlugPath, call: Call = Depends(current_call)) -> BaseModel:
        return taxonomy.edit_term(kind, call, slug, payload)

    return router


skills = taxonomy_routes(
    taxonomy.SKILLS,
    listing="The coalition's skill taxonomy",
    adding="Add a skill (admins)",
    editing="Rename, describe or retire a skill (admins)",
)
areas = taxonomy_routes(
    taxonomy.AREAS,
    listing="The coalition's areas (coarse neighbourhoods or cities)",
    adding="Add an area (admins)",
    editing="Rename or retire an area (admins)",
)

routers = [members, skills, areas]
