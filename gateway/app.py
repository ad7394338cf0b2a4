"""The gateway's app definition for the shared composition root (``services.common.composition``):
accounts DB, service clients, Kafka reader and erasure consumer, GraphQL, web pages, limits.
``create_app`` takes the settings (and, for unit tests, an HTTP transport standing in for the
services)."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from uuid import UUID

import httpx
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from gateway.auth.accounts import Accounts
from gateway.auth.emails import EmailVault
from gateway.auth.tokens import TokenService
from gateway.clients.http import GATEWAY
from gateway.clients.services import ServiceClients
from gateway.config import Settings
from gateway.graphql_view import GatewayGraphQLRouter, graphql_context
from gateway.internal import router as internal_router
from gateway.limits.http import GatewayGuards
from gateway.limits.query_budget import Budget
from gateway.limits.rate import RateLimiter, Rule
from gateway.live.erasures import CONSUMER as ERASURES_CONSUMER
from gateway.live.erasures import member_erasures
from gateway.live.hub import Hub, LiveEvent
from gateway.live.reader import EventReader
from gateway.live.settling import FillSettling
from gateway.models import Role
from gateway.public_cache import PublicCache
from gateway.response_cache import PublicResponseCache
from gateway.schema import build_schema
from gateway.state import Gateway
from gateway.web.pages import mount_web
from services.common.composition import AppDefinition, Background, Consume
from services.common.composition import create_app as compose
from services.common.runtime import Runtime

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def build_gateway(
    settings: Settings, runtime: Runtime, limiter: RateLimiter, transport: httpx.AsyncBaseTransport | None
) -> Gateway:
    clients = ServiceClients.build(
        settings.members_url,
        settings.tasks_url,
        settings.matching_url,
        settings.service_timeout_seconds,
        settings.service_token_issuer(),
        transport,
        settings.service_max_in_flight,
    )
    accounts = Accounts(runtime.engine, EmailVault(settings.data_key))
    bootstrap_admin(accounts, settings)
    gateway = Gateway(
        settings=settings,
        engine=runtime.engine,
        accounts=accounts,
        tokens=TokenService(settings.jwt_secret, settings.token_ttl_seconds),
        clients=clients,
        hub=Hub(),
        cache=PublicCache(settings.open_tasks_cache_seconds),
        limiter=limiter,
    )
    if settings.live_updates:
        gateway.reader = EventReader(settings.kafka_bootstrap_servers, settings.topics, [live_relay(gateway)])
    return gateway


def live_relay(gateway: Gateway):
    """Offer, fill and task events reach subscriptions and drop cached public pages; a fill once
    the tasks service shows it (see live.settling)."""
    loop = asyncio.get_running_loop()
    gateway.hub.bind(loop)

    def relay(event: LiveEvent) -> None:
        gateway.cache.invalidate_tasks()  # the taxonomy and organizations are not made of tasks
        gateway.hub.publish_threadsafe(event)

    async def accepted_count(task_id: str) -> int | None:
        tasks = (await gateway.clients.tasks.many(GATEWAY, [UUID(task_id)])) if task_id else []
        return tasks[0].accepted_count if tasks else None

    settling = FillSettling(accepted_count, relay)
    settling.bind(loop)
    return settling.publish_threadsafe


def bootstrap_admin(accounts: Accounts, settings: Settings) -> None:
    if not (settings.bootstrap_admin_email and settings.bootstrap_admin_password):
        return
    if accounts.find_by_email(settings.bootstrap_admin_email) is None:
        user = accounts.create(settings.bootstrap_admin_email, settings.bootstrap_admin_password, Role.admin)
        log.info("bootstrap admin %s created", user.id)


def consumers(gateway: Gateway) -> list[Consume]:
    """The logins of members erased anywhere are removed (see live.erasures)."""
    return (
        [Consume(ERASURES_CONSUMER, member_erasures(gateway.settings.topics))] if gateway.settings.live_updates else []
    )


def background(gateway: Gateway) -> list[Background]:
    # The thread and its readiness check keep their names from before the reader was renamed:
    # health and readiness answers show them, and operators' probes may read them.
    return [Background("live-feed", gateway.reader.run)] if gateway.reader is not None else []


def ready_checks(settings: Settings) -> dict:
    if not settings.live_updates:
        return {}
    return {"live_feed": lambda gateway: gateway.reader is not None and gateway.reader.ready.is_set()}


def http_layer(settings: Settings, limiter: RateLimiter):
    """GraphQL, the web pages and the gateway's own middleware (cache, CORS, guards)."""

    def install(app: FastAPI) -> None:
        logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per service call is noise
        budget = Budget(settings.max_query_depth, settings.max_query_cost, settings.max_aliases, settings.max_page_size)
        graphql = GatewayGraphQLRouter(
            build_schema(budget, settings.max_tokens, settings.introspection_enabled),
            context_getter=graphql_context,
            graphql_ide="graphiql" if settings.graphiql_enabled else None,
            allow_queries_via_get=False,
            allowed_origins=settings.widget_origins,
            max_subscriptions_per_connection=10,
        )
        app.include_router(graphql, prefix="/graphql")
        app.include_router(internal_router)  # other services only (see gateway.internal)
        mount_web(app)
        app.add_middleware(
            PublicResponseCache,
            ttl_seconds=settings.open_tasks_cache_seconds,
            cache_of=lambda: getattr(app.state, "gateway", None) and app.state.gateway.cache,
        )
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.widget_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Content-Type"],
            max_age=600,
        )
        app.add_middleware(
            GatewayGuards,
            max_body_bytes=settings.max_body_bytes,
            limiter=limiter,
            public_rule=Rule("public", settings.rate_limit_public_per_minute, 60),
            read_token=TokenService(settings.jwt_secret, settings.token_ttl_seconds).read,
            max_websockets_per_address=settings.max_websockets_per_address,
            proxies=settings.proxies,
        )

    return install


def definition(settings: Settings, transport: httpx.AsyncBaseTransport | None = None) -> AppDefinition[Gateway]:
    """``transport`` stands in for the services in unit tests (an httpx transport)."""
    limiter = RateLimiter()
    return AppDefinition(
        name="gateway",
        title="Coalition match gateway",
        migrations_dir=MIGRATIONS,
        wire=lambda runtime: build_gateway(settings, runtime, limiter, transport),
        consumers=consumers,
        background=background,
        ready_checks=ready_checks(settings),
        publishes=False,
        uses_broker=settings.live_updates,
        close=lambda gateway: gateway.clients.close(),
        install_http=http_layer(settings, limiter),
        fastapi_options={"docs_url": None, "redoc_url": None},
        service_api=False,
    )


def create_app(settings: Settings, transport: httpx.AsyncBaseTransport | None = None, *, producer=None) -> FastAPI:
    return compose(settings, definition(settings, transport), producer=producer)
