"""Why a task is not filling, for its coordinator: the engine's count of the members each hard
constraint leaves out, with the loads and the offers already made as the worker sees them, and
how the offers made so far were answered (the notifications service's "task at risk" mail says
it in plain words)."""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlmodel import Session, col

from services.common.contracts import OfferStatus, TaskState
from services.common.problems import NotFound
from services.matching import capacity, widening
from services.matching.handlers import Call
from services.matching.loads import member_loads
from services.matching.models import MatchingTask, Offer
from services.matching.widening import AppliedWidening
from services.matching.worker import already_asked


class DiagnosisPublic(BaseModel):
    task_id: UUID
    active_members: int = Field(description="Active members matching holds")
    excluded: dict[str, int] = Field(
        description="Per constraint, in the order applied (skill, language, place, "
        "time, load, already_asked): members it left out"
    )
    eligible: int = Field(description="Members who could still be asked")
    widenings: dict[str, int] = Field(
        description="Per widening (whole_city, any_level, any_fluency): how many more members it would make eligible"
    )
    automatic_widenings: list[AppliedWidening] = Field(
        default_factory=list, description="Widenings matching took by itself as the start approached, oldest first"
    )
    slots: int = Field(0, description="Places the task has")
    accepted: int = Field(0, description="Places taken")
    pending: int = Field(0, description="Offers out, not answered yet")
    declined: int = Field(0, description="Members who declined the task")
    expired: int = Field(0, description="Members who let their offer expire without answering")


def diagnose_task(call: Call, task_id: UUID) -> DiagnosisPublic:
    session, matching, now = call.session, call.matching, call.now
    task = session.get(MatchingTask, task_id)
    if task is None:
        raise NotFound(f"The matching service has not heard of task {task_id}.")
    settings = matching.settings
    loads = member_loads(session, now, settings.tz, settings.recent_days, settings.no_show_days)
    taken = widening.recorded(session, task_id)
    state = widening.applied(TaskState.model_validate_json(task.state_json), [row.widening for row in taken])
    found = matching.directory.diagnose(state, loads=loads, asked=already_asked(session, task_id), now=now)
    fill = capacity.read_fill(session, task_id)
    answers = offer_counts(session, task_id)
    return DiagnosisPublic(
        task_id=task_id,
        active_members=found.active,
        excluded=found.excluded,
        eligible=found.eligible,
        widenings=found.widenings,
        automatic_widenings=widening.public(taken),
        slots=fill.slots if fill else state.slots,
        accepted=fill.accepted if fill else 0,
        pending=answers.get(OfferStatus.pending, 0),
        declined=answers.get(OfferStatus.declined, 0),
        expired=answers.get(OfferStatus.expired, 0),
    )


def offer_counts(session: Session, task_id: UUID) -> dict[OfferStatus, int]:
    """How many of the task's offers are in each state."""
    rows = session.execute(
        select(col(Offer.status), func.count()).where(col(Offer.task_id) == task_id).group_by(col(Offer.status))
    )
    return {OfferStatus(status): count for status, count in rows.all()}
