"""Why a task is not filling: how many members each hard constraint leaves out, and how many more
would be eligible if the coordinator widened the task.

Constraints are applied in a fixed order, each to the members the previous ones kept (skill and
level, language and fluency, place, time, load limit, already asked), so every active member is
counted once: under the first constraint that leaves them out, or as eligible. Widenings are
counted the same way on the task as it would be, minus the members eligible now.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from uuid import UUID

from services.common.contracts import SkillLevel, TaskState

from . import entries
from .index import MemberIndex
from .model import NO_LOAD, MemberLoad, MemberProfile
from .query import TaskQuery

# The constraints, in the order they are applied.
STEPS = ("skill", "language", "place", "time", "load", "already_asked")


@dataclass(frozen=True, slots=True)
class Diagnosis:
    active: int  # members the index holds (active, with something to match on)
    excluded: dict[str, int]  # per step of STEPS: members it left out
    eligible: int
    widenings: dict[str, int]  # per widening the task allows: how many more members would be eligible


class Counter:
    """Counts a task's funnel over one engine's index and profiles (read only); ``make_query``
    prepares a task as the engine does (its time zone, clock and geography)."""

    def __init__(
        self,
        index: MemberIndex,
        profiles: Mapping[int, MemberProfile],
        key_of: Mapping[UUID, int],
        make_query: Callable[[TaskState], TaskQuery],
    ) -> None:
        self.index, self.profiles, self.key_of, self.make_query = index, profiles, key_of, make_query

    def diagnose(self, task: TaskState, *, loads: Mapping[UUID, MemberLoad], asked: Collection[UUID]) -> Diagnosis:
        excluded, eligible = self._funnel(task, loads, asked)
        widenings = {
            name: max(0, self._funnel(wider, loads, asked)[1] - eligible) for name, wider in widened(task).items()
        }
        return Diagnosis(self.index.stats(0).indexed_members, excluded, eligible, widenings)

    def _funnel(
        self, task: TaskState, loads: Mapping[UUID, MemberLoad], asked: Collection[UUID]
    ) -> tuple[dict[str, int], int]:
        query: TaskQuery = self.make_query(task)
        groups: list[entries.Group] = []
        counts: dict[str, int] = {}
        kept = self.index.pool([])
        previous = len(kept)
        for step, added in (
            ("skill", _skill_groups(query)),
            ("language", _language_groups(query)),
            ("place", _place_groups(query)),
            ("time", _time_groups(query)),
        ):
            groups += added
            kept = self.index.pool(groups) if groups else kept
            if step == "time":  # the index knows blocks of the week; the exact minutes are read here
                segments = query.window.segments
                kept = {key for key in kept if segments and query.free_minutes(self.profiles[key]) > 0}
            counts[step], previous = previous - len(kept), len(kept)
        within = {
            key
            for key in kept
            if query.within_load(self.profiles[key], loads.get(self.profiles[key].member_id, NO_LOAD))
        }
        counts["load"], previous = previous - len(within), len(within)
        asked_keys = {self.key_of[m] for m in asked if m in self.key_of}
        eligible = within - asked_keys
        counts["already_asked"] = previous - len(eligible)
        return counts, len(eligible)


def widened(task: TaskState) -> dict[str, TaskState]:
    """The widenings a coordinator could make to this task, as the task would then be."""
    wider: dict[str, TaskState] = {}
    if not task.remote and task.area is not None and not task.whole_city:
        wider["whole_city"] = task.model_copy(update={"whole_city": True})
    if any(need.min_level > SkillLevel.learning for need in task.skills):
        lowered = [need.model_copy(update={"min_level": SkillLevel.learning}) for need in task.skills]
        wider["any_level"] = task.model_copy(update={"skills": lowered})
    if task.min_fluency:
        wider["any_fluency"] = task.model_copy(update={"min_fluency": {}})
    return wider


def _skill_groups(query: TaskQuery) -> list[entries.Group]:
    return [[entries.skill_entry(skill, level)] for skill, level in query.needs]


def _language_groups(query: TaskQuery) -> list[entries.Group]:
    if not query.languages:
        return []
    return [[entries.language_entry(code, query.min_fluency.get(code, 1)) for code in query.languages]]


def _time_groups(query: TaskQuery) -> list[entries.Group]:
    segments = query.window.segments
    return [entries.time_group(segments)] if segments else []


def _place_groups(query: TaskQuery) -> list[entries.Group]:
    place = query.place_group()
    return [place] if place else []
