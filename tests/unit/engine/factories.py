"""Members and tasks for the engine's tests, with defaults that match each other.

By default a member is an active, English-speaking capable translator in the east end, free on
Saturdays 09:00-17:00; a task needs a translator on Saturday 6 June 2026, 10:00-14:00 Toronto time,
in the east end.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

from services.common.contracts import (
    DateRange,
    Fluency,
    LanguageClaim,
    MemberState,
    MemberStatus,
    Reach,
    SkillClaim,
    SkillLevel,
    SkillNeed,
    TaskState,
    Weekday,
    WeeklyWindow,
)
from services.matching.engine import MatchingEngine, ScoreWeights

TORONTO = ZoneInfo("America/Toronto")
NOW = datetime(2026, 6, 1, 9, 0, tzinfo=TORONTO)  # a Monday
SATURDAY = date(2026, 6, 6)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), TORONTO)


def window(weekday: Weekday, start: str, end: str) -> WeeklyWindow:
    return WeeklyWindow(weekday=weekday, start=time.fromisoformat(start), end=time.fromisoformat(end))


SATURDAY_DAYTIME = [window(Weekday.saturday, "09:00", "17:00")]


def member(
    *,
    skills: dict[str, SkillLevel] | None = None,
    languages: dict[str, Fluency] | None = None,
    windows: list[WeeklyWindow] | None = None,
    unavailable: tuple[tuple[date, date], ...] = (),
    area: str | None = "east-end",
    remote_ok: bool = False,
    max_tasks_per_month: int = 4,
    status: MemberStatus = MemberStatus.active,
    member_id: UUID | None = None,
    reach: Reach | None = None,
) -> MemberState:
    skills = {"translation": SkillLevel.capable} if skills is None else skills
    languages = {"en": Fluency.fluent} if languages is None else languages
    return MemberState(
        member_id=member_id or uuid4(),
        status=status,
        skills=[SkillClaim(skill=s, level=level) for s, level in skills.items()],
        languages=[LanguageClaim(code=c, fluency=f) for c, f in languages.items()],
        weekly_availability=SATURDAY_DAYTIME if windows is None else windows,
        unavailable=[DateRange(start=a, end=b) for a, b in unavailable],
        area=area,
        remote_ok=remote_ok,
        max_tasks_per_month=max_tasks_per_month,
        reach=reach or Reach(),
    )


def task(
    *,
    skills: dict[str, SkillLevel] | None = None,
    languages: tuple[str, ...] = (),
    starts_at: datetime | None = None,
    hours: float = 4,
    deadline: datetime | None = None,
    flexible: bool = False,
    area: str | None = "east-end",
    remote: bool = False,
    slots: int = 1,
    task_id: UUID | None = None,
) -> TaskState:
    skills = {"translation": SkillLevel.learning} if skills is None else skills
    if not flexible:
        starts_at = starts_at or at(SATURDAY, 10)
    return TaskState(
        task_id=task_id or uuid4(),
        organization_id=UUID(int=1),
        coordinator_id=UUID(int=2),
        status="open",
        title="Help at the legal clinic",
        skills=[SkillNeed(skill=s, min_level=level) for s, level in skills.items()],
        languages=list(languages),
        slots=slots,
        starts_at=starts_at,
        ends_at=None if starts_at is None else starts_at + timedelta(hours=hours),
        deadline=deadline,
        area=area,
        remote=remote,
    )


def engine_with(*members: MemberState, weights: ScoreWeights | None = None) -> MatchingEngine:
    engine = MatchingEngine(weights=weights, tz=TORONTO)
    for state in members:
        engine.upsert_member(state)
    return engine


def candidate_ids(engine: MatchingEngine, task_state: TaskState, **kwargs) -> list[UUID]:
    kwargs.setdefault("limit", 1000)
    kwargs.setdefault("now", NOW)
    return [c.member_id for c in engine.candidates(task_state, **kwargs)]
