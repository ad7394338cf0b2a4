"""What the matching service consumes, one consumer group each: the tasks' states (``tasks_reader``)
and attendance marks (``attendance``). Members and areas are read by every instance outside any
group (``members_reader``, a background thread), so that each instance's engine knows everyone.
"""

from __future__ import annotations

from kafka.coordinator.assignors.cooperative_sticky import CooperativeStickyAssignor

from services.common.composition import Consume
from services.matching.attendance import attendance_marks
from services.matching.context import Matching
from services.matching.tasks_reader import task_states


def consumers(matching: Matching) -> list[Consume]:
    return [
        Consume(
            "tasks",
            task_states(matching),
            listener=matching.ownership,
            # Cooperative rebalancing: when an instance joins or leaves, only the partitions that
            # move change hands; the others keep being matched instead of all pausing at once.
            options={"partition_assignment_strategy": (CooperativeStickyAssignor,)},
        ),
        Consume("attendance", attendance_marks(matching.settings.topics)),
    ]
