"""The open tasks of this instance's partitions, indexed the other way round: by what a member
must bring. When a member joins or changes their profile, only the tasks they could fit are
matched again, not every open task.

A task is filed under its first needed skill, else under each of its languages, else under
"anyone". A member's keys are their skills, their languages and "anyone", so a lookup reads
only tasks that share something with them; each is then checked against the member by the
engine itself (``MemberDirectory.could_fit``: skills, languages, place, free time), so whatever
the engine decides about reach holds here too.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable
from uuid import UUID

from sqlalchemy import select
from sqlmodel import Session, col

from services.common.contracts import MemberState, TaskState
from services.matching.models import MATCHABLE_TASK_STATUSES, MatchingTask
from services.matching.widening import applied, recorded_for

Key = tuple[str, str]
ANYONE: Key = ("anyone", "")


def task_keys(task: TaskState) -> list[Key]:
    if task.skills:
        return [("skill", task.skills[0].skill)]
    if task.languages:
        return [("language", code.lower().split("-", 1)[0]) for code in task.languages]
    return [ANYONE]


def member_keys(member: MemberState) -> list[Key]:
    keys = [("skill", claim.skill) for claim in member.skills]
    keys += [("language", claim.code.lower().split("-", 1)[0]) for claim in member.languages]
    return [*keys, ANYONE]


class OpenTasks:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tasks: dict[UUID, TaskState] = {}
        self._by_key: dict[Key, set[UUID]] = defaultdict(set)

    def __len__(self) -> int:
        with self._lock:
            return len(self._tasks)

    def reload(self, session: Session, partitions: frozenset[int]) -> None:
        """Start over from the database with the open tasks of these partitions (at start-up and
        whenever the partitions this instance owns change)."""
        rows: Iterable[str] = (
            session.scalars(
                select(col(MatchingTask.state_json)).where(
                    col(MatchingTask.partition).in_(partitions), col(MatchingTask.status).in_(MATCHABLE_TASK_STATUSES)
                )
            )
            if partitions
            else []
        )
        states = [TaskState.model_validate_json(row) for row in rows]
        taken = recorded_for(session, [state.task_id for state in states])
        states = [applied(state, taken.get(state.task_id, ())) for state in states]
        with self._lock:
            self._tasks.clear()
            self._by_key.clear()
            for state in states:
                self._add(state)

    def update(self, state: TaskState) -> None:
        with self._lock:
            self._discard(state.task_id)
            if state.status.value in MATCHABLE_TASK_STATUSES:
                self._add(state)

    def remove(self, task_id: UUID) -> None:
        with self._lock:
            self._discard(task_id)

    def get(self, task_id: UUID) -> TaskState | None:
        with self._lock:
            return self._tasks.get(task_id)

    def task_ids(self) -> list[UUID]:
        with self._lock:
            return list(self._tasks)

    def sharing_with(self, member: MemberState) -> list[TaskState]:
        """Open tasks filed under one of the member's keys (a superset of those they fit)."""
        with self._lock:
            found: set[UUID] = set()
            for key in member_keys(member):
                found |= self._by_key.get(key, set())
            return [self._tasks[task_id] for task_id in found]

    def _add(self, state: TaskState) -> None:
        self._tasks[state.task_id] = state
        for key in task_keys(state):
            self._by_key[key].add(state.task_id)

    def _discard(self, task_id: UUID) -> None:
        state = self._tasks.pop(task_id, None)
        if state is None:
            return
        for key in task_keys(state):
            self._by_key[key].discard(task_id)


def tasks_member_could_fit(open_tasks: OpenTasks, directory, members: Iterable[MemberState], now) -> set[UUID]:
    """The open tasks any of these members could be offered now: the one question the members
    reader asks when someone joins, comes back or changes what they can do."""
    fitting: set[UUID] = set()
    for member in members:
        for state in open_tasks.sharing_with(member):
            if state.task_id not in fitting and directory.could_fit(member.member_id, state, now):
                fitting.add(state.task_id)
    return fitting


def short_tasks_members_fit(
    open_tasks: OpenTasks, directory, short: Iterable[UUID], member_ids: Iterable[UUID], now
) -> set[UUID]:
    """Of the tasks that came short while members were at their cap on waiting offers, those one
    of these members (who just answered or lost a waiting offer) could be offered now."""
    members = [m for m in (directory.get(member_id) for member_id in member_ids) if m is not None]
    fitting: set[UUID] = set()
    for task_id in short:
        state = open_tasks.get(task_id)
        if state is not None and any(directory.could_fit(m.member_id, state, now) for m in members):
            fitting.add(task_id)
    return fitting
