"""Every member's matching state, held in the engine, shared safely between threads.

The engine is plain, single-threaded Python. Here one lock guards it: the members reader writes
(in batches while it replays the topic, with indexing deferred to its end), the worker asks for
candidates, and request handlers read a member's monthly limit. ``replayed`` is set once the members
topic was read to the end offsets it had at start-up; until then the service is not ready.
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Iterable, Mapping
from datetime import datetime, tzinfo
from uuid import UUID

from services.common.contracts import AreaState, MemberState, MemberStatus, TaskState
from services.matching.engine import Candidate, Diagnosis, MatchingEngine, MemberLoad, ScoreWeights

# One member's update as read from the topic: its state, or None for a tombstone (erasure).
MemberUpdate = tuple[UUID, MemberState | None]


class MemberDirectory:
    def __init__(self, weights: ScoreWeights, tz: tzinfo) -> None:
        self._engine = MatchingEngine(weights=weights, tz=tz)
        self._lock = threading.Lock()
        self.replayed = threading.Event()

    def __len__(self) -> int:
        with self._lock:
            return len(self._engine)

    def defer_indexing(self) -> None:
        """For a replay: updates are only recorded until ``build_index``, which indexes every
        member at once (see ``MatchingEngine.defer_indexing``). A question asked meanwhile still
        gets a right answer: it has the index built first."""
        with self._lock:
            self._engine.defer_indexing()

    def build_index(self) -> None:
        with self._lock:
            self._engine.build_index()

    def apply(self, updates: Iterable[MemberUpdate]) -> None:
        with self._lock:
            for member_id, state in updates:
                if state is None:
                    self._engine.remove_member(member_id)
                else:
                    self._engine.upsert_member(state)

    def learn_areas(self, areas: Iterable[AreaState]) -> None:
        """The areas' geography, which says whose reach covers which task (see engine.geography)."""
        with self._lock:
            for area in areas:
                self._engine.upsert_area(area)

    def get(self, member_id: UUID) -> MemberState | None:
        with self._lock:
            return self._engine.get_member(member_id)

    def is_active(self, member_id: UUID) -> bool:
        member = self.get(member_id)
        return member is not None and member.status == MemberStatus.active

    def could_fit(self, member_id: UUID, task: TaskState, now: datetime) -> bool:
        """Whether the member meets the task's constraints, whatever their load (a first sieve)."""
        with self._lock:
            return self._engine.is_eligible(member_id, task, now=now)

    def fits(self, member_id: UUID, task: TaskState, *, now: datetime, load: MemberLoad | None = None) -> bool:
        """Whether the member meets every hard constraint of ``task`` (with ``load``, if given)."""
        with self._lock:
            return self._engine.is_eligible(member_id, task, now=now, load=load)

    def candidates(
        self,
        task: TaskState,
        *,
        loads: Mapping[UUID, MemberLoad],
        excluded: Collection[UUID],
        limit: int,
        now: datetime,
    ) -> list[Candidate]:
        with self._lock:
            return self._engine.candidates(task, loads=loads, excluded=excluded, limit=limit, now=now)

    def diagnose(
        self, task: TaskState, *, loads: Mapping[UUID, MemberLoad], asked: set[UUID], now: datetime
    ) -> Diagnosis:
        with self._lock:
            return self._engine.diagnose(task, loads=loads, asked=asked, now=now)
