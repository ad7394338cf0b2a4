"""The per-request loaders on their own, over stand-in services: batches of at most 100 ids, one
answer per key (a missing task is NotFound for that key alone), a failed batch fails only its keys."""

from __future__ import annotations

import asyncio
from collections import Counter
from types import SimpleNamespace
from uuid import UUID, uuid4

import httpx
import pytest

from gateway.clients.contracts.tasks import TaskReply
from gateway.clients.http import PUBLIC
from gateway.clients.services import BATCH_SIZE, ServiceClients
from gateway.errors import ServiceUnavailable
from gateway.schema.loaders import Loaders
from services.common.identity import GATEWAY_ISSUER, TokenIssuer, development_key
from services.common.problems import NotFound

TOKENS = TokenIssuer(GATEWAY_ISSUER, development_key(GATEWAY_ISSUER))


class BatchServices:
    """Answers the batch reads from a few dicts, like the tasks and matching services would."""

    def __init__(self, tasks: dict[str, dict], offers: list[dict], fills: dict[str, dict]):
        self.tasks, self.offers, self.fills = tasks, offers, fills
        self.calls: Counter = Counter()
        self.largest_batch = 0
        self.failing_id: str | None = None

    def __call__(self, request: httpx.Request) -> httpx.Response:
        route = f"{request.method} {request.url.path}"
        self.calls[route] += 1
        ids = request.url.params.get_list("id") or request.url.params.get_list("task_id")
        self.largest_batch = max(self.largest_batch, len(ids))
        if self.failing_id in ids:
            return httpx.Response(503, json={"title": "Busy", "status": 503, "detail": "try later"})
        if route == "GET /tasks":
            items = [self.tasks[i] for i in ids if i in self.tasks]
            return httpx.Response(200, json={"items": items, "total": len(items), "limit": 100, "offset": 0})
        if route == "GET /fills":
            return httpx.Response(200, json={"items": [self.fills[i] for i in ids if i in self.fills]})
        if route == "GET /offers":
            return self._offers_page(set(ids), int(request.url.params["limit"]), int(request.url.params["offset"]))
        return httpx.Response(404, json={"title": "Not found", "status": 404, "detail": "no such route"})

    def _offers_page(self, ids: set[str], limit: int, offset: int) -> httpx.Response:
        matching = [offer for offer in self.offers if offer["task_id"] in ids]
        return httpx.Response(
            200,
            json={"items": matching[offset : offset + limit], "total": len(matching), "limit": limit, "offset": offset},
        )


def loaders_over(services: BatchServices) -> Loaders:
    clients = ServiceClients.build(
        "http://members.test",
        "http://tasks.test",
        "http://matching.test",
        5.0,
        TOKENS,
        transport=httpx.MockTransport(services),
    )

    async def actor():
        return PUBLIC

    return Loaders(SimpleNamespace(clients=clients), SimpleNamespace(actor=actor))


def ids(count: int) -> list[UUID]:
    return [uuid4() for _ in range(count)]


def task_json(task_id: UUID, title: str = "Sort donations") -> dict:
    """A task as the tasks service answers it (the fields ``TaskReply`` requires)."""
    return {
        "id": str(task_id),
        "organization_id": str(uuid4()),
        "coordinator_id": str(uuid4()),
        "title": title,
        "slots": 2,
        "status": "open",
        "time_zone": "America/Toronto",
    }


def offer_json(task_id: UUID) -> dict:
    return {"id": str(uuid4()), "task_id": str(task_id), "member_id": str(uuid4()), "status": "pending"}


def fill_json(task_id: UUID) -> dict:
    return {"task_id": str(task_id), "slots": 2, "accepted": 1, "pending": 0}


async def outcomes(loader, keys) -> list:
    return await asyncio.gather(*(loader.load(key) for key in keys), return_exceptions=True)


async def test_250_tasks_are_read_in_three_batches_and_unknown_ones_are_not_found_one_by_one():
    known = ids(240)
    services = BatchServices({str(i): task_json(i, f"task {n}") for n, i in enumerate(known)}, [], {})
    keys = known[:120] + ids(10) + known[120:]

    results = await outcomes(loaders_over(services).task, keys)

    assert services.calls == Counter({"GET /tasks": 3}) and services.largest_batch == BATCH_SIZE
    assert [r.id for r in results if isinstance(r, TaskReply)] == known
    assert [r.title for r in results[:2]] == ["task 0", "task 1"]
    assert [type(r) for r in results[120:130]] == [NotFound] * 10


async def test_a_failed_batch_fails_only_its_own_keys():
    known = ids(150)
    services = BatchServices({str(i): task_json(i) for i in known}, [], {})
    services.failing_id = str(known[0])  # in the first batch of 100

    results = await outcomes(loaders_over(services).task, known)

    assert all(isinstance(r, ServiceUnavailable) for r in results[:BATCH_SIZE])
    assert [r.id for r in results[BATCH_SIZE:]] == known[BATCH_SIZE:]


async def test_offers_of_many_tasks_page_through_and_land_on_their_own_task():
    tasks = ids(30)
    offers = [offer_json(tasks[n % 30]) for n in range(450)]
    services = BatchServices({}, offers, {})

    results = await outcomes(loaders_over(services).offers_of_task, tasks + ids(2))

    assert services.calls == Counter({"GET /offers": 3})  # 450 offers, 200 a page
    for task_id, found in zip(tasks, results[:-2], strict=True):  # the last two: unknown tasks
        assert [str(o.id) for o in found] == [o["id"] for o in offers if o["task_id"] == str(task_id)]
    assert results[-2:] == [[], []]


async def test_fills_come_in_one_request_and_tasks_matching_has_not_seen_are_not_found():
    known, unheard = ids(20), ids(3)
    services = BatchServices({}, [], {str(i): fill_json(i) for i in known})

    results = await outcomes(loaders_over(services).fill, unheard + known)

    assert services.calls == Counter({"GET /fills": 1})
    assert [type(r) for r in results[:3]] == [NotFound] * 3
    assert [r.task_id for r in results[3:]] == known


@pytest.mark.parametrize("count", [0, BATCH_SIZE + 1])
async def test_a_client_never_sends_an_empty_or_oversized_batch(count):
    clients = ServiceClients.build(
        "http://m.test",
        "http://t.test",
        "http://x.test",
        5.0,
        TOKENS,
        transport=httpx.MockTransport(lambda request: httpx.Response(500)),
    )
    with pytest.raises(ValueError, match="1 to 100 ids"):
        await clients.tasks.many(PUBLIC, ids(count))
