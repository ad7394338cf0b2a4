"""The index against a plain, independent reading of the rules, over random members and tasks."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta
from uuid import UUID

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from services.common.contracts import (
    AreaState,
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
from services.matching.engine import MatchingEngine, MemberLoad, ScoreWeights
from services.matching.engine.geography import haversine_km

from .factories import NOW, TORONTO

SKILLS = ["legal-knowledge", "rally-support", "translation"]
LANGUAGES = ["en", "fr", "es", "pt", "pt-br"]
# Two neighbourhoods of a city, one without a centre, the city itself and a town 230 km away.
GEOGRAPHY = [
    AreaState(slug="city", name="City", latitude=45.50, longitude=-73.57),
    AreaState(slug="east-end", name="East End", parent="city", latitude=45.55, longitude=-73.55),
    AreaState(slug="west-end", name="West End", parent="city", latitude=45.47, longitude=-73.62),
    AreaState(slug="old-port", name="Old Port", parent="city"),
    AreaState(slug="far-town", name="Far Town", latitude=46.81, longitude=-71.21),
]
AREAS = [None, "east-end", "west-end", "old-port", "far-town", "city"]
FIRST_DAY = NOW.date()
FIVE_WEEKS = 35

bounded = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# -- the rules, written plainly ----------------------------------------------------------------


def plainly_eligible(m: MemberState, t: TaskState, load: MemberLoad, excluded: set[UUID], now: datetime) -> bool:
    levels: dict[str, int] = {}
    for claim in m.skills:
        levels[claim.skill] = max(levels.get(claim.skill, 0), claim.level)
    if t.starts_at is not None:
        start, end = t.starts_at, t.ends_at or t.starts_at + timedelta(hours=1)
    else:
        start, end = now, t.deadline or now + timedelta(weeks=8)
    return (
        m.member_id not in excluded
        and m.status == MemberStatus.active
        and load.tasks_this_month < m.max_tasks_per_month
        and all(levels.get(need.skill, 0) >= need.min_level for need in t.skills)
        and (not t.languages or plainly_speaks(m, t))
        and plainly_reaches(m, t)
        and not (t.starts_at is not None and any(b0 < end and start < b1 for b0, b1 in load.busy))
        and plainly_free(m, start, end)
    )


def plainly_speaks(m: MemberState, t: TaskState) -> bool:
    asked = {code.lower() for code in t.languages}
    floor = {code.lower(): fluency for code, fluency in t.min_fluency.items()}
    return any(
        code in asked and claim.fluency >= floor.get(code, 1)
        for claim in m.languages
        for code in {claim.code.lower(), claim.code.lower().split("-")[0]}
    )


def plainly_reaches(m: MemberState, t: TaskState) -> bool:
    if t.remote:
        return m.remote_ok
    if t.area is None:
        return True
    areas = {a.slug: a for a in GEOGRAPHY}

    def city_of(slug: str) -> str:
        return areas[slug].parent or slug if slug in areas else slug

    def km(a: str, b: str) -> float:
        first, second = areas.get(a), areas.get(b)
        if first is None or second is None or first.latitude is None or second.latitude is None:
            return float("inf")
        return haversine_km((first.latitude, first.longitude), (second.latitude, second.longitude))

    can_go = set(m.reach.areas)
    if m.area is not None:
        can_go.add(m.area)
        if m.reach.whole_city:
            can_go |= {city_of(m.area)} | {slug for slug in areas if areas[slug].parent == city_of(m.area)}
        if m.reach.km is not None:
            can_go |= {slug for slug in areas if km(m.area, slug) <= m.reach.km}
    if t.area in can_go:
        return True
    return t.whole_city and m.area is not None and city_of(m.area) == city_of(t.area)


def plainly_free(m: MemberState, start: datetime, end: datetime) -> bool:
    """Some free minute, on an available date, within [start, end) on the local wall clock."""
    start = start.astimezone(TORONTO).replace(tzinfo=None, second=0, microsecond=0)
    end = end.astimezone(TORONTO).replace(tzinfo=None, second=0, microsecond=0)
    day = start.date() - timedelta(days=1)
    while day <= end.date():
        for w in m.weekly_availability:
            if w.weekday == day.weekday():
                for piece_start, piece_end in day_pieces(day, w.start, w.end):
                    if not blocked(m, piece_start.date()) and max(piece_start, start) < min(piece_end, end):
                        return True
        day += timedelta(days=1)
    return False


def day_pieces(day: date, start: time, end: time) -> list[tuple[datetime, datetime]]:
    """A weekly window on one date, cut at midnight (it may run overnight or to midnight)."""
    begin = datetime.combine(day, start.replace(second=0))
    finish = datetime.combine(day, end.replace(second=0))
    if finish <= begin:
        if end == start and end != time(0, 0):
            return []
        finish += timedelta(days=1)
    midnight = datetime.combine(day + timedelta(days=1), time(0, 0))
    if finish <= midnight:
        return [(begin, finish)]
    return [(begin, midnight), (midnight, finish)]


def blocked(m: MemberState, day: date) -> bool:
    return any(r.start <= day <= r.end for r in m.unavailable)


# -- random members, tasks and loads -----------------------------------------------------------
# Strategies are built once: building them inside every draw made generation the slow part.

clock_times = st.builds(time, st.integers(0, 23), st.sampled_from([0, 15, 30, 45, 7]))
levels = st.sampled_from(list(SkillLevel))
ids = st.integers(1, 2**128 - 1).map(lambda n: UUID(int=n))


def days_ahead(low: int, high: int) -> st.SearchStrategy[date]:
    return st.integers(low, high).map(lambda n: FIRST_DAY + timedelta(days=n))


reaches = st.just(Reach()) | st.builds(
    Reach,
    areas=st.lists(st.sampled_from(AREAS[1:]), max_size=2, unique=True),
    whole_city=st.booleans(),
    km=st.none() | st.sampled_from([1, 5, 12, 300]),
)
date_ranges = st.builds(
    lambda first, length: DateRange(start=first, end=first + timedelta(days=length)),
    days_ahead(-3, FIVE_WEEKS),
    st.integers(0, 9),
)
members = st.builds(
    MemberState,
    member_id=ids,
    status=st.sampled_from([MemberStatus.active] * 4 + [MemberStatus.paused]),
    skills=st.lists(st.builds(SkillClaim, skill=st.sampled_from(SKILLS), level=levels), max_size=3),
    languages=st.lists(
        st.builds(LanguageClaim, code=st.sampled_from(LANGUAGES), fluency=st.sampled_from(list(Fluency))),
        max_size=3,
        unique_by=lambda claim: claim.code,
    ),
    weekly_availability=st.lists(
        st.builds(WeeklyWindow, weekday=st.sampled_from(list(Weekday)), start=clock_times, end=clock_times),
        max_size=5,
    ),
    unavailable=st.lists(date_ranges, max_size=1),
    area=st.sampled_from(AREAS),
    remote_ok=st.booleans(),
    max_tasks_per_month=st.sampled_from([0, 1, 2, 4, 4, 4]),
    reach=reaches,
)


def _task(fixed, day, start, minutes, deadline_minutes, needs, languages, area, remote, task_id, whole_city, floor):
    start = datetime.combine(day, start, TORONTO)
    deadline = None if deadline_minutes is None else NOW + timedelta(minutes=deadline_minutes)
    return TaskState(
        task_id=task_id,
        organization_id=UUID(int=1),
        coordinator_id=UUID(int=2),
        status="open",
        title="a task",
        skills=needs,
        languages=languages,
        slots=1,
        starts_at=start if fixed else None,
        ends_at=start + timedelta(minutes=minutes) if fixed else None,
        deadline=None if fixed else deadline,
        area=area,
        remote=remote,
        whole_city=whole_city,
        min_fluency={code.lower(): fluency for code, fluency in zip(languages, floor, strict=False)},
    )


tasks = st.builds(
    _task,
    fixed=st.booleans(),
    day=days_ahead(0, 21),
    start=clock_times,
    minutes=st.sampled_from([15, 60, 90, 240, 600, 1440, 3000]),
    deadline_minutes=st.none() | st.integers(1, 60 * 24 * 20),
    needs=st.lists(
        st.builds(SkillNeed, skill=st.sampled_from(SKILLS), min_level=levels),
        max_size=2,
        unique_by=lambda need: need.skill,
    ),
    languages=st.just([]) | st.lists(st.sampled_from(LANGUAGES + ["PT"]), min_size=1, max_size=2),
    area=st.sampled_from(AREAS + [None]),
    remote=st.booleans(),
    task_id=ids,
    whole_city=st.booleans(),
    floor=st.lists(st.sampled_from(list(Fluency)), max_size=2),
)
busy_windows = st.builds(
    lambda start, length: (NOW + timedelta(minutes=start), NOW + timedelta(minutes=start + length)),
    st.integers(0, 60 * 24 * 21),
    st.integers(30, 600),
)
loads = st.builds(
    MemberLoad,
    tasks_this_month=st.integers(0, 2),
    recent_tasks=st.integers(0, 4),
    last_offered_at=st.none() | st.integers(1, 60 * 24 * 60).map(lambda m: NOW - timedelta(minutes=m)),
    busy=st.lists(busy_windows, max_size=2).map(tuple),
    no_shows=st.integers(0, 4),
)
crowds = st.lists(members, min_size=1, max_size=15, unique_by=lambda m: m.member_id)


def fitting(t: TaskState) -> st.SearchStrategy[MemberState]:
    """Members built to meet the task, so that the checks after the index get exercised too
    (random members alone are nearly never eligible)."""
    start = (t.starts_at or NOW).astimezone(TORONTO)
    around_start = st.builds(
        WeeklyWindow,
        weekday=st.just(Weekday(start.weekday())),
        start=st.just(time(start.hour)),
        end=st.sampled_from([time((start.hour + h) % 24) for h in (1, 3, 8)]),
    )
    return st.builds(
        MemberState,
        member_id=ids,
        status=st.just(MemberStatus.active),
        skills=st.tuples(
            *[
                st.builds(SkillClaim, skill=st.just(need.skill), level=st.integers(int(need.min_level), 3))
                for need in t.skills
            ]
        ).map(list),
        languages=st.just([LanguageClaim(code=t.languages[0])] if t.languages else []),
        weekly_availability=st.lists(around_start, min_size=1, max_size=1),
        unavailable=st.lists(date_ranges, max_size=1),
        area=st.just(t.area) | st.sampled_from(AREAS),  # elsewhere: in reach, or not
        remote_ok=st.just(t.remote) | st.booleans(),
        max_tasks_per_month=st.integers(1, 4),
        reach=reaches,
    )


@st.composite
def scenarios(draw):
    t = draw(tasks)
    crowd = draw(st.lists(members | fitting(t), min_size=1, max_size=15, unique_by=lambda m: m.member_id))
    crowd_ids = [m.member_id for m in crowd]
    loaded = draw(st.lists(st.sampled_from(crowd_ids), unique=True))
    load_of = {member_id: draw(loads) for member_id in loaded}
    excluded = set(draw(st.lists(st.sampled_from(crowd_ids), max_size=3)))
    return crowd, t, load_of, excluded


def engine_of(crowd: list[MemberState], areas_first: bool = True) -> MatchingEngine:
    engine = MatchingEngine(tz=TORONTO)
    for area in GEOGRAPHY if areas_first else ():
        engine.upsert_area(area)
    for state in crowd:
        engine.upsert_member(state)
    for area in () if areas_first else GEOGRAPHY:
        engine.upsert_area(area)
    return engine


# -- properties --------------------------------------------------------------------------------


@bounded
@given(scenarios(), st.booleans())
def test_the_index_finds_exactly_the_members_the_rules_allow(scenario, areas_first):
    crowd, t, load_of, excluded = scenario
    engine = engine_of(crowd, areas_first)

    found = engine.candidates(t, now=NOW, limit=len(crowd), loads=load_of, excluded=excluded)

    allowed = {
        m.member_id for m in crowd if plainly_eligible(m, t, load_of.get(m.member_id, MemberLoad()), excluded, NOW)
    }
    assert {c.member_id for c in found} == allowed
    assert not excluded & {c.member_id for c in found}
    diagnosis = engine.diagnose(t, now=NOW, loads=load_of, asked=excluded)
    assert diagnosis.eligible == len(allowed)
    assert diagnosis.active == sum(diagnosis.excluded.values()) + diagnosis.eligible
    for m in crowd:
        load = load_of.get(m.member_id)
        verdict = engine.is_eligible(m.member_id, t, now=NOW, load=load, excluded=excluded)
        assert verdict == (m.member_id in allowed)


@bounded
@given(scenarios(), st.integers(1, 6))
def test_the_top_few_are_the_head_of_the_full_ranking(scenario, limit):
    crowd, t, load_of, excluded = scenario
    engine = engine_of(crowd)

    everyone = engine.candidates(t, now=NOW, limit=len(crowd), loads=load_of, excluded=excluded)
    top = engine.candidates(t, now=NOW, limit=limit, loads=load_of, excluded=excluded)

    assert top == everyone[:limit]
    assert [c.score for c in everyone] == sorted((c.score for c in everyone), reverse=True)
    assert all(c.reasons for c in everyone)


@bounded
@given(scenarios(), st.integers(1, 6))
def test_no_shows_lower_a_member_gently_never_leave_them_out_and_are_never_given_as_a_reason(scenario, more):
    crowd, t, load_of, excluded = scenario
    engine = engine_of(crowd)
    forgiven = {member_id: replace(load, no_shows=0) for member_id, load in load_of.items()}
    missed = {m.member_id: replace(load_of.get(m.member_id, MemberLoad()), no_shows=more) for m in crowd}

    before = {
        c.member_id: c for c in engine.candidates(t, now=NOW, limit=len(crowd), loads=forgiven, excluded=excluded)
    }
    after = engine.candidates(t, now=NOW, limit=len(crowd), loads=missed, excluded=excluded)

    assert {c.member_id for c in after} == set(before)  # eligibility does not change
    most_taken = ScoreWeights().reliability
    for candidate in after:
        was = before[candidate.member_id]
        assert candidate.reasons == was.reasons
        if more == 1:
            assert candidate.score == was.score  # one is forgiven
        else:
            assert was.score - most_taken < candidate.score < was.score


@bounded
@given(crowds, members, tasks)
def test_upsert_then_remove_leaves_no_trace(crowd, newcomer, t):
    assume(newcomer.member_id not in {m.member_id for m in crowd})
    engine = engine_of(crowd)
    before_stats = engine.stats()
    before = engine.candidates(t, now=NOW, limit=100)

    engine.upsert_member(newcomer)
    engine.upsert_member(newcomer)
    engine.remove_member(newcomer.member_id)

    assert engine.stats() == before_stats
    assert engine.get_member(newcomer.member_id) is None
    assert [c.member_id for c in engine.candidates(t, now=NOW, limit=100)] == [c.member_id for c in before]


@bounded
@given(members)
def test_the_engine_gives_back_the_member_it_was_given(state):
    engine = engine_of([state])

    back = engine.get_member(state.member_id)

    assert back is not None
    assert back.member_id == state.member_id
    assert back.weekly_availability == state.weekly_availability
    assert back.languages == state.languages
    assert back.unavailable == sorted(state.unavailable, key=lambda r: (r.start, r.end))
    assert {c.skill: c.level for c in back.skills} == {
        s: max(c.level for c in state.skills if c.skill == s) for s in {c.skill for c in state.skills}
    }
