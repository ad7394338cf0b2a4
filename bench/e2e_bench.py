"""End to end: from ``postTask`` sent to the offer arriving on a volunteer's ``offerUpdates``
subscription, with many tasks already open, beside the floor measured in the same run.

Run: ``uv run python bench/e2e_bench.py [--open 1000] [--rates 10,50] [--seconds 15]
[--volunteers 200]`` (the test suite's broker on 127.0.0.1:19092, or TEST_KAFKA_BOOTSTRAP).
Writes bench/results/e2e.md (``--out`` to write elsewhere) and prints it. Loopback only; it
starts the product as the gateway tests do (members, tasks, matching, gateway as processes,
SQLite), and stops everything it started when done. Not part of the test suite.

The run:
1. ``--volunteers`` volunteers sign up, all able to do the measured tasks, and all subscribe to
   ``offerUpdates`` over graphql-transport-ws;
2. ``--open`` tasks are posted that nobody can do (a skill no volunteer has): they stay open,
   which is what made every matching pass slower before;
3. at each rate, coordinators post tasks (one place each) at a fixed rate for ``--seconds``;
   latency is counted from the moment each ``postTask`` was due to the first offer of that task
   on any subscription (a task with no offer after 30 s counts as lost);
4. the floor: the same two Kafka hops (tasks.state, offers.events) as bare kafka-python
   produce -> consume -> produce -> consume at the same rate, plus a bare HTTP round trip to a
   service's liveness endpoint;
5. the outbox relay's events/s next to a bare producer (``relay_bench``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.machine import load_words  # noqa: E402
from bench.relay_bench import measure as measure_relay  # noqa: E402
from services.common.kafka_io import ensure_topics, make_consumer, make_producer  # noqa: E402
from services.common.topics import Topics, all_topics  # noqa: E402
from tests.gateway.client import GraphQL, World  # noqa: E402
from tests.gateway.stack import start_stack  # noqa: E402
from tests.support.infra import delete_topics_with_prefix, ensure_kafka, new_topic_prefix  # noqa: E402

LOST_AFTER_S = 30
POST = ("mutation($i: TaskInput!) { postTask(input: $i) { __typename ... on Task { id } "
        "... on Problem { message } } }")
SUBSCRIBE = "subscription { offerUpdates { kind offer { id taskId } } }"


def percentiles(samples: list[float]) -> dict:
    if not samples:
        return {"n": 0}
    ordered = sorted(samples)

    def at(share: float) -> float:
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000

    return {"n": len(ordered), "p50": at(0.5), "p95": at(0.95), "p99": at(0.99), "max": ordered[-1] * 1000}


def task_input(skill: str, number: int) -> dict:
    starts = (datetime.now(UTC) + timedelta(days=3 + number % 20)).replace(minute=0, second=0, microsecond=0)
    return {"title": f"Translate leaflet q{uuid.uuid4().hex[:7]}", "summary": "French to Spanish",
            "skills": [{"skill": skill, "minLevel": "CAPABLE"}], "languages": ["fr"], "slots": 1,
            "startsAt": starts.isoformat(), "endsAt": (starts + timedelta(hours=2)).isoformat(), "remote": True}


class Arrivals:
    """The first moment an offer of each task reached any subscriber."""

    def __init__(self) -> None:
        self.first: dict[str, float] = {}

    async def listen(self, url: str, token: str, ready: asyncio.Event, count: list[int]) -> None:
        from websockets.asyncio.client import connect

        async with connect(url, subprotocols=["graphql-transport-ws"], open_timeout=60, max_queue=None) as socket:
            await socket.send(json.dumps({"type": "connection_init", "payload": {"token": token}}))
            json.loads(await socket.recv())
            await socket.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIBE}}))
            count[0] += 1
            ready.set()
            async for raw in socket:
                now = time.perf_counter()
                message = json.loads(raw)
                if message["type"] == "ping":
                    await socket.send(json.dumps({"type": "pong"}))
                elif message["type"] == "next":
                    update = message["payload"]["data"]["offerUpdates"]
                    if update["kind"] == "offer.created":
                        self.first.setdefault(update["offer"]["taskId"], now)


async def post_at_rate(client: httpx.AsyncClient, token: str, skill: str, rate: float, seconds: float) -> dict:
    """Open loop: the i-th task is due at start + i / rate; returns task id -> due moment."""
    due_of: dict[str, float] = {}
    errors = [0]
    start = time.perf_counter() + 0.5

    async def one(number: int, due: float) -> None:
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        response = await client.post("/graphql", json={"query": POST, "variables": {"i": task_input(skill, number)}},
                                     headers={"Authorization": f"Bearer {token}"})
        result = response.json()["data"]["postTask"]
        if result["__typename"] == "Task":
            due_of[result["id"]] = due
        else:
            errors[0] += 1

    await asyncio.gather(*(one(n, start + n / rate) for n in range(int(rate * seconds))))
    return {"due": due_of, "errors": errors[0]}


async def fill_backlog(client: httpx.AsyncClient, token: str, skill: str, count: int) -> None:
    queue = list(range(count))

    async def worker() -> None:
        while queue:
            number = queue.pop()
            body = {"query": POST, "variables": {"i": task_input(skill, number)}}
            result = (await client.post("/graphql", json=body, headers={"Authorization": f"Bearer {token}"})).json()
            assert result["data"]["postTask"]["__typename"] == "Task", result

    await asyncio.gather(*(worker() for _ in range(8)))


def kafka_floor(bootstrap: str, rate: float, seconds: float) -> dict:
    """Two hops as the product has them: produce -> consume -> produce -> consume."""
    prefix = new_topic_prefix()
    topics = Topics(prefix)
    ensure_topics(bootstrap, all_topics(topics=topics))
    first, second = topics.tasks_state, topics.offers_events
    latencies: list[float] = []
    stop = threading.Event()

    def hop(source: str, target: str | None, ready: threading.Event) -> None:
        consumer = make_consumer(bootstrap, None, f"floor-{source}", auto_offset_reset="latest")
        partitions = [p for p in consumer.partitions_for_topic(source) or ()]
        from kafka import TopicPartition

        assigned = [TopicPartition(source, p) for p in partitions]
        consumer.assign(assigned)
        consumer.seek_to_end(*assigned)
        for partition in assigned:
            consumer.position(partition)
        producer = make_producer(bootstrap, "floor-relay") if target else None
        ready.set()
        while not stop.is_set():
            for records in consumer.poll(timeout_ms=100).values():
                for record in records:
                    if producer is not None:
                        producer.send(target, key=record.key, value=record.value)
                    else:
                        latencies.append(time.perf_counter() - float(record.value))
            if producer is not None:
                producer.flush()
        consumer.close()
        if producer is not None:
            producer.close(5)

    readies = [threading.Event(), threading.Event()]
    threads = [threading.Thread(target=hop, args=(first, second, readies[0])),
               threading.Thread(target=hop, args=(second, None, readies[1]))]
    for thread in threads:
        thread.start()
    for ready in readies:
        ready.wait(60)
    producer = make_producer(bootstrap, "floor-source")
    start = time.perf_counter()
    for number in range(int(rate * seconds)):
        time.sleep(max(0.0, start + number / rate - time.perf_counter()))
        producer.send(first, key=str(uuid.uuid4()).encode(), value=str(time.perf_counter()).encode())
    producer.flush()
    time.sleep(2)
    stop.set()
    for thread in threads:
        thread.join(30)
    producer.close(5)
    delete_topics_with_prefix(bootstrap, prefix)
    return percentiles(latencies)


def http_floor(url: str, count: int = 300) -> dict:
    samples = []
    with httpx.Client(base_url=url) as client:
        client.get("/livez")
        for _ in range(count):
            started = time.perf_counter()
            client.get("/livez")
            samples.append(time.perf_counter() - started)
    return percentiles(samples)


async def measure(stack, args, loads: list[float]) -> dict:
    graphql = GraphQL(stack.graphql_url)
    world = World(graphql)
    skill, nobody_has = world.skill(), world.skill()
    coordinator = world.coordinator()
    volunteers = [world.volunteer(skill, maxTasksPerMonth=31) for _ in range(args.volunteers)]
    arrivals, ready, connected = Arrivals(), asyncio.Event(), [0]
    ws_url = stack.graphql_url.replace("http", "ws", 1)
    listeners = [asyncio.create_task(arrivals.listen(ws_url, v.token, ready, connected)) for v in volunteers]
    async with httpx.AsyncClient(base_url=stack.url, timeout=60,
                                 limits=httpx.Limits(max_connections=64)) as client:
        started = time.perf_counter()
        await fill_backlog(client, coordinator.token, nobody_has, args.open)
        backlog_s = time.perf_counter() - started
        while connected[0] < len(volunteers):
            await asyncio.sleep(0.2)
        await asyncio.sleep(3)  # the backlog's own events go by
        results = {"backlog_seconds": backlog_s, "rates": {}}
        for rate in args.rates:
            loads.append(os.getloadavg()[0])
            posted = await post_at_rate(client, coordinator.token, skill, rate, args.seconds)
            waited = time.perf_counter()
            while time.perf_counter() - waited < LOST_AFTER_S and not set(posted["due"]) <= set(arrivals.first):
                await asyncio.sleep(0.2)
            latencies = [arrivals.first[t] - due for t, due in posted["due"].items() if t in arrivals.first]
            results["rates"][rate] = percentiles(latencies) | {
                "posted": len(posted["due"]), "errors": posted["errors"],
                "lost": len(set(posted["due"]) - set(arrivals.first))}
            loads.append(os.getloadavg()[0])
    for listener in listeners:
        listener.cancel()
    return results


def matcher_time(url: str) -> list[str]:
    """Where the matcher's time went during the run, from its own metrics."""
    text = httpx.get(url + "/metrics", timeout=30).text
    lines = []
    for name in ("matching_pass_seconds", 'matching_step_seconds{kind="fresh"}', 'matching_step_seconds{kind="reconcile"}'):
        base, _, labels = name.partition("{")
        labels = "{" + labels if labels else ""
        total = _metric(text, f"{base}_sum{labels}")
        count = _metric(text, f"{base}_count{labels}")
        if count:
            lines.append(f"`{name}`: {count:.0f} x, {total:.1f} s in all, {1000 * total / count:.0f} ms each on average")
    return lines


def _metric(text: str, name: str) -> float:
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def report(args, results: dict, floors: dict, relay: dict, loads: list[float], commit: str) -> str:
    lines = [
        "# End to end: postTask to the offer on the subscription", "",
        f"Commit `{commit}`, {platform.python_implementation()} {platform.python_version()}, "
        f"{os.cpu_count()} cores, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC.",
        f"Command: `uv run python bench/e2e_bench.py --open {args.open} --rates {','.join(map(str, args.rates))} "
        f"--seconds {args.seconds} --volunteers {args.volunteers}`.",
        f"Load average (1 min) during the run: {min(loads):.1f}-{max(loads):.1f}: {load_words(loads)}.",
        f"{args.open} tasks open before the measured ones (posted in {results['backlog_seconds']:.0f} s); "
        f"{args.volunteers} volunteers subscribed.", "",
        "| rate (tasks/s) | posted | lost | p50 ms | p95 ms | p99 ms | max ms | p50 / floor | p99 / floor |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for rate, figures in results["rates"].items():
        floor = floors[rate]
        if figures["n"] == 0:
            lines.append(f"| {rate} | {figures['posted']} | {figures['lost']} | - | - | - | - | - | - |")
            continue
        lines.append(
            f"| {rate} | {figures['posted']} | {figures['lost']} | {figures['p50']:.0f} | {figures['p95']:.0f} | "
            f"{figures['p99']:.0f} | {figures['max']:.0f} | {figures['p50'] / floor['p50']:.1f}x | "
            f"{figures['p99'] / floor['p99']:.1f}x |")
    lines += ["", "The floor, same run: two bare Kafka hops at the same rate, plus one bare HTTP round trip.", "",
              "| rate | Kafka 2 hops p50 / p99 ms | HTTP p50 / p99 ms | floor p50 / p99 ms |", "| --- | --- | --- | --- |"]
    for rate, floor in floors.items():
        lines.append(f"| {rate} | {floor['kafka']['p50']:.1f} / {floor['kafka']['p99']:.1f} | "
                     f"{floor['http']['p50']:.1f} / {floor['http']['p99']:.1f} | {floor['p50']:.1f} / {floor['p99']:.1f} |")
    if results.get("matcher"):
        lines += ["", "The matcher's own time during the run:", ""] + [f"- {line}" for line in results["matcher"]]
    lines += ["", f"Outbox relay: {relay['relay_per_s']:.0f} events/s; bare producer (acks=all, idempotent): "
              f"{relay['bare_per_s']:.0f} events/s; ratio {relay['ratio']:.2f} ({relay['events']} events).", ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--open", type=int, default=1000)
    parser.add_argument("--rates", type=lambda text: [float(r) for r in text.split(",")], default=[10.0, 50.0])
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--volunteers", type=int, default=200)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "e2e.md")
    args = parser.parse_args()
    bootstrap = os.environ.get("TEST_KAFKA_BOOTSTRAP") or ensure_kafka()
    # Volunteers may hold as many offers as their month allows: the bench measures delivery,
    # not the cap on waiting offers (a setting the branch point does not have ignores it).
    os.environ["MATCHING_MAX_PENDING_OFFERS"] = "31"
    loads = [os.getloadavg()[0]]
    stack = start_stack(Path(tempfile.mkdtemp(prefix="e2e-bench-")), bootstrap,
                        gateway_env={"GATEWAY_LOG_LEVEL": "WARNING"}, matching_tick_seconds=5)
    try:
        results = asyncio.run(measure(stack, args, loads))
        results["matcher"] = matcher_time(stack.matching.url)
        floors = {}
        for rate in args.rates:
            kafka = kafka_floor(bootstrap, rate, min(args.seconds, 10))
            http = http_floor(stack.matching.url)
            floors[rate] = {"kafka": kafka, "http": http, "p50": kafka["p50"] + http["p50"],
                            "p99": kafka["p99"] + http["p99"]}
    finally:
        stack.stop()
    relay = measure_relay(bootstrap, 10000)
    loads.append(os.getloadavg()[0])
    commit = os.environ.get("BENCH_COMMIT") or os.popen("git rev-parse --short HEAD 2>/dev/null").read().strip() or "unknown"
    text = report(args, results, floors, relay, loads, commit)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
