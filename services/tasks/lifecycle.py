"""A task's status: the transitions coordinators may make, and filled/open following the slots.

    draft --open--> open <--(fills / frees up)--> filled
    draft, open, filled --cancel--> cancelled        open, filled --close--> closed

Cancelled and closed are final. Asking for the status a task already has changes nothing, so a
retried request is harmless. ``filled`` is never requested: it follows from accepted >= slots.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.common.contracts import TaskStatus
from services.common.problems import Conflict
from services.tasks.models import Task

DRAFT, OPEN, FILLED, CLOSED, CANCELLED = (s.value for s in TaskStatus)
EDITABLE = {DRAFT, OPEN, FILLED}


@dataclass(frozen=True)
class Transition:
    target: str
    allowed_from: frozenset[str]
    event_type: str


TRANSITIONS = {
    "open": Transition(OPEN, frozenset({DRAFT}), "task.opened"),
    "cancel": Transition(CANCELLED, frozenset({DRAFT, OPEN, FILLED}), "task.cancelled"),
    "close": Transition(CLOSED, frozenset({OPEN, FILLED}), "task.closed"),
}

REFUSALS = {
    ("open", CANCELLED): "a cancelled task cannot be reopened; post a new task instead",
    ("open", CLOSED): "a closed task cannot be reopened; post a new task instead",
    ("open", FILLED): "the task is filled; add slots (PATCH slots) to make room for more people",
    ("close", DRAFT): "a draft was never open, so it cannot be closed; cancel it instead",
    ("close", CANCELLED): "a cancelled task cannot be closed",
    ("cancel", CLOSED): "a closed task cannot be cancelled; it already happened",
}


def transition(task: Task, action: str) -> str | None:
    """Apply ``action``; returns the event type to publish, or None when nothing changed."""
    rule = TRANSITIONS[action]
    if task.status == rule.target:
        return None
    if task.status not in rule.allowed_from:
        raise Conflict(REFUSALS.get((action, task.status), f"cannot {action} a task that is {task.status}"),
                       current_status=task.status)
    task.status = rule.target
    follow_fill(task)
    return rule.event_type


def require_editable(task: Task) -> None:
    if task.status not in EDITABLE:
        raise Conflict(f"a {task.status} task can no longer be changed", current_status=task.status)


def follow_fill(task: Task) -> bool:
    """Open tasks with every slot taken become filled, and back; returns whether status changed."""
    if task.status not in (OPEN, FILLED):
        return False
    wanted = FILLED if task.accepted_count >= task.slots else OPEN
    changed = wanted != task.status
    task.status = wanted
    return changed
