"""The matching engine: members in memory, indexed, and the best candidates for a task."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import UTC, datetime, tzinfo
from uuid import UUID

from services.common.contracts import AreaState, MemberState, TaskState

from .diagnosis import Counter, Diagnosis
from .geography import Geography
from .index import IndexStats, MemberIndex, Tier
from .model import NO_LOAD, Candidate, MemberLoad, MemberProfile, ScoreWeights, stable_hash64
from .query import TaskQuery
from .reasons import reasons_for
from .scoring import SCORE_SCALE, RankKey, best_ranked


class MatchingEngine:
    """Holds every member's matching state and answers "who should be offered this task?".

    Not thread-safe: one engine belongs to one consumer loop, which applies member updates and
    asks for candidates in turn.
    """

    def __init__(self, weights: ScoreWeights | None = None, tz: tzinfo = UTC) -> None:
        self.weights = weights or ScoreWeights()
        self.tz = tz
        self._profiles: dict[int, MemberProfile] = {}
        self._key_of: dict[UUID, int] = {}
        # Keys stay dense (freed ones are reused): sets of small consecutive integers intersect
        # about three times faster than sets of scattered ones.
        self._free_keys: list[int] = []
        # Per key, the member's stable hash, from which rotation among equals is drawn.
        self._seeds: list[int] = []
        # None while indexing is deferred (see ``defer_indexing``).
        self._index: MemberIndex | None = MemberIndex()
        self.geography = Geography()
        # Areas learned while indexing was deferred: members are placed again before indexing.
        self._unplaced = False

    def __len__(self) -> int:
        return len(self._key_of)

    def defer_indexing(self) -> None:
        """Stop keeping the index current until ``build_index`` (or the next question that needs
        it), which then indexes every member in one go.

        For loading a whole membership: building the index at once takes less than half the time
        of adding members one by one, and a member who changes several times meanwhile is
        indexed once.
        """
        self._index = None

    def build_index(self) -> None:
        """Index every member now, if indexing was deferred; afterwards each change is indexed
        as it comes again."""
        self._indexed()

    def upsert_member(self, state: MemberState) -> None:
        """Add a member or replace everything known about them (idempotent)."""
        key = self._key_of.get(state.member_id)
        if key is None:
            key = self._new_key(state.member_id)
        elif self._index is not None:
            self._index.discard(self._profiles[key])
        profile = MemberProfile.from_state(state, key, self.geography)
        self._profiles[key] = profile
        if self._index is not None:
            self._index.add(profile)

    def upsert_area(self, area: AreaState) -> None:
        """Learn an area or its new name, parent or centre. Whose reach covers what may change
        with it, so every member's places are resolved again, and the index rebuilt if they moved
        (admins edit areas rarely; at 100,000 members a rebuild takes a few seconds)."""
        if self.geography.states.get(area.slug) == area:
            return
        self.geography = self.geography.with_area(area)
        if self._index is None:  # loading: members are placed once, when the index is built
            self._unplaced = True
            return
        if self._place_members():
            self._index = MemberIndex.built_from(self._profiles.values())

    def _place_members(self) -> bool:
        """Resolve every member's places on the current geography; True if any moved."""
        moved, geography = False, self.geography
        for key, profile in self._profiles.items():
            placed = profile.placed(geography)
            if placed is not profile:
                self._profiles[key], moved = placed, True
        self._unplaced = False
        return moved

    def remove_member(self, member_id: UUID) -> bool:
        """Forget a member entirely (erasure, or a tombstone on the members topic)."""
        key = self._key_of.pop(member_id, None)
        if key is None:
            return False
        profile = self._profiles.pop(key)
        if self._index is not None:
            self._index.discard(profile)
        self._seeds[key] = 0
        self._free_keys.append(key)
        return True

    def get_member(self, member_id: UUID) -> MemberState | None:
        key = self._key_of.get(member_id)
        return None if key is None else self._profiles[key].to_state()

    def stats(self) -> IndexStats:
        return self._indexed().stats(members=len(self._key_of))

    def is_eligible(
        self,
        member_id: UUID,
        task: TaskState,
        *,
        now: datetime,
        load: MemberLoad | None = None,
        excluded: Collection[UUID] = (),
    ) -> bool:
        """Re-check one member against every hard constraint (e.g. before a re-offer)."""
        key = self._key_of.get(member_id)
        if key is None or member_id in excluded:
            return False
        query = TaskQuery(task, self.tz, now, self.geography)
        profile = self._profiles[key]
        return (
            query.fits_profile(profile)
            and query.within_load(profile, load or NO_LOAD)
            and query.free_minutes(profile) > 0
        )

    def candidates(
        self,
        task: TaskState,
        *,
        now: datetime,
        limit: int,
        loads: Mapping[UUID, MemberLoad] | None = None,
        excluded: Collection[UUID] = (),
    ) -> list[Candidate]:
        """The ``limit`` best eligible members for ``task``, best first, each with reasons.

        ``loads`` gives each member's current load (a member absent from it has none);
        ``excluded`` lists members who declined this task or were already offered it.
        """
        query = TaskQuery(task, self.tz, now, self.geography)
        if limit <= 0 or query.window.is_empty:
            return []
        index, groups, excluded_keys = self._indexed(), query.index_groups(), self._keys_of(excluded)
        tiers: list[Tier]
        if query.needs:  # groups[0] is the first needed skill's
            skill, level = query.needs[0]
            tiers = index.tiers(groups, skill, level, query.place_group(), excluded_keys)
        else:
            pool = index.pool(groups)
            pool.difference_update(excluded_keys)
            tiers = [(None, lambda: pool)]
        loads = loads or {}
        best = best_ranked(query, self.weights, self._profiles, self._seeds, tiers, loads, limit)
        return [self._candidate(query, rank, loads) for rank in best]

    def diagnose(
        self,
        task: TaskState,
        *,
        now: datetime,
        loads: Mapping[UUID, MemberLoad] | None = None,
        asked: Collection[UUID] = (),
    ) -> Diagnosis:
        """Why ``task`` is not filling: how many members each hard constraint leaves out, and how
        many more each widening of the task would make eligible (see ``diagnosis``)."""
        counter = Counter(
            self._indexed(), self._profiles, self._key_of, lambda state: TaskQuery(state, self.tz, now, self.geography)
        )
        return counter.diagnose(task, loads=loads or {}, asked=asked)

    def _candidate(self, query: TaskQuery, rank: RankKey, loads: Mapping[UUID, MemberLoad]) -> Candidate:
        profile = self._profiles[rank[-1]]
        load = loads.get(profile.member_id, NO_LOAD)
        score = rank[0] / SCORE_SCALE
        return Candidate(profile.member_id, score, reasons_for(query, profile, load))

    def _indexed(self) -> MemberIndex:
        if self._index is None:
            if self._unplaced:
                self._place_members()
            self._index = MemberIndex.built_from(self._profiles.values())
        return self._index

    def _keys_of(self, member_ids: Collection[UUID]) -> set[int]:
        key_of = self._key_of
        return {key_of[m] for m in member_ids if m in key_of}

    def _new_key(self, member_id: UUID) -> int:
        if self._free_keys:
            key = self._free_keys.pop()
            self._seeds[key] = stable_hash64(member_id)
        else:
            key = len(self._seeds)
            self._seeds.append(stable_hash64(member_id))
        self._key_of[member_id] = key
        return key
