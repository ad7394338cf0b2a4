"""One async HTTP client per service; problem responses come back as DomainError exceptions.

The gateway is the only public door: it tells each service who is acting with a service token
it signs for that service alone (see services/common/identity); the services verify it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from prometheus_client import Histogram

from gateway.errors import ServiceUnavailable
from services.common.identity import TokenIssuer
from services.common.observability import inject_trace_headers, request_id_var
from services.common.problems import Conflict, DomainError, Forbidden, Invalid, NotFound
from services.common.roles import Actor

log = logging.getLogger(__name__)

# Each service runs its handlers on anyio's 40 worker threads over a pool of 15 SQLite
# connections. Sent more at once, requests queue inside the service, where one that holds SQLite's
# write turn can wait for a worker thread behind requests waiting for that very turn, until their
# 30 s timeouts (the soak at 20 tasks/s: POST /tasks answered about once a second). The gateway
# keeps the queue on its side instead: at most this many requests in flight to each service.
IN_FLIGHT_PER_SERVICE = 16

SLOT_WAIT = Histogram(
    "gateway_service_slot_wait_seconds",
    "Time a call waited for one of the service's in-flight slots before it was sent",
    ["service"],
    buckets=(0.001, 0.005, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)

# 410 Gone (an erased member) reads as not found: the thing is not there any more.
_BY_STATUS: dict[int, type[DomainError]] = {
    400: Invalid,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    410: NotFound,
    422: Invalid,
}


PUBLIC = Actor(None, "public")
GATEWAY = Actor(None, "gateway")  # the gateway itself, e.g. creating a profile at sign-up


class ServiceClient:
    def __init__(
        self,
        name: str,
        base_url: str,
        http: httpx.AsyncClient,
        tokens: TokenIssuer,
        in_flight: int = IN_FLIGHT_PER_SERVICE,
        wait_s: float = 5.0,
    ):
        self.name = name  # also the audience of the tokens signed for it
        self.base_url = base_url.rstrip("/")
        self.http = http
        self.tokens = tokens
        self.in_flight = in_flight
        self.wait_s = wait_s  # the longest a call waits for a slot: then the service is busy
        self._slots = asyncio.Semaphore(in_flight)

    async def call(
        self, method: str, path: str, actor: Actor, *, json: Any = None, params: dict | list | None = None
    ) -> Any:
        try:
            async with self._slot():
                # A fresh token per call: for this service only, and expired long before it could be reused.
                token = self.tokens.issue(self.name, actor.role, actor.id)
                headers = {"Authorization": f"Bearer {token}"} | dict(inject_trace_headers())  # the trace continues
                if request_id := request_id_var.get():
                    headers["X-Request-Id"] = request_id
                response = await self._send(method, path, json, params, headers)
        except httpx.HTTPError as error:
            log.warning("%s %s %s failed: %s", self.name, method, path, type(error).__name__)
            raise ServiceUnavailable(f"The {self.name} service is not answering; try again in a moment.") from error
        if response.status_code >= 400:
            raise self._problem(response)
        if response.status_code == 204 or not response.content:
            return None
        return response.json()

    @asynccontextmanager
    async def _slot(self) -> AsyncIterator[None]:
        """One of the service's in-flight slots, for as long as the call is out; waited for no
        longer than ``wait_s`` (the call's own timeout): past that the service is too busy."""
        started = time.perf_counter()
        try:
            async with asyncio.timeout(self.wait_s):
                await self._slots.acquire()
        except TimeoutError:
            log.warning("%s: no free slot of %d after %g s", self.name, self.in_flight, self.wait_s)
            raise ServiceUnavailable(f"The {self.name} service is busy; try again in a moment.") from None
        finally:
            SLOT_WAIT.labels(self.name).observe(time.perf_counter() - started)
        try:
            yield
        finally:
            self._slots.release()

    async def _send(self, method: str, path: str, json: Any, params, headers: dict) -> httpx.Response:
        attempts = 2 if method == "GET" else 1
        for attempt in range(attempts):
            try:
                return await self.http.request(
                    method, self.base_url + path, json=json, params=_clean(params), headers=headers
                )
            except (httpx.RemoteProtocolError, httpx.ReadError):
                # A kept-alive connection the service closed just as it was reused: reads are
                # safe to send again on a fresh one; writes are not (they may have happened).
                if attempt + 1 == attempts:
                    raise
        raise AssertionError("unreachable")

    def _problem(self, response: httpx.Response) -> DomainError:
        try:
            body = response.json()
        except ValueError:
            body = {}
        body = body if isinstance(body, dict) else {}
        detail = str(body.get("detail") or body.get("title") or f"{self.name} answered {response.status_code}")
        if response.status_code == 503:  # the service's database (or its own dependency) is away
            retry_after = response.headers.get("retry-after", "")
            return ServiceUnavailable(detail, int(retry_after)) if retry_after.isdigit() else ServiceUnavailable(detail)
        error_class = _BY_STATUS.get(response.status_code)
        if error_class is None:
            log.warning("%s answered %s", self.name, response.status_code)
            return ServiceUnavailable(f"The {self.name} service could not do this right now; try again.")
        error = error_class(detail, errors=_field_errors(body.get("errors")))
        error.slug = str(body.get("type", "")).rsplit("/", 1)[-1] or error.slug
        return error


def _field_errors(raw: Any) -> list[dict]:
    if not isinstance(raw, list):
        return []
    return [
        {"field": str(e.get("field", "")), "message": str(e.get("message", ""))} for e in raw if isinstance(e, dict)
    ]


def _clean(params: dict | list | None):
    """Drop unset query parameters; lists become repeated parameters."""
    if params is None or isinstance(params, list):
        return params
    pairs = []
    for key, value in params.items():
        if value is None:
            continue
        for item in value if isinstance(value, (list, tuple)) else [value]:
            pairs.append((key, str(item).lower() if isinstance(item, bool) else str(item)))
    return pairs
