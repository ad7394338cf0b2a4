"""Whole-response cache for anonymous reads of public data (open tasks, skills, areas).

Widgets on partner sites ask the same few queries over and over; once the GraphQL layer has
answered one of them and confirmed it touched public fields only, the exact bytes are kept and
served to the next identical request without parsing or executing anything. Entries live
``ttl_seconds`` at most and die at once when the public cache's generation moves (a task event
from Kafka, or a change made through this gateway).

When an entry merely ages past ``ttl_seconds``, one request recomputes it while the others keep
getting the aged copy for those few milliseconds (stale-while-revalidate), so a busy widget never
sees every caller queue behind one slow refresh. After a task event nothing stale is served.

Two halves: :class:`MarkPublicResponses` (a strawberry extension) tags a request's ASGI scope
when its result may be shared; :class:`PublicResponseCache` (ASGI middleware) keeps and serves.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass

from graphql import FieldNode
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from gateway.public_cache import PublicCache

PUBLIC_ROOT_FIELDS = frozenset({"openTasks", "skills", "areas", "__typename"})
CACHEABLE = "gateway.public_response"
MAX_CACHED_BODY = 16 * 1024


class MarkPublicResponses(SchemaExtension):
    def on_operation(self):
        yield
        context = self.execution_context
        request = getattr(context.context, "request", None)
        if request is None or request.scope.get("type") != "http":
            return
        if context.result is None or context.result.errors or context.operation_type is not OperationType.QUERY:
            return
        operation = context.graphql_document and _operation(context.graphql_document, context.operation_name)
        if operation is not None and _root_fields(operation) <= PUBLIC_ROOT_FIELDS:
            request.scope[CACHEABLE] = True


def _operation(document, name: str | None):
    operations = [d for d in document.definitions if getattr(d, "operation", None) is not None]
    if name is None:
        return operations[0] if len(operations) == 1 else None
    return next((o for o in operations if o.name and o.name.value == name), None)


def _root_fields(operation) -> set[str]:
    # Fragments at the root are not looked into: such a query is simply not cached.
    return {s.name.value if isinstance(s, FieldNode) else "(fragment)" for s in operation.selection_set.selections}


@dataclass
class _Entry:
    status: int
    headers: list
    body: bytes
    generation: int
    expires: float
    refreshing: bool = False


class PublicResponseCache:
    def __init__(
        self,
        app,
        *,
        cache_of: Callable[[], PublicCache | None],
        ttl_seconds: float,
        max_entries: int = 500,
        path: str = "/graphql",
    ):
        self.app = app
        self.cache_of = cache_of
        self.ttl_seconds = ttl_seconds
        self.max_entries = max_entries
        self.path = path
        self.entries: dict[bytes, _Entry] = {}

    async def __call__(self, scope, receive, send):
        if not self._may_cache(scope):
            return await self.app(scope, receive, send)
        body, complete = await _read_body(receive)
        if not complete:  # too large to be one of the public queries: hand over what was read
            return await self.app(scope, _replay(body, receive, more=True), send)
        key = hashlib.sha256(body).digest()
        cache = self.cache_of()
        entry = self.entries.get(key)
        current = entry is not None and cache is not None and entry.generation == cache.generation
        if current and (entry.expires > time.monotonic() or entry.refreshing):
            return await _send(send, entry)
        if current:
            entry.refreshing = True  # this request refreshes it; the others keep the aged copy
        generation = cache.generation if cache is not None else -1
        try:
            captured = await self._forward(scope, body, receive, send)
        finally:
            if current:
                entry.refreshing = False
        if captured is not None and scope.get(CACHEABLE):
            self._store(key, captured, generation)

    def _may_cache(self, scope) -> bool:
        if self.ttl_seconds <= 0 or scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != self.path:
            return False
        headers = dict(scope.get("headers", ()))
        return b"authorization" not in headers and headers.get(b"content-type", b"").startswith(b"application/json")

    async def _forward(self, scope, body: bytes, receive, send) -> _Entry | None:
        parts: dict = {"body": []}

        async def capture(message):
            if message["type"] == "http.response.start":
                parts["status"], parts["headers"] = message["status"], list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                parts["body"].append(message.get("body", b""))
            await send(message)

        await self.app(scope, _replay(body, receive), capture)
        if parts.get("status") != 200:
            return None
        return _Entry(parts["status"], parts["headers"], b"".join(parts["body"]), 0, 0.0)

    def _store(self, key: bytes, entry: _Entry, generation: int) -> None:
        if len(self.entries) >= self.max_entries:
            self.entries.clear()
        entry.generation, entry.expires = generation, time.monotonic() + self.ttl_seconds
        self.entries[key] = entry


async def _read_body(receive) -> tuple[bytes, bool]:
    """The request body, and whether it is all there (reading stops past MAX_CACHED_BODY)."""
    chunks, size = [], 0
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        size += len(chunks[-1])
        more = message.get("more_body", False)
        if not more or size > MAX_CACHED_BODY:
            return b"".join(chunks), not more


def _replay(body: bytes, receive, more: bool = False):
    sent = False

    async def replay():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": more}
        return await receive()

    return replay


async def _send(send, entry: _Entry) -> None:
    await send({"type": "http.response.start", "status": entry.status, "headers": entry.headers})
    await send({"type": "http.response.body", "body": entry.body})
