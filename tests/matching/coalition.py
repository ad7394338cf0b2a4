"""A realistic coalition for scenario tests: 300 members and the 40 kinds of needs it posts."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, time, timedelta
from uuid import UUID

from services.common.contracts import MemberState, MemberStatus, SkillLevel, TaskState, Weekday, WeeklyWindow
from tests.matching.factories import TORONTO, member, next_weekday, task

WEEKDAYS = [Weekday.monday, Weekday.tuesday, Weekday.wednesday, Weekday.thursday, Weekday.friday]


def _windows(days, start: time, end: time) -> list[WeeklyWindow]:
    return [WeeklyWindow(weekday=day, start=start, end=end) for day in days]


AVAILABILITY_PATTERNS = {
    "weekends": _windows([Weekday.saturday], time(9), time(17)) + _windows([Weekday.sunday], time(10), time(18)),
    "weekday evenings": _windows(WEEKDAYS, time(17, 30), time(21, 30)),
    "weekday days": _windows(WEEKDAYS, time(9), time(17)),
}
SKILL_SHARES = {
    "immigration-law": 0.35, "web-development": 0.2, "public-speaking": 0.4, "interpretation": 0.3, "outreach": 0.5,
}
LEVELS = [SkillLevel.learning, SkillLevel.capable, SkillLevel.capable, SkillLevel.expert, SkillLevel.expert]


def coalition_members(count: int = 300, seed: int = 7) -> list[MemberState]:
    rng = random.Random(seed)
    members = []
    for number in range(count):
        skills = {skill: rng.choice(LEVELS) for skill, share in SKILL_SHARES.items() if rng.random() < share}
        languages = ["en"] if rng.random() < 0.9 else []
        languages += [code for code, share in (("es", 0.5), ("fr", 0.35)) if rng.random() < share]
        patterns = rng.sample(sorted(AVAILABILITY_PATTERNS), rng.choice([1, 2, 2, 3]))
        members.append(member(
            member_id=UUID(int=10_000 + number),
            skills=skills,
            languages=tuple(languages or ["es"]),
            windows=[w for name in patterns for w in AVAILABILITY_PATTERNS[name]],
            area=rng.choice(["downtown", "downtown", "north", "north", "east"]),
            remote_ok=rng.random() < 0.4,
            max_tasks_per_month=rng.choice([1, 2, 2, 3, 4]),
            status=MemberStatus.active if rng.random() < 0.95 else MemberStatus.paused,
        ))
    # A single member speaks Tigrinya: the accompaniment that needs two of them cannot fill.
    members[0] = member(
        member_id=members[0].member_id, skills={"interpretation": SkillLevel.expert}, languages=("en", "ti"),
        windows=AVAILABILITY_PATTERNS["weekday days"], area="downtown", max_tasks_per_month=2,
    )
    return members


@dataclass(frozen=True)
class Need:
    state: TaskState
    kind: str


def coalition_tasks() -> list[Need]:
    """40 needs: clinics, rallies, outreach, website fixes, delegations, interpretation, and one
    accompaniment in a language only one member speaks."""
    return [
        *_clinics(), *_rallies(), *_outreach(), *_website_fixes(), *_delegations(), *_interpretation(),
        Need(task(
            title="Accompaniment to an appointment (Tigrinya)", slots=2, starts_at=next_weekday(Weekday.thursday, 10, 1),
            hours=2, skills={"interpretation": SkillLevel.capable}, languages=("ti",), area="downtown",
        ), "scarce"),
    ]


def _clinics() -> list[Need]:
    return [
        Need(task(
            title=f"Legal clinic shift, week {week} (Spanish)", slots=2, starts_at=next_weekday(Weekday.saturday, hour, week),
            hours=3, skills={"immigration-law": SkillLevel.capable}, languages=("es",), area="downtown",
        ), "legal clinic")
        for week in (1, 2, 3) for hour in (10, 14)
    ]


def _rallies() -> list[Need]:
    return [
        Need(task(title=f"Rally sign holders, {area}", slots=8, starts_at=next_weekday(Weekday.sunday, 14, week), hours=2,
                  area=area), "rally")
        for week in (1, 2, 3, 4) for area in ("downtown", "north", "east")
    ]


def _outreach() -> list[Need]:
    return [
        Need(task(title=f"Outreach with warehouse workers ({language})", slots=2,
                  starts_at=next_weekday(day, 18, 1), hours=2, skills={"outreach": SkillLevel.learning},
                  languages=(language,), area="north"), "outreach")
        for day in (Weekday.monday, Weekday.wednesday, Weekday.friday) for language in ("es", "en")
    ]


def _website_fixes() -> list[Need]:
    deadline = next_weekday(Weekday.friday, 17, 3).astimezone(UTC)
    return [
        Need(task(title=f"Website fix #{number}", slots=1, skills={"web-development": SkillLevel.expert}, remote=True,
                  area=None).model_copy(update={"starts_at": None, "ends_at": None, "deadline": deadline}), "website")
        for number in (1, 2, 3, 4)
    ]


def _delegations() -> list[Need]:
    return [
        Need(task(title=f"School-board delegation speakers, {area}", slots=3, hours=2.5,
                  starts_at=next_weekday(Weekday.tuesday, 18, week) + timedelta(minutes=30),
                  skills={"public-speaking": SkillLevel.capable}, languages=("en",), area=area), "delegation")
        for week in (1, 2, 3) for area in ("north", "downtown")
    ]


def _interpretation() -> list[Need]:
    return [
        Need(task(title="Hearing interpretation (French)", slots=1, hours=2,
                  starts_at=next_weekday(Weekday.wednesday, 9, week) + timedelta(minutes=30),
                  skills={"interpretation": SkillLevel.capable}, languages=("fr",), area="downtown"), "interpretation")
        for week in (1, 2, 3, 4, 5)
    ]


def qualifies(state: MemberState, need: TaskState) -> bool:
    """The hard constraints, checked independently of the engine (weekly windows in local time)."""
    levels = {claim.skill: claim.level for claim in state.skills}
    spoken = {claim.code for claim in state.languages}
    place_ok = state.remote_ok if need.remote else (need.area is None or state.area == need.area)
    return (
        state.status == MemberStatus.active
        and all(levels.get(n.skill, 0) >= n.min_level for n in need.skills)
        and (not need.languages or bool(spoken & set(need.languages)))
        and place_ok
        and _free_for(state, need)
    )


def _free_for(state: MemberState, need: TaskState) -> bool:
    if need.starts_at is None:
        return bool(state.weekly_availability)
    start, end = need.starts_at.astimezone(TORONTO), need.ends_at.astimezone(TORONTO)
    return any(
        window.weekday == start.weekday() and window.start < end.time() and start.time() < window.end
        for window in state.weekly_availability
    )
