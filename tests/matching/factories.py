"""Members, tasks and the plumbing to put them on the test's own topics."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

from kafka import KafkaProducer

from services.common.contracts import (
    AreaState,
    LanguageClaim,
    MemberState,
    MemberStatus,
    Reach,
    SkillClaim,
    SkillLevel,
    SkillNeed,
    TaskState,
    TaskStatus,
    Weekday,
    WeeklyWindow,
)
from services.common.envelope import wrap
from services.common.topics import Topics

TORONTO = ZoneInfo("America/Toronto")
# How long a test waits for something asynchronous (a pass, a consumed event, a rebalance). Passing
# tests never wait this long; it is generous because the shared test machine is often busy.
SETTLE_S = 45
ALL_WEEK = [WeeklyWindow(weekday=day, start=time(0, 0), end=time(0, 0)) for day in Weekday]


def next_weekday(weekday: Weekday, hour: int, weeks_ahead: int = 1) -> datetime:
    """A local time on that weekday, at least a few days from now (coalition time zone)."""
    today = datetime.now(TORONTO).date() + timedelta(days=2)
    day = today + timedelta(days=(int(weekday) - today.weekday()) % 7 + 7 * (weeks_ahead - 1))
    return datetime.combine(day, time(hour), TORONTO)


def member(
    *,
    skills: dict[str, SkillLevel] | None = None,
    languages: tuple[str, ...] = ("en",),
    windows: list[WeeklyWindow] | None = None,
    area: str | None = "downtown",
    remote_ok: bool = False,
    max_tasks_per_month: int = 4,
    status: MemberStatus = MemberStatus.active,
    member_id: UUID | None = None,
    reach: Reach | None = None,
) -> MemberState:
    return MemberState(
        member_id=member_id or uuid4(),
        status=status,
        skills=[SkillClaim(skill=s, level=lv) for s, lv in (skills or {}).items()],
        languages=[LanguageClaim(code=code) for code in languages],
        weekly_availability=ALL_WEEK if windows is None else windows,
        area=area,
        remote_ok=remote_ok,
        max_tasks_per_month=max_tasks_per_month,
        reach=reach or Reach(),
    )


def task(
    *,
    slots: int = 1,
    skills: dict[str, SkillLevel] | None = None,
    languages: tuple[str, ...] = (),
    starts_at: datetime | None = None,
    hours: float = 2,
    area: str | None = "downtown",
    remote: bool = False,
    status: TaskStatus = TaskStatus.open,
    title: str = "Help at the clinic",
    task_id: UUID | None = None,
) -> TaskState:
    starts_at = starts_at or next_weekday(Weekday.saturday, 10)
    return TaskState(
        task_id=task_id or uuid4(),
        organization_id=UUID(int=1),
        coordinator_id=UUID(int=2),
        status=status,
        title=title,
        skills=[SkillNeed(skill=s, min_level=lv) for s, lv in (skills or {}).items()],
        languages=list(languages),
        slots=slots,
        starts_at=starts_at.astimezone(UTC),
        ends_at=(starts_at + timedelta(hours=hours)).astimezone(UTC),
        area=area,
        remote=remote,
    )


def with_changes(state, **changes):
    return state.model_copy(update=changes)


class Publisher:
    """Puts member and task states on one test's topics, as the members and tasks services do."""

    def __init__(self, bootstrap: str, prefix: str):
        self.topics = Topics(prefix)
        self.producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)

    def member(self, state: MemberState) -> None:
        self._send(self.topics.members_state, state.member_id, wrap("member.updated", state, "members"))

    def area(self, state: AreaState) -> None:
        self.producer.send(
            self.topics.areas_state, key=state.slug.encode(), value=wrap("area.stated", state, "members").to_bytes()
        )

    def member_erased(self, member_id: UUID) -> None:
        self._send(self.topics.members_state, member_id, None)

    def task(self, state: TaskState) -> None:
        self._send(self.topics.tasks_state, state.task_id, wrap("task.updated", state, "tasks"))

    def _send(self, topic: str, key: UUID, envelope) -> None:
        value = None if envelope is None else envelope.to_bytes()
        self.producer.send(topic, key=str(key).encode(), value=value)

    def flush(self) -> None:
        self.producer.flush(60)

    def close(self) -> None:
        self.producer.close(5)
