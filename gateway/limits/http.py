"""HTTP-level guards, as one pure ASGI middleware (cheaper than Starlette's BaseHTTPMiddleware):

* a request id on every request and response, and the shared request metrics;
* a cap on request body size (413 before the body is read when Content-Length says so);
* a rate limit on GraphQL requests (429 with Retry-After), per person when the access token proves
  who they are, per address otherwise (an Authorization header that proves nothing counts for nothing);
* a cap on WebSockets open at once from one address (the handshake is refused beyond it).

``read_json_body`` reads a request body as JSON the way the /graphql endpoint wants it: refusals
name what the client must change (bytes that are not UTF-8, nesting too deep, lone surrogates).
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections import Counter
from collections.abc import Callable
from typing import Any

from gateway.limits.proxies import NO_PROXIES, TrustedProxies
from gateway.limits.rate import RateLimiter, Rule
from services.common.body_limit import counting_receive
from services.common.observability import HTTP_LATENCY, HTTP_REQUESTS, request_id_var
from services.common.runtime import QUIET_ROUTES, access_log

PROBLEM_JSON = b"application/problem+json"
MAX_JSON_NESTING = 64  # far beyond any real GraphQL request; json.loads recurses per level
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_JSON_BRACKET = re.compile(r"[\[\]{}]")


class BodyTooLarge(Exception):
    pass


class UnreadableBody(ValueError):
    """The body is not the JSON text a request must be; the message says what to change."""


def read_json_body(data: str | bytes) -> object:
    text = _as_text(data)
    if _nesting(text) > MAX_JSON_NESTING:
        raise UnreadableBody(
            f"The request body is nested too deeply (at most {MAX_JSON_NESTING} levels of arrays and objects)."
        )
    value = json.loads(text)
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise UnreadableBody(
            "The request body contains a lone surrogate (an escape such as \\ud800 without "
            "its pair), which is not text; send valid Unicode."
        ) from None
    return value


def _as_text(data: str | bytes) -> str:
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise UnreadableBody(
            f"The request body is not valid UTF-8 (byte {error.start}); send JSON encoded as UTF-8."
        ) from None


def _nesting(text: str) -> int:
    depth = deepest = 0
    for bracket in _JSON_BRACKET.findall(_JSON_STRING.sub('""', text)):
        depth += 1 if bracket in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


def client_address(scope, proxies: TrustedProxies) -> str:
    """The real peer, or the visitor a trusted proxy forwarded (see gateway/limits/proxies.py)."""
    client = scope.get("client")
    peer = client[0] if client else "unknown"
    forwarded = [
        address.strip()
        for name, value in scope.get("headers", ())
        if name == b"x-forwarded-for"
        for address in value.decode("latin-1").split(",")
    ]
    return proxies.client_of(peer, forwarded)


def bearer_user(headers: dict, read_token: Callable[[str], Any]) -> str | None:
    """The user id a valid access token in the Authorization header proves; None for anything else."""
    scheme, _, token = headers.get(b"authorization", b"").decode("latin-1").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    claims = read_token(token.strip())
    return str(claims.user_id) if claims is not None else None


class GatewayGuards:
    def __init__(
        self,
        app,
        *,
        max_body_bytes: int,
        limiter: RateLimiter,
        public_rule: Rule,
        read_token: Callable[[str], Any],
        max_websockets_per_address: int = 20,
        proxies: TrustedProxies = NO_PROXIES,
        graphql_path: str = "/graphql",
    ):
        self.app = app
        self.max_websockets_per_address = max_websockets_per_address
        self.open_websockets: Counter[str] = Counter()
        self.max_body_bytes = max_body_bytes
        self.limiter = limiter
        self.public_rule = public_rule
        self.read_token = read_token  # the gateway's access tokens: claims with a user_id, or None
        self.proxies = proxies
        self.graphql_path = graphql_path

    async def __call__(self, scope, receive, send):
        if scope["type"] == "websocket":
            return await self._websocket(scope, receive, send)
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers", ()))
        request_id = headers.get(b"x-request-id", b"").decode("latin-1")[:64] or uuid.uuid4().hex
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status_holder = [500]
        try:
            refusal = self._refusal(scope, headers)
            if refusal is not None:
                status_holder[0] = refusal[0]
                return await _send_problem(send, request_id, *refusal)
            limited = counting_receive(receive, self.max_body_bytes, BodyTooLarge)
            await self.app(scope, limited, self._observing_send(send, request_id, status_holder))
        except BodyTooLarge:
            status_holder[0] = 413
            await _send_problem(send, request_id, *self._too_large())
        finally:
            route = scope.get("route")
            path = getattr(route, "path", None) or (
                "static" if scope["path"] != self.graphql_path else self.graphql_path
            )
            HTTP_REQUESTS.labels(scope["method"], path, str(status_holder[0])).inc()
            elapsed = time.perf_counter() - started
            HTTP_LATENCY.labels(scope["method"], path).observe(elapsed)
            if path not in QUIET_ROUTES:
                access_log.info("%s %s -> %s in %.1f ms", scope["method"], path, status_holder[0], elapsed * 1000)
            request_id_var.reset(token)

    async def _websocket(self, scope, receive, send):
        address = client_address(scope, self.proxies)
        if self.open_websockets[address] >= self.max_websockets_per_address:
            await receive()  # websocket.connect
            await send({"type": "websocket.close", "code": 1008, "reason": "too many connections"})
            return
        self.open_websockets[address] += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.open_websockets[address] -= 1
            if not self.open_websockets[address]:
                del self.open_websockets[address]

    def _refusal(self, scope, headers) -> tuple | None:
        length = headers.get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_body_bytes:
            return self._too_large()
        if scope["path"] == self.graphql_path and scope["method"] in ("GET", "POST"):
            user = bearer_user(headers, self.read_token)
            caller = f"user:{user}" if user else f"address:{client_address(scope, self.proxies)}"
            if retry_after := self.limiter.hit(self.public_rule, caller):
                return (
                    429,
                    "rate-limited",
                    "Too many requests",
                    f"Too many requests from {'you' if user else 'your address'}; try again in {retry_after} seconds.",
                    {"retry_after_seconds": retry_after},
                    [(b"retry-after", str(retry_after).encode())],
                )
        return None

    def _too_large(self) -> tuple:
        return (
            413,
            "body-too-large",
            "Request body too large",
            f"The request body is larger than {self.max_body_bytes} bytes.",
            {},
            [],
        )

    @staticmethod
    def _observing_send(send, request_id: str, status_holder: list):
        async def observing(message):
            if message["type"] == "http.response.start":
                status_holder[0] = message["status"]
                message.setdefault("headers", [])
                message["headers"] = list(message["headers"]) + [(b"x-request-id", request_id.encode())]
            await send(message)

        return observing


async def _send_problem(
    send, request_id: str, status: int, slug: str, title: str, detail: str, extra: dict, headers: list
) -> None:
    body = json.dumps(
        {"type": f"/problems/{slug}", "title": title, "status": status, "detail": detail} | extra
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", PROBLEM_JSON),
                (b"content-length", str(len(body)).encode()),
                (b"x-request-id", request_id.encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
