"""Reads of offers and fills for many tasks at once, so a page of tasks costs one request each.

The gateway shows a coordinator a page of their tasks with every task's offers and fill; asking
per task would cost two requests per task. ``list_offers`` takes any number of task ids (up to
``MAX_TASK_IDS``) and can keep only each task's newest offers; ``list_fills`` answers exactly what
``GET /tasks/{id}/fill`` answers, for each known task, in one go.
"""

from __future__ import annotations

from collections import defaultdict
from uuid import UUID

from pydantic import BaseModel
from sqlalchemy import ColumnElement, Select, func, select
from sqlmodel import col

from services.common.contracts import OfferStatus
from services.matching.handlers import Call, to_public
from services.matching.models import LIVE_STATUSES, FillPublic, MatchingTask, Offer, OfferPage, TaskFill

MAX_TASK_IDS = 100
NEWEST_FIRST = (col(Offer.created_at).desc(), col(Offer.id))


class FillList(BaseModel):
    """Fills of the tasks asked for that matching knows, in the order asked; unknown ones are absent."""

    items: list[FillPublic]


def list_offers(
    call: Call,
    *,
    member_id: UUID | None,
    task_ids: list[UUID],
    status: OfferStatus | None,
    per_task: int | None,
    limit: int,
    offset: int,
) -> OfferPage:
    """Offers, newest first; with ``per_task``, only that many of each task's newest ones count."""
    session = call.session
    conditions = _conditions(member_id, task_ids, status)
    if per_task is not None:
        conditions = [col(Offer.id).in_(_newest_of_each_task(conditions, per_task))]
    total = session.scalar(select(func.count()).select_from(Offer).where(*conditions))
    rows = session.execute(
        select(Offer, col(MatchingTask.title))
        .outerjoin(MatchingTask, col(MatchingTask.task_id) == Offer.task_id)
        .where(*conditions)
        .order_by(*NEWEST_FIRST)
        .limit(limit)
        .offset(offset)
    ).all()
    items = [to_public(session, offer, title) for offer, title in rows]
    return OfferPage(items=items, total=total, limit=limit, offset=offset)


def _conditions(member_id: UUID | None, task_ids: list[UUID], status: OfferStatus | None) -> list[ColumnElement[bool]]:
    conditions = []
    if member_id is not None:
        conditions.append(col(Offer.member_id) == member_id)
    if task_ids:
        conditions.append(col(Offer.task_id).in_(task_ids))
    if status is not None:
        conditions.append(col(Offer.status) == status)
    return conditions


def _newest_of_each_task(conditions: list[ColumnElement[bool]], per_task: int) -> Select[UUID]:
    ranked = (
        select(
            col(Offer.id),
            func.row_number().over(partition_by=col(Offer.task_id), order_by=NEWEST_FIRST).label("rank"),
        )
        .where(*conditions)
        .subquery()
    )
    return select(ranked.c.id).where(ranked.c.rank <= per_task)


def list_fills(call: Call, task_ids: list[UUID]) -> FillList:
    """How far each task has filled; two queries whatever the number of tasks."""
    session = call.session
    wanted = list(dict.fromkeys(task_ids))
    fills = {
        row.task_id: row
        for row in session.execute(
            select(col(TaskFill.task_id), col(TaskFill.slots), col(TaskFill.accepted)).where(
                col(TaskFill.task_id).in_(wanted)
            )
        )
    }
    pending: defaultdict[UUID, int] = defaultdict(int)
    accepted: defaultdict[UUID, list[UUID]] = defaultdict(list)
    live = session.execute(
        select(col(Offer.task_id), col(Offer.member_id), col(Offer.status))
        .where(col(Offer.task_id).in_(list(fills)), col(Offer.status).in_(LIVE_STATUSES))
        .order_by(col(Offer.accepted_at), col(Offer.id))
    )
    for task_id, member_id, status in live:
        if status == OfferStatus.pending:
            pending[task_id] += 1
        else:
            accepted[task_id].append(member_id)
    items = [
        FillPublic(
            task_id=task_id,
            slots=fills[task_id].slots,
            accepted=fills[task_id].accepted,
            pending=pending[task_id],
            accepted_member_ids=accepted[task_id],
        )
        for task_id in wanted
        if task_id in fills
    ]
    return FillList(items=items)
