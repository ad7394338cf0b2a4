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
"""

from __future__ import annotations

import argparse
import heapq
import math
import os
import platform
import random
import statistics
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
from services.common.contracts import MemberState, MemberStatus, OfferStatus, Reach, TaskState  # noqa: E402
from services.common.db import session_scope  # noqa: E402
from services.common.deps import Actor  # noqa: E402
from services.common.problems import DomainError  # noqa: E402
from services.matching import handlers  # noqa: E402
from services.matching.config import Settings  # noqa: E402
from services.matching.models import Offer, TaskFill, as_utc  # noqa: E402
from tests.matching.conftest import Harness  # noqa: E402
from tests.matching.coalition import (  # noqa: E402
    REGION, REGION_START, Need, can_reach, regional_members, regional_tasks,
)

SEED = 14
START = REGION_START.astimezone(UTC)
GRID = timedelta(minutes=15)
LONGEST_QUIET = timedelta(hours=6)  # a reconciliation pass at least this often, events or not
ANSWERS = (("accept", 0.6), ("decline", 0.2), ("ignore", 0.2))
MEDIAN_DELAY_H = 3.0
ENOUGH = 2  # a task has enough reachable members with at least this many per place
RESULTS = Path(__file__).parent / "results" / "coalition.md"
SYSTEM = Actor(None, "system")

DEFAULTS = Settings()
# The settings that give the matching of before the reach and fairness work: any number of
# waiting offers per member, 24 h to answer whatever the time left, and waves that stay at
# ceil(open slots x 1.5) (the widest equal to the first; silence counts only at expiry).
BEFORE = dict(
    max_pending_offers=1_000_000, offer_ttl_seconds=24 * 3600, offer_ttl_min_seconds=24 * 3600,
    widest_wave_factor=DEFAULTS.wave_factor, slow_answer_share=1.0,
)


@dataclass(frozen=True)
class Answer:
    verb: str  # accept, decline or ignore
    delay: timedelta


def answer_for(member_id: UUID, task_id: UUID) -> Answer:
    """The member's answer to this task, the same in every run (seeded by the pair alone)."""
    rng = random.Random(f"{SEED}:{member_id}:{task_id}")
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
    offers: list[Offer]
    filled: dict[UUID, int]
    refused: Counter
    passes: int
    seconds: float
    answered: Counter = field(default_factory=Counter)


def simulate(name: str, members: list[MemberState], needs: list[Need], overrides: dict, folder: Path) -> Run:
    started = clock.perf_counter()
    harness = Harness(f"sqlite:///{folder / (name + '.db')}", **overrides)
    try:
        harness.matching.directory.learn_areas(REGION)
        harness.members(*members)
        for need in needs:
            harness.task(need.state, now=START)
        run = Run(name, [], {}, Counter(), 0, 0.0)
        drive(harness, run, last_moment(needs))
        with harness.session() as session:
            run.offers = list(session.scalars(select(Offer)))
            run.filled = {fill.task_id: fill.accepted for fill in session.scalars(select(TaskFill))}
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
            reply = answer_for(offer.member_id, offer.task_id)
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
            action(session, harness.matching, offer_id, SYSTEM, member_id, when)
    except DomainError as refusal:  # too late (expired, withdrawn, filled), a clash, a monthly limit
        run.refused[f"{verb}: {type(refusal).__name__}"] += 1


def new_offers(harness: Harness, seen: set[UUID]) -> list[Offer]:
    with harness.session() as session:
        fresh = [o for o in session.scalars(select(Offer).where(Offer.status == OfferStatus.pending)) if o.id not in seen]
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
    fill_hours: list[float]


def figures(run: Run, members: list[MemberState], needs: list[Need], reach: dict[UUID, set[UUID]]) -> Figures:
    """``reach``: for each task, the members who could do it as they really are (their stated
    reach, the task's real openness), whichever product version is being measured."""
    active = [m.member_id for m in members if m.status == MemberStatus.active]
    per_member = Counter(offer.member_id for offer in run.offers)
    accepted = Counter(offer.member_id for offer in run.offers if offer.status == OfferStatus.accepted)
    unfilled = [n.state.task_id for n in needs if run.filled.get(n.state.task_id, 0) < n.state.slots]
    could_help = set().union(*(reach[task_id] for task_id in unfilled)) if unfilled else set()
    fillable = [n for n in needs if len(reach[n.state.task_id]) >= ENOUGH * n.state.slots]
    eligible = set().union(*reach.values())
    offered_tasks = {offer.task_id for offer in run.offers}
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
        fill_hours=fill_hours(run, needs),
    )


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
        for n in needs if run.filled.get(n.state.task_id, 0) >= n.state.slots and n.state.task_id in last_accepted
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()

    members, needs = regional_members(), regional_tasks()
    reach = {n.state.task_id: {m.member_id for m in members if can_reach(m, n.state)} for n in needs}
    loads = [os.getloadavg()[0]]
    with tempfile.TemporaryDirectory(prefix="coalition-bench-") as folder:
        old_members, old_needs = as_before(members, needs)
        before = simulate("before", old_members, old_needs, BEFORE, Path(folder))
        loads.append(os.getloadavg()[0])
        after = simulate("after", members, needs, {}, Path(folder))
        loads.append(os.getloadavg()[0])
    report = render(
        runs={"before": before, "after": after},
        figs={"before": figures(before, members, needs, reach), "after": figures(after, members, needs, reach)},
        members=members, needs=needs, reach=reach, loads=loads,
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report)
    print(report)


# --- the results file ----------------------------------------------------------------------------


def render(*, runs: dict[str, Run], figs: dict[str, Figures], members, needs, reach, loads) -> str:
    before, after = figs["before"], figs["after"]
    lines = [
        "# Coalition benchmark: a region's three weeks, before and after",
        "",
        "Command: `uv run python bench/coalition_bench.py` (seeded: members 14, answers 14).",
        "",
        f"Machine: {os.cpu_count()} cores; load average (1-minute, whole machine) "
        + ", ".join(f"{load:.1f}" for load in loads)
        + f" (start, between the runs, end): {load_words(loads)}. Simulated time does not depend on it; "
        f"wall times do (before {runs['before'].seconds:.0f} s, after {runs['after'].seconds:.0f} s). "
        f"Python {platform.python_version()}, {platform.machine()}; {datetime.now(UTC).date()}.",
        "",
        *scenario_lines(members, needs, reach),
        "",
        "## Figures",
        "",
        "| | before | after |",
        "|---|---|---|",
        *comparison_rows(runs, before, after),
        "",
        *target_lines(after),
        "",
        "## Per task",
        "",
        "Reachable: active members who meet every hard constraint of the task as they really are (their stated "
        "reach, the task's whole city, fluency floors), checked independently of the engine "
        "(`tests.matching.coalition.can_reach`); a task has enough of them with at least "
        f"{ENOUGH} per place. Filled, and offers sent, in each run.",
        "",
        "| task | places | reachable | before: filled / offers | after: filled / offers |",
        "|---|---|---|---|---|",
        *task_rows(runs, needs, reach),
        "",
        *answer_lines(runs),
    ]
    return "\n".join(lines) + "\n"


def scenario_lines(members, needs, reach) -> list[str]:
    active = sum(m.status == MemberStatus.active for m in members)
    reaches = Counter(
        "own area" if m.reach == Reach() else "whole city" if m.reach.whole_city
        else f"up to N km" if m.reach.km else "chosen areas" for m in members
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
        f"| time to fill (simulated hours from posting), median, p90 | "
        f"{both(lambda f: f'{hours(f, 0.5)}, {hours(f, 0.9)}')} |",
        f"| matching passes run (wall seconds) | "
        f"{runs['before'].passes} ({runs['before'].seconds:.0f} s) | {runs['after'].passes} ({runs['after'].seconds:.0f} s) |",
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
            f"decline {run.answered['decline']}, ignore {run.answered['ignore']}; answers the service refused: {refused}."
        )
    return lines


if __name__ == "__main__":
    main()
