"""Two costs of the gateway that the end-to-end bench's profile pointed at, measured in-process:

* the live hub: CPU per offer event with 200 volunteers subscribed to ``offerUpdates``, each
  filtering as the resolver does (2,000 events, 10 per member);
* strawberry's work on a ``postTask`` operation before any resolver runs (parse, validation with
  the query budget), median of 250 after 50 warm-ups.

Run: ``uv run python bench/gateway_cpu_bench.py``. No broker, no services. Compare two commits by
checking each out and running it; the e2e results (bench/results/e2e.md) quote both.
"""

from __future__ import annotations

import asyncio
import inspect
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gateway.live.hub import Hub, LiveEvent  # noqa: E402
from gateway.schema import build_schema  # noqa: E402

SUBSCRIBERS, EVENTS = 200, 2000
POST = "mutation($i: TaskInput!) { postTask(input: $i) { __typename ... on Task { id } ... on Problem { message } } }"


async def hub_cpu_per_event() -> float:
    routed = "offers_of" in inspect.signature(Hub.subscribe).parameters  # older hubs broadcast
    hub, members, got, ready = Hub(), [str(uuid.uuid4()) for _ in range(SUBSCRIBERS)], [], asyncio.Semaphore(0)

    async def volunteer(member_id: str) -> None:
        async with hub.subscribe(**({"offers_of": member_id} if routed else {})) as subscriber:
            ready.release()
            async for event in subscriber.events():
                if event.kind == "offer" and event.data.get("member_id") == member_id:
                    got.append(event)

    listeners = [asyncio.create_task(volunteer(member_id)) for member_id in members]
    for _ in members:
        await ready.acquire()
    started = time.process_time()
    for number in range(EVENTS):
        hub.publish(LiveEvent("offer", "offer.created", "t", {"member_id": members[number % SUBSCRIBERS]}))
        if number % 50 == 49:
            await asyncio.sleep(0)  # subscribers drain between the live reader's batches
    while len(got) < EVENTS:
        await asyncio.sleep(0)
    spent = time.process_time() - started
    for listener in listeners:
        listener.cancel()
    return spent / EVENTS


async def operation_overhead() -> float:
    schema, runs = build_schema(), []
    for _ in range(300):
        started = time.perf_counter()
        await schema.execute(POST, variable_values={"i": {}})  # refused at the variables, after validation
        runs.append(time.perf_counter() - started)
    return statistics.median(runs[50:])


if __name__ == "__main__":
    print(
        f"live hub: {asyncio.run(hub_cpu_per_event()) * 1e6:.0f} us of CPU per offer event, {SUBSCRIBERS} subscribers"
    )
    print(f"postTask before resolvers: {asyncio.run(operation_overhead()) * 1000:.2f} ms per operation")
