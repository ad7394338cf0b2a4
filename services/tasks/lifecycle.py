"""A task's status: the transitions coordinators may make, and filled/open following the slots.

    draft --open--> open <--(fills / frees up)--> filled
    draft, open, filled --cancel--> cancelled        open, filled --close--> closed

Cancelled and closed are final. Asking for the status a task already has changes nothing, so a
retried request is harmless. ``filled`` is never requested, nor decided here: matching owns
capacity and its fill events (``fill.completed``, ``fill.reopened``) move a task between open and
filled.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.common import catalogue
from services.common.catalogue import EventType
from services.common.contracts import TaskStatus
from services.common.problems import Conflict
from services.tasks.models import Task

DRAFT, OPEN, FILLED, CLOSED, CANCELLED = (s.value for s in TaskStatus)
EDITABLE = {DRAFT, OPEN, FILLED}


@dataclass(frozen=True)
class Transition:
    target: str
    allowed_from: frozenset[str]
    event_type: EventType


TRANSITIONS = {
    "open": Transition(OPEN, frozenset({DRAFT}), catalogue.TASK_OPENED),
    "cancel": Transition(CANCELLED, frozenset({DRAFT, OPEN, FILLED}), catalogue.TASK_CANCELLED),
    "close": Transition(CLOSED, frozenset({OPEN, FILLED}), catalogue.TASK_CLOSED),
}

REFUSALS = {
    ("open", CANCELLED): "a cancelled task cannot be reopened; post a new task instead",
    ("open", CLOSED): "a closed task cannot be reopened; post a new task instead",
    ("open", FILLED): "the task is filled; add slots (PATCH slots) to make room for more people",
    ("close", DRAFT): "a draft was never open, so it cannot be closed; cancel it instead",
    ("close", CANCELLED): "a cancelled task cannot be closed",
    ("cancel", CLOSED): "a closed task cannot be cancelled; it already happened",
}


def transition(task: Task, action: str) -> EventType | None:
    """Apply ``action``; returns the event type to publish, or None when nothing changed."""
    rule = TRANSITIONS[action]
    if task.status == rule.target:
        return None
    if task.status not in rule.allowed_from:
        raise Conflict(
            REFUSALS.get((action, task.status), f"cannot {action} a task that is {task.status}"),
            current_status=task.status,
        )
    task.status = rule.target
    return rule.event_type


def require_editable(task: Task) -> None:
    if task.status not in EDITABLE:
        raise Conflict(f"a {task.status} task can no longer be changed", current_status=task.status)


def follow_fill(task: Task, full: bool) -> None:
    """An open task becomes filled when matching says every slot is taken, and back."""
    if task.status in (OPEN, FILLED):
        task.status = FILLED if full else OPEN
