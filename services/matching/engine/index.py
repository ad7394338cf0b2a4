"""The inverted index: for each entry (see ``entries``: a skill level, also per area and among
members open to remote work, a language, an area, remote openness, a block of the week), the set
of active members who have it.

A task turns into a few *groups* of index entries; a member must be in at least one set of every
group (a task in Spanish or English: one group of two entries). Intersecting those sets in C,
smallest first, leaves a small pool of members to check one by one; the engine never scans every
member for a task.

Members are held by small integer keys (see ``MemberProfile.key``). Paused members are kept out of
the index altogether, and an entry whose set empties is deleted, so removing a member leaves no
trace.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from .entries import PART_ENTRIES, TOP_LEVEL, Entry, Group, entries_of, parts_of, skill_entry
from .model import MemberProfile


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
        unions = [[self._sets.get(entry, _EMPTY) for entry in group] for group in groups]
        # Start from the smallest group: every later step walks what is left of it.
        unions.sort(key=_total_size)
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

    def split_by_level(
        self, pool: set[int], skill: str, min_level: int, where: Entry = ()
    ) -> list[tuple[int, set[int]]]:
        """The pool cut by level on one skill, highest level first (every pool member holds the
        skill at ``min_level`` at least, and is in ``where``)."""
        tiers = []
        rest = pool
        for level in range(TOP_LEVEL, min_level, -1):
            at_level = rest & self._sets.get(skill_entry(skill, level, where), _EMPTY)
            if at_level:
                tiers.append((level, at_level))
                rest = rest - at_level
        if rest:
            tiers.append((min_level, rest))
        return tiers

    def stats(self, members: int) -> IndexStats:
        return IndexStats(
            members=members,
            indexed_members=len(self._indexed),
            index_entries=len(self._sets),
            index_postings=sum(map(len, self._sets.values())),
        )


_EMPTY: frozenset[int] = frozenset()


def _total_size(sets: list[set[int] | frozenset[int]]) -> int:
    return sum(map(len, sets))
