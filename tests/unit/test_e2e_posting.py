"""The end-to-end bench's open-loop posting (bench/e2e_bench.py ``post_at_rate``) against a slow
stand-in gateway: never more than ``IN_FLIGHT_POSTS`` requests out at once, every post sent and
counted, and the response times counted from each post's due moment, not from when it was sent."""

from __future__ import annotations

import asyncio
import json
import uuid

import httpx

from bench.e2e_bench import IN_FLIGHT_POSTS, post_at_rate


class SlowGateway(httpx.AsyncBaseTransport):
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.out = self.most = self.received = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.received += 1
        self.out += 1
        self.most = max(self.most, self.out)
        try:
            await asyncio.sleep(self.seconds)
            task = {"__typename": "Task", "id": str(uuid.uuid4())}
            return httpx.Response(200, content=json.dumps({"data": {"postTask": task}}).encode())
        finally:
            self.out -= 1


async def test_posts_beyond_the_in_flight_bound_wait_and_count_from_their_due_moment():
    gateway = SlowGateway(seconds=0.5)
    async with httpx.AsyncClient(base_url="http://gateway.test", transport=gateway) as client:
        # 400 posts due within 1 s, each answered in 0.5 s: most must wait for a slot.
        posted = await post_at_rate(client, "token", "skill", rate=400, seconds=1)

    assert gateway.received == 400 and len(posted["due"]) == 400 and posted["errors"] == {}
    assert gateway.most == IN_FLIGHT_POSTS
    # 400 posts, 64 at a time, 0.5 s each: the last waited about 3 s past its due moment.
    assert posted["response"]["max"] > 2500
