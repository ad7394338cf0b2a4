"""The matching worker's own cost per new task, without Kafka or HTTP around it, and beside
another checkout of the code in the same run (before / after a change).

A task arrives as the tasks reader stores it (``task_state_arrived``), then the worker's steps
run until it is idle, as its thread runs them (``scheduler.step``): the first wave of offers
is written with its outbox rows. Members and open tasks already there are chosen by the
arguments. Each repetition builds a fresh SQLite database; the figure is CPU and wall time per
new task, median of the repetitions.

Run: ``uv run python bench/matcher_bench.py [--against DIR]``: with ``--against``, the same
measurement also runs on the checkout in DIR (e.g. ``git worktree add /tmp/base <commit>``),
alternating, so that both meet the same machine. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def measure(members: int, open_tasks: int, fresh: int) -> dict:
    """One repetition in this process, with the code of the checkout it runs from."""
    from services.common.clock import utc_now
    from services.common.contracts import SkillLevel, Weekday
    from services.matching.scheduler import Schedule, step
    from tests.matching.conftest import Harness
    from tests.matching.factories import member, next_weekday, task

    directory = Path(tempfile.mkdtemp(prefix="matcher-bench-"))
    harness = Harness(f"sqlite:///{directory / 'matching.db'}", reconcile_seconds=10**9)
    now, schedule = utc_now(), Schedule()
    web, legal = {"web-development": SkillLevel.capable}, {"legal-knowledge": SkillLevel.capable}
    harness.members(*(member(skills=web, max_tasks_per_month=30) for _ in range(members)))

    def shift(number: int):
        return next_weekday(Weekday.saturday, (8, 11, 14, 17)[number % 4], 1 + (number // 4) % 8)

    for number in range(open_tasks):  # open, and nobody can take them: they stay open
        harness.task(task(skills=legal, starts_at=shift(number)), now)
    _until_idle(harness.matching, schedule, now, step)
    at = now + timedelta(seconds=1)
    cpu, wall = time.process_time(), time.perf_counter()
    for number in range(fresh):
        harness.task(task(skills=web, starts_at=shift(number)), at)
        _until_idle(harness.matching, schedule, at, step)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    offered = len(harness.producer.sent) if hasattr(harness.producer, "sent") else None
    harness.close()
    return {"cpu_ms_per_task": cpu * 1000 / fresh, "wall_ms_per_task": wall * 1000 / fresh, "events": offered}


def _until_idle(matching, schedule, now, step) -> None:
    for _ in range(100000):
        if step(matching, schedule, now) > 0:
            return
    raise RuntimeError("the worker never ran out of work")


def one_run(checkout: Path, args) -> dict:
    command = [sys.executable, str(ROOT / "bench" / "matcher_bench.py"), "--once"]
    command += ["--members", str(args.members), "--open", str(args.open), "--fresh", str(args.fresh)]
    env = os.environ | {"PYTHONPATH": str(checkout), "ENVIRONMENT": "test", "MATCHER_BENCH_CODE": str(checkout)}
    done = subprocess.run(command, cwd=checkout, env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--open", type=int, default=1000, help="open tasks nobody can take, already there")
    parser.add_argument("--fresh", type=int, default=200, help="new tasks measured, each with fitting members")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--against", type=Path, default=None, help="another checkout, measured alternately")
    parser.add_argument("--once", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.once:
        sys.path.insert(0, os.environ.get("MATCHER_BENCH_CODE", str(ROOT)))
        print(json.dumps(measure(args.members, args.open, args.fresh)))
        return
    checkouts = {"this checkout": ROOT} | ({f"{args.against}": args.against} if args.against else {})
    runs: dict[str, list[dict]] = {name: [] for name in checkouts}
    loads = [os.getloadavg()[0]]
    for _ in range(args.repeat):
        for name, checkout in checkouts.items():
            runs[name].append(one_run(checkout, args))
            loads.append(os.getloadavg()[0])
    print(f"{args.members} members, {args.open} open tasks nobody can take, {args.fresh} new tasks; ")
    print(f"median of {args.repeat}; load average (1 min) {min(loads):.1f}-{max(loads):.1f}\n")
    print("| code | CPU ms per new task | wall ms per new task |")
    print("| --- | ---: | ---: |")
    for name, results in runs.items():
        cpu = statistics.median(r["cpu_ms_per_task"] for r in results)
        wall = statistics.median(r["wall_ms_per_task"] for r in results)
        print(f"| {name} | {cpu:.1f} | {wall:.1f} |")


if __name__ == "__main__":
    main()
