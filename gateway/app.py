"""The gateway's FastAPI app, wired in one place: accounts DB, service clients, Kafka feed,
GraphQL, web pages, limits. ``create_app`` takes the settings (and, for unit tests, an HTTP
transport standing in for the services)."""

from __future__ import annotations

import asyncio
import logging
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from fastapi import FastAPI, Response
from fastapi.middleware.cors import CORSMiddleware
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from gateway.auth.accounts import Accounts
from gateway.auth.emails import EmailVault
from gateway.auth.tokens import TokenService
from gateway.clients.services import ServiceClients
from gateway.config import Settings
from gateway.graphql_view import GatewayGraphQLRouter, graphql_context
from gateway.limits.http import GatewayGuards
from gateway.limits.query_budget import Budget
from gateway.limits.rate import RateLimiter, Rule
from gateway.live.erasures import start_erasure_consumer
from gateway.live.feed import EventFeed
from gateway.live.hub import Hub
from gateway.models import Role
from gateway.public_cache import PublicCache
from gateway.response_cache import PublicResponseCache
from gateway.schema import build_schema
from gateway.state import Gateway
from gateway.web.pages import mount_web
from services.common.db import make_engine, migrate
from services.common.kafka_io import ensure_topics
from services.common.observability import configure_logging
from services.common.problems import install_problem_handlers
from services.common.runtime import Runtime, broker_reachable, database_reachable
from services.common.tracing import TracingMiddleware, configure_tracing

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def build_gateway(settings: Settings, limiter: RateLimiter, transport: httpx.AsyncBaseTransport | None) -> Gateway:
    engine = make_engine(settings.database_url)
    migrate(engine, MIGRATIONS)
    clients = ServiceClients.build(settings.members_url, settings.tasks_url, settings.matching_url,
                                   settings.service_timeout_seconds, settings.service_token_issuer(), transport)
    accounts = Accounts(engine, EmailVault(settings.data_key))
    bootstrap_admin(accounts, settings)
    return Gateway(
        settings=settings, engine=engine, accounts=accounts,
        tokens=TokenService(settings.jwt_secret, settings.token_ttl_seconds), clients=clients, hub=Hub(),
        cache=PublicCache(settings.open_tasks_cache_seconds), limiter=limiter,
    )


def bootstrap_admin(accounts: Accounts, settings: Settings) -> None:
    if not (settings.bootstrap_admin_email and settings.bootstrap_admin_password):
        return
    if accounts.find_by_email(settings.bootstrap_admin_email) is None:
        user = accounts.create(settings.bootstrap_admin_email, settings.bootstrap_admin_password, Role.admin)
        log.info("bootstrap admin %s created", user.id)


async def start_live_feed(gateway: Gateway) -> None:
    """Relay offer and task events to subscriptions, drop cached public pages on each, and remove
    the logins of members erased anywhere."""
    settings = gateway.settings
    specs = settings.topic_specs()
    await asyncio.to_thread(ensure_topics, settings.kafka_bootstrap_servers, specs)
    gateway.hub.bind(asyncio.get_running_loop())
    listeners = [lambda event: gateway.cache.invalidate(), gateway.hub.publish_threadsafe]
    gateway.feed = EventFeed(settings.kafka_bootstrap_servers, settings.topics, listeners)
    gateway.start_thread("live-feed", gateway.feed.run)
    gateway.consumers = Runtime(settings=settings, engine=gateway.engine, stop=gateway.stop)
    start_erasure_consumer(gateway.consumers)


def operations_routes(app: FastAPI) -> None:
    @app.get("/healthz", tags=["operations"], summary="The process is alive and its background threads run")
    def healthz(response: Response) -> dict:
        gateway: Gateway | None = getattr(app.state, "gateway", None)
        dead = gateway.dead_threads() if gateway is not None else []
        if dead:  # live updates stopped for good: only a restart brings them back
            response.status_code = 503
            return {"status": "failing", "dead_threads": dead}
        return {"status": "ok"}

    @app.get("/readyz", tags=["operations"], summary="Database, broker and live feed are ready")
    def readyz(response: Response) -> dict:
        gateway: Gateway = app.state.gateway
        checks = {"database": database_reachable(gateway.engine)}
        if gateway.settings.live_updates:
            checks["broker"] = broker_reachable(gateway.settings.kafka_bootstrap_servers)
            checks["live_feed"] = gateway.feed is not None and gateway.feed.ready.is_set()
        ready = all(checks.values())
        response.status_code = 200 if ready else 503
        return {"status": "ready" if ready else "unready", "checks": checks}

    @app.get("/metrics", include_in_schema=False)
    def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


def create_app(settings: Settings, transport: httpx.AsyncBaseTransport | None = None) -> FastAPI:
    limiter = RateLimiter()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        configure_logging(settings.service_name, settings.log_level)
        logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per service call is noise
        gateway = await asyncio.to_thread(build_gateway, settings, limiter, transport)
        app.state.gateway = gateway
        if settings.live_updates:
            await start_live_feed(gateway)
        log.info("gateway started")
        try:
            yield
        finally:
            await gateway.close()
            log.info("gateway stopped")

    configure_tracing(settings.service_name)
    app = FastAPI(title="Coalition match gateway", lifespan=lifespan, docs_url=None, redoc_url=None)
    install_problem_handlers(app)
    operations_routes(app)
    budget = Budget(settings.max_query_depth, settings.max_query_cost, settings.max_aliases, settings.max_page_size)
    graphql = GatewayGraphQLRouter(
        build_schema(budget, settings.max_tokens, settings.introspection_enabled), context_getter=graphql_context,
        graphql_ide="graphiql" if settings.graphiql_enabled else None, allow_queries_via_get=False,
        allowed_origins=settings.widget_origins, max_subscriptions_per_connection=10,
    )
    app.include_router(graphql, prefix="/graphql")
    mount_web(app)
    app.add_middleware(PublicResponseCache, ttl_seconds=settings.open_tasks_cache_seconds,
                       cache_of=lambda: getattr(app.state, "gateway", None) and app.state.gateway.cache)
    app.add_middleware(CORSMiddleware, allow_origins=settings.widget_origins, allow_methods=["GET", "POST"],
                       allow_headers=["Content-Type"], max_age=600)
    app.add_middleware(GatewayGuards, max_body_bytes=settings.max_body_bytes, limiter=limiter,
                       public_rule=Rule("public", settings.rate_limit_public_per_minute, 60),
                       read_token=TokenService(settings.jwt_secret, settings.token_ttl_seconds).read,
                       max_websockets_per_address=settings.max_websockets_per_address, proxies=settings.proxies)
    app.add_middleware(TracingMiddleware)  # outermost: every log line and service call carries the trace
    return app
