"""End to end: from ``postTask`` sent to the offer arriving on a volunteer's ``offerUpdates``
subscription, with 1,000 and 10,000 tasks already open, beside the floor measured in the same run.

Run: ``uv run python bench/e2e_bench.py [--open 1000,10000] [--rates 10,50] [--seconds 60]
[--members 500] [--volunteers 200] [--sweep 100,200] [--saturation 1000] [--startup 100000,10000]``
(the test suite's broker on 127.0.0.1:19092, or TEST_KAFKA_BOOTSTRAP). ``--soak`` runs the soak
instead (10 min at 20 tasks/s, volunteers accepting and declining; not for CI). Writes
bench/results/e2e.md (``--out`` elsewhere) and prints it. Loopback only; it starts the product as
the gateway tests do (members, tasks, matching, gateway as processes, SQLite) and stops, by PID,
everything it started. Not part of the test suite.

The run:
1. members who fit none of the measured tasks sign up, up to ``--members`` with the first cohort;
2. the tasks already open (a skill nobody has, so they stay open and every reconciliation pass
   walks them) are written straight onto ``tasks.state`` as the tasks service's relay writes them:
   signing up 10,000 tasks over HTTP takes the better part of an hour here; the matcher cannot
   tell the difference. Each is fresh work for the matcher: the runs wait until it has taken
   them in, so that they measure a standing backlog rather than the burst that made it;
3. at each backlog and rate, a fresh cohort of volunteers (``--volunteers``, more if the run's
   offers need it: nobody holds more than 31 waiting offers) with a skill of their own subscribes
   to ``offerUpdates`` over graphql-transport-ws, and a coordinator posts one-place tasks over
   GraphQL at that fixed rate for ``--seconds`` (open loop). Latency counts from the moment each
   ``postTask`` was due to the first offer of that task on any subscription; no offer in 30 s is
   a lost task;
4. the floor, in the same run: two bare Kafka hops at the same rate and a bare HTTP round trip;
5. the matcher alone at saturation, the outbox relay next to a bare producer, and a fresh matcher's
   start-up over 100,000 members and 10,000 open tasks (``e2e_load``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import e2e_load  # noqa: E402
from bench.e2e_floor import http_floor, kafka_floor, percentiles  # noqa: E402
from bench.e2e_listeners import Listeners  # noqa: E402
from bench.e2e_report import report, soak_report  # noqa: E402
from bench.relay_bench import measure as measure_relay  # noqa: E402
from services.common.topics import Topics  # noqa: E402
from tests.gateway.client import GraphQL, Person, World  # noqa: E402
from tests.gateway.stack import start_stack  # noqa: E402
from tests.support.infra import ensure_kafka  # noqa: E402

LOST_AFTER_S = 30
IN_FLIGHT_POSTS = 64  # postTask requests out at once: as many as the bench's HTTP pool holds
MAX_WAITING_OFFERS = 31  # a member's own monthly limit caps the offers they hold (members' TasksPerMonth)
OFFERS_PER_TASK = 2  # a one-place task's first wave: ceil(1 x MATCHING_WAVE_FACTOR 1.5)
POST = "mutation($i: TaskInput!) { postTask(input: $i) { __typename ... on Task { id } ... on Problem { message } } }"


def say(text: str) -> None:
    """Progress on stderr: a full run takes a while."""
    print(f"{datetime.now(UTC):%H:%M:%S} {text}", file=sys.stderr, flush=True)


def task_input(skill: str, number: int) -> dict:
    starts = (datetime.now(UTC) + timedelta(days=3 + number % 20)).replace(minute=0, second=0, microsecond=0)
    return {
        "title": f"Translate leaflet q{uuid.uuid4().hex[:7]}",
        "summary": "French to Spanish",
        "skills": [{"skill": skill, "minLevel": "CAPABLE"}],
        "languages": ["fr"],
        "slots": 1,
        "startsAt": starts.isoformat(),
        "endsAt": (starts + timedelta(hours=2)).isoformat(),
        "remote": True,
    }


async def post_at_rate(client: httpx.AsyncClient, token: str, skill: str, rate: float, seconds: float) -> dict:
    """Open loop: the i-th task is due at start + i / rate; task id -> due moment, response times, errors.

    At most ``IN_FLIGHT_POSTS`` are out at once; a later one waits here, and its times still count
    from its due moment. Left to queue in httpx's pool instead, thousands of waiting posts made
    the pool's bookkeeping take the bench's event loop (the first 10-minute soak's 30 s samples
    came 2 minutes apart)."""
    due_of: dict[str, float] = {}
    answered: list[float] = []
    errors: dict[str, int] = {}
    slots = asyncio.Semaphore(IN_FLIGHT_POSTS)
    start = time.perf_counter() + 0.5

    async def one(number: int, due: float) -> None:
        try:
            response = await client.post(
                "/graphql",
                json={"query": POST, "variables": {"i": task_input(skill, number)}},
                headers={"Authorization": f"Bearer {token}"},
            )
            answered.append(time.perf_counter() - due)
            body = response.json()
            result = (body.get("data") or {}).get("postTask") or {}
            if result.get("__typename") == "Task":
                due_of[result["id"]] = due
                return
            reason = result.get("message") or f"HTTP {response.status_code} {json.dumps(body)[:120]}"
        except Exception as error:  # noqa: BLE001 - counted and reported with its reason
            reason = f"{type(error).__name__} {error}"[:160]
        finally:
            slots.release()
        errors[reason] = errors.get(reason, 0) + 1

    posts = []
    for number in range(int(rate * seconds)):
        due = start + number / rate
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        await slots.acquire()
        posts.append(asyncio.create_task(one(number, due)))
    await asyncio.gather(*posts)
    return {"due": due_of, "response": percentiles(answered), "errors": errors}


async def sign_up(world: World, count: int, skill: str | None) -> list[Person]:
    """Volunteers through GraphQL, a few at once (each sign-up hashes a password)."""
    loop = asyncio.get_running_loop()
    with ThreadPoolExecutor(4) as pool:
        return list(
            await asyncio.gather(
                *(
                    loop.run_in_executor(pool, lambda: world.volunteer(skill, maxTasksPerMonth=MAX_WAITING_OFFERS))
                    for _ in range(count)
                )
            )
        )


async def subscribed_cohort(world: World, stack, count: int, processes: int, answer_every: int = 0) -> Cohort:
    """``count`` volunteers with a skill of their own, subscribed from ``processes`` child processes
    (answering their offers if ``answer_every``: one in that many accepted, the others declined)."""
    skill = world.skill()
    volunteers = await sign_up(world, count, skill)
    listeners = Listeners(stack.url, [person.token for person in volunteers], answer_every, processes)
    try:
        await listeners.all_connected()
    except BaseException:
        await listeners.close()
        raise
    return Cohort(skill, listeners)


def cohort_size(args, runs: list[tuple[float, float]]) -> int:
    """Enough volunteers to hold every offer of these (rate, seconds) runs, however the matcher
    spreads them: nobody holds more than 31 waiting offers."""
    offers = sum(OFFERS_PER_TASK * rate * seconds for rate, seconds in runs)
    return max(args.volunteers, math.ceil(1.05 * offers / MAX_WAITING_OFFERS))


class Cohort:
    """Volunteers with a skill of their own, subscribed for one backlog level's runs."""

    def __init__(self, skill: str, listeners: Listeners):
        self.skill, self.arrivals = skill, listeners
        self._following = asyncio.get_running_loop().create_task(listeners.follow())

    @property
    def size(self) -> int:
        return self.arrivals.size

    async def close(self) -> None:
        self._following.cancel()
        await asyncio.gather(self._following, return_exceptions=True)
        await self.arrivals.close()


async def measured_run(
    stack,
    client: httpx.AsyncClient,
    coordinator: Person,
    cohort: Cohort,
    rate: float,
    seconds: float,
    direct: tuple[str, str] | None = None,
) -> dict:
    """One rate; ``direct`` (bootstrap, tasks topic): tasks written onto the topic, not posted."""
    say(f"{cohort.size} volunteers subscribed; posting {rate:g} tasks/s for {seconds:g} s")
    arrivals = cohort.arrivals
    errors_before = dict(arrivals.errors)
    cpu_before = process_cpu(stack)
    if direct is None:
        posted = await post_at_rate(client, coordinator.token, cohort.skill, rate, seconds)
    else:
        posted = await asyncio.to_thread(e2e_load.publish_at_rate, *direct, cohort.skill, rate, seconds)
        posted["response"] = percentiles(posted.pop("acked"))
    waited = time.perf_counter()
    while time.perf_counter() - waited < LOST_AFTER_S and not set(posted["due"]) <= set(arrivals.first):
        await asyncio.sleep(0.2)
    cpu = {name: spent - cpu_before[name] for name, spent in process_cpu(stack).items()}
    latencies = [arrivals.first[t] - due for t, due in posted["due"].items() if t in arrivals.first]
    say(f"{rate:g}/s: {percentiles(latencies)}")
    return percentiles(latencies) | {
        "posted": len(posted["due"]),
        "errors": posted["errors"],
        "subscribed": cohort.size,
        "cpu": cpu,
        "lost": len(set(posted["due"]) - set(arrivals.first)),
        "response": posted["response"],
        "sub_errors": {
            k: n - errors_before.get(k, 0) for k, n in arrivals.errors.items() if n > errors_before.get(k, 0)
        },
    }


PROCESSES = ("members", "tasks", "matching", "gateway")


def process_rss(stack) -> dict[str, float]:
    return {name: e2e_load.rss_mib(getattr(stack, name).process.pid) for name in PROCESSES}


def process_cpu(stack) -> dict[str, float]:
    return {name: e2e_load.cpu_seconds(getattr(stack, name).process.pid) for name in PROCESSES}


async def measure(stack, args, bootstrap: str, loads: list[float]) -> dict:
    world = World(GraphQL(stack.graphql_url))
    coordinator = world.coordinator()
    level_runs = [(rate, args.seconds) for rate in args.rates]
    sweep_runs = [(rate, args.sweep_seconds) for rate in args.sweep]
    say("members who fit no measured task sign up")
    await sign_up(world, max(0, args.members - cohort_size(args, level_runs)), world.skill())
    topics = Topics(stack.topic_prefix)
    direct = (bootstrap, topics.tasks_state) if args.direct else None
    results: dict = {"levels": {}, "sweep": {}, "direct": args.direct}
    open_now = 0
    async with httpx.AsyncClient(base_url=stack.url, timeout=60, limits=httpx.Limits(max_connections=64)) as client:
        for level in args.open:
            started = time.perf_counter()
            e2e_load.publish_tasks(
                bootstrap, topics.tasks_state, f"nobody-has-{uuid.uuid4().hex[:6]}", level - open_now
            )
            seed_s, open_now = time.perf_counter() - started, level
            say(f"{level} tasks open; waiting for the matcher to take them in")
            results.setdefault("settle_s", {})[level] = await matcher_settled(stack.matching.url)
            last = level == args.open[-1]
            count = cohort_size(args, level_runs + (sweep_runs if last else []))
            cohort = await subscribed_cohort(world, stack, count, args.listeners)
            rates = {}
            for rate in args.rates:
                loads.append(os.getloadavg()[0])
                rates[rate] = await measured_run(stack, client, coordinator, cohort, rate, args.seconds, direct)
                loads.append(os.getloadavg()[0])
            for rate in args.sweep if last else ():
                results["sweep"][rate] = await measured_run(
                    stack, client, coordinator, cohort, rate, args.sweep_seconds, direct
                )
            await cohort.close()
            results["levels"][level] = {
                "rates": rates,
                "seed_s": seed_s,
                "rss": process_rss(stack),
                "matcher": matcher_time(stack.matching.url),
            }
    if args.saturation:
        skill = world.skill()
        await sign_up(world, cohort_size(args, [(args.saturation, 1)]) if args.saturation > 100 else 10, skill)
        say(f"the matcher alone: {args.saturation} tasks at once")
        results["saturation"] = e2e_load.matcher_saturation(bootstrap, topics, skill, args.saturation)
    results["lag"], results["lag_zero_s"] = e2e_load.settled_lag(bootstrap, stack.topic_prefix)
    return results


async def matcher_settled(url: str, timeout_s: float = 1800) -> float:
    """Seconds until the matcher has handled every task of the backlog as fresh work (no fresh
    step for 10 s). Each new task is fresh work, so measuring while thousands just arrived
    measures that burst, not a steady backlog."""
    started = time.perf_counter()
    last, quiet_since = -1.0, time.perf_counter()
    while time.perf_counter() - started < timeout_s:
        async with httpx.AsyncClient(timeout=30) as client:
            text = (await client.get(url + "/metrics")).text
        count = _metric(text, 'matching_step_seconds_count{kind="fresh"}')
        if count != last:
            last, quiet_since = count, time.perf_counter()
        elif time.perf_counter() - quiet_since >= 10:
            break
        await asyncio.sleep(1)
    return time.perf_counter() - started


def matcher_time(url: str) -> list[str]:
    """Where the matcher's time went so far, from its own metrics."""
    text = httpx.get(url + "/metrics", timeout=30).text
    lines = []
    for name in (
        "matching_pass_seconds",
        'matching_step_seconds{kind="fresh"}',
        'matching_step_seconds{kind="reconcile"}',
    ):
        base, _, labels = name.partition("{")
        labels = "{" + labels if labels else ""
        total = _metric(text, f"{base}_sum{labels}")
        count = _metric(text, f"{base}_count{labels}")
        if count:
            lines.append(
                f"`{name}`: {count:.0f} x, {total:.1f} s in all, {1000 * total / count:.0f} ms each on average"
            )
    return lines


def _metric(text: str, name: str) -> float:
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


async def soak(stack, args, bootstrap: str, loads: list[float]) -> dict:
    """``--soak-seconds`` at ``--soak-rate`` with volunteers answering every offer (one in three
    accepted): errors, each process's RSS over time, and the consumer lag once the load stops. The
    volunteers listen and answer from ``--listeners`` child processes; this one only posts."""
    world = World(GraphQL(stack.graphql_url))
    coordinator = world.coordinator()
    tasks = args.soak_rate * args.soak_seconds
    samples: list[tuple[float, dict]] = []
    # Each task is accepted once at most: the volunteers' months must hold them all.
    count = max(args.volunteers, math.ceil(1.1 * tasks / MAX_WAITING_OFFERS))
    cohort = await subscribed_cohort(world, stack, count, args.listeners, answer_every=3)
    arrivals = cohort.arrivals
    cpu_before, own_before = process_cpu(stack), os.times()
    async with httpx.AsyncClient(base_url=stack.url, timeout=60, limits=httpx.Limits(max_connections=64)) as client:
        started = time.perf_counter()

        async def sample() -> None:
            while True:
                samples.append((time.perf_counter() - started, process_rss(stack)))
                loads.append(os.getloadavg()[0])
                say(f"{time.perf_counter() - started:.0f} s: {len(arrivals.first)} tasks offered, {arrivals.answered}")
                await asyncio.sleep(args.soak_sample_seconds)

        sampler = asyncio.create_task(sample())
        posted = await post_at_rate(client, coordinator.token, cohort.skill, args.soak_rate, args.soak_seconds)
        stopped = time.perf_counter()
        say(f"posting done ({stopped - started:.0f} s); waiting for the consumer lag to reach zero")
        lag_zero_s, lag = None, {}
        while time.perf_counter() - stopped < 60:
            lag = await asyncio.to_thread(e2e_load.consumer_lag, bootstrap, stack.topic_prefix)
            if not any(lag.values()):
                lag_zero_s = time.perf_counter() - stopped
                break
            await asyncio.sleep(0.5)
        while time.perf_counter() - stopped < LOST_AFTER_S and not set(posted["due"]) <= set(arrivals.first):
            await asyncio.sleep(0.2)
        sampler.cancel()
        samples.append((time.perf_counter() - started, process_rss(stack)))
    cpu_s = {name: spent - cpu_before[name] for name, spent in process_cpu(stack).items()}
    own = os.times()
    cpu_s["bench (posting)"] = own.user + own.system - own_before.user - own_before.system
    await cohort.close()
    own_children = os.times()
    cpu_s["bench (listeners)"] = own_children.children_user + own_children.children_system
    latencies = [arrivals.first[t] - due for t, due in posted["due"].items() if t in arrivals.first]
    return {
        "tasks": int(tasks),
        "volunteers": count,
        "listeners": args.listeners,
        "posted": len(posted["due"]),
        "post_errors": posted["errors"],
        "response": posted["response"],
        "answer_errors": arrivals.errors,
        "answered": arrivals.answered,
        "too_late": arrivals.too_late,
        "latency": percentiles(latencies),
        "lost": len(set(posted["due"]) - set(arrivals.first)),
        "rss": samples,
        "lag_zero_s": lag_zero_s,
        "lag_last": lag,
        "wall_s": stopped - started,
        "cpu_s": cpu_s,
        "warmup_s": args.soak_warmup,
    }


def floors(stack, bootstrap: str, rates: list[float], seconds: float) -> dict:
    measured = {}
    for rate in rates:
        kafka = kafka_floor(bootstrap, rate, min(seconds, 20))
        http = http_floor(stack.matching.url)
        measured[rate] = {
            "kafka": kafka,
            "http": http,
            "p50": kafka["p50"] + http["p50"],
            "p99": kafka["p99"] + http["p99"],
        }
    return measured


def main() -> None:
    args = parse_args()
    bootstrap = os.environ.get("TEST_KAFKA_BOOTSTRAP") or ensure_kafka()
    # Volunteers may hold as many waiting offers as their month allows: the bench measures
    # delivery, not the cap on waiting offers.
    os.environ["MATCHING_MAX_PENDING_OFFERS"] = str(MAX_WAITING_OFFERS)
    loads = [os.getloadavg()[0]]
    directory = Path(tempfile.mkdtemp(prefix="e2e-bench-"))
    # Every subscriber connects from 127.0.0.1: lift the per-address cap on open websockets.
    stack = start_stack(
        directory,
        bootstrap,
        gateway_env={"GATEWAY_LOG_LEVEL": "WARNING", "GATEWAY_MAX_WEBSOCKETS_PER_ADDRESS": "100000"},
        matching_tick_seconds=5,
    )
    try:
        if args.soak:
            figures = asyncio.run(soak(stack, args, bootstrap, loads))
            return finish(args, soak_report(args, figures, loads + [os.getloadavg()[0]]), figures)
        results = asyncio.run(measure(stack, args, bootstrap, loads))
        say("the floor")
        results["floors"] = floors(stack, bootstrap, sorted(set(args.rates) | set(args.sweep)), args.seconds)
    finally:
        stack.stop()
    # What was measured so far, in case a later step fails (the figures took the longest).
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.with_suffix(".partial.json").write_text(json.dumps(results, indent=1, default=str))
    say("the relay")
    results["relay"] = measure_relay(bootstrap, 20000)
    loads.append(os.getloadavg()[0])
    if args.startup:
        say("start-up")
        results["startup"] = e2e_load.matching_startup(bootstrap, directory, *args.startup)
        loads.append(os.getloadavg()[0])
    finish(args, report(args, results, loads), results)


def finish(args, text: str, results: dict | None = None) -> None:
    args.out.parent.mkdir(parents=True, exist_ok=True)
    if results is not None:  # every figure, for a reader who wants more than the tables
        args.out.with_suffix(".json").write_text(json.dumps(results, indent=1, default=str))
    args.out.write_text(text)
    print(text)


def parse_args() -> argparse.Namespace:
    numbers = lambda kind: lambda text: [kind(r) for r in text.split(",") if r]  # noqa: E731
    parser = argparse.ArgumentParser()
    parser.add_argument("--open", type=numbers(int), default=[1000, 10000], help="tasks open before each level")
    parser.add_argument("--rates", type=numbers(float), default=[10.0, 50.0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--members", type=int, default=500)
    parser.add_argument("--volunteers", type=int, default=200, help="subscribed volunteers per measured run")
    parser.add_argument("--sweep", type=numbers(float), default=[], help="higher rates at the last level")
    parser.add_argument("--sweep-seconds", type=float, default=20)
    parser.add_argument("--saturation", type=int, default=1000, help="tasks thrown at the matcher at once; 0: skip")
    parser.add_argument("--startup", type=numbers(int), default=[100000, 10000], help="members,tasks; empty: skip")
    parser.add_argument(
        "--direct",
        action="store_true",
        help="write the measured tasks onto tasks.state instead of posting them (the matcher and the "
        "live path alone, without the gateway's and the tasks service's postTask)",
    )
    parser.add_argument("--soak", action="store_true", help="the soak instead (not for CI)")
    parser.add_argument("--soak-rate", type=float, default=20)
    parser.add_argument("--soak-seconds", type=float, default=600)
    parser.add_argument("--soak-warmup", type=float, default=120, help="RSS growth is counted from then on")
    parser.add_argument("--soak-sample-seconds", type=float, default=30, help="RSS and load sampled this often")
    parser.add_argument(
        "--listeners", type=int, default=2, help="child processes holding the volunteers' subscriptions"
    )
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    args.out = args.out or Path(__file__).parent / "results" / ("e2e-soak.md" if args.soak else "e2e.md")
    args.argv = " ".join(sys.argv[1:])
    return args


if __name__ == "__main__":
    main()
