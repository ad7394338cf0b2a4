"""The inverted index: for each skill level (also per area, and among members open to remote
work), language, area, remote openness and block of the week, the set of active members who
have it.

A task turns into a few *groups* of index entries; a member must be in at least one set of every
group (a task in Spanish or English: one group of two entries). Intersecting those sets in C,
smallest first, leaves a small pool of members to check one by one; the engine never scans every
member for a task.

Members are held by small integer keys (see ``MemberProfile.key``). Paused members are kept out of
the index altogether, and an entry whose set empties is deleted, so removing a member leaves no
trace.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator
from dataclasses import dataclass

from services.common.contracts import SkillLevel

from .availability import Segment, WeeklyMinutes
from .model import MemberProfile

Entry = tuple[Hashable, ...]
Group = list[Entry]

# The week is indexed in blocks of this many minutes: small enough to separate a Saturday morning
# from a Saturday evening, large enough that a member sits in only a handful of blocks.
BLOCK_MINUTES = 120
# A task touching more blocks than this is filtered by weekday instead: intersecting the pool
# with every block would cost more than it saves.
MAX_BLOCKS_PER_TASK = 3

TOP_LEVEL = int(max(SkillLevel))

AVAILABLE: Entry = ("available",)
REMOTE_OK: Entry = ("remote_ok",)


def skill_entry(skill: str, min_level: int, where: Entry = ()) -> Entry:
    """Members with the skill at ``min_level`` or above; with ``where`` (an area or remote
    entry), only those of them who are also there: the place is folded into the skill entry so
    that a common skill in a large area is one small set rather than two large ones."""
    return ("skill", skill, min_level, *where)


def language_entries(code: str) -> list[Entry]:
    """A member speaking 'pt-br' is found for tasks in 'pt-br' and in 'pt'."""
    code = code.lower()
    primary = code.split("-", 1)[0]
    return [("language", code)] if primary == code else [("language", code), ("language", primary)]


def language_entry(code: str) -> Entry:
    return ("language", code.lower())


def area_entry(area: str) -> Entry:
    return ("area", area)


def time_group(segments: tuple[Segment, ...]) -> Group:
    """The index entries a member must hit to be free at some point of these segments."""
    weekdays = {weekday for _, weekday, _, _ in segments}
    if len(weekdays) == 7:
        return [AVAILABLE]
    blocks = {
        ("block", weekday, block)
        for _, weekday, start, end in segments
        for block in range(start // BLOCK_MINUTES, (end - 1) // BLOCK_MINUTES + 1)
    }
    if len(blocks) <= MAX_BLOCKS_PER_TASK:
        return sorted(blocks)
    return [("weekday", weekday) for weekday in sorted(weekdays)]


def _weekly_entries(weekly: WeeklyMinutes) -> Iterator[Entry]:
    blocks = set()
    for weekday, intervals in enumerate(weekly):
        if intervals:
            yield ("weekday", weekday)
        for start, end in intervals:
            for block in range(start // BLOCK_MINUTES, (end - 1) // BLOCK_MINUTES + 1):
                blocks.add(("block", weekday, block))
    yield from blocks
    if any(weekly):
        yield AVAILABLE


def entries_of(profile: MemberProfile) -> list[Entry]:
    """Every index entry that lists this member (none for a paused member)."""
    if not profile.active:
        return []
    places: list[Entry] = [()]
    if profile.area is not None:
        places.append(area_entry(profile.area))
    if profile.remote_ok:
        places.append(REMOTE_OK)
    entries: list[Entry] = [
        skill_entry(skill, level, where)
        for skill, top_level in profile.skill_levels.items()
        for level in range(1, top_level + 1)
        for where in places
    ]
    entries.extend({entry for code, _ in profile.languages for entry in language_entries(code)})
    entries.extend(places[1:])
    entries.extend(_weekly_entries(profile.weekly))
    return entries


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

    def add(self, profile: MemberProfile) -> None:
        entries = entries_of(profile)
        for entry in entries:
            self._sets.setdefault(entry, set()).add(profile.key)
        if entries:
            self._indexed.add(profile.key)

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
