"""Which organization (and committee) each task belongs to, as seen on the live reader, shared by every
subscription of this gateway instance: a coordinator's subscription learns whether an event
concerns them from here, and asks the tasks service only about a task no one has seen yet
(then once for all subscribers, not once each)."""

from __future__ import annotations

from collections import OrderedDict


class TaskOwners:
    def __init__(self, capacity: int = 100_000) -> None:
        self.capacity = capacity
        self._owners: OrderedDict[str, dict[str, str | None]] = OrderedDict()

    def get(self, task_id: str) -> dict[str, str | None]:
        """``organization_id`` and ``committee_id`` of the task (None where unknown or none)."""
        return self._owners.get(task_id) or {"organization_id": None, "committee_id": None}

    def knows(self, task_id: str) -> bool:
        return task_id in self._owners

    def remember(self, task_id: str, organization_id, committee_id=None) -> None:
        self._owners[task_id] = {
            "organization_id": None if organization_id is None else str(organization_id),
            "committee_id": None if committee_id is None else str(committee_id),
        }
        self._owners.move_to_end(task_id)
        while len(self._owners) > self.capacity:
            self._owners.popitem(last=False)
