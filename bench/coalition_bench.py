"""A coalition's three weeks through the real matching code, before and after the reach and
fairness work (issue 14, "Measure it").

Run: ``uv run python bench/coalition_bench.py`` (writes bench/results/coalition.md and prints it;
``--out`` to write elsewhere). Not part of the test suite. Seeded: every run sees the same
members, tasks and answers.

The region of ``tests/matching/coalition.py``: 180 members in six Hamilton and two Toronto
neighbourhoods, speaking English, Spanish, French, Tagalog, Punjabi and Arabic, saying where they
can go (their own area, the whole city, some kilometres, chosen areas); 32 tasks with 102 places
(legal clinic in Spanish, two rallies accepting their whole city, school-board delegations,
farm-worker outreach in Spanish, Punjabi outreach, door-knocking, website fixes, flyer design,
meeting facilitation). All are posted on a Monday morning; each member accepts (60%), declines
(20%) or ignores (20%) each offer, after a delay drawn per offer (median 3 h). The member and the
task alone decide the answer and its delay, so both runs meet the same people answering the same
way.

The matching service runs as its tests drive it (``tests.matching.conftest.Harness``): the
product's own wiring on a SQLite file, no broker, its handlers (``accept_offer``,
``decline_offer``) and its reconciliation pass (``worker.run_pass``) called with a simulated
clock. The clock moves from event to event (an answer, an offer's expiry or its slow point) on a
15-minute grid, and at least every 6 hours, until every task has started or passed its
deadline. The live service reacts within seconds rather than at the next quarter hour; over days
that difference is small.

Two runs of the same region:
- after: the product's defaults;
- before: configured as it behaved before the reach and fairness work: members reach only their
  own area and tasks accept only theirs, no fluency floors, no cap on waiting offers, a fixed
  24 h answer time, a wave that never widens (see ``BEFORE`` and ``as_before``).
The pair is run again with four other answer seeds, for the spread of the main figures. About
two minutes in all on a busy two-core machine.
"""

from __future__ import annotations

import argparse
import heapq
import math
import os
import platform
import random
import sys
import tempfile
import time as clock
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import select  # noqa: E402

from bench.coalition_metrics import gini, least_gini, most_held_at_once, percentile  # noqa: E402
from bench.machine import load_words  # noqa: E402
from services.common.clock import as_utc  # noqa: E402
from services.common.contracts import MemberState, MemberStatus, OfferStatus, Reach  # noqa: E402
from services.common.db import session_scope  # noqa: E402
from services.common.problems import DomainError  # noqa: E402
from services.matching import handlers  # noqa: E402
from services.matching.config import Settings  # noqa: E402
from services.matching.engine import MatchingEngine  # noqa: E402
from services.matching.models import Offer, TaskFill, TaskWidening  # noqa: E402
from tests.matching.coalition import (  # noqa: E402
    REGION,
    REGION_START,
    Need,
    can_reach,
    regional_members,
    regional_tasks,
)
from tests.matching.conftest import Harness  # noqa: E402

SEED = 14
OTHER_SEEDS = (15, 16, 17, 18)  # the same region, other answers: how much the figures move
START = REGION_START.astimezone(UTC)
GRID = timedelta(minutes=15)
LONGEST_QUIET = timedelta(hours=6)  # a reconciliation pass at least this often, events or not
ANSWERS = (("accept", 0.6), ("decline", 0.2), ("ignore", 0.2))
MEDIAN_DELAY_H = 3.0
ENOUGH = 2  # a task has enough reachable members with at least this many per place
RESULTS = Path(__file__).parent / "results" / "coalition.md"

DEFAULTS = Settings()
# The settings that give the matching of before the reach and fairness work: any number of
# waiting offers per member, 24 h to answer whatever the time left, and waves that stay at
# ceil(open slots x 1.5) (the widest equal to the first; silence counts only at expiry), and no
# task widening by itself as its start approaches.
BEFORE = dict(
    max_pending_offers=1_000_000,
    offer_ttl_seconds=24 * 3600,
    offer_ttl_min_seconds=24 * 3600,
    widest_wave_factor=DEFAULTS.wave_factor,
    slow_answer_share=1.0,
    auto_widen=[],
)


@dataclass(frozen=True)
class Answer:
    verb: str  # accept, decline or ignore
    delay: timedelta


def answer_for(member_id: UUID, task_id: UUID, seed: int = SEED) -> Answer:
    """The member's answer to this task, the same in both runs (seeded by the pair alone)."""
    rng = random.Random(f"{seed}:{member_id}:{task_id}")
    draw, verb = rng.random(), ANSWERS[-1][0]
    for name, share in ANSWERS:
        if draw < share:
            verb = name
            break
        draw -= share
    hours = min(36.0, max(0.25, rng.lognormvariate(math.log(MEDIAN_DELAY_H), 1.0)))
    return Answer(verb, timedelta(hours=hours))


def as_before(members: list[MemberState], needs: list[Need]) -> tuple[list[MemberState], list[Need]]:
    """The same people and needs as the product could express them before: one area each, no
    whole-city tasks, no fluency floors."""
    return (
        [state.model_copy(update={"reach": Reach()}) for state in members],
        [Need(n.state.model_copy(update={"whole_city": False, "min_fluency": {}}), n.kind) for n in needs],
    )


@dataclass
class Run:
    name: str
    seed: int
    offers: list[Offer]
    filled: dict[UUID, int]
    refused: Counter
    passes: int
    seconds: float
    answered: Counter = field(default_factory=Counter)
    opened_to_city: dict[UUID, datetime] = field(default_factory=dict)  # tasks widened by themselves, when


def simulate(
    name: str, members: list[MemberState], needs: list[Need], overrides: dict, folder: Path, seed: int = SEED
) -> Run:
    started = clock.perf_counter()
    harness = Harness(f"sqlite:///{folder / f'{name}-{seed}.db'}", **overrides)
    try:
        harness.matching.directory.learn_areas(REGION)
        harness.members(*members)
        for need in needs:
            harness.task(need.state, now=START)
        run = Run(name, seed, [], {}, Counter(), 0, 0.0)
        drive(harness, run, last_moment(needs))
        with harness.session() as session:
            run.offers = list(session.scalars(select(Offer)))
            run.filled = {fill.task_id: fill.accepted for fill in session.scalars(select(TaskFill))}
            run.opened_to_city = {
                row.task_id: as_utc(row.applied_at)
                for row in session.scalars(select(TaskWidening))
                if row.widening == "whole_city"
            }
    finally:
        harness.close()
    run.seconds = clock.perf_counter() - started
    return run


def last_moment(needs: list[Need]) -> datetime:
    return max(moment for n in needs for moment in (n.state.starts_at, n.state.deadline) if moment is not None)


def drive(harness: Harness, run: Run, end: datetime) -> None:
    """Answers as they come due, then a pass, then the members' answers to the new offers."""
    due: list[tuple[datetime, int, UUID, UUID, str]] = []
    seen: set[UUID] = set()
    now = START
    while True:
        while due and due[0][0] <= now:
            when, _, offer_id, member_id, verb = heapq.heappop(due)
            answer(harness, run, offer_id, member_id, verb, when)
        harness.run_pass(now)
        run.passes += 1
        for offer in new_offers(harness, seen):
            reply = answer_for(offer.member_id, offer.task_id, run.seed)
            run.answered[reply.verb] += 1
            if reply.verb != "ignore":
                heapq.heappush(due, (now + reply.delay, len(seen), offer.id, offer.member_id, reply.verb))
        if now >= end:
            return
        now = next_moment(harness, now, due, end)


def answer(harness: Harness, run: Run, offer_id: UUID, member_id: UUID, verb: str, when: datetime) -> None:
    action = handlers.accept_offer if verb == "accept" else handlers.decline_offer
    try:
        with session_scope(harness.engine) as session:
            action(harness.call(session, when), offer_id, member_id)
    except DomainError as refusal:  # too late (expired, withdrawn, filled), a clash, a monthly limit
        run.refused[f"{verb}: {type(refusal).__name__}"] += 1


def new_offers(harness: Harness, seen: set[UUID]) -> list[Offer]:
    with harness.session() as session:
        pending = session.scalars(select(Offer).where(Offer.status == OfferStatus.pending))
        fresh = [offer for offer in pending if offer.id not in seen]
    seen.update(offer.id for offer in fresh)
    return sorted(fresh, key=lambda offer: (offer.created_at, str(offer.id)))


def next_moment(harness: Harness, now: datetime, due: list, end: datetime) -> datetime:
    """The next answer, expiry or slow point, on the grid; no later than a quiet spell allows."""
    share = harness.settings.slow_answer_share
    with harness.session() as session:
        pending = session.execute(
            select(Offer.created_at, Offer.expires_at).where(Offer.status == OfferStatus.pending)
        ).all()
    moments = [due[0][0]] if due else []
    for created_at, expires_at in pending:
        created_at, expires_at = as_utc(created_at), as_utc(expires_at)
        moments += [expires_at, created_at + (expires_at - created_at) * share]
    wanted = min([m for m in moments if m > now] + [now + LONGEST_QUIET, end])
    steps = max(1, math.ceil((wanted - now) / GRID))
    return min(now + steps * GRID, max(end, now + GRID))


# --- figures -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    places: int
    filled: int
    fillable_places: int
    fillable_filled: int
    tasks_filled: int
    tasks_without_offer: list[str]
    offered_members: int
    left_out: list[UUID]  # no offer at all, while a task they could reach stayed unfilled
    offers_max: int
    offers_mean: float
    held_max: int
    eligible: int
    accepted: int
    gini: float
    least_gini: float
    gini_all: float  # over every member, as the run measured it
    fill_hours: list[float]
    spread: Counter  # accepted places per eligible member -> how many members
    never_offered: int  # eligible members never offered anything
    never_offered_reach: Counter  # the kinds of task they could do -> how many of them
    said_no: int  # eligible members offered something who accepted nothing
    repeats: int  # accepted places beyond each member's first
    passed_over: int  # of those, offers made while a less loaded reachable member was free to be asked
    repeat_kinds: Counter  # kind of task -> places that were a member's second or later
    offers_outside: int  # offers to members the task's real constraints exclude
    accepted_outside: int  # places taken by them
    opened_to_city: int  # tasks that opened to their whole city by themselves near their start
    offers_widened: int  # offers to members only that widening let in
    accepted_widened: int  # places taken by them


def figures(
    run: Run,
    members: list[MemberState],
    needs: list[Need],
    reach: dict[UUID, set[UUID]],
    city_reach: dict[UUID, set[UUID]],
) -> Figures:
    """``reach``: for each task, the members who could do it as they really are (their stated
    reach, the task's real openness), whichever product version is being measured; ``city_reach``:
    the same were the task open to its whole city, as it is once it widened by itself."""
    active = [m.member_id for m in members if m.status == MemberStatus.active]
    per_member = Counter(offer.member_id for offer in run.offers)
    accepted = Counter(offer.member_id for offer in run.offers if offer.status == OfferStatus.accepted)
    unfilled = [n.state.task_id for n in needs if run.filled.get(n.state.task_id, 0) < n.state.slots]
    could_help = set().union(*(reach[task_id] for task_id in unfilled)) if unfilled else set()
    fillable = [n for n in needs if len(reach[n.state.task_id]) >= ENOUGH * n.state.slots]
    eligible = set().union(*reach.values())
    offered_tasks = {offer.task_id for offer in run.offers}
    beyond = [offer for offer in run.offers if offer.member_id not in reach[offer.task_id]]
    widened = [
        offer
        for offer in beyond
        if offer.task_id in run.opened_to_city
        and as_utc(offer.created_at) >= run.opened_to_city[offer.task_id]
        and offer.member_id in city_reach[offer.task_id]
    ]
    outside = [offer for offer in beyond if offer not in widened]
    repeats = repeated_places(run)
    kinds = {n.state.task_id: n.kind for n in needs}
    scores = BaseScores(members, needs)
    return Figures(
        places=sum(n.state.slots for n in needs),
        filled=sum(run.filled.get(n.state.task_id, 0) for n in needs),
        fillable_places=sum(n.state.slots for n in fillable),
        fillable_filled=sum(run.filled.get(n.state.task_id, 0) for n in fillable),
        tasks_filled=len(needs) - len(unfilled),
        tasks_without_offer=[n.state.title for n in needs if n.state.task_id not in offered_tasks],
        offered_members=len(per_member),
        left_out=sorted(m for m in could_help if per_member[m] == 0),
        offers_max=max(per_member.values(), default=0),
        offers_mean=sum(per_member.values()) / len(active),
        held_max=max((most_held_at_once(spans) for spans in held_spans(run).values()), default=0),
        eligible=len(eligible),
        accepted=sum(accepted.values()),
        gini=gini([accepted[m] for m in eligible]),
        least_gini=least_gini(sum(accepted.values()), len(eligible)),
        gini_all=gini([accepted[m.member_id] for m in members]),
        fill_hours=fill_hours(run, needs),
        spread=Counter(accepted[m] for m in eligible),
        never_offered=sum(1 for m in eligible if per_member[m] == 0),
        never_offered_reach=Counter(
            " or ".join(sorted({kinds[t] for t, able in reach.items() if m in able}))
            for m in eligible
            if per_member[m] == 0
        ),
        said_no=sum(1 for m in eligible if per_member[m] > 0 and accepted[m] == 0),
        repeats=len(repeats),
        passed_over=sum(1 for offer in repeats if passed_over(run, offer, reach, members, needs, scores)),
        repeat_kinds=Counter(kinds[offer.task_id] for offer in repeats),
        offers_outside=len(outside),
        accepted_outside=sum(1 for offer in outside if offer.status == OfferStatus.accepted),
        opened_to_city=len(run.opened_to_city),
        offers_widened=len(widened),
        accepted_widened=sum(1 for offer in widened if offer.status == OfferStatus.accepted),
    )


def repeated_places(run: Run) -> list[Offer]:
    """Accepted offers beyond each member's first (in the order they were accepted)."""
    taken = sorted((o for o in run.offers if o.status == OfferStatus.accepted), key=lambda o: as_utc(o.accepted_at))
    firsts: set[UUID] = set()
    repeats = []
    for offer in taken:
        if offer.member_id in firsts:
            repeats.append(offer)
        firsts.add(offer.member_id)
    return repeats


class BaseScores:
    """Each member's score for a task with no load at all (skill fit and availability fit, from
    the product's own engine): "all else equal" means an equal or better base score."""

    def __init__(self, members: list[MemberState], needs: list[Need]) -> None:
        self.engine = MatchingEngine(tz=DEFAULTS.tz)
        for area in REGION:
            self.engine.upsert_area(area)
        for state in members:
            self.engine.upsert_member(state)
        self.tasks = {n.state.task_id: n.state for n in needs}
        self.count = len(members)
        self.known: dict[tuple[UUID, datetime], dict[UUID, float]] = {}

    def of(self, task_id: UUID, at: datetime) -> dict[UUID, float]:
        if (task_id, at) not in self.known:
            found = self.engine.candidates(self.tasks[task_id], loads={}, excluded=set(), limit=self.count, now=at)
            self.known[(task_id, at)] = {candidate.member_id: candidate.score for candidate in found}
        return self.known[(task_id, at)]


def passed_over(
    run: Run, offer: Offer, reach, members: list[MemberState], needs: list[Need], scores: BaseScores
) -> list[UUID]:
    """Reachable members not yet asked for the offer's task who, as its offers went out, held less
    load than its member (accepted places plus waiting offers, the load fairness ranks by) while
    under their monthly limit and waiting-offer cap and free of a clashing accepted task, with a
    base score at least as good: whom fairness should have asked first, all else equal. Offers sent
    earlier in the same pass count (a pass tops tasks up soonest first)."""
    limits = {m.member_id: m.max_tasks_per_month for m in members}
    windows = {n.state.task_id: (n.state.starts_at, n.state.ends_at) for n in needs}
    at = as_utc(offer.created_at)

    def sent(o: Offer) -> tuple:
        start = windows[o.task_id][0]
        return (as_utc(o.created_at), start is None, start or at)

    # Tasks starting at the same time (the flexible ones) are topped up in no set order: an offer
    # of such a task counts as sent before for the others and after for this offer's member,
    # so that only a clear passing-over is counted.
    theirs_before = [o for o in run.offers if sent(o) < sent(offer)]
    others_before = [o for o in run.offers if sent(o) <= sent(offer) and o.task_id != offer.task_id]
    # Everyone asked for the task up to and including this wave (one top-up sends a whole wave).
    asked = {o.member_id for o in run.offers if o.task_id == offer.task_id and as_utc(o.created_at) <= at}

    def load(member_id: UUID, before: list[Offer]) -> tuple[int, list[UUID]]:
        held = [o for o in before if o.member_id == member_id]
        waiting = sum(1 for o in held if at < as_utc(o.responded_at or o.expires_at))
        accepted = [o.task_id for o in held if o.accepted_at is not None and as_utc(o.accepted_at) < at]
        return waiting, accepted

    def clashes(accepted: list[UUID]) -> bool:
        start, end = windows[offer.task_id]
        return start is not None and any(
            windows[t][0] is not None and windows[t][0] < end and start < windows[t][1] for t in accepted
        )

    waiting, accepted = load(offer.member_id, theirs_before)
    theirs = waiting + len(accepted)
    base = scores.of(offer.task_id, at)
    found = []
    for other in sorted(reach[offer.task_id] - asked - {offer.member_id}):
        if base.get(other, -math.inf) < base.get(offer.member_id, math.inf) - 1e-9:
            continue  # a weaker fit on skill or time: the weighted score may rank them lower
        other_waiting, busy = load(other, others_before)
        other_load = other_waiting + len(busy)
        free = other_load < limits[other] and other_waiting < DEFAULTS.max_pending_offers and not clashes(busy)
        if free and other_load < theirs:
            found.append(other)
    return found


def held_spans(run: Run) -> dict[UUID, list[tuple[datetime, datetime]]]:
    spans: dict[UUID, list[tuple[datetime, datetime]]] = {}
    for offer in run.offers:
        ended = offer.responded_at or offer.expires_at
        spans.setdefault(offer.member_id, []).append((as_utc(offer.created_at), as_utc(ended)))
    return spans


def fill_hours(run: Run, needs: list[Need]) -> list[float]:
    """Hours from posting to the last place taken, for each task that filled."""
    last_accepted: dict[UUID, datetime] = {}
    for offer in run.offers:
        if offer.status == OfferStatus.accepted:
            at = as_utc(offer.accepted_at)
            last_accepted[offer.task_id] = max(at, last_accepted.get(offer.task_id, at))
    return [
        (last_accepted[n.state.task_id] - START).total_seconds() / 3600
        for n in needs
        if run.filled.get(n.state.task_id, 0) >= n.state.slots and n.state.task_id in last_accepted
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()

    members, needs = regional_members(), regional_tasks()
    reach = {n.state.task_id: {m.member_id for m in members if can_reach(m, n.state)} for n in needs}
    city_reach = {
        n.state.task_id: {m.member_id for m in members if can_reach(m, n.state.model_copy(update={"whole_city": True}))}
        for n in needs
    }
    old_members, old_needs = as_before(members, needs)
    loads = [os.getloadavg()[0]]
    pairs: dict[int, dict[str, Run]] = {}
    with tempfile.TemporaryDirectory(prefix="coalition-bench-") as folder:
        for seed in (SEED, *OTHER_SEEDS):
            pairs[seed] = {
                "before": simulate("before", old_members, old_needs, BEFORE, Path(folder), seed),
                "after": simulate("after", members, needs, {}, Path(folder), seed),
            }
            loads.append(os.getloadavg()[0])
    figs = {
        seed: {name: figures(run, members, needs, reach, city_reach) for name, run in runs.items()}
        for seed, runs in pairs.items()
    }
    report = render(
        runs=pairs[SEED],
        figs=figs[SEED],
        others={seed: figs[seed] for seed in OTHER_SEEDS},
        members=members,
        needs=needs,
        reach=reach,
        loads=loads,
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report)
    print(report)


# --- the results file ----------------------------------------------------------------------------


def render(
    *,
    runs: dict[str, Run],
    figs: dict[str, Figures],
    others: dict[int, dict[str, Figures]],
    members,
    needs,
    reach,
    loads,
) -> str:
    before, after = figs["before"], figs["after"]
    lines = [
        "# Coalition benchmark: a region's three weeks, before and after",
        "",
        f"Command: `uv run python bench/coalition_bench.py` (seeded: members 14, answers {SEED}; "
        f"then answers {', '.join(map(str, OTHER_SEEDS))} for the spread).",
        "",
        f"Machine: {os.cpu_count()} cores; load average (1-minute, whole machine) "
        + ", ".join(f"{load:.1f}" for load in loads)
        + f" (at the start and after each pair of runs): {load_words(loads)}. Simulated time does not depend "
        f"on it; wall times do (one pair: before {runs['before'].seconds:.0f} s, after {runs['after'].seconds:.0f} s). "
        f"Python {platform.python_version()}, {platform.machine()}; {datetime.now(UTC).date()}.",
        "",
        *scenario_lines(members, needs, reach),
        "",
        *method_lines(),
        "",
        f"## Figures (answers seeded {SEED})",
        "",
        "| | before | after |",
        "|---|---|---|",
        *comparison_rows(runs, before, after),
        "",
        *target_lines(after),
        "",
        *gini_lines(after, figs, others),
        "",
        *seed_lines(figs, others),
        "",
        *before_lines(before),
        "",
        f"## Per task (answers seeded {SEED})",
        "",
        "Reachable: active members who meet every hard constraint of the task as they really are (their stated "
        "reach, the task's whole city, fluency floors), checked independently of the engine "
        "(`tests.matching.coalition.can_reach`); a task has enough of them with at least "
        f"{ENOUGH} per place (which ignores that tasks share people: the six legal clinic shifts share the "
        "same 4, each with a monthly limit). Filled, and offers sent, in each run.",
        "",
        "| task | places | reachable | before: filled / offers | after: filled / offers |",
        "|---|---|---|---|---|",
        *task_rows(runs, needs, reach),
        "",
        *answer_lines(runs),
    ]
    return "\n".join(lines) + "\n"


def method_lines() -> list[str]:
    return [
        "How it runs: the matching service's own wiring (`tests.matching.conftest.Harness`) on a SQLite file, "
        "without a broker; `worker.run_pass` and `handlers.accept_offer`/`decline_offer` called with a simulated "
        "clock that moves from event to event (an answer, an offer's expiry or its slow point) on a 15-minute grid, "
        "and at least every 6 hours. Each member's answer to a task (and its delay) is drawn from the pair alone, "
        "so both runs meet the same people answering the same way; an answer arriving after the offer expired, "
        "was withdrawn or its task filled is refused by the service, as it would be live. Figures are of one "
        "seeded month, not averages: see the spread over other seeds below.",
    ]


def gini_lines(after: Figures, figs: dict[str, Figures], others: dict[int, dict[str, Figures]]) -> list[str]:
    """Why the Gini target is out of reach here, from the figures themselves."""
    zero = after.spread[0]
    return [
        "## Why the Gini of accepted work stays above 0.4",
        "",
        f"- The bound: {after.accepted} places were accepted among {after.eligible} eligible members, so at least "
        f"{after.eligible - after.accepted} of them accept nothing whatever the matching does; with one place "
        f"each for the rest the Gini is already {after.least_gini:.2f}. In this scenario, as in the issue's "
        "(102 places, 180 volunteers), a Gini of at most 0.4 among eligible members needs more places than "
        "about 60% of the eligible members, or most members taking several: the target cannot be met by "
        "spreading offers alone.",
        f"- Above the bound: of the {zero} eligible members with no accepted place, {after.never_offered} were never "
        "offered anything: every task they could reach filled from members asked before them (what they could "
        "do: "
        + ", ".join(f"{kinds} {count}" for kinds, count in after.never_offered_reach.most_common())
        + "; 86 members can reach the City Hall rally's 20 places, 35 the Queen's Park rally's 10), and "
        f"{after.said_no} were offered and declined, ignored or answered too late (40% of answers are not a yes).",
        f"- Repeats: {after.repeats} places were a member's second or later ("
        + ", ".join(f"{kind} {count}" for kind, count in after.repeat_kinds.most_common())
        + "): mostly the few who can do scarce work at all (the legal clinic in Spanish has 4 reachable members "
        "for 6 shifts of 2; farm-worker outreach in Spanish 6 for 4 outings of 3; Punjabi outreach 1 for 2 of 3), "
        "which fairness cannot spread further; the rest went to members no more loaded than anyone free to be "
        "asked with as good a fit, or whose better skill or time fit outweighed one more task in the weighted "
        "score (skill, availability and fairness are weighed together, by design).",
        f"- Passed over: for {after.passed_over} of those places a reachable member with less load (accepted plus "
        "waiting), under their monthly limit and waiting-offer cap, without a clash and with a base score "
        "(skill and time fit) at least as good, had not been asked yet; "
        f"{sum(pair['after'].passed_over for pair in (figs, *others.values()))} over the five answer seeds below. "
        "The one kind found: a pass "
        "reads every member's load before it expires the offers due at that moment, so a member whose offer "
        "expires in that pass still counts as holding it (and, with a monthly limit of 1, as full) until the next "
        "pass; live, the next reconciliation (60 s) or event corrects it. Too small to move the Gini.",
        "- So spreading is not what keeps the Gini up: offers reach everyone free to take them before anyone gets "
        "a second. The target would need restating to be a test of the matching, e.g. against the lowest Gini "
        "possible with the places accepted (reported above), or among members offered something.",
    ]


def seed_lines(figs: dict[str, Figures], others: dict[int, dict[str, Figures]]) -> list[str]:
    def row(seed: int, pair: dict[str, Figures]) -> str:
        cells = []
        for f in (pair["before"], pair["after"]):
            cells.append(
                f"{f.fillable_filled / f.fillable_places:.0%} | {len(f.left_out)} | {f.gini:.2f} | "
                f"{percentile(f.fill_hours, 0.9):.1f}"
            )
        cells.append(str(pair["after"].passed_over))
        return f"| {seed} | " + " | ".join(cells) + " |"

    return [
        "## The same region with other answers",
        "",
        "Members and tasks unchanged; each member's answers (and delays) drawn again. Columns: places filled where "
        "enough reachable members exist; members left without an offer while a task they could reach stayed "
        "unfilled; Gini of accepted places among eligible members; time to fill, p90 hours; after, places that "
        "passed over a less loaded member free to be asked (see above).",
        "",
        "| answers seed | before: filled | left out | Gini | p90 h | after: filled | left out | Gini | p90 h "
        "| passed over |",
        "|---|---|---|---|---|---|---|---|---|---|",
        row(SEED, figs),
        *(row(seed, pair) for seed, pair in others.items()),
    ]


def before_lines(before: Figures) -> list[str]:
    return [
        '## What "before" is, and what it cannot reproduce',
        "",
        "Data: every member's reach emptied (their own area only), no task open to its whole city, no fluency "
        f"floors (they did not exist). Settings: `{', '.join(f'{key}={value}' for key, value in BEFORE.items())}`; "
        "the answer time was a fixed 24 h then too, and was already cut at the task's start, as now. The wave "
        "factor (1.5) is unchanged.",
        "",
        'Not reproducible by settings or data, so "before" runs today\'s code in these respects and is kinder '
        "than the old product was:",
        "- fairness ranks members by their recent tasks plus the offers they hold waiting; before, waiting offers "
        'counted only against the monthly limit, so a member holding offers still ranked as having "no recent '
        "tasks\" and could be offered more at once (the issue's volunteer holding 4);",
        "- a member who answers while at the cap is offered at once what came short for want of them; no effect "
        "here, where every pass looks at every open task.",
        "",
        '"Members with no offer while a task they could reach stayed unfilled" counts, in both runs, what '
        "members could really do (their stated reach, whole-city tasks): the old product could not express it, "
        "which is the point of the comparison.",
        "",
        f"Before offered {before.offers_outside} times to members below a fluency floor the coalition now sets "
        f"(for example basic Spanish for farm-worker outreach), and {before.accepted_outside} of its filled places "
        "were taken by them; its fill figures count those places.",
    ]


def scenario_lines(members, needs, reach) -> list[str]:
    active = sum(m.status == MemberStatus.active for m in members)
    reaches = Counter(
        "own area"
        if m.reach == Reach()
        else "whole city"
        if m.reach.whole_city
        else "up to N km"
        if m.reach.km
        else "chosen areas"
        for m in members
    )
    return [
        f"{len(members)} members ({active} active) in 6 Hamilton and 2 Toronto neighbourhoods; where they can go: "
        + ", ".join(f"{kind} {count}" for kind, count in reaches.most_common())
        + f". {len(needs)} tasks with {sum(n.state.slots for n in needs)} places, all posted on "
        f"{REGION_START:%A %Y-%m-%d %H:%M} (Toronto), starting over the next three weeks; the simulation runs "
        "until the last one starts. Each offer is accepted (60%), declined (20%) or ignored (20%), answered "
        f"after a lognormal delay (median {MEDIAN_DELAY_H:.0f} h, 15 min to 36 h); "
        f"{len(set().union(*reach.values()))} active members could do at least one task.",
    ]


def comparison_rows(runs, before: Figures, after: Figures) -> list[str]:
    def both(show) -> str:
        return f"{show(before)} | {show(after)}"

    def spread(f: Figures) -> str:
        return " / ".join(str(f.spread[n]) for n in (0, 1, 2)) + f" / {sum(c for n, c in f.spread.items() if n >= 3)}"

    def hours(f: Figures, share: float) -> str:
        return f"{percentile(f.fill_hours, share):.1f}" if f.fill_hours else "-"

    return [
        f"| places filled | {both(lambda f: f'{f.filled}/{f.places} ({f.filled / f.places:.0%})')} |",
        f"| places filled, tasks with enough reachable members | "
        f"{both(lambda f: f'{f.fillable_filled}/{f.fillable_places} ({f.fillable_filled / f.fillable_places:.0%})')} |",
        f"| tasks filled | {both(lambda f: f'{f.tasks_filled}/{len(runs[next(iter(runs))].filled)}')} |",
        f"| tasks with no offer | {both(lambda f: len(f.tasks_without_offer))} |",
        f"| members with any offer | {both(lambda f: f.offered_members)} |",
        f"| members with no offer while a task they could reach stayed unfilled | {both(lambda f: len(f.left_out))} |",
        f"| offers per active member: max, mean | {both(lambda f: f'{f.offers_max}, {f.offers_mean:.2f}')} |",
        f"| most offers one member held waiting at once | {both(lambda f: f.held_max)} |",
        f"| Gini of accepted places among the eligible members | {both(lambda f: f'{f.gini:.2f}')} |",
        f"| lowest Gini possible with that many accepted places | {both(lambda f: f'{f.least_gini:.2f}')} |",
        f"| Gini of accepted places over every member (as the issue's run measured it) | "
        f"{both(lambda f: f'{f.gini_all:.2f}')} |",
        f"| eligible members by accepted places (0 / 1 / 2 / 3 or more) | {both(spread)} |",
        f"| offers to members the task's real constraints exclude (accepted) | "
        f"{both(lambda f: f'{f.offers_outside} ({f.accepted_outside})')} |",
        f"| tasks that opened to their whole city by themselves, 48 h before the start | "
        f"{both(lambda f: f.opened_to_city)} |",
        f"| offers to members only that opening let in (accepted) | "
        f"{both(lambda f: f'{f.offers_widened} ({f.accepted_widened})')} |",
        f"| time to fill (simulated hours from posting), median, p90 | "
        f"{both(lambda f: f'{hours(f, 0.5)}, {hours(f, 0.9)}')} |",
        "| matching passes run (wall seconds) | "
        + " | ".join(f"{run.passes} ({run.seconds:.0f} s)" for run in (runs["before"], runs["after"]))
        + " |",
    ]


def target_lines(after: Figures) -> list[str]:
    share = after.fillable_filled / after.fillable_places
    return [
        "## Targets, against the figures after",
        "",
        f"- At least 85% of places filled where enough reachable members exist: {share:.0%} "
        f"({after.fillable_filled} of {after.fillable_places}): **{'met' if share >= 0.85 else 'not met'}**.",
        f"- No member left without an offer while a task they could reach is unfilled: {len(after.left_out)} "
        f"such members: **{'met' if not after.left_out else 'not met'}**.",
        f"- Gini of accepted work among eligible members at most 0.4: {after.gini:.2f} "
        f"(among {after.eligible} eligible members, {after.accepted} accepted places; no spread of that many "
        f"places over that many members goes below {after.least_gini:.2f}): "
        f"**{'met' if after.gini <= 0.4 else 'not met'}**.",
        "",
        f"After, {after.opened_to_city} tasks that had not filled from the people in their own reach opened "
        "to their whole city by themselves 48 hours before their start (the coalition's default step, "
        "`MATCHING_AUTO_WIDEN`), and "
        f"{after.accepted_widened} places were taken by people only that let in ({after.offers_widened} offers). "
        "Those places fill late by design, close to the start, which is why the p90 time to fill is long after: "
        "before, they did not fill at all.",
    ]


def task_rows(runs, needs, reach) -> list[str]:
    offers = {name: Counter(o.task_id for o in run.offers) for name, run in runs.items()}
    rows = []
    for need in needs:
        task_id, slots = need.state.task_id, need.state.slots
        cells = " | ".join(f"{runs[name].filled.get(task_id, 0)} / {offers[name][task_id]}" for name in runs)
        enough = "" if len(reach[task_id]) >= ENOUGH * slots else " (not enough)"
        rows.append(f"| {need.state.title} | {slots} | {len(reach[task_id])}{enough} | {cells} |")
    return rows


def answer_lines(runs) -> list[str]:
    lines = ["## Answers", ""]
    for name, run in runs.items():
        refused = ", ".join(f"{kind} {count}" for kind, count in sorted(run.refused.items())) or "none"
        lines.append(
            f"- {name}: {sum(run.answered.values())} offers; the members meant to accept {run.answered['accept']}, "
            f"decline {run.answered['decline']}, ignore {run.answered['ignore']}; "
            f"answers the service refused: {refused}."
        )
    return lines


if __name__ == "__main__":
    main()
