"""The counters that make capacity a database invariant, not a Python hope.

Every acceptance runs ``UPDATE task_fill SET accepted = accepted + 1 WHERE task_id = :id AND
accepted < slots`` and goes ahead only if that touched a row, in the same transaction as the offer's
status change. The row lock (PostgreSQL) or the write lock (SQLite) the update takes serializes all
acceptances of one task, and the check constraint on ``task_fill`` backs it up. A member's monthly
limit is held the same way in ``member_month_load``.

Lock order, kept by every transaction that touches more than one of them, so that two
transactions never wait for each other: task_fill rows (by task id) -> offer rows -> member loads.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import Update, case, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col

from services.matching.models import MatchingTask, MemberMonthLoad, TaskFill


@dataclass(frozen=True)
class Fill:
    slots: int
    accepted: int
    version: int = 0  # one more at each change of the row: fill events carry it as their sequence

    @property
    def open_slots(self) -> int:
        return max(0, self.slots - self.accepted)

    @property
    def is_full(self) -> bool:
        return self.accepted >= self.slots


def read_fill(session: Session, task_id: UUID) -> Fill | None:
    row = session.execute(
        select(col(TaskFill.slots), col(TaskFill.accepted), col(TaskFill.version)).where(
            col(TaskFill.task_id) == task_id
        )
    ).one_or_none()
    return None if row is None else Fill(row.slots, row.accepted, row.version)


def _changed(session: Session, statement: Update) -> bool:
    return session.exec(statement.execution_options(synchronize_session=False)).rowcount == 1


def claim_slot(session: Session, task_id: UUID) -> bool:
    """Take one slot of the task if one is free; False means the task is full."""
    return _changed(
        session,
        update(TaskFill)
        .where(col(TaskFill.task_id) == task_id, col(TaskFill.accepted) < TaskFill.slots)
        .values(accepted=TaskFill.accepted + 1, version=TaskFill.version + 1),
    )


def unclaim_slot(session: Session, task_id: UUID) -> None:
    """Undo this transaction's own ``claim_slot`` (the offer changed under it)."""
    session.execute(
        update(TaskFill)
        .where(col(TaskFill.task_id) == task_id)
        .values(accepted=TaskFill.accepted - 1, version=TaskFill.version + 1)
        .execution_options(synchronize_session=False)
    )


def release_slot(session: Session, task_id: UUID) -> None:
    """A volunteer leaves. If the coordinator lowered the slots below the number accepted in the
    meantime, the place goes away with them rather than being offered again."""
    requested = select(col(MatchingTask.slots)).where(col(MatchingTask.task_id) == task_id).scalar_subquery()
    wanted = func.coalesce(requested, TaskFill.slots)
    remaining = TaskFill.accepted - 1
    session.execute(
        update(TaskFill)
        .where(col(TaskFill.task_id) == task_id, col(TaskFill.accepted) > 0)
        .values(
            accepted=remaining, slots=case((wanted > remaining, wanted), else_=remaining), version=TaskFill.version + 1
        )
        .execution_options(synchronize_session=False)
    )


def lock_fill(session: Session, task_id: UUID) -> Fill | None:
    """Lock the task's fill row for this transaction (a no-op update) and return it.

    Whoever changes a task's offers holds this lock first, so a wave is never sent to a task
    that is filling at the same moment, and two matchers never top up the same task at once.
    """
    row = session.execute(
        update(TaskFill)
        .where(col(TaskFill.task_id) == task_id)
        .values(slots=TaskFill.slots)
        .returning(col(TaskFill.slots), col(TaskFill.accepted), col(TaskFill.version))
        .execution_options(synchronize_session=False)
    ).one_or_none()  # one statement locks and reads: it runs for every task the worker tops up
    return None if row is None else Fill(row.slots, row.accepted, row.version)


def set_slots(session: Session, task_id: UUID, slots: int) -> tuple[Fill | None, Fill]:
    """Create or resize the task's fill row; returns (before, after).

    Slots never drop below the number already accepted: people who said yes keep their place.
    """
    before = lock_fill(session, task_id)
    if before is None:
        session.add(TaskFill(task_id=task_id, slots=slots, accepted=0, version=1))
        session.flush()
        return None, Fill(slots, 0, 1)
    wanted = max(slots, before.accepted)
    if wanted == before.slots:
        return before, before
    session.execute(
        update(TaskFill)
        .where(col(TaskFill.task_id) == task_id)
        .values(slots=wanted, version=TaskFill.version + 1)
        .execution_options(synchronize_session=False)
    )
    return before, Fill(wanted, before.accepted, before.version + 1)


def claim_member_month(session: Session, member_id: UUID, month: str, limit: int) -> bool:
    """Count one more accepted task for the member in ``month`` unless that would pass ``limit``."""
    _ensure_month_row(session, member_id, month)
    return _changed(
        session,
        update(MemberMonthLoad)
        .where(
            col(MemberMonthLoad.member_id) == member_id,
            col(MemberMonthLoad.month) == month,
            col(MemberMonthLoad.accepted) < limit,
        )
        .values(accepted=MemberMonthLoad.accepted + 1),
    )


def release_member_month(session: Session, member_id: UUID, month: str) -> None:
    session.execute(
        update(MemberMonthLoad)
        .where(
            col(MemberMonthLoad.member_id) == member_id,
            col(MemberMonthLoad.month) == month,
            col(MemberMonthLoad.accepted) > 0,
        )
        .values(accepted=MemberMonthLoad.accepted - 1)
        .execution_options(synchronize_session=False)
    )


def _ensure_month_row(session: Session, member_id: UUID, month: str) -> None:
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(
        dialect.insert(MemberMonthLoad).values(member_id=member_id, month=month, accepted=0).on_conflict_do_nothing()
    )
