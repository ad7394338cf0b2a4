"""The plumbing every app shares: database, producer, outbox relay, background threads, and the
operations routes (health, readiness, metrics). ``services.common.composition`` assembles an app
from it; nothing else builds these.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from services.common.consumer import ConsumerLoop, EventApplier, Reaction
from services.common.db import make_engine, migrate, session_scope
from services.common.dispatch import Subscription
from services.common.kafka_io import Producer, ensure_topics, make_consumer, make_producer, wait_for_partitions
from services.common.observability import HTTP_LATENCY, HTTP_REQUESTS, request_id_var
from services.common.outbox import OutboxRelay, wrote_events
from services.common.settings import ServiceSettings

log = logging.getLogger(__name__)
access_log = logging.getLogger("access")
QUIET_ROUTES = {"/healthz", "/readyz", "/metrics"}


def dead_threads(threads: list[threading.Thread], stop: threading.Event) -> list[str]:
    """Names of the background threads that ended although their process is not stopping."""
    return [] if stop.is_set() else [thread.name for thread in threads if not thread.is_alive()]


@dataclass
class Runtime:
    """What an app runs on. ``producer`` is a KafkaProducer, an ``InMemoryProducer`` in fast tests,
    or None for an app that runs without a broker (the gateway with live updates off)."""

    settings: ServiceSettings
    engine: Engine
    producer: Producer | None = None
    relay: OutboxRelay | None = None
    uses_broker: bool = True
    stop: threading.Event = field(default_factory=threading.Event)
    threads: list[threading.Thread] = field(default_factory=list)
    consumers: dict[str, ConsumerLoop] = field(default_factory=dict)
    # Events background threads wait on instead of ``stop``: set at shutdown, after ``stop``.
    wakes: list[threading.Event] = field(default_factory=list)

    def applier(self, consumer: str, reaction: Reaction) -> EventApplier:
        """Applies records once each for ``consumer``, dead-lettering to this runtime's producer;
        the events a reaction queues leave at once (see :meth:`committed`)."""
        return EventApplier(
            self.engine,
            f"{self.settings.service_name}.{consumer}",
            reaction,
            self.producer,
            after_commit=self.committed,
            ignores=reaction.ignores if isinstance(reaction, Subscription) else None,
        )

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """A transaction on this app's database whose events leave as soon as it commits."""
        with session_scope(self.engine, after_commit=self.committed) as session:
            yield session

    def committed(self, session: Session) -> None:
        """Called once ``session`` committed, by every unit of work (requests, consumers, background
        jobs): the relay is woken here, and only here, when the transaction queued events."""
        if wrote_events(session):
            self.nudge_relay()

    def start_thread(
        self, name: str, target: Callable[[threading.Event], None], wake: threading.Event | None = None
    ) -> None:
        """``wake``: an event the thread waits on between its steps, so that stopping ends the wait
        at once rather than when it times out (the join below gives up after 10 s)."""
        if wake is not None:
            self.wakes.append(wake)
        thread = threading.Thread(target=target, args=(self.stop,), name=name, daemon=True)
        thread.start()
        self.threads.append(thread)

    def dead_threads(self) -> list[str]:
        return dead_threads(self.threads, self.stop)

    def start_relay(self) -> None:
        if self.relay is not None:
            relay, poll = self.relay, self.settings.outbox_poll_seconds
            self.start_thread("outbox-relay", lambda stop: relay.run(stop, poll))

    def nudge_relay(self) -> None:
        """Wake the relay now instead of at its next poll (called after a commit)."""
        if self.relay is not None:
            self.relay.wakeup.set()

    def shutdown(self, timeout_s: float = 10) -> None:
        self.stop.set()
        for wake in self.wakes:
            wake.set()
        if self.relay is not None:
            self.relay.wakeup.set()
        for thread in self.threads:
            thread.join(timeout_s)
        if self.relay is not None:
            self.relay.close()
        if self.producer is not None:
            self.producer.close(timeout=5)
        self.engine.dispose()


def broker_reachable(bootstrap_servers: str, timeout_s: float = 1.0) -> bool:
    for server in bootstrap_servers.split(","):
        host, _, port = server.strip().rpartition(":")
        try:
            with socket.create_connection((host or "127.0.0.1", int(port)), timeout=timeout_s):
                return True
        except OSError:
            continue
    return False


def database_reachable(engine: Engine) -> bool:
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except Exception:
        return False


def build_runtime(
    settings: ServiceSettings,
    migrations_dir: Path,
    *,
    producer: Producer | None = None,
    uses_broker: bool = True,
    publishes: bool = True,
) -> Runtime:
    """Database migrated, topics created and a producer, unless one is given (a test's in-memory
    producer: then no broker is contacted). Starts no thread: see :meth:`Runtime.start_relay`."""
    engine = make_engine(settings.database_url)
    migrate(engine, migrations_dir)
    relay_producer: dict[str, Any] = {"producer": producer}  # a test's in-memory producer serves the relay too
    if producer is None and uses_broker:
        ensure_topics(settings.kafka_bootstrap_servers, settings.topic_specs())
        producer = make_producer(settings.kafka_bootstrap_servers, settings.service_name, acks=settings.kafka_acks)
        # The relay has a producer of its own, which it replaces after a failure (see OutboxRelay).
        relay_producer = {
            "producer_factory": lambda: make_producer(
                settings.kafka_bootstrap_servers, client_id=f"{settings.service_name}-outbox", acks=settings.kafka_acks
            )
        }
    runtime = Runtime(settings=settings, engine=engine, producer=producer, uses_broker=uses_broker)
    if publishes and producer is not None:
        runtime.relay = OutboxRelay(engine, **relay_producer)
    return runtime


ReadyCheck = Callable[[], bool]


def operations_router(
    runtime_of: Callable[[], Runtime], extra_ready_checks: dict[str, ReadyCheck] | None = None
) -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get("/healthz", summary="The process is alive and its background threads run")
    def healthz(response: Response) -> dict[str, Any]:
        # A relay or consumer thread that died leaves a process that answers HTTP but no longer
        # publishes or consumes: only a restart helps, which is what a failing liveness asks for.
        dead = runtime_of().dead_threads()
        if dead:
            response.status_code = 503
            return {"status": "failing", "dead_threads": dead}
        return {"status": "ok"}

    @router.get("/readyz", summary="Database and broker are reachable")
    def readyz(response: Response) -> dict[str, Any]:
        runtime = runtime_of()
        checks = {"database": database_reachable(runtime.engine)}
        if runtime.uses_broker:
            checks["broker"] = broker_reachable(runtime.settings.kafka_bootstrap_servers)
        for name, check in (extra_ready_checks or {}).items():
            checks[name] = bool(check())
        ready = all(checks.values())
        response.status_code = 200 if ready else 503
        return {"status": "ready" if ready else "unready", "checks": checks}

    @router.get("/metrics", include_in_schema=False)
    def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router


async def observe_request(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    """Request id, metrics and one access-log line per request (no query strings, no bodies)."""
    request_id = request.headers.get("x-request-id") or uuid.uuid4().hex
    token = request_id_var.set(request_id)
    started = time.perf_counter()
    status = 500
    try:
        response = await call_next(request)
        status = response.status_code
        response.headers["x-request-id"] = request_id
        return response
    finally:
        route = request.scope.get("route")
        path = getattr(route, "path", "unmatched")
        elapsed = time.perf_counter() - started
        HTTP_REQUESTS.labels(request.method, path, str(status)).inc()
        HTTP_LATENCY.labels(request.method, path).observe(elapsed)
        if path not in QUIET_ROUTES:
            # The route template, never the query string: ids are opaque, queries may not be.
            access_log.info("%s %s -> %s in %.1f ms", request.method, path, status, elapsed * 1000)
        request_id_var.reset(token)


def start_consumer(
    runtime: Runtime,
    name: str,
    topics: list[str],
    reaction: Reaction,
    group_id: str | None = None,
    listener: Any = None,
    **consumer_options: Any,
) -> ConsumerLoop:
    """Consume ``topics`` in a consumer group, applying each event once through ``reaction``.

    ``listener`` (a kafka ``ConsumerRebalanceListener``) hears which partitions this instance
    is given and loses, for services that split work by partition. ``consumer_options`` go to
    the ``KafkaConsumer`` (e.g. its partition assignment strategy).
    """
    settings = runtime.settings
    consumer = make_consumer(
        settings.kafka_bootstrap_servers,
        group_id or f"{settings.topic_prefix}{settings.service_name}.{name}",
        client_id=f"{settings.service_name}-{name}",
        **consumer_options,
    )
    consumer.subscribe(topics, listener=listener)
    # After subscribing and before the first poll (which joins the group): the join then carries
    # the topics' partitions. Joining without them assigns nothing at first, and the rebalance that
    # kafka-python starts once it learns them has been seen to leave a member with no partitions.
    wait_for_partitions(consumer, topics)
    loop = ConsumerLoop(consumer, runtime.applier(name, reaction))
    runtime.consumers[name] = loop
    runtime.start_thread(f"consumer-{name}", loop.run)
    return loop
