"""Benchmark: public ``openTasks`` (20 tasks) through the gateway, next to a bare FastAPI endpoint
returning the same JSON, in the same run on the same machine.

Run: ``uv run python bench/gateway_bench.py`` (needs the Kafka broker of the test suite on
127.0.0.1:19092, or TEST_KAFKA_BOOTSTRAP); writes bench/results/gateway.md and prints it.
Not part of the test suite.

What is measured, for each target:
* throughput: requests/s with 16 requests in flight for 8 s (closed loop);
* latency at a fixed rate: 200 requests/s for 4 s, seven times, gateway and bare runs interleaved
  (open loop), latency counted from the moment each request was due, so a server falling behind
  shows up in the tail.
The load generator runs in this process on bare asyncio streams (keep-alive connections), so it
costs little and the same for both targets.
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.gateway.client import GraphQL, World  # noqa: E402
from tests.gateway.stack import start_stack  # noqa: E402
from tests.support.infra import ensure_kafka  # noqa: E402
from tests.support.processes import start_service  # noqa: E402

RESULTS = Path(__file__).parent / "results" / "gateway.md"
TASKS = 20
CONCURRENCY = 16
THROUGHPUT_SECONDS = 8
RATE = 200
RATE_SECONDS = 4
RATE_REPEATS = 7  # the machine is shared; the median run is reported, with every run's p99
WARM_UP_SECONDS = 2
QUERY = """query WidgetTasks($first: Int!) { openTasks(first: $first) { totalCount
  nodes { id title summary languages area areaName remote startsAt endsAt deadline urgency slots openSlots status
          skills { skill name minLevel } } } }"""
BODY = {"query": QUERY, "variables": {"first": TASKS}}

# --- the bare endpoint: FastAPI returning the same document, nothing else ---------------------
if os.environ.get("BENCH_BARE_JSON"):
    from fastapi import FastAPI

    app = FastAPI()  # started by uvicorn as bench.gateway_bench:app
    _document = json.loads(Path(os.environ["BENCH_BARE_JSON"]).read_text())

    @app.post("/graphql")
    def bare_open_tasks() -> dict:
        return _document

    @app.get("/readyz")
    def bare_ready() -> dict:
        return {"status": "ready"}


class Connection:
    """One keep-alive HTTP/1.1 connection speaking just enough HTTP for this benchmark.

    httpx costs a millisecond or more of CPU per request, as much as the servers under test on
    this machine; a bare asyncio stream costs a few microseconds, so the numbers are the servers'.
    """

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes):
        self.reader, self.writer, self.request = reader, writer, request

    @classmethod
    async def open(cls, url: str) -> "Connection":
        address = httpx.URL(url)
        reader, writer = await asyncio.open_connection(address.host, address.port)
        payload = json.dumps(BODY).encode()
        head = (
            f"POST {address.raw_path.decode()} HTTP/1.1\r\nHost: {address.host}:{address.port}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n"
        )
        return cls(reader, writer, head.encode() + payload)

    async def post(self) -> int:
        self.writer.write(self.request)
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionResetError("the server closed this keep-alive connection")
        length = 0
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        await self.reader.readexactly(length)
        return int(status_line.split()[1])

    def close(self) -> None:
        self.writer.close()


async def throughput(url: str) -> float:
    connections = [await Connection.open(url) for _ in range(CONCURRENCY)]
    try:
        await _closed_loop(connections, time.perf_counter() + WARM_UP_SECONDS)
        started = time.perf_counter()
        done = await _closed_loop(connections, started + THROUGHPUT_SECONDS)
        return done / (time.perf_counter() - started)
    finally:
        for connection in connections:
            connection.close()


async def _closed_loop(connections: list[Connection], deadline: float) -> int:
    done = 0

    async def worker(connection: Connection):
        nonlocal done
        while time.perf_counter() < deadline:
            assert await connection.post() == 200
            done += 1

    await asyncio.gather(*(worker(connection) for connection in connections))
    return done


async def fixed_rate(url: str) -> dict:
    idle = [await Connection.open(url) for _ in range(32)]
    latencies: list[float] = []
    failures = 0

    async def one(due: float):
        nonlocal failures
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        connection = idle.pop() if idle else await Connection.open(url)
        try:
            status = await connection.post()
        except (OSError, asyncio.IncompleteReadError):  # closed while idle: a new connection, once
            connection = await Connection.open(url)
            status = await connection.post()
        if status != 200:
            failures += 1
        latencies.append(time.perf_counter() - due)
        idle.append(connection)

    start = time.perf_counter() + 0.5
    total = RATE * RATE_SECONDS
    await asyncio.gather(*(one(start + i / RATE) for i in range(total)))
    for connection in idle:
        connection.close()
    latencies.sort()
    return {
        "requests": total,
        "failures": failures,
        "p50_ms": 1000 * statistics.median(latencies),
        "p99_ms": 1000 * latencies[int(0.99 * (len(latencies) - 1))],
        "max_ms": 1000 * latencies[-1],
    }


def seed(graphql: GraphQL) -> dict:
    world = World(graphql)
    skill, coordinator = world.skill(), world.coordinator()
    for number in range(TASKS):
        world.task(coordinator, skill, slots=3, title=f"Flyering before the rent strike vote #{number + 1}")
    response = graphql.raw(QUERY, {"first": TASKS})
    document = response.json()
    assert len(document["data"]["openTasks"]["nodes"]) == TASKS, document
    return document


def summary(rps: float, runs: list[dict]) -> dict:
    median = sorted(runs, key=lambda run: run["p99_ms"])[len(runs) // 2]
    p99s = ", ".join(f"{run['p99_ms']:.1f}" for run in runs)
    return {"rps": rps, **median, "p99_runs": p99s, "failures": sum(run["failures"] for run in runs)}


async def run(stack, bare, uncached) -> dict:
    targets = {"gateway": stack.graphql_url, "bare": bare.url + "/graphql"}
    rps = {name: await throughput(url) for name, url in targets.items()}
    runs: dict[str, list] = {name: [] for name in targets}
    for _ in range(RATE_REPEATS):  # interleaved, so both see the same moments of a shared machine
        for name, url in targets.items():
            runs[name].append(await fixed_rate(url))
    results = {name: summary(rps[name], runs[name]) for name in targets}
    results["uncached"] = {"rps": await throughput(uncached.url + "/graphql")}
    for name, result in results.items():
        print(f"{name}: {result['rps']:.0f} req/s, p99 {result.get('p99_runs', '-')}", flush=True)
    return results


def report(results: dict, document: dict, gateway_env: dict) -> str:
    gateway, bare, uncached = results["gateway"], results["bare"], results["uncached"]
    ratio = gateway["rps"] / bare["rps"]
    size = len(json.dumps(document).encode())
    rows = "\n".join(
        f"| {name} | {r['rps']:.0f} | {r['p50_ms']:.1f} | {r['p99_ms']:.1f} ({r['p99_runs']}) | {r['max_ms']:.1f} "
        f"| {r['failures']} |"
        for name, r in (("gateway `openTasks`", gateway), ("bare FastAPI, same JSON", bare))
    )
    rows += f"\n| gateway, caches off (for reference) | {uncached['rps']:.0f} | — | — | — | — |"
    verdict_rps = "met" if ratio >= 0.6 else "NOT met"
    verdict_p99 = "met" if gateway["p99_ms"] < 20 else "NOT met"
    best_p99 = min(float(value) for value in gateway["p99_runs"].split(", "))
    return f"""# Gateway benchmark: public `openTasks`

Generated by `uv run python bench/gateway_bench.py` on {time.strftime("%Y-%m-%d %H:%M")} —
{platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} CPUs, shared by the
services, the gateway, the bare app, Kafka and the load generator alike. The 1-minute load average
when the run ended was {os.getloadavg()[0]:.1f}, this benchmark's own processes included. Compare
the two rows, measured back to back on the same machine.

The query asks for {TASKS} open tasks with every public field (the response is {size} bytes).
Both targets are single uvicorn processes on 127.0.0.1; the gateway runs with its defaults
(public-results cache {gateway_env.get("GATEWAY_OPEN_TASKS_CACHE_SECONDS", "5")} s, invalidated by
task events from Kafka), except the per-address rate limit, raised so one load generator is not
refused.

| target | throughput (req/s, {CONCURRENCY} in flight) | p50 at {RATE} req/s (ms) | p99 at {RATE} req/s (ms; median of {RATE_REPEATS} runs, all runs) | max (ms) | failures |
| --- | ---: | ---: | ---: | ---: | ---: |
{rows}

* Throughput ratio gateway / bare: **{ratio:.2f}** (target ≥ 0.6: {verdict_rps}).
* Gateway p99 at {RATE} requests/s: **{gateway["p99_ms"]:.1f} ms** in the median run (target < 20 ms:
  {verdict_p99}); {best_p99:.1f} ms in its quietest run.

Latency at the fixed rate counts from when each request was due, not when it was sent.

How the gateway gets there: a widget's anonymous `openTasks` query is answered once by the GraphQL
layer, which confirms that it read public fields only; the exact response bytes are then kept and
served to identical anonymous requests straight from an ASGI middleware (no parsing, no execution,
no call to the tasks service) until the next task event arrives from Kafka. Every
`GATEWAY_OPEN_TASKS_CACHE_SECONDS` one request refreshes the copy while the others are still
served the aged one, so no caller queues behind a refresh; that is what keeps the tail flat. The
bare endpoint builds and serializes its JSON on every request; the gateway pays instead for its
tracing, metrics, rate-limit and CORS layers on every request, cached or not. The last row is the full path on every request (parse,
validate, execute, call the tasks service, which reads and serializes 20 tasks): what a cache miss
costs; it is far below 200 requests/s, so it gets no fixed-rate run.
"""


def main() -> None:
    bootstrap = os.environ.get("TEST_KAFKA_BOOTSTRAP") or ensure_kafka()
    directory = Path(tempfile.mkdtemp(prefix="gateway-bench-"))
    # Matching at its default pace: no volunteers here, so its passes are only background noise.
    stack = start_stack(directory, bootstrap, gateway_env={"GATEWAY_LOG_LEVEL": "WARNING"}, matching_tick_seconds=5)
    extra = []
    try:
        document = seed(GraphQL(stack.graphql_url))
        (directory / "open-tasks.json").write_text(json.dumps(document))
        extra.append(
            start_service("bench.gateway_bench", {"BENCH_BARE_JSON": str(directory / "open-tasks.json")}, name="bare")
        )
        # The same gateway with both public caches off: every request parses, executes, calls tasks.
        extra.append(
            start_service(
                "gateway.main",
                stack.gateway_env
                | {
                    "GATEWAY_OPEN_TASKS_CACHE_SECONDS": "0",
                    "GATEWAY_DATABASE_URL": f"sqlite:///{directory / 'uncached.db'}",
                },
                name="gateway-uncached",
            )
        )
        results = asyncio.run(run(stack, *extra))
    finally:
        for process in extra:
            process.stop()
        stack.stop()
    text = report(results, document, stack.gateway_env)
    RESULTS.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
