"""What the index is keyed by: entries for a skill level (also per area reached, and among members
open to remote work), a language, an area the member can reach, the city of their own area, remote
openness and a block of the week.

A task turns into a few *groups* of entries (``time_group`` and ``TaskQuery.index_groups``); a
member is listed under the entries of ``entries_of``.

A member's entries are put together from *parts* that many members share: the entries for one
skill at one level in one set of places, for one set of languages, for one day of free time, and
so on. Each distinct part is worked out once and numbered, which makes listing a member cheap, and
lets ``MemberIndex.built_from`` gather members by part rather than by entry when it indexes a
whole membership. Like ``availability.shared``, the parts grow only with the number of distinct
patterns ever seen, not with the number of members.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable
from typing import Any

from services.common.contracts import SkillLevel

from .availability import Interval, Segment
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
    """Members with the skill at ``min_level`` or above; with ``where`` (an area, home city or
    remote entry), only those of them who are also there: the place is folded into the skill
    entry so that a common skill in a large area is one small set rather than two large ones."""
    return ("skill", skill, min_level, *where)


def skill_group(skill: str, min_level: int, place: Group) -> Group:
    """A task's group for one needed skill: its skill entry in each of the task's places
    (``place``: the task's place group, empty when it can be anywhere)."""
    return [skill_entry(skill, min_level, where) for where in place or [()]]


def language_entries(code: str, fluency: int = 1) -> list[Entry]:
    """A member speaking 'pt-br' is found for tasks in 'pt-br' and in 'pt', at any fluency up to
    theirs (a task asking for at least conversational Punjabi reads the 'pa' entry at 2)."""
    code = code.lower()
    primary = code.split("-", 1)[0]
    codes = [code] if primary == code else [code, primary]
    return [language_entry(c, level) for c in codes for level in range(1, fluency + 1)]


def language_entry(code: str, min_fluency: int = 1) -> Entry:
    code = code.lower()
    return ("language", code) if min_fluency <= 1 else ("language", code, min_fluency)


def committee_entry(committee_id: object) -> Entry:
    return ("committee", committee_id)


def area_entry(area: str) -> Entry:
    """Members who can go to the area (it is theirs, or within their reach)."""
    return ("area", area)


def home_city_entry(city: str) -> Entry:
    """Members whose own area is in the city or region (for tasks open to the whole city)."""
    return ("home_city", city)


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


def entries_of(profile: MemberProfile) -> list[Entry]:
    """Every index entry that lists this member (none for a paused member)."""
    return [entry for part in parts_of(profile) for entry in PART_ENTRIES[part]]


def parts_of(profile: MemberProfile) -> list[int]:
    """The numbers of the parts whose entries, together, are the member's (none when paused).
    No part is empty, so a member without any entry has no part either."""
    if not profile.active:
        return []
    places, remote_ok, home_city = profile.places, profile.remote_ok, profile.home_city
    parts = [_PARTS[("skill", skill, top, places, remote_ok, home_city)] for skill, top in profile.skill_levels.items()]
    if profile.languages:
        parts.append(_PARTS[("languages", profile.languages)])
    if places or remote_ok or profile.home_city is not None:
        parts.append(_PARTS[("places", places, remote_ok, profile.home_city)])
    if profile.committees:
        parts.append(_PARTS[("committees", profile.committees)])
    days = [_PARTS[("day", day, free)] for day, free in enumerate(profile.weekly) if free]
    if days:
        parts += days
        parts.append(_PARTS[("available",)])
    return parts


class _PartNumbers(dict[tuple[Any, ...], int]):
    """Each distinct part's number, given the first time it is asked for; its entries are at
    that number in ``PART_ENTRIES``.

    Shared by every engine of the process, which may run in different threads: a new part is
    numbered under a lock, and its entries are in place before its number can be found.
    """

    def __missing__(self, description: tuple[Any, ...]) -> int:
        entries = _entries_for(description)
        with _NUMBERING:
            number = self.get(description)
            if number is None:
                number = len(PART_ENTRIES)
                PART_ENTRIES.append(entries)
                self[description] = number
        return number


_NUMBERING = threading.Lock()
_PARTS = _PartNumbers()
PART_ENTRIES: list[tuple[Entry, ...]] = []


def _entries_for(description: tuple[Any, ...]) -> tuple[Entry, ...]:
    kind = description[0]
    if kind == "skill":
        _, skill, top_level, areas, remote_ok, home_city = description
        places = _places(areas, remote_ok, home_city)
        levels = range(1, top_level + 1)
        return tuple(skill_entry(skill, level, where) for level in levels for where in places)
    if kind == "languages":
        found = {entry: None for code, fluency in description[1] for entry in language_entries(code, fluency)}
        return tuple(found)
    if kind == "places":  # the area and remote entries themselves ("anywhere" has none)
        return tuple(_places(*description[1:])[1:])
    if kind == "committees":
        return tuple(committee_entry(committee) for committee in description[1])
    if kind == "day":
        _, weekday, intervals = description
        return (("weekday", weekday), *_blocks(weekday, intervals))
    return (AVAILABLE,)


def _places(areas: frozenset[str], remote_ok: bool, home_city: str | None) -> list[Entry]:
    """Anywhere, then the areas the member can go to, the city of their own area and remote work
    when they have them."""
    places: list[Entry] = [()]
    places += [area_entry(area) for area in sorted(areas)]
    if home_city is not None:
        places.append(home_city_entry(home_city))
    if remote_ok:
        places.append(REMOTE_OK)
    return places


def _blocks(weekday: int, intervals: tuple[Interval, ...]) -> dict[Entry, None]:
    return {
        ("block", weekday, block): None
        for start, end in intervals
        for block in range(start // BLOCK_MINUTES, (end - 1) // BLOCK_MINUTES + 1)
    }
