"""The tasks service alone under a steady stream of ``POST /tasks``: does it keep up, and what do
its callers see when it does not?

Starts the members service (for the skill taxonomy) and the tasks service as ``./start.sh``
would, on SQLite by default or on PostgreSQL (``--postgres URL``, a server the caller runs),
then posts tasks at a fixed rate, with up to ``--concurrency`` requests in flight as the gateway
would send them, and reports the answers by status and the time to each answer.

Run: ``uv run python bench/tasks_write_bench.py --rates 10,30 --seconds 30`` (the test suite's
broker on 127.0.0.1:19092, or TEST_KAFKA_BOOTSTRAP). Not part of the test suite.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import platform
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx  # noqa: E402

from services.common.kafka_io import ensure_topics  # noqa: E402
from services.common.topics import Topics, all_topics  # noqa: E402
from tests.support.infra import delete_topics_with_prefix, new_sqlite_database, new_topic_prefix  # noqa: E402
from tests.support.processes import start_service  # noqa: E402
from tests.support.tasks_app import ADMIN, coordinator, task_payload  # noqa: E402

SKILLED = {"skills": [{"skill": "accompaniment", "min_level": "capable"}]}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def post_at_rate(url: str, organization: str, boss, rate: float, seconds: float, concurrency: int) -> dict:
    limits = httpx.Limits(max_connections=concurrency)
    statuses: collections.Counter[str] = collections.Counter()
    answered: list[float] = []
    async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as client:

        async def one(due: float) -> None:
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            try:
                response = await client.post("/tasks", json=task_payload(organization, **SKILLED), headers=dict(boss))
                statuses[str(response.status_code)] += 1
            except httpx.HTTPError as error:
                statuses[type(error).__name__] += 1
            answered.append(time.perf_counter() - due)

        start = time.perf_counter() + 0.5
        count = int(rate * seconds)
        await asyncio.gather(*(one(start + n / rate) for n in range(count)))
    return {
        "posted": count,
        "statuses": dict(statuses),
        "p50_ms": statistics.median(answered) * 1000,
        "p99_ms": percentile(answered, 0.99) * 1000,
        "max_ms": max(answered) * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rates", default="10,30", help="tasks per second, comma-separated")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--concurrency", type=int, default=64, help="requests in flight at most, as the gateway's pool")
    parser.add_argument("--postgres", default=None, help="a PostgreSQL URL for both services instead of SQLite")
    args = parser.parse_args()
    bootstrap = os.environ.get("TEST_KAFKA_BOOTSTRAP", "127.0.0.1:19092")
    directory = Path(tempfile.mkdtemp(prefix="tasks-write-bench-"))
    prefix = new_topic_prefix()
    ensure_topics(bootstrap, all_topics(topics=Topics(prefix)))
    common = {"KAFKA_BOOTSTRAP_SERVERS": bootstrap, "KAFKA_TOPIC_PREFIX": prefix, "ENVIRONMENT": "test"}
    databases = {name: args.postgres or new_sqlite_database(directory, name) for name in ("members", "tasks")}
    members = start_service("services.members.main", common | {"MEMBERS_DATABASE_URL": databases["members"]})
    try:
        tasks = start_service(
            "services.tasks.main",
            common | {"TASKS_DATABASE_URL": databases["tasks"], "TASKS_MEMBERS_URL": members.url},
            timeout_s=180,
        )
    except BaseException:
        members.stop()
        raise
    print(f"{platform.platform()}, CPython {platform.python_version()}, {os.cpu_count()} cores")
    print(f"database: {'PostgreSQL' if args.postgres else 'SQLite'}; up to {args.concurrency} requests in flight")
    try:
        created = httpx.post(
            tasks.url + "/organizations", json={"name": f"Bench {uuid.uuid4().hex[:6]}"}, headers=ADMIN
        )
        organization = created.json()["id"]
        boss_id = str(uuid.uuid4())
        httpx.post(
            f"{tasks.url}/organizations/{organization}/coordinators", json={"coordinator_id": boss_id}, headers=ADMIN
        ).raise_for_status()
        boss = coordinator(boss_id)
        print("| rate (tasks/s) | posted | answers by status | p50 ms | p99 ms | max ms | load (1 min) |")
        print("| ---: | ---: | --- | ---: | ---: | ---: | ---: |")
        for rate in (float(r) for r in args.rates.split(",")):
            result = asyncio.run(post_at_rate(tasks.url, organization, boss, rate, args.seconds, args.concurrency))
            answers = ", ".join(f"{status}: {n}" for status, n in sorted(result["statuses"].items()))
            print(
                f"| {rate:g} | {result['posted']} | {answers} | {result['p50_ms']:.0f} | {result['p99_ms']:.0f}"
                f" | {result['max_ms']:.0f} | {os.getloadavg()[0]:.1f} |",
                flush=True,
            )
    finally:
        tasks.stop()
        members.stop()
        delete_topics_with_prefix(bootstrap, prefix)


if __name__ == "__main__":
    main()
