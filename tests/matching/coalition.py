"""A realistic coalition for scenario tests: 300 members and the 40 kinds of needs it posts; and a
region of two cities (180 members who reach beyond their neighbourhood, 32 tasks) for the
coalition benchmark."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from uuid import UUID

from services.common.contracts import (
    AreaState,
    Fluency,
    LanguageClaim,
    MemberState,
    MemberStatus,
    Reach,
    SkillLevel,
    TaskState,
    Weekday,
    WeeklyWindow,
)
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
    "immigration-law": 0.35,
    "web-development": 0.2,
    "public-speaking": 0.4,
    "interpretation": 0.3,
    "outreach": 0.5,
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
        members.append(
            member(
                member_id=UUID(int=10_000 + number),
                skills=skills,
                languages=tuple(languages or ["es"]),
                windows=[w for name in patterns for w in AVAILABILITY_PATTERNS[name]],
                area=rng.choice(["downtown", "downtown", "north", "north", "east"]),
                remote_ok=rng.random() < 0.5,
                max_tasks_per_month=rng.choice([1, 2, 2, 3, 4]),
                status=MemberStatus.active if rng.random() < 0.95 else MemberStatus.paused,
            )
        )
    # A single member speaks Tigrinya: the accompaniment that needs two of them cannot fill.
    members[0] = member(
        member_id=members[0].member_id,
        skills={"interpretation": SkillLevel.expert},
        languages=("en", "ti"),
        windows=AVAILABILITY_PATTERNS["weekday days"],
        area="downtown",
        max_tasks_per_month=2,
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
        *_clinics(),
        *_rallies(),
        *_outreach(),
        *_website_fixes(),
        *_delegations(),
        *_interpretation(),
        Need(
            task(
                title="Accompaniment to an appointment (Tigrinya)",
                slots=2,
                starts_at=next_weekday(Weekday.thursday, 10, 1),
                hours=2,
                skills={"interpretation": SkillLevel.capable},
                languages=("ti",),
                area="downtown",
            ),
            "scarce",
        ),
    ]


def _clinics() -> list[Need]:
    return [
        Need(
            task(
                title=f"Legal clinic shift, week {week} (Spanish)",
                slots=2,
                starts_at=next_weekday(Weekday.saturday, hour, week),
                hours=3,
                skills={"immigration-law": SkillLevel.capable},
                languages=("es",),
                area="downtown",
            ),
            "legal clinic",
        )
        for week in (1, 2, 3)
        for hour in (10, 14)
    ]


def _rallies() -> list[Need]:
    return [
        Need(
            task(
                title=f"Rally sign holders, {area}",
                slots=8,
                starts_at=next_weekday(Weekday.sunday, 14, week),
                hours=2,
                area=area,
            ),
            "rally",
        )
        for week in (1, 2, 3, 4)
        for area in ("downtown", "north", "east")
    ]


def _outreach() -> list[Need]:
    return [
        Need(
            task(
                title=f"Outreach with warehouse workers ({language})",
                slots=2,
                starts_at=next_weekday(day, 18, 1),
                hours=2,
                skills={"outreach": SkillLevel.learning},
                languages=(language,),
                area="north",
            ),
            "outreach",
        )
        for day in (Weekday.monday, Weekday.wednesday, Weekday.friday)
        for language in ("es", "en")
    ]


def _website_fixes() -> list[Need]:
    deadline = next_weekday(Weekday.friday, 17, 3).astimezone(UTC)
    return [
        Need(
            task(
                title=f"Website fix #{number}",
                slots=1,
                skills={"web-development": SkillLevel.expert},
                remote=True,
                area=None,
            ).model_copy(update={"starts_at": None, "ends_at": None, "deadline": deadline}),
            "website",
        )
        for number in (1, 2, 3, 4)
    ]


def _delegations() -> list[Need]:
    return [
        Need(
            task(
                title=f"School-board delegation speakers, {area}",
                slots=3,
                hours=2.5,
                starts_at=next_weekday(Weekday.tuesday, 18, week) + timedelta(minutes=30),
                skills={"public-speaking": SkillLevel.capable},
                languages=("en",),
                area=area,
            ),
            "delegation",
        )
        for week in (1, 2, 3)
        for area in ("north", "downtown")
    ]


def _interpretation() -> list[Need]:
    return [
        Need(
            task(
                title="Hearing interpretation (French)",
                slots=1,
                hours=2,
                starts_at=next_weekday(Weekday.wednesday, 9, week) + timedelta(minutes=30),
                skills={"interpretation": SkillLevel.capable},
                languages=("fr",),
                area="downtown",
            ),
            "interpretation",
        )
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


# A region as the run had it: six Hamilton and two Toronto neighbourhoods, members who say
# where they can go, and 32 tasks with 102 places (tests and bench/coalition_bench.py use it).

HAMILTON_AREAS = {  # slug: (name, coarse centre); public geography, never an address
    "downtown": ("Downtown", 43.2560, -79.8690),
    "westdale": ("Westdale", 43.2630, -79.9080),
    "stoney-creek": ("Stoney Creek", 43.2170, -79.7600),
    "dundas": ("Dundas", 43.2660, -79.9550),
    "ancaster": ("Ancaster", 43.2180, -79.9870),
    "glanbrook": ("Glanbrook", 43.1720, -79.9360),
}
TORONTO_AREAS = {"parkdale": ("Parkdale", 43.6400, -79.4360), "scarborough": ("Scarborough", 43.7730, -79.2580)}
REGION = [
    AreaState(slug="hamilton", name="Hamilton", latitude=43.2557, longitude=-79.8711),
    AreaState(slug="toronto", name="Toronto", latitude=43.6532, longitude=-79.3832),
    *(
        AreaState(slug=slug, name=name, parent="hamilton", latitude=lat, longitude=lon)
        for slug, (name, lat, lon) in HAMILTON_AREAS.items()
    ),
    *(
        AreaState(slug=slug, name=name, parent="toronto", latitude=lat, longitude=lon)
        for slug, (name, lat, lon) in TORONTO_AREAS.items()
    ),
]
# Where the 180 members live: downtown Hamilton is the largest neighbourhood (36, as in the run).
HOMES = {
    "downtown": 36,
    "westdale": 22,
    "stoney-creek": 22,
    "dundas": 18,
    "ancaster": 16,
    "glanbrook": 20,
    "parkdale": 26,
    "scarborough": 20,
}
REGIONAL_SKILL_SHARES = {
    "outreach": 0.5,
    "public-speaking": 0.3,
    "immigration-law": 0.15,
    "facilitation": 0.25,
    "web-development": 0.15,
    "graphic-design": 0.15,
}
# Members who speak Spanish are more often in the legal and outreach work of the coalition.
SPANISH_SPEAKERS_SKILL_SHARES = REGIONAL_SKILL_SHARES | {"outreach": 0.65, "immigration-law": 0.45}
# Besides English (most members, fluent): share of members speaking each language at all.
OTHER_LANGUAGES = {"es": 0.35, "fr": 0.2, "tl": 0.08, "pa": 0.15, "ar": 0.08}
# A monday in February: every task falls in one calendar month, so monthly limits are plain.
REGION_START = datetime(2027, 2, 1, 9, 0, tzinfo=TORONTO)


def regional_members(count: int = 180, seed: int = 14) -> list[MemberState]:
    rng = random.Random(seed)
    homes = [area for area, people in HOMES.items() for _ in range(people)]
    rng.shuffle(homes)
    return [_regional_member(rng, number, homes[number % len(homes)]) for number in range(count)]


def _regional_member(rng: random.Random, number: int, home: str) -> MemberState:
    languages = [LanguageClaim(code="en")] if rng.random() < 0.85 else []
    languages += [
        LanguageClaim(code=code, fluency=rng.choice(list(Fluency)))
        for code, share in OTHER_LANGUAGES.items()
        if rng.random() < share
    ]
    languages = languages or [LanguageClaim(code="es")]
    shares = SPANISH_SPEAKERS_SKILL_SHARES if any(c.code == "es" for c in languages) else REGIONAL_SKILL_SHARES
    skills = {skill: rng.choice(LEVELS) for skill, share in shares.items() if rng.random() < share}
    patterns = rng.sample(sorted(AVAILABILITY_PATTERNS), rng.choice([1, 2, 2, 3]))
    state = member(
        member_id=UUID(int=20_000 + number),
        skills=skills,
        windows=[w for name in patterns for w in AVAILABILITY_PATTERNS[name]],
        area=home,
        remote_ok=rng.random() < 0.5,
        max_tasks_per_month=rng.choice([1, 2, 2, 3, 4]),
        status=MemberStatus.active if rng.random() < 0.95 else MemberStatus.paused,
        reach=_reach(rng, home),
    )
    return state.model_copy(update={"languages": languages})


def _reach(rng: random.Random, home: str) -> Reach:
    """40% their own neighbourhood only, 25% their whole city, 25% some kilometres, 10% chosen areas."""
    draw = rng.random()
    if draw < 0.4:
        return Reach()
    if draw < 0.65:
        return Reach(whole_city=True)
    if draw < 0.9:
        return Reach(km=rng.choice([5, 8, 10, 12, 15, 20]))
    neighbours = sorted((HAMILTON_AREAS if home in HAMILTON_AREAS else TORONTO_AREAS).keys() - {home})
    return Reach(areas=rng.sample(neighbours, min(len(neighbours), rng.choice([1, 2]))))


def regional_tasks() -> list[Need]:
    """32 tasks, 102 places, over the three weeks after ``REGION_START``."""
    needs = [
        *_regional_clinics(),
        *_regional_rallies(),
        *_regional_delegations(),
        *_regional_outreach(),
        *_regional_remote_work(),
        *_regional_facilitation(),
    ]
    return [
        Need(need.state.model_copy(update={"task_id": UUID(int=30_000 + n)}), need.kind) for n, need in enumerate(needs)
    ]


def _on(weekday: Weekday, hour: int, week: int, minute: int = 0) -> datetime:
    """A local time in week 1, 2 or 3 after the region's start (a Monday)."""
    day = REGION_START.date() + timedelta(days=int(weekday) + 7 * (week - 1))
    return datetime.combine(day, time(hour, minute), TORONTO)


SPANISH = {"es": Fluency.conversational}


def _regional_clinics() -> list[Need]:
    return [
        Need(
            task(
                title=f"Legal clinic shift, week {week} (Spanish)",
                slots=2,
                starts_at=_on(Weekday.saturday, hour, week),
                hours=3,
                skills={"immigration-law": SkillLevel.capable},
                languages=("es",),
                area="downtown",
            ).model_copy(update={"min_fluency": SPANISH}),
            "legal clinic",
        )
        for week in (1, 2, 3)
        for hour in (10, 14)
    ]


def _regional_rallies() -> list[Need]:
    return [
        Need(
            task(
                title="City Hall rally sign holders",
                slots=20,
                starts_at=_on(Weekday.sunday, 14, 2),
                hours=2,
                area="downtown",
            ).model_copy(update={"whole_city": True}),
            "rally",
        ),
        Need(
            task(
                title="Queen's Park rally sign holders",
                slots=10,
                starts_at=_on(Weekday.sunday, 13, 3),
                hours=2,
                area="parkdale",
            ).model_copy(update={"whole_city": True}),
            "rally",
        ),
    ]


def _regional_delegations() -> list[Need]:
    return [
        Need(
            task(
                title=f"School-board delegation speakers, {where}",
                slots=5,
                hours=2.5,
                starts_at=_on(Weekday.tuesday, 18, week, 30),
                skills={"public-speaking": SkillLevel.capable},
                languages=("en",),
                area=area,
            ),
            "delegation",
        )
        for week, area, where in ((2, "downtown", "Hamilton"), (3, "parkdale", "Toronto"))
    ]


def _regional_outreach() -> list[Need]:
    farm = [
        Need(
            task(
                title=f"Farm-worker outreach, week {week} (Spanish)",
                slots=3,
                starts_at=_on(day, 11, week),
                hours=3,
                skills={"outreach": SkillLevel.learning},
                languages=("es",),
                area="glanbrook",
            ).model_copy(update={"min_fluency": SPANISH}),
            "farm outreach",
        )
        for week, day in ((1, Weekday.saturday), (2, Weekday.sunday), (2, Weekday.saturday), (3, Weekday.saturday))
    ]
    punjabi = [
        Need(
            task(
                title=f"Warehouse outreach, week {week} (Punjabi)",
                slots=3,
                starts_at=_on(Weekday.wednesday, 18, week),
                hours=2,
                skills={"outreach": SkillLevel.learning},
                languages=("pa",),
                area="stoney-creek",
            ).model_copy(update={"min_fluency": {"pa": Fluency.fluent}}),
            "punjabi outreach",
        )
        for week in (2, 3)
    ]
    door_knocking = Need(
        task(
            title="Door-knocking, Stoney Creek",
            slots=11,
            starts_at=_on(Weekday.thursday, 18, 2),
            hours=2.5,
            skills={"outreach": SkillLevel.learning},
            languages=("en",),
            area="stoney-creek",
        ),
        "door-knocking",
    )
    return [*farm, *punjabi, door_knocking]


def _regional_remote_work() -> list[Need]:
    def remote(title: str, skill: str, days: int, kind: str) -> Need:
        deadline = (REGION_START + timedelta(days=days, hours=8)).astimezone(UTC)
        state = task(title=title, skills={skill: SkillLevel.capable}, remote=True, area=None)
        return Need(state.model_copy(update={"starts_at": None, "ends_at": None, "deadline": deadline}), kind)

    return [
        *(remote(f"Website fix #{n}", "web-development", 4 * n, "website") for n in range(1, 6)),
        *(remote(f"Flyer design #{n}", "graphic-design", 5 * n, "flyer") for n in range(1, 5)),
    ]


def _regional_facilitation() -> list[Need]:
    meetings = [
        ("downtown", ()),
        ("westdale", ()),
        ("dundas", ()),
        ("ancaster", ()),
        ("scarborough", ()),
        ("parkdale", ("fr",)),
    ]
    return [
        Need(
            task(
                title=f"Meeting facilitation, {area}" + (" (French)" if languages else ""),
                slots=2,
                starts_at=_on(WEEKDAYS[n % 5], 19, 1 + n % 3),
                hours=2,
                skills={"facilitation": SkillLevel.capable},
                languages=languages,
                area=area,
            ),
            "facilitation",
        )
        for n, (area, languages) in enumerate(meetings)
    ]


def can_reach(state: MemberState, need: TaskState, areas: list[AreaState] = REGION) -> bool:
    """The hard constraints with where the member can go (their reach, the task's whole city) and
    fluency floors, checked independently of the engine: what ``qualifies`` is for one area each."""
    levels = {claim.skill: claim.level for claim in state.skills}
    return (
        state.status == MemberStatus.active
        and all(levels.get(n.skill, 0) >= n.min_level for n in need.skills)
        and _speaks(state, need)
        and _goes_to(state, need, {area.slug: area for area in areas})
        and _free_for(state, need)
    )


def _speaks(state: MemberState, need: TaskState) -> bool:
    return not need.languages or any(
        claim.code in need.languages and claim.fluency >= need.min_fluency.get(claim.code, 0)
        for claim in state.languages
    )


def _goes_to(state: MemberState, need: TaskState, areas: dict[str, AreaState]) -> bool:
    if need.remote:
        return state.remote_ok
    if need.area is None or state.area == need.area or need.area in state.reach.areas:
        return True
    if state.area is None:
        return False
    home, there = areas.get(state.area), areas.get(need.area)
    same_city = home is not None and there is not None and home.parent is not None and home.parent == there.parent
    if same_city and (state.reach.whole_city or need.whole_city):
        return True
    return state.reach.km is not None and _km_between(home, there) <= state.reach.km


def _km_between(first: AreaState | None, second: AreaState | None) -> float:
    if first is None or second is None or first.latitude is None or second.latitude is None:
        return float("inf")
    lat1, lon1, lat2, lon2 = map(math.radians, (first.latitude, first.longitude, second.latitude, second.longitude))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h)))
