"""The inverted index: for each entry (see ``entries``: a skill level, also per area and among
members open to remote work, a language, an area, remote openness, a block of the week), the set
of active members who have it.

A task turns into a few *groups* of index entries; a member must be in at least one set of every
group (a task in Spanish or English: one group of two entries). Intersecting those sets in C,
smallest first, leaves a small pool of members to check one by one; the engine never scans every
member for a task. A task that needs a skill gets its pool in tiers, one per level on that skill,
each intersected only when the ranking reaches it (``tiers``).

Members are held by small integer keys (see ``MemberProfile.key``). Paused members are kept out of
the index altogether, and an entry whose set empties is deleted, so removing a member leaves no
trace.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .entries import PART_ENTRIES, TOP_LEVEL, Entry, Group, entries_of, parts_of, skill_entry, skill_group
from .model import MemberProfile

AnySet = set[int] | frozenset[int]
# Members sharing a level on the first needed skill (None when the task needs none), worked out
# when called.
Tier = tuple[int | None, Callable[[], set[int]]]


@dataclass(frozen=True, slots=True)
class IndexStats:
    members: int
    indexed_members: int
    index_entries: int
    index_postings: int


class MemberIndex:
    def __init__(self) -> None:
        self._sets: dict[Entry, set[int]] = {}
        self._indexed: set[int] = set()

    @classmethod
    def built_from(cls, profiles: Iterable[MemberProfile]) -> MemberIndex:
        """The index of these members, built in one go: members are gathered by part (see
        ``entries``), then each entry's set is made at once from the parts that have it. This
        takes less than half the time of adding members one by one, which touches every entry
        of every member (some thirty each)."""
        members_of_part: defaultdict[int, list[int]] = defaultdict(list)
        indexed: list[int] = []
        for profile in profiles:
            parts = parts_of(profile)
            if parts:
                key = profile.key
                indexed.append(key)
                for part in parts:
                    members_of_part[part].append(key)
        postings: defaultdict[Entry, list[int]] = defaultdict(list)
        for part, keys in members_of_part.items():
            for entry in PART_ENTRIES[part]:
                postings[entry] += keys
        del members_of_part
        index = cls()
        index._indexed = set(indexed)
        while postings:  # each list goes as soon as its set exists: less memory at the peak
            entry, keys = postings.popitem()
            index._sets[entry] = set(keys)
        return index

    def add(self, profile: MemberProfile) -> None:
        entries, key, sets = entries_of(profile), profile.key, self._sets
        for entry in entries:
            members = sets.get(entry)
            if members is None:
                members = sets[entry] = set()
            members.add(key)
        if entries:
            self._indexed.add(key)

    def discard(self, profile: MemberProfile) -> None:
        for entry in entries_of(profile):
            members = self._sets.get(entry)
            if members is not None:
                members.discard(profile.key)
                if not members:
                    del self._sets[entry]
        self._indexed.discard(profile.key)

    def pool(self, groups: list[Group]) -> set[int]:
        """Keys of the members found in at least one set of every group (a new set)."""
        if not groups:
            return set(self._indexed)
        return self._pool_of([self._sets_of(group) for group in groups])

    def tiers(self, groups: list[Group], skill: str, min_level: int, place: Group, excluded: set[int]) -> list[Tier]:
        """The pool of ``groups``, less ``excluded``, cut by level on the first needed skill,
        highest level first. That skill's group, ``skill_group(skill, min_level, place)``, is
        ``groups[0]``; ``place`` is the task's place group.

        Each tier's members are worked out only when the walk reaches it (see
        ``scoring.best_ranked``): a common task seldom needs more than its top tier, about a
        fifth of the pool, so the sets of the tiers below are never intersected.
        """
        rest = [self._sets_of(group) for group in groups[1:]]
        levels = range(TOP_LEVEL, min_level - 1, -1)
        if rest and _total_size(self._sets_of(groups[0])) > min(map(_total_size, rest)):
            # Another group is the smaller start: intersect once, then split the pool.
            pool = self._pool_of([self._sets_of(groups[0]), *rest])
            pool.difference_update(excluded)
            where = place[0] if len(place) == 1 else ()  # anywhere: the pool is all in place
            return [(level, self._split(pool, skill, level, where)) for level in levels]
        return [(level, self._tier(skill, level, place, rest, excluded)) for level in levels]

    def _tier(
        self, skill: str, level: int, place: Group, rest: list[list[AnySet]], excluded: set[int]
    ) -> Callable[[], set[int]]:
        """The tier at ``level``: the members at exactly that level, intersected with the rest."""

        def members() -> set[int]:
            at_level = self._sets_of(skill_group(skill, level, place))
            if level < TOP_LEVEL:
                # A member above this level in one place is above it in every place.
                above = self._sets_of(skill_group(skill, level + 1, place))
                at_level = [sets - higher for sets, higher in zip(at_level, above, strict=True)]
            pool = self._pool_of([at_level, *rest])
            pool.difference_update(excluded)
            return pool

        return members

    def _split(self, pool: set[int], skill: str, level: int, where: Entry) -> Callable[[], set[int]]:
        """The members of ``pool`` at exactly ``level``."""

        def members() -> set[int]:
            at_level = pool & self._sets.get(skill_entry(skill, level, where), _EMPTY)
            if level < TOP_LEVEL:
                at_level -= self._sets.get(skill_entry(skill, level + 1, where), _EMPTY)
            return at_level

        return members

    def _sets_of(self, group: Group) -> list[AnySet]:
        return [self._sets.get(entry, _EMPTY) for entry in group]

    def _pool_of(self, unions: list[list[AnySet]]) -> set[int]:
        """Keys found in at least one set of every list (a new set, never one of the index's)."""
        # Start from the smallest group: every later step walks what is left of it.
        unions = sorted(unions, key=_total_size)
        first, rest = unions[0], unions[1:]
        pool = first[0] if len(first) == 1 else set().union(*first)
        # Then filter by the groups that drop the most members per set looked up: each & walks
        # the pool once per set of the group.
        everyone = max(1, len(self._indexed))
        rest.sort(key=lambda sets: (min(1.0, _total_size(sets) / everyone) - 1) / len(sets))
        for sets in rest:
            if not pool:
                break
            pool = pool & sets[0] if len(sets) == 1 else set().union(*(pool & s for s in sets))
        if isinstance(pool, set) and not any(pool is s for s in first):
            return pool
        return set(pool)  # never hand out (or let the caller change) a set of the index

    def stats(self, members: int) -> IndexStats:
        return IndexStats(
            members=members,
            indexed_members=len(self._indexed),
            index_entries=len(self._sets),
            index_postings=sum(map(len, self._sets.values())),
        )


_EMPTY: frozenset[int] = frozenset()


def _total_size(sets: list[AnySet]) -> int:
    return sum(map(len, sets))
