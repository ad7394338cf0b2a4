"""The end-to-end bench's volunteers in child processes (bench/e2e_listeners.py), against a stand-in
gateway that speaks graphql-transport-ws: every subscription is counted, each task's first offer
reaches the parent with a moment on the parent's own clock, and the children stop when told."""

from __future__ import annotations

import asyncio
import json
import time

from websockets.asyncio.server import serve

from bench.e2e_listeners import Listeners


def offer_created(offer_id: str, task_id: str) -> str:
    update = {"kind": "offer.created", "offer": {"id": offer_id, "taskId": task_id}}
    return json.dumps({"id": "1", "type": "next", "payload": {"data": {"offerUpdates": update}}})


class StandInGateway:
    """Acknowledges each connection, then, once ``send`` is set, sends each subscriber an offer
    of the task named after its token, and one of a task every subscriber gets."""

    def __init__(self) -> None:
        self.subscribed: list[str] = []
        self.send = asyncio.Event()
        self.sent_at = 0.0

    async def handle(self, socket) -> None:
        init = json.loads(await socket.recv())
        assert init["type"] == "connection_init"
        await socket.send(json.dumps({"type": "connection_ack"}))
        subscribe = json.loads(await socket.recv())
        assert subscribe["type"] == "subscribe" and "offerUpdates" in subscribe["payload"]["query"]
        self.subscribed.append(init["payload"]["token"])
        await self.send.wait()
        await socket.send(offer_created(f"offer-{init['payload']['token']}", f"task-{init['payload']['token']}"))
        await socket.send(offer_created(f"shared-{init['payload']['token']}", "task-shared"))
        await socket.wait_closed()


async def test_each_task_s_first_offer_reaches_the_parent_from_every_child_process():
    gateway = StandInGateway()
    async with serve(gateway.handle, "127.0.0.1", 0) as server:
        port = server.sockets[0].getsockname()[1]
        tokens = [f"volunteer{n}" for n in range(5)]
        listeners = Listeners(f"http://127.0.0.1:{port}", tokens, processes=2)
        try:
            await listeners.all_connected(timeout_s=60)
            assert listeners.connected == 5 and sorted(gateway.subscribed) == tokens
            gateway.sent_at = time.perf_counter()
            gateway.send.set()
            async with asyncio.timeout(30):
                while len(listeners.first) < 6:
                    listeners.pump()
                    await asyncio.sleep(0.05)
        finally:
            await listeners.close()

    assert set(listeners.first) == {f"task-{token}" for token in tokens} | {"task-shared"}
    # The children's moments are on this process's clock: after the offers were sent, not long after.
    assert all(gateway.sent_at <= moment < gateway.sent_at + 30 for moment in listeners.first.values())
    assert listeners.errors == {} and listeners.failure is None
    assert not any(process.is_alive() for process in listeners._children)
