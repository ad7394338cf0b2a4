"""One task, prepared once: its index groups, its time window and the checks that the index
cannot answer (load, clashes, unavailable dates, exact free minutes)."""

from __future__ import annotations

from datetime import datetime, tzinfo

from services.common.contracts import TaskState

from . import entries
from .availability import TaskWindow, free_minutes, task_window
from .geography import Geography
from .model import MemberLoad, MemberProfile, stable_hash64


class TaskQuery:
    def __init__(self, task: TaskState, tz: tzinfo, now: datetime, geography: Geography | None = None) -> None:
        self.task = task
        self.tz = tz  # the coalition's zone, in which the window's wall-clock segments are read
        self.geography = geography or Geography()
        self.window: TaskWindow = task_window(task, tz, now)
        self.needs: tuple[tuple[str, int], ...] = tuple((need.skill, int(need.min_level)) for need in task.skills)
        self.languages: tuple[str, ...] = tuple(code.lower() for code in task.languages)
        self.min_fluency: dict[str, int] = {code.lower(): int(f) for code, f in task.min_fluency.items()}
        # Mixed into each member's seed so that ties fall differently from one task to the next.
        self.rotation_salt = stable_hash64(task.task_id)
        # A members-only task is for its committee's members alone.
        self.committee = task.committee_id if task.members_only else None

    def index_groups(self) -> list[entries.Group]:
        place = self.place_group()
        # Every skill entry exists per place too (see entries.skill_entry): a task that needs a
        # skill finds its place in the skill's group, and only a task that needs none has a
        # group for the place alone.
        groups: list[entries.Group] = [entries.skill_group(s, lv, place) for s, lv in self.needs]
        if place and not self.needs:
            groups.append(place)
        if self.languages:
            groups.append([entries.language_entry(code, self.min_fluency.get(code, 1)) for code in self.languages])
        if self.committee is not None:
            groups.append([entries.committee_entry(self.committee)])
        groups.append(entries.time_group(self.window.segments))
        return groups

    def place_group(self) -> entries.Group:
        """Where members must be able to go: remote, the task's area (or, when the task is open
        to its whole city, members of that city too), or anywhere (no entry)."""
        task = self.task
        if task.remote:
            return [entries.REMOTE_OK]
        if task.area is None:
            return []
        place = [entries.area_entry(task.area)]
        if task.whole_city:
            place.append(entries.home_city_entry(self.geography.city_of(task.area)))
        return place

    def fits_profile(self, profile: MemberProfile) -> bool:
        """The constraints the index answers, checked on one member (for re-checks)."""
        return (
            profile.active
            and all(profile.skill_levels.get(s, 0) >= lv for s, lv in self.needs)
            and (not self.languages or self.shared_language(profile) is not None)
            and self._fits_place(profile)
            and (self.committee is None or self.committee in profile.committees)
        )

    def _fits_place(self, profile: MemberProfile) -> bool:
        task = self.task
        if task.remote:
            return profile.remote_ok
        if task.area is None or task.area in profile.places:
            return True
        return task.whole_city and profile.home_city == self.geography.city_of(task.area)

    def shared_language(self, profile: MemberProfile) -> tuple[str, int] | None:
        """The member's most fluent language among the task's, as (code, fluency), spoken at
        least as fluently as the task asks for that language."""
        best: tuple[str, int] | None = None
        for code, fluency in profile.languages:
            code = code.lower()
            primary = code.split("-", 1)[0]
            fluent_enough = any(
                asked in self.languages and fluency >= self.min_fluency.get(asked, 0) for asked in (code, primary)
            )
            if fluent_enough and (best is None or fluency > best[1]):
                best = (code, fluency)
        return best

    def within_load(self, profile: MemberProfile, load: MemberLoad) -> bool:
        if load.tasks_this_month >= profile.max_tasks_per_month:
            return False
        return not (load.busy and self.clashes(load.busy))

    def clashes(self, busy: tuple[tuple[datetime, datetime], ...]) -> bool:
        """Whether an accepted task overlaps this one (a flexible task clashes with nothing)."""
        starts_at, ends_at = self.window.starts_at, self.window.ends_at
        if starts_at is None or ends_at is None:
            return False
        return any(start < ends_at and starts_at < end for start, end in busy)

    def free_minutes(self, profile: MemberProfile) -> int:
        """Minutes of the window the member is free for; 0 means not available at all."""
        return free_minutes(profile.weekly, profile.unavailable, self.window.segments, self.window.flexible)
