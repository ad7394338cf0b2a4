"""A volunteer asks for one task (they followed a widget's "Sign up to help" link): they are
offered it at once if they fit and a place is open, rather than at the worker's next pass, or told
which of the task's needs they do not meet.

Why not is the engine's own answer, asked one need at a time: the task is stripped of every need
the engine checks except the member's free time (skills, languages, place, committee, load), then
each need is put back alone; a need the member no longer meets is a reason. So the reasons never
disagree with the offers the worker makes. Reasons are codes; the gateway's pages word them.

The offer is made to this member even when the task's wave already has its waiting offers, and
whatever their cap on waiting offers: they asked for this task. Capacity is unchanged (a place is
taken only by accepting, under the fill lock).
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlmodel import Session, col

from services.common.contracts import MemberState, MemberStatus, ReasonKind, TaskState, TaskStatus
from services.common.problems import NotFound
from services.matching import capacity, offers
from services.matching.context import Matching
from services.matching.directory import MemberDirectory
from services.matching.engine import Candidate, MemberLoad
from services.matching.engine.reasons import Reason
from services.matching.errors import NotYourOffer
from services.matching.handlers import TRUSTED_ROLES, Call, to_public
from services.matching.loads import member_loads
from services.matching.models import LIVE_STATUSES, MatchingTask, Offer, OfferPublic
from services.matching.widening import as_matched
from services.matching.worker import already_asked

# The reason an offer made this way carries, as the engine's reasons do for the offers it ranks.
ASKED_FOR = Reason(kind=ReasonKind.asked_for)


class Answer(str, Enum):
    offered = "offered"  # a waiting offer, or the one they already accepted: see ``offer``
    not_eligible = "not_eligible"  # see ``reasons``
    checking = "checking"  # matching has not heard of the member yet (they just signed up): ask again


class NotEligible(str, Enum):
    task_not_open = "task_not_open"
    task_full = "task_full"
    task_started = "task_started"
    already_answered = "already_answered"  # declined, let expire or withdrew from it
    not_active = "not_active"  # the member paused
    time = "time"
    skills = "skills"
    languages = "languages"
    place = "place"
    members_only = "members_only"
    monthly_limit = "monthly_limit"
    busy = "busy"  # a task they accepted overlaps this one


class TaskForMember(BaseModel):
    task_id: UUID
    answer: Answer
    offer: OfferPublic | None = None
    reasons: list[NotEligible] = Field(default=[], description="Why the member cannot be offered the task")


def consider(call: Call, task_id: UUID, member_id: UUID) -> TaskForMember:
    """Offer the task to the member now if they fit and a place is open; else say why not."""
    session, matching, now = call.session, call.matching, call.now
    if call.actor.role not in TRUSTED_ROLES and call.actor.id != member_id:
        raise NotYourOffer("Only the member themselves can ask for a task.")
    fill = capacity.lock_fill(session, task_id)
    task = session.get(MatchingTask, task_id, populate_existing=True)
    if fill is None or task is None:
        raise NotFound(f"The matching service has not heard of task {task_id}.")
    offers.expire_due(session, matching.offers_topic, task_id, now)
    if held := _live_offer(session, task_id, member_id):
        return TaskForMember(task_id=task_id, answer=Answer.offered, offer=to_public(session, held, task.title))
    member = matching.directory.get(member_id)
    if member is None:
        return TaskForMember(task_id=task_id, answer=Answer.checking)
    # As the worker matches it: with the widenings it already took (see ``widening``).
    state = as_matched(session, TaskState.model_validate_json(task.state_json))
    if reasons := _task_reasons(state, fill.is_full, now) or _member_reasons(session, matching, state, member, now):
        return TaskForMember(task_id=task_id, answer=Answer.not_eligible, reasons=reasons)
    offer = offers.create_offer(
        session, matching.offers_topic, task, Candidate(member_id, 0.0, [ASKED_FOR]), now, matching.settings.answer_time
    )
    return TaskForMember(task_id=task_id, answer=Answer.offered, offer=to_public(session, offer, task.title))


def _live_offer(session: Session, task_id: UUID, member_id: UUID) -> Offer | None:
    return session.scalars(
        select(Offer).where(
            col(Offer.task_id) == task_id, col(Offer.member_id) == member_id, col(Offer.status).in_(LIVE_STATUSES)
        )
    ).first()


def _task_reasons(task: TaskState, full: bool, now: datetime) -> list[NotEligible]:
    if task.status == TaskStatus.filled or (full and task.status == TaskStatus.open):
        return [NotEligible.task_full]
    if task.status != TaskStatus.open:
        return [NotEligible.task_not_open]
    if task.starts_at is not None and task.starts_at <= now:
        return [NotEligible.task_started]
    if task.deadline is not None and task.deadline <= now:
        return [NotEligible.task_started]
    return []


def _member_reasons(
    session: Session, matching: Matching, task: TaskState, member: MemberState, now: datetime
) -> list[NotEligible]:
    if member.status != MemberStatus.active:
        return [NotEligible.not_active]
    if member.member_id in already_asked(session, task.task_id):
        return [NotEligible.already_answered]
    settings = matching.settings
    load = member_loads(session, now, settings.tz, settings.recent_days, settings.no_show_days).get(
        member.member_id, MemberLoad()
    )
    return unmet_needs(matching.directory, task, member, load, now)


def unmet_needs(
    directory: MemberDirectory, task: TaskState, member: MemberState, load: MemberLoad, now: datetime
) -> list[NotEligible]:
    """The engine asked one need at a time (see the module's docstring)."""
    member_id = member.member_id
    bare = task.model_copy(
        update=dict(
            skills=[], languages=[], min_fluency={}, area=None, remote=False, whole_city=False, members_only=False
        )
    )
    if not directory.fits(member_id, bare, now=now):
        return [NotEligible.time]  # what is left is the member's free time at the task's moment
    needs: dict[NotEligible, dict[str, Any]] = {  # the task's fields each need is made of
        NotEligible.skills: dict(skills=task.skills),
        NotEligible.languages: dict(languages=task.languages, min_fluency=task.min_fluency),
        NotEligible.place: dict(area=task.area, remote=task.remote, whole_city=task.whole_city),
        NotEligible.members_only: dict(members_only=task.members_only),
    }
    reasons = [
        reason for reason, need in needs.items() if not directory.fits(member_id, bare.model_copy(update=need), now=now)
    ]
    if not directory.fits(member_id, bare, now=now, load=load):
        at_limit = load.tasks_this_month >= member.max_tasks_per_month
        reasons.append(NotEligible.monthly_limit if at_limit else NotEligible.busy)
    if not reasons and not directory.fits(member_id, task, now=now, load=load):
        reasons.append(NotEligible.time)  # the needs together narrow the time (e.g. a clash): say so
    return reasons
