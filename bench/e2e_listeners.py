"""The end-to-end bench's subscribed volunteers, in processes of their own.

The soak's first try ran 426 websockets, the volunteers' answers and the posting in one event loop:
the bench used 72% of a core and could not tell its own delays from the product's. Here each child
process holds a share of the volunteers' ``offerUpdates`` subscriptions (and answers their offers,
if asked), and reports back through a pipe, every 100 ms, when each task's first offer arrived.
The moments are ``time.perf_counter()`` readings: on Linux that is CLOCK_MONOTONIC, one clock for
every process of the machine, so the parent compares them with the moments it posted at.

Used by ``e2e_bench.py``; not part of the test suite.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import time
from multiprocessing.connection import Connection

import httpx

ANSWER = "mutation($o: ID!) { %s(offerId: $o) { __typename ... on Problem { message } } }"
SUBSCRIBE = "subscription { offerUpdates { kind offer { id taskId } } }"
REPORT_EVERY_S = 0.1
# An answer that comes after the task filled or the offer was withdrawn: two volunteers were asked
# for one place and the other one was quicker. Expected, counted apart, not an error.
TOO_LATE = ("TaskFilled", "OfferNotPending")


class Arrivals:
    """In one child: the first moment an offer of each task reached any of its subscribers;
    optionally, answers every offer (accepts one in ``answer_every``, declines the others)."""

    def __init__(self, answer_every: int = 0) -> None:
        self.first: dict[str, float] = {}
        self.unreported: dict[str, float] = {}
        self.connected = 0
        self.answer_every = answer_every  # 0: never answer
        self.answered = {"acceptOffer": 0, "declineOffer": 0}
        self.too_late = {"acceptOffer": 0, "declineOffer": 0}
        self.errors: dict[str, int] = {}
        self.offers_seen = 0

    async def listen(self, url: str, token: str, client: httpx.AsyncClient | None) -> None:
        from websockets.asyncio.client import connect

        async with connect(url, subprotocols=["graphql-transport-ws"], open_timeout=60, max_queue=None) as socket:
            await socket.send(json.dumps({"type": "connection_init", "payload": {"token": token}}))
            ack = json.loads(await socket.recv())
            assert ack["type"] == "connection_ack", ack
            await socket.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIBE}}))
            self.connected += 1
            async for raw in socket:
                now = time.perf_counter()
                message = json.loads(raw)
                if message["type"] == "ping":
                    await socket.send(json.dumps({"type": "pong"}))
                elif message["type"] == "next":
                    update = message["payload"]["data"]["offerUpdates"]
                    if update["kind"] == "offer.created":
                        self.arrived(update["offer"]["taskId"], now)
                        if client is not None and self.answer_every:
                            asyncio.get_running_loop().create_task(self.answer(client, token, update["offer"]["id"]))
                else:
                    self.error(f"subscription {message['type']}: {json.dumps(message.get('payload'))[:120]}")

    def arrived(self, task_id: str, moment: float) -> None:
        if task_id not in self.first:
            self.first[task_id] = self.unreported[task_id] = moment

    async def answer(self, client: httpx.AsyncClient, token: str, offer_id: str) -> None:
        self.offers_seen += 1
        verb = "acceptOffer" if self.offers_seen % self.answer_every == 0 else "declineOffer"
        try:
            response = await client.post(
                "/graphql",
                json={"query": ANSWER % verb, "variables": {"o": offer_id}},
                headers={"Authorization": f"Bearer {token}"},
            )
            result = response.json()["data"][verb]
            if result["__typename"] == "Offer":
                self.answered[verb] += 1
            elif result["__typename"] in TOO_LATE:
                self.too_late[verb] += 1
            else:
                self.error(f"{verb}: {result['__typename']} {result.get('message')}")
        except Exception as error:  # noqa: BLE001 - counted and reported, the run goes on
            self.error(f"{verb}: {type(error).__name__} {error}"[:160])

    def error(self, text: str) -> None:
        self.errors[text] = self.errors.get(text, 0) + 1

    def report(self, failure: str | None = None) -> dict:
        """What the parent does not know yet: new arrivals, and the running totals."""
        fresh, self.unreported = self.unreported, {}
        return {
            "first": fresh,
            "connected": self.connected,
            "answered": dict(self.answered),
            "too_late": dict(self.too_late),
            "errors": dict(self.errors),
            "failure": failure,
        }


def child(gateway_url: str, tokens: list[str], answer_every: int, pipe: Connection) -> None:
    """A child process's whole life: subscribe, report, stop when the parent says so."""
    asyncio.run(_listen_and_report(gateway_url, tokens, answer_every, pipe))


async def _listen_and_report(gateway_url: str, tokens: list[str], answer_every: int, pipe: Connection) -> None:
    arrivals = Arrivals(answer_every)
    url = gateway_url.replace("http", "ws", 1) + "/graphql"
    limits = httpx.Limits(max_connections=64)
    async with httpx.AsyncClient(base_url=gateway_url, timeout=60, limits=limits) as client:
        listeners = [asyncio.create_task(arrivals.listen(url, token, client)) for token in tokens]
        failure = None
        while not pipe.poll():
            ended = next((listener for listener in listeners if listener.done()), None)
            if ended is not None and failure is None:  # a subscription closed or never opened
                error = ended.exception()
                failure = f"{type(error).__name__} {error}"[:200] if error else "a subscription ended"
            pipe.send(arrivals.report(failure))
            await asyncio.sleep(REPORT_EVERY_S)
        for listener in listeners:
            listener.cancel()
        await asyncio.gather(*listeners, return_exceptions=True)
        await asyncio.sleep(0.5)  # answers under way finish or time out
        pipe.send(arrivals.report(failure) | {"final": True})


class Listeners:
    """The volunteers' subscriptions, spread over ``processes`` child processes; what they saw,
    merged as the reports arrive (``first``: task id -> moment of its first offer)."""

    def __init__(self, gateway_url: str, tokens: list[str], answer_every: int = 0, processes: int = 1):
        processes = max(1, min(processes, len(tokens)))
        self.size = len(tokens)
        self.first: dict[str, float] = {}
        self._totals: list[dict] = [
            {"connected": 0, "answered": {}, "too_late": {}, "errors": {}} for _ in range(processes)
        ]
        self.failure: str | None = None
        context = multiprocessing.get_context("spawn")  # no copy of the parent's threads and sockets
        self._pipes: list[Connection] = []
        self._children = []
        for share in range(processes):
            ours, theirs = context.Pipe()
            process = context.Process(
                target=child,
                args=(gateway_url, tokens[share::processes], answer_every, theirs),
                name=f"e2e-listeners-{share}",
                daemon=True,
            )
            process.start()
            theirs.close()
            self._pipes.append(ours)
            self._children.append(process)
        self._final = [False] * processes

    @property
    def connected(self) -> int:
        return sum(totals["connected"] for totals in self._totals)

    @property
    def answered(self) -> dict[str, int]:
        return _summed(totals["answered"] for totals in self._totals)

    @property
    def too_late(self) -> dict[str, int]:
        return _summed(totals["too_late"] for totals in self._totals)

    @property
    def errors(self) -> dict[str, int]:
        return _summed(totals["errors"] for totals in self._totals)

    def pump(self) -> None:
        """Take in every report waiting in the pipes (never blocks)."""
        for share, pipe in enumerate(self._pipes):
            while not self._final[share] and pipe.poll():
                report = pipe.recv()
                self.first.update(report.pop("first"))
                self.failure = self.failure or report.pop("failure")
                self._final[share] = bool(report.pop("final", False))
                self._totals[share] = report

    async def all_connected(self, timeout_s: float = 120) -> None:
        deadline = time.perf_counter() + timeout_s
        while self.connected < self.size:
            self.pump()
            dead = [process.name for process in self._children if not process.is_alive()]
            if self.failure or dead or time.perf_counter() > deadline:
                raise RuntimeError(f"{self.connected} of {self.size} subscribed: {self.failure or dead or 'timeout'}")
            await asyncio.sleep(0.2)

    async def follow(self) -> None:
        """Keep taking in reports until cancelled (run it as a task beside the posting)."""
        while True:
            self.pump()
            await asyncio.sleep(REPORT_EVERY_S / 2)

    async def close(self, timeout_s: float = 30) -> None:
        for pipe in self._pipes:
            pipe.send("stop")
        deadline = time.perf_counter() + timeout_s
        while not all(self._final) and time.perf_counter() < deadline:
            self.pump()
            await asyncio.sleep(0.05)
        for process in self._children:
            process.join(5)
            if process.is_alive():
                process.kill()
                process.join(5)


def _summed(counts) -> dict[str, int]:
    total: dict[str, int] = {}
    for count in counts:
        for key, n in count.items():
            total[key] = total.get(key, 0) + n
    return total
