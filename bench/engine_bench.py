"""Benchmark of the matching engine alone: 100,000 members, a few hundred realistic tasks.

Run: ``uv run python bench/engine_bench.py`` (writes bench/results/engine.md and prints it).
Not part of the test suite. Seeded, so every run sees the same members and tasks.
"""

from __future__ import annotations

import gc
import heapq
import math
import os
import platform
import random
import statistics
import sys
import time as clock
import tracemalloc
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from uuid import UUID
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.machine import load_words  # noqa: E402
from services.common.contracts import (  # noqa: E402
    AreaState,
    DateRange,
    Fluency,
    LanguageClaim,
    MemberState,
    Reach,
    SkillClaim,
    SkillLevel,
    SkillNeed,
    TaskState,
    WeeklyWindow,
)
from services.matching.engine import MatchingEngine, MemberLoad  # noqa: E402
from services.matching.engine.query import TaskQuery  # noqa: E402
from services.matching.engine.scoring import fairness, rotation, staleness  # noqa: E402

MEMBERS = 100_000
TASKS = 300
REPEATS = 3
SCAN_TASKS = 12
SEED = 20260522
TZ = ZoneInfo("America/Toronto")
NOW = datetime(2026, 6, 1, 9, 0, tzinfo=TZ)
RESULTS = Path(__file__).parent / "results" / "engine.md"

# Share of members holding each skill: rally support is common, legal knowledge rare.
SKILL_SHARE = {
    "rally-support": 0.30,
    "one-on-one-outreach": 0.20,
    "event-logistics": 0.15,
    "social-media": 0.12,
    "translation": 0.10,
    "accompaniment": 0.10,
    "facilitation": 0.08,
    "public-speaking": 0.07,
    "letter-writing": 0.07,
    "childcare": 0.06,
    "graphic-design": 0.05,
    "interpretation": 0.04,
    "website-maintenance": 0.03,
    "legal-knowledge": 0.02,
}
LANGUAGE_SHARE = {
    "en": 0.88, "fr": 0.25, "es": 0.14, "pt": 0.05, "ar": 0.05, "zh": 0.05, "tl": 0.04,
    "fa": 0.03, "ht": 0.02, "uk": 0.02, "ru": 0.02, "so": 0.01,
}  # fmt: skip
AREAS = [f"ward-{n}" for n in range(1, 13)]
AREA_WEIGHTS = [20, 14, 12, 10, 9, 8, 7, 6, 5, 4, 3, 2]
# Three cities about 45 km apart (41%, 32% and 27% of the members), four wards each, on a grid
# about 4 km apart within a city (coarse centres, as admins set them).
CITIES = [("city-a", 43.25, -79.87), ("city-b", 43.65, -79.40), ("city-c", 43.55, -80.25)]
GEOGRAPHY = [AreaState(slug=slug, name=slug, latitude=lat, longitude=lon) for slug, lat, lon in CITIES] + [
    AreaState(
        slug=slug,
        name=slug,
        parent=CITIES[n % 3][0],
        latitude=CITIES[n % 3][1] + 0.036 * (n // 3 % 2),
        longitude=CITIES[n % 3][2] + 0.05 * (n // 6),
    )
    for n, slug in enumerate(AREAS)
]
# Typical weekly windows: weekday evenings, weekend days, some weekday daytime.
WINDOW_SHAPES = [
    (range(0, 5), time(18), time(21)),
    (range(0, 5), time(17, 30), time(22)),
    (range(5, 7), time(9), time(13)),
    (range(5, 7), time(13), time(17)),
    (range(5, 7), time(10), time(16)),
    (range(0, 5), time(9), time(12)),
    (range(0, 5), time(12), time(16)),
]
WINDOW_WEIGHTS = [30, 10, 20, 20, 15, 8, 7]


def make_member(rng: random.Random) -> MemberState:
    return MemberState(
        member_id=UUID(int=rng.getrandbits(128), version=4),
        status="active" if rng.random() < 0.92 else "paused",
        skills=[
            SkillClaim(skill=s, level=rng.choices(list(SkillLevel), [35, 45, 20])[0])
            for s, share in SKILL_SHARE.items()
            if rng.random() < share
        ],
        languages=_languages(rng),
        weekly_availability=_windows(rng),
        unavailable=_unavailable(rng),
        area=rng.choices(AREAS, AREA_WEIGHTS)[0] if rng.random() < 0.97 else None,
        remote_ok=rng.random() < 0.45,
        max_tasks_per_month=rng.randint(2, 8),
        reach=_reach(rng),
    )


def _reach(rng: random.Random) -> Reach:
    """45% only their own ward, 25% the whole city, 20% a distance, 10% a ward or two more."""
    draw = rng.random()
    if draw < 0.45:
        return Reach()
    if draw < 0.70:
        return Reach(whole_city=True)
    if draw < 0.90:
        return Reach(km=rng.choice([5, 8, 12]))
    return Reach(areas=rng.sample(AREAS, rng.randint(1, 2)))


def _languages(rng: random.Random) -> list[LanguageClaim]:
    codes = [c for c, share in LANGUAGE_SHARE.items() if rng.random() < share] or ["en"]
    return [LanguageClaim(code=c, fluency=rng.choices(list(Fluency), [10, 25, 65])[0]) for c in codes]


def _windows(rng: random.Random) -> list[WeeklyWindow]:
    if rng.random() < 0.05:
        return []
    windows = []
    for _ in range(rng.randint(1, 5)):
        days, start, end = rng.choices(WINDOW_SHAPES, WINDOW_WEIGHTS)[0]
        windows.append(WeeklyWindow(weekday=rng.choice(days), start=start, end=end))
    return windows


def _unavailable(rng: random.Random) -> list[DateRange]:
    if rng.random() >= 0.10:
        return []
    start = NOW.date() + timedelta(days=rng.randint(0, 60))
    return [DateRange(start=start, end=start + timedelta(days=rng.randint(2, 14)))]


@dataclass(frozen=True)
class Template:
    name: str
    skills: list[tuple[str, SkillLevel]]
    languages: list[str]
    remote: bool
    weekday: int | None  # None: flexible, with a deadline
    hours: tuple[int, int]
    slots: int
    whole_city: bool = False
    min_fluency: dict[str, Fluency] = field(default_factory=dict)


TEMPLATES = [
    Template("legal clinic (legal expert + fluent Spanish)", [("legal-knowledge", SkillLevel.expert)],
             ["es"], False, 2, (18, 21), 2, min_fluency={"es": Fluency.fluent}),
    Template("rally sign holders (common skill, whole city)", [("rally-support", SkillLevel.learning)],
             ["en"], False, 5, (12, 15), 20, whole_city=True),
    Template("website fix (remote, flexible)", [("website-maintenance", SkillLevel.capable)],
             [], True, None, (0, 0), 1),
    Template("school-board delegation (speakers)", [("public-speaking", SkillLevel.capable)],
             ["en"], False, 1, (18, 21), 5),
    Template("hearing accompaniment (Arabic or Persian)", [("accompaniment", SkillLevel.capable)],
             ["ar", "fa"], False, 3, (9, 12), 1),
    Template("flyer translation (remote, flexible)", [("translation", SkillLevel.capable)],
             ["fr"], True, None, (0, 0), 1),
    Template("outreach canvass (Spanish or English, whole city)", [("one-on-one-outreach", SkillLevel.learning)],
             ["es", "en"], False, 6, (13, 17), 8, whole_city=True),
    Template("event set-up", [("event-logistics", SkillLevel.learning)], [], False, 4, (16, 22), 6),
    Template("poster design (remote)", [("graphic-design", SkillLevel.capable)], [], True, None,
             (0, 0), 1),
    Template("meeting facilitation in French", [("facilitation", SkillLevel.capable)], ["fr"],
             False, 0, (18, 20), 1),
]  # fmt: skip
BROAD = Template("no skill, remote, English, Wednesday evening", [], ["en"], True, 2, (18, 20), 10)


def make_task(rng: random.Random, template: Template, week: int) -> TaskState:
    common = dict(
        task_id=UUID(int=rng.getrandbits(128), version=4),
        organization_id=UUID(int=1),
        coordinator_id=UUID(int=2),
        status="open",
        title=template.name,
        skills=[SkillNeed(skill=s, min_level=lv) for s, lv in template.skills],
        languages=template.languages,
        slots=template.slots,
        remote=template.remote,
        area=None if template.remote else rng.choices(AREAS, AREA_WEIGHTS)[0],
        whole_city=template.whole_city,
        min_fluency=template.min_fluency,
    )
    if template.weekday is None:
        return TaskState(**common, deadline=NOW + timedelta(days=rng.randint(2, 14)))
    day = NOW.date() + timedelta(days=(template.weekday - NOW.weekday()) % 7 + 7 * week)
    start, end = template.hours
    return TaskState(
        **common,
        starts_at=datetime.combine(day, time(start), TZ),
        ends_at=datetime.combine(day, time(end), TZ),
    )


def make_loads(rng: random.Random, members: list[MemberState]) -> dict[UUID, MemberLoad]:
    """A third of the members carry some load; keys are fresh UUID objects, as from a database."""
    loads = {}
    for state in rng.sample(members, len(members) // 3):
        busy_day = NOW + timedelta(days=rng.randint(0, 28), hours=rng.randint(0, 12))
        loads[UUID(int=state.member_id.int)] = MemberLoad(
            tasks_this_month=rng.randint(0, 3),
            recent_tasks=rng.randint(0, 6),
            last_offered_at=NOW - timedelta(hours=rng.randint(1, 1500)),
            busy=((busy_day, busy_day + timedelta(hours=3)),) if rng.random() < 0.5 else (),
        )
    return loads


def scan_candidates(engine, task, loads, excluded, limit):
    """Baseline: every member checked and scored in turn, no index, no early stop."""
    query = TaskQuery(task, engine.tz, NOW, engine.geography)
    weights, ranked = engine.weights, []
    # The bench may look inside the engine; the service never does.
    for key, profile in engine._profiles.items():
        if profile.member_id in excluded or not query.fits_profile(profile):
            continue
        load = loads.get(profile.member_id, MemberLoad())
        free = query.free_minutes(profile)
        if free and query.within_load(profile, load):
            levels = [profile.skill_levels[s] for s, _ in query.needs]
            skill = sum(levels) / (3 * len(levels)) if levels else 1.0
            available = 1.0 if query.window.flexible else free / query.window.minutes
            score = weights.skill * skill + weights.availability * available + weights.fairness * fairness(load)
            spin = rotation(engine._seeds[key], query.rotation_salt)
            ranked.append((round(score, 9), staleness(load), spin, key))
    return heapq.nlargest(limit, ranked)


def percentile(samples: list[int], share: float) -> float:
    """The nearest-rank percentile, in milliseconds."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)] / 1e6


def rss_kib() -> int:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))


@dataclass
class Timings:
    wall: list[int] = field(default_factory=list)  # perf_counter_ns
    cpu: list[int] = field(default_factory=list)  # this thread's CPU time: immune to neighbours


def time_calls(engine, tasks, loads, exclusions) -> dict[str, Timings]:
    timings: dict[str, Timings] = {}
    for _ in range(REPEATS):
        for (template, task), excluded in zip(tasks, exclusions, strict=True):
            limit = task.slots * 3
            cpu, wall = clock.thread_time_ns(), clock.perf_counter_ns()
            engine.candidates(task, now=NOW, limit=limit, loads=loads, excluded=excluded)
            wall, cpu = clock.perf_counter_ns() - wall, clock.thread_time_ns() - cpu
            entry = timings.setdefault(template.name, Timings())
            entry.wall.append(wall)
            entry.cpu.append(cpu)
    return timings


def build(states: list[MemberState], deferred: bool) -> tuple[MatchingEngine, float, int]:
    """The engine of these members, how long it took, and how much the process grew. Deferred:
    indexed once at the end, as a start-up replay does; otherwise member by member, as live
    updates are."""
    gc.collect()
    rss_before = rss_kib()
    engine = MatchingEngine(tz=TZ)
    start = clock.perf_counter()
    for area in GEOGRAPHY:
        engine.upsert_area(area)
    if deferred:
        engine.defer_indexing()
    for state in states:
        engine.upsert_member(state)
    engine.build_index()
    seconds = clock.perf_counter() - start
    gc.collect()
    return engine, seconds, rss_kib() - rss_before


def traced_memory(states: list[MemberState]) -> tuple[int, int]:
    tracemalloc.start()
    engine = MatchingEngine(tz=TZ)
    for area in GEOGRAPHY:
        engine.upsert_area(area)
    for state in states:
        engine.upsert_member(state)
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del engine
    return current, peak


def main() -> None:
    rng = random.Random(SEED)
    states = [make_member(rng) for _ in range(MEMBERS)]
    loads = make_loads(rng, states)
    per_template = TASKS // len(TEMPLATES)
    tasks = [(t, make_task(rng, t, week=rng.randint(0, 3))) for t in TEMPLATES for _ in range(per_template)]
    rng.shuffle(tasks)
    exclusions = [{s.member_id for s in rng.sample(states, rng.randint(0, 20))} for _ in tasks]
    broad_tasks = [(BROAD, make_task(rng, BROAD, week=w % 4)) for w in range(per_template)]

    # First, with the engine's shared patterns still unknown, as at start-up; then one by one.
    engine, deferred_seconds, rss_delta_kib = build(states, deferred=True)
    del engine
    engine, build_seconds, _ = build(states, deferred=False)
    traced_current, traced_peak = traced_memory(states)

    time_calls(engine, tasks[:30], loads, exclusions[:30])  # warm-up
    load_before = os.getloadavg()[0]
    timings = time_calls(engine, tasks, loads, exclusions)
    load_after = os.getloadavg()[0]
    broad = time_calls(engine, broad_tasks, loads, [set()] * len(broad_tasks))[BROAD.name]

    scan_ns, index_ns = [], []
    for _, task in tasks[:SCAN_TASKS]:
        start = clock.perf_counter_ns()
        scan_candidates(engine, task, loads, set(), task.slots * 3)
        scan_ns.append(clock.perf_counter_ns() - start)
        start = clock.perf_counter_ns()
        engine.candidates(task, now=NOW, limit=task.slots * 3, loads=loads)
        index_ns.append(clock.perf_counter_ns() - start)

    eligible = {}
    for template, task in tasks:
        found = engine.candidates(task, now=NOW, limit=MEMBERS, loads=loads)
        eligible.setdefault(template.name, []).append(len(found))

    report = render(
        timings=timings,
        broad=broad,
        scan_ns=scan_ns,
        index_ns=index_ns,
        eligible=eligible,
        build_seconds=build_seconds,
        deferred_seconds=deferred_seconds,
        rss_delta_kib=rss_delta_kib,
        traced_current=traced_current,
        traced_peak=traced_peak,
        stats=engine.stats(),
        task_count=len(tasks),
        load_average=(load_before, load_after),
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(report + earlier_runs())
    print(report)


def earlier_runs() -> str:
    """The sections of the results file that record earlier engines ("## Before ..."), kept
    below a new run so that each change's figures stay next to the ones it replaced."""
    text = RESULTS.read_text() if RESULTS.exists() else ""
    start = text.find("\n## Before ")
    return "" if start < 0 else text[start:]


def render(**r) -> str:
    def row(name: str, t: Timings, eligible: str) -> str:
        wall = " | ".join(f"{percentile(t.wall, q):.2f}" for q in (0.5, 0.95, 0.99, 1.0))
        cpu = " | ".join(f"{percentile(t.cpu, q):.2f}" for q in (0.5, 0.99))
        return f"| {name} | {len(t.wall)} | {wall} | {cpu} | {eligible} |"

    everything = Timings(
        [ns for t in r["timings"].values() for ns in t.wall],
        [ns for t in r["timings"].values() for ns in t.cpu],
    )
    scan_median = statistics.median(r["scan_ns"]) / 1e6
    index_median = statistics.median(r["index_ns"]) / 1e6
    stats = r["stats"]
    lines = [
        "# Matching engine benchmark",
        "",
        f"Command: `uv run python bench/engine_bench.py` (seeded: {SEED}).",
        "",
        f"Machine: {os.cpu_count()} cores; load average (1-minute, whole machine, this benchmark "
        f"counting for about 1) {r['load_average'][0]:.1f} before the timed calls, "
        f"{r['load_average'][1]:.1f} after: {load_words(r['load_average'])}. Wall times "
        "(perf_counter_ns) carry any pauses other processes cause; CPU times (thread_time_ns, "
        "the engine's own work) do not. "
        f"Python {platform.python_version()}, {platform.machine()}; {date.today().isoformat()}.",
        "",
        f"{MEMBERS:,} members: 92% active; skills from 30% (rally support) down to 2% (legal "
        "knowledge), 35/45/20% learning/capable/expert; English 88%, French 25%, Spanish 14% and "
        "nine more languages; 12 wards, the largest with 20%; 1-5 weekly windows (weekday "
        "evenings, weekend days); 10% with an unavailable range; 45% open to remote work. Where "
        "they can go: 45% their own ward only, 25% their whole city, 20% 5-12 km (wards are about "
        "4 km apart, in three cities of four wards, about 45 km apart), 10% one or two more "
        "wards. A third "
        f"of them carry a load (tasks this month, recent tasks, last offer, accepted tasks). "
        f"{r['task_count']} tasks from {len(TEMPLATES)} templates in random wards and weeks, each "
        f"timed {REPEATS} times; limit = 3 x slots; 0-20 members excluded per task. The rally and "
        "the canvass accept their whole city; the legal clinic asks for fluent Spanish.",
        "",
        "## candidates(), milliseconds per call",
        "",
        "| tasks | calls | median | p95 | p99 | max | CPU median | CPU p99 | eligible members (median) |",
        "|---|---|---|---|---|---|---|---|---|",
        row("**all realistic tasks**", everything, ""),
    ]
    for name, t in sorted(r["timings"].items(), key=lambda item: -percentile(item[1].cpu, 0.99)):
        lines.append(row(name, t, f"{statistics.median(r['eligible'][name]):,.0f}"))
    lines += [
        row(f"worst case, not in the mix: {BROAD.name}", r["broad"], ""),
        "",
        "## Index against a full scan",
        "",
        f"A full scan of every member with the same checks, on {SCAN_TASKS} of the tasks: median "
        f"{scan_median:.1f} ms, against {index_median:.2f} ms through the index "
        f"(**{scan_median / index_median:.0f}x**).",
        "",
        "## Build and memory",
        "",
        f"- loading {MEMBERS:,} members with indexing deferred, as the start-up replay does "
        f"(validation not included): {r['deferred_seconds']:.2f} s "
        f"({r['deferred_seconds'] / MEMBERS * 1e6:.0f} us per member)",
        f"- then the same members upserted one by one into a new engine, each indexed as it comes "
        f"as live updates are: {r['build_seconds']:.2f} s "
        f"({r['build_seconds'] / MEMBERS * 1e6:.0f} us per member)",
        f"- tracemalloc, the engine alone: {r['traced_current'] / 2**20:.0f} MiB held after the "
        f"build, {r['traced_peak'] / 2**20:.0f} MiB peak",
        f"- RSS growth while building: {r['rss_delta_kib'] / 1024:.0f} MiB",
        f"- {stats.indexed_members:,} active members indexed under {stats.index_entries:,} "
        f"entries, {stats.index_postings:,} postings in all",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
