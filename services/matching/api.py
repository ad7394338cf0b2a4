"""HTTP routes of the matching service: each turns a request into one handler call."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from sqlmodel import Session

from services.common.clock import utc_now
from services.common.contracts import OfferStatus
from services.common.deps import get_actor, get_session
from services.common.http_api import MAX_OFFSET, batch_ids
from services.common.problems import NotFound
from services.common.roles import Actor
from services.matching import asked_for, handlers, reads
from services.matching.asked_for import TaskForMember
from services.matching.context import Matching
from services.matching.handlers import Call
from services.matching.models import FillPublic, OfferAnswer, OfferPage, OfferPublic
from services.matching.permissions import (
    DIAGNOSIS_READERS,
    FILL_READERS,
    OFFER_READERS,
    require_offer_reader,
    require_reader,
)
from services.matching.reads import MAX_TASK_IDS, FillList
from services.matching.unfilled import DiagnosisPublic, diagnose_task

router = APIRouter(tags=["offers"])

# Answers run in ``Matching.unit_of_work`` rather than the shared per-request session: the whole
# transaction, SQLite's writer queue included, then lives in one call (see ``Matching.writing``).

ANSWER_PROBLEMS: dict[int | str, dict[str, Any]] = {
    403: {"description": "The offer belongs to another member (/problems/not-your-offer)"},
    404: {"description": "No such offer"},
    409: {
        "description": "/problems/task-filled, /problems/offer-not-pending, /problems/offer-not-accepted, "
        "/problems/monthly-limit-reached or /problems/schedule-clash"
    },
    503: {"description": "Member profiles are still loading after a restart (/problems/starting)"},
}


def get_matching(request: Request) -> Matching:
    return request.app.state.matching


def current_call(
    session: Session = Depends(get_session),
    matching: Matching = Depends(get_matching),
    actor: Actor = Depends(get_actor),
) -> Call:
    """A read's call, in the shared per-request session (answers build theirs in a unit of work)."""
    return Call(session, matching, actor, utc_now())


@router.get("/offers", summary="Offers, newest first, filtered by member, tasks or status")
def list_offers(
    member_id: UUID | None = None,
    task_ids: list[UUID] = batch_ids("task_id", MAX_TASK_IDS, "Offers of any of these tasks.", required=False),
    status: OfferStatus | None = None,
    per_task: int | None = Query(None, ge=1, le=200, description="Only each task's newest offers, this many at most"),
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
    call: Call = Depends(current_call),
) -> OfferPage:
    require_offer_reader(call.actor, member_id)
    return reads.list_offers(
        call, member_id=member_id, task_ids=task_ids, status=status, per_task=per_task, limit=limit, offset=offset
    )


@router.get("/offers/{offer_id}", summary="One offer, with the reasons it was made", responses={404: {}})
def get_offer(offer_id: UUID, call: Call = Depends(current_call)) -> OfferPublic:
    require_reader(call.actor, OFFER_READERS, "read offers")
    offer = handlers.get_offer(call, offer_id)
    if call.actor.role == "volunteer" and offer.member_id != call.actor.id:
        raise NotFound(f"no offer {offer_id} of yours")  # not whether another member has it
    return offer


@router.post(
    "/offers/{offer_id}/accept", summary="Accept an offer (first come, first served)", responses=ANSWER_PROBLEMS
)
def accept_offer(
    offer_id: UUID,
    answer: OfferAnswer,
    matching: Matching = Depends(get_matching),
    actor: Actor = Depends(get_actor),
) -> OfferPublic:
    with matching.unit_of_work() as session:
        return handlers.accept_offer(Call(session, matching, actor, utc_now()), offer_id, answer.member_id)


@router.post(
    "/offers/{offer_id}/decline", summary="Decline an offer; the next candidate is asked", responses=ANSWER_PROBLEMS
)
def decline_offer(
    offer_id: UUID,
    answer: OfferAnswer,
    matching: Matching = Depends(get_matching),
    actor: Actor = Depends(get_actor),
) -> OfferPublic:
    with matching.unit_of_work() as session:
        return handlers.decline_offer(Call(session, matching, actor, utc_now()), offer_id, answer.member_id)


@router.post(
    "/offers/{offer_id}/withdraw",
    summary="Withdraw after accepting; the place is offered again",
    responses=ANSWER_PROBLEMS,
)
def withdraw_offer(
    offer_id: UUID,
    answer: OfferAnswer,
    matching: Matching = Depends(get_matching),
    actor: Actor = Depends(get_actor),
) -> OfferPublic:
    with matching.unit_of_work() as session:
        return handlers.withdraw_acceptance(Call(session, matching, actor, utc_now()), offer_id, answer.member_id)


@router.get("/tasks/{task_id}/fill", summary="How many places of a task are taken and by whom", responses={404: {}})
def get_fill(task_id: UUID, call: Call = Depends(current_call)) -> FillPublic:
    require_reader(call.actor, FILL_READERS, "read how far tasks have filled")
    return handlers.get_fill(call, task_id)


@router.get(
    "/tasks/{task_id}/diagnosis",
    summary="Why a task is not filling, and what widening it would add",
    responses={404: {}},
)
def get_diagnosis(task_id: UUID, call: Call = Depends(current_call)) -> DiagnosisPublic:
    require_reader(call.actor, DIAGNOSIS_READERS, "read why a task is not filling")
    return diagnose_task(call, task_id)


@router.post(
    "/tasks/{task_id}/asks",
    summary="A member asks for a task: offered it now if they fit and a place is open, else told why not",
    responses={403: ANSWER_PROBLEMS[403], 404: {}},
)
def ask_for_task(
    task_id: UUID,
    answer: OfferAnswer,
    matching: Matching = Depends(get_matching),
    actor: Actor = Depends(get_actor),
) -> TaskForMember:
    with matching.unit_of_work() as session:
        return asked_for.consider(Call(session, matching, actor, utc_now()), task_id, answer.member_id)


@router.get("/fills", summary="How far many tasks have filled, in one request")
def list_fills(
    task_ids: list[UUID] = batch_ids(
        "task_id", MAX_TASK_IDS, "Tasks matching has not heard of are absent from the answer."
    ),
    call: Call = Depends(current_call),
) -> FillList:
    require_reader(call.actor, FILL_READERS, "read how far tasks have filled")
    return reads.list_fills(call, task_ids)
