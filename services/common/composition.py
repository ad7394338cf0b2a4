"""The one composition root: every app (members, tasks, matching, gateway) is built here.

An app declares what differs in an :class:`AppDefinition`: how to build its typed wiring from the
runtime, the consumers it runs (each a :class:`Consume` with a typed ``Subscription``), its
background threads, its routers and its readiness conditions. :func:`create_app` does the rest
the same way for all: logging, tracing, database, producer, relay, consumer and thread
supervision, health, readiness, metrics, problem details.

Routes reach the wiring through ``app.state.<definition.name>`` (each app has a typed
dependency for it). Fast tests call :func:`bootstrap` with an ``InMemoryProducer``: the same
wiring and the same subscriptions, no broker, no thread (``Wired.applier(name).apply(record)``).

A service's ``main.py``, in short::

    def definition() -> AppDefinition[Notifications]:
        return AppDefinition(
            name="notifications", title="Notifications", migrations_dir=MIGRATIONS, routers=routers,
            wire=Notifications.build,  # Runtime -> the service's typed wiring
            consumers=lambda n: [Consume("offer-news", Subscription(
                n.settings.topics, {OFFER_CREATED: offer_created},  # typed reaction per type
                ignores=[e for e in types_on(OFFERS_EVENTS) if e is not OFFER_CREATED]))],
            background=lambda n: [Background("reminders", n.send_reminders)],
        )

    app = create_app(Settings(), definition())
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from fastapi import APIRouter, Depends, FastAPI

from services.common.body_limit import BodySizeLimit
from services.common.consumer import EventApplier
from services.common.deps import get_actor
from services.common.dispatch import Subscription
from services.common.http_api import problem_responses
from services.common.kafka_io import Producer
from services.common.observability import configure_logging
from services.common.problems import install_problem_handlers
from services.common.runtime import Runtime, build_runtime, observe_request, operations_router, start_consumer
from services.common.settings import ServiceSettings
from services.common.tracing import TracingMiddleware, configure_tracing, flush_tracing

log = logging.getLogger(__name__)
W = TypeVar("W")


@dataclass(frozen=True)
class Consume:
    """One consumer group: its name (also its processed-events key) and what it does per type."""

    name: str
    subscription: Subscription[Any]  # its reactions' results are not used
    group_id: str | None = None
    listener: Any = None  # a kafka ConsumerRebalanceListener, for work split by partition
    options: Mapping[str, Any] = field(default_factory=dict)  # KafkaConsumer options


@dataclass(frozen=True)
class Background:
    """A thread that runs until the app stops (it gets the stop event)."""

    name: str
    run: Callable[[threading.Event], None]


@dataclass(frozen=True)
class AppDefinition(Generic[W]):
    name: str  # the app's wiring is at app.state.<name>
    title: str
    migrations_dir: Path
    wire: Callable[[Runtime], W]
    consumers: Callable[[W], Iterable[Consume]] = lambda wiring: ()
    background: Callable[[W], Iterable[Background]] = lambda wiring: ()
    routers: Sequence[APIRouter] = ()
    ready_checks: Mapping[str, Callable[[W], bool]] = field(default_factory=dict)
    description: str = ""
    publishes: bool = True  # has an outbox (and so a relay)
    uses_broker: bool = True
    close: Callable[[W], Awaitable[None]] | None = None
    fastapi_options: Mapping[str, Any] = field(default_factory=dict)
    # The app's own HTTP layer on top of the operations routes and ``routers``: more routes,
    # mounts, middleware (tracing is always added last, outermost). Default: request metrics and
    # one access-log line per request.
    install_http: Callable[[FastAPI], None] = lambda app: observe_requests(app)
    # A service behind the gateway: its routes answer verified callers only (a service token, see
    # services.common.identity) and bodies over max_body_bytes are refused before being read. The
    # gateway, which faces browsers, has its own guards (gateway.limits).
    service_api: bool = True


def observe_requests(app: FastAPI) -> None:
    """Request metrics and one access-log line per request (the default HTTP layer)."""
    app.middleware("http")(observe_request)


@dataclass
class Wired(Generic[W]):
    """An app's runtime and wiring, built; ``start`` starts its threads."""

    definition: AppDefinition[W]
    runtime: Runtime
    wiring: W

    def consumers(self) -> dict[str, Consume]:
        return {consume.name: consume for consume in self.definition.consumers(self.wiring)}

    def applier(self, consumer: str) -> EventApplier:
        """The consumer's applier, as its thread would run it: for fast tests to feed records."""
        return self.runtime.applier(consumer, self.consumers()[consumer].subscription)

    def start(self) -> None:
        self.runtime.start_relay()
        if self.runtime.uses_broker:
            for consume in self.definition.consumers(self.wiring):
                start_consumer(
                    self.runtime,
                    consume.name,
                    consume.subscription.topics,
                    consume.subscription,
                    group_id=consume.group_id,
                    listener=consume.listener,
                    **consume.options,
                )
        for task in self.definition.background(self.wiring):
            self.runtime.start_thread(task.name, task.run)

    async def shutdown(self) -> None:
        try:
            if self.definition.close is not None:
                await self.definition.close(self.wiring)
        finally:
            self.runtime.shutdown()
            flush_tracing()  # spans of the last requests leave before the process does


def bootstrap(settings: ServiceSettings, definition: AppDefinition[W], *, producer: Producer | None = None) -> Wired[W]:
    """Database, producer and typed wiring of an app; no thread runs yet."""
    runtime = build_runtime(
        settings,
        definition.migrations_dir,
        producer=producer,
        uses_broker=definition.uses_broker,
        publishes=definition.publishes,
    )
    try:
        return Wired(definition, runtime, definition.wire(runtime))
    except BaseException:
        runtime.shutdown()
        raise


def create_app(settings: ServiceSettings, definition: AppDefinition[W], *, producer: Producer | None = None) -> FastAPI:
    """The FastAPI app of ``definition``; its lifespan builds the wiring and starts its threads."""
    wired: dict[str, Wired[W]] = {}

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(settings.service_name, settings.log_level)
        built = bootstrap(settings, definition, producer=producer)
        wired["app"] = built
        app.state.runtime = built.runtime
        setattr(app.state, definition.name, built.wiring)
        try:
            built.start()
            log.info("%s started", settings.service_name)
            yield
        finally:
            await built.shutdown()
            log.info("%s stopped", settings.service_name)

    def ready(check: Callable[[W], bool]) -> Callable[[], bool]:
        return lambda: "app" in wired and check(wired["app"].wiring)

    def ready_checks() -> dict[str, Callable[[], bool]]:
        return {name: ready(check) for name, check in definition.ready_checks.items()}

    configure_tracing(settings.service_name)
    app = FastAPI(
        title=definition.title, description=definition.description, lifespan=lifespan, **definition.fastapi_options
    )
    install_problem_handlers(app)
    app.include_router(operations_router(lambda: wired["app"].runtime, ready_checks()))
    verified = [Depends(get_actor)] if definition.service_api else []
    for router in definition.routers:
        app.include_router(router, dependencies=verified, responses=problem_responses(401) if verified else None)
    if definition.service_api:
        app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    definition.install_http(app)
    app.add_middleware(TracingMiddleware)  # added last = outermost: logs and outbox see the span
    return app
