"""The gateway keeps its queue of service calls on its own side: at most a few requests in flight to
each service, the others waiting in the gateway for a slot, for no longer than the call's timeout.

A service runs its handlers on 40 worker threads over 15 SQLite connections; sent 200 at once (the
soak at 20 tasks/s with volunteers answering), a request holding SQLite's write turn waited for a
worker thread behind requests waiting for that very turn, and the tasks service answered about one
POST /tasks a second. These tests stand in for the services with an httpx transport that counts
what it is sent."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from gateway.clients.http import IN_FLIGHT_PER_SERVICE, PUBLIC
from gateway.clients.services import ServiceClients
from gateway.errors import ServiceUnavailable
from services.common.identity import GATEWAY_ISSUER, TokenIssuer, development_key

TOKENS = TokenIssuer(GATEWAY_ISSUER, development_key(GATEWAY_ISSUER))
SERVICE_WORKER_THREADS = 40  # anyio's default: what each service can run at once


class CountingServices(httpx.AsyncBaseTransport):
    """Answers every request after ``gate`` opens (at once when open); counts, per host, the
    requests it holds at once and the most it ever held."""

    def __init__(self) -> None:
        self.held: dict[str, int] = {}
        self.most: dict[str, int] = {}
        self.received: dict[str, int] = {}
        self.gate = asyncio.Event()
        self.gate.set()
        self.closed_hosts: set[str] = set()  # requests to these wait for the gate; the others do not

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        host = request.url.host
        self.received[host] = self.received.get(host, 0) + 1
        self.held[host] = self.held.get(host, 0) + 1
        self.most[host] = max(self.most.get(host, 0), self.held[host])
        try:
            await asyncio.sleep(0.01)  # long enough for every waiting call to pile up
            if host in self.closed_hosts:
                await self.gate.wait()
            return httpx.Response(200, json={"ok": True})
        finally:
            self.held[host] -= 1


def clients_over(services: CountingServices, timeout_s: float = 5.0, **options) -> ServiceClients:
    return ServiceClients.build(
        "http://members.test",
        "http://tasks.test",
        "http://matching.test",
        timeout_s,
        TOKENS,
        transport=services,
        **options,
    )


async def test_a_rush_of_calls_reaches_a_service_a_few_at_a_time_and_every_call_is_answered():
    services = CountingServices()
    clients = clients_over(services)
    answers = await asyncio.gather(*(clients.tasks.call("POST", "/tasks", PUBLIC, json={}) for _ in range(200)))
    assert answers == [{"ok": True}] * 200
    assert services.received["tasks.test"] == 200
    # Every slot used, and never more: well under the service's worker threads.
    assert services.most["tasks.test"] == IN_FLIGHT_PER_SERVICE
    assert IN_FLIGHT_PER_SERVICE < SERVICE_WORKER_THREADS // 2
    await clients.close()


async def test_the_number_of_slots_is_a_setting():
    services = CountingServices()
    clients = clients_over(services, in_flight=3)
    await asyncio.gather(*(clients.matching.call("GET", "/offers", PUBLIC) for _ in range(30)))
    assert services.most["matching.test"] == 3
    await clients.close()


async def test_a_busy_service_does_not_hold_up_calls_to_the_others():
    services = CountingServices()
    services.gate.clear()
    services.closed_hosts.add("tasks.test")
    clients = clients_over(services, in_flight=2)
    stuck = [asyncio.create_task(clients.tasks.call("GET", "/tasks", PUBLIC)) for _ in range(5)]
    await asyncio.sleep(0.05)
    async with asyncio.timeout(1):
        assert await clients.matching.call("GET", "/fills", PUBLIC) == {"ok": True}
        assert await clients.members.call("GET", "/skills", PUBLIC) == {"ok": True}
    assert services.held["tasks.test"] == 2  # the other three wait in the gateway
    services.gate.set()
    assert await asyncio.gather(*stuck) == [{"ok": True}] * 5
    await clients.close()


async def test_a_call_that_gets_no_slot_within_the_timeout_says_the_service_is_busy_and_is_never_sent():
    services = CountingServices()
    services.gate.clear()
    services.closed_hosts.add("tasks.test")
    clients = clients_over(services, timeout_s=0.2, in_flight=1)
    first = asyncio.create_task(clients.tasks.call("POST", "/tasks", PUBLIC, json={}))
    await asyncio.sleep(0.05)
    with pytest.raises(ServiceUnavailable, match="tasks service is busy"):
        await clients.tasks.call("POST", "/tasks", PUBLIC, json={})
    assert services.received["tasks.test"] == 1
    services.gate.set()
    assert await first == {"ok": True}
    # The slot came back: the next call goes through.
    assert await clients.tasks.call("POST", "/tasks", PUBLIC, json={}) == {"ok": True}
    await clients.close()


async def test_a_call_cancelled_while_it_waits_for_a_slot_leaves_the_slots_as_they_were():
    services = CountingServices()
    services.gate.clear()
    services.closed_hosts.add("tasks.test")
    clients = clients_over(services, in_flight=1)
    first = asyncio.create_task(clients.tasks.call("GET", "/tasks", PUBLIC))
    await asyncio.sleep(0.05)
    waiting = asyncio.create_task(clients.tasks.call("GET", "/tasks", PUBLIC))
    await asyncio.sleep(0.05)
    waiting.cancel()  # the client of the GraphQL request went away
    services.gate.set()
    assert await first == {"ok": True}
    async with asyncio.timeout(1):
        assert await clients.tasks.call("GET", "/tasks", PUBLIC) == {"ok": True}
    assert services.most["tasks.test"] == 1
    await clients.close()
