"""Rate limits and the public cache, on their own clock."""

from __future__ import annotations

import asyncio

import pytest

from gateway.config import Settings
from gateway.errors import RateLimited
from gateway.limits.proxies import TrustedProxies, parse_networks
from gateway.limits.rate import RateLimiter, Rule
from gateway.public_cache import PublicCache
from gateway.response_cache import CACHEABLE, PublicResponseCache
from services.common import answer_links
from services.common.identity import development_key, new_signing_key
from tests.gateway.test_http_edges import notifier_key


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_rate_limit_allows_its_quota_then_says_when_to_come_back():
    clock = Clock()
    limiter, rule = RateLimiter(clock), Rule("login", 3, 60)

    allowed = [limiter.hit(rule, "10.0.0.1") for _ in range(3)]
    clock.now += 15
    refused = limiter.hit(rule, "10.0.0.1")

    assert allowed == [0, 0, 0]
    assert refused == 45
    assert limiter.hit(rule, "10.0.0.2") == 0  # another address has its own quota
    clock.now += 45
    assert limiter.hit(rule, "10.0.0.1") == 0


def test_checking_a_limit_raises_a_readable_problem():
    limiter, rule = RateLimiter(Clock()), Rule("login", 1, 60)
    limiter.check(rule, "a", "login attempts")

    with pytest.raises(RateLimited, match="Too many login attempts; try again in 60 seconds."):
        limiter.check(rule, "a", "login attempts")


def test_a_flood_of_addresses_cannot_grow_memory_without_bound():
    limiter = RateLimiter(Clock(), max_keys=100)
    for number in range(1000):
        limiter.hit(Rule("public", 5, 60), f"addr-{number}")

    assert len(limiter._windows) <= 100


async def test_concurrent_misses_share_one_load_and_an_event_drops_the_entry():
    cache, calls = PublicCache(ttl_seconds=60), []

    async def load():
        calls.append(1)
        await asyncio.sleep(0.01)
        return len(calls)

    first = await asyncio.gather(*(cache.get_or_load("page", load) for _ in range(20)))
    cached = await cache.get_or_load("page", load)
    cache.invalidate()
    fresh = await cache.get_or_load("page", load)

    assert first == [1] * 20 and cached == 1
    assert fresh == 2


async def test_cached_entries_expire():
    clock = Clock()
    cache = PublicCache(ttl_seconds=5, clock=clock)
    values = iter([1, 2])

    async def load():
        return next(values)

    assert await cache.get_or_load("k", load) == 1
    clock.now += 6
    assert await cache.get_or_load("k", load) == 2


async def test_a_failed_load_is_not_cached():
    cache = PublicCache(ttl_seconds=60)

    async def failing():
        raise RuntimeError("service down")

    async def working():
        return "ok"

    with pytest.raises(RuntimeError):
        await cache.get_or_load("k", failing)
    assert await cache.get_or_load("k", working) == "ok"


def test_placeholder_or_short_secrets_are_refused_outside_development():
    with pytest.raises(ValueError, match="GATEWAY_JWT_SECRET"):
        Settings(environment="production", data_key="x" * 40)
    with pytest.raises(ValueError, match="at least 32 characters"):
        Settings(environment="production", jwt_secret="short-but-not-placeholder", data_key="y" * 40)
    real_key = new_signing_key("gateway").text
    checking_key = answer_links.new_key_pair()[1]
    with pytest.raises(ValueError, match="GATEWAY_ANSWER_LINK_PUBLIC_KEY"):
        Settings(
            environment="production",
            jwt_secret="x" * 40,
            data_key="y" * 40,
            service_token_key=real_key,
            token_issuer_keys=notifier_key(),
        )
    assert (
        Settings(
            environment="production",
            jwt_secret="x" * 40,
            data_key="y" * 40,
            service_token_key=real_key,
            answer_link_public_key=checking_key,
            token_issuer_keys=notifier_key(),
        ).graphiql_enabled
        is False
    )


def test_the_gateway_signs_service_tokens_with_a_real_key_outside_development():
    secrets = {"jwt_secret": "x" * 40, "data_key": "y" * 40, "answer_link_public_key": answer_links.new_key_pair()[1]}
    with pytest.raises(ValueError, match="GATEWAY_SERVICE_TOKEN_KEY must be set"):
        Settings(environment="production", **secrets)
    with pytest.raises(ValueError, match="development key"):
        Settings(environment="production", service_token_key=development_key("gateway").text, **secrets)
    with pytest.raises(ValueError, match="GATEWAY_SERVICE_TOKEN_KEY: a signing key reads kid:private-key"):
        Settings(environment="production", service_token_key="no-colon-here", **secrets)
    assert Settings(environment="test").service_token_issuer().issuer == "gateway"


async def test_an_aged_public_response_is_refreshed_by_one_request_while_the_others_get_the_aged_copy():
    cache = PublicCache(ttl_seconds=60)
    calls, release = [], asyncio.Event()

    async def graphql_app(scope, receive, send):
        calls.append(1)
        if len(calls) > 1:
            await release.wait()  # the refresh is slow
        scope[CACHEABLE] = True
        body = f"answer {len(calls)}".encode()
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"8")]})
        await send({"type": "http.response.body", "body": body})

    middleware = PublicResponseCache(graphql_app, cache_of=lambda: cache, ttl_seconds=0.01)
    first = await call(middleware)
    await asyncio.sleep(0.02)  # the entry ages past its time to live
    refreshing = asyncio.create_task(call(middleware))
    await asyncio.sleep(0.01)
    meanwhile = await call(middleware)
    release.set()

    assert first == meanwhile == b"answer 1"
    assert await refreshing == b"answer 2"
    assert await call(middleware) == b"answer 2"
    cache.invalidate_tasks()  # after a task event nothing aged is served: the caller waits for fresh data
    assert await call(middleware) == b"answer 3"


async def call(middleware) -> bytes:
    scope = {"type": "http", "method": "POST", "path": "/graphql", "headers": [(b"content-type", b"application/json")]}
    sent = []

    async def receive():
        return {"type": "http.request", "body": b'{"query": "{ skills { slug } }"}', "more_body": False}

    async def send(message):
        sent.append(message)

    await middleware(scope, receive, send)
    return b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")


def test_only_a_trusted_proxy_may_name_the_visitor_and_only_by_its_own_entry():
    proxies = TrustedProxies(parse_networks(["10.0.0.0/8", "192.0.2.1"]))

    assert proxies.client_of("203.0.113.9", ["198.51.100.1"]) == "203.0.113.9"  # not a proxy: its word is ignored
    assert proxies.client_of("10.1.2.3", ["198.51.100.1"]) == "198.51.100.1"
    # Entries left of the last untrusted one are whatever the visitor wrote.
    assert proxies.client_of("10.1.2.3", ["6.6.6.6", "198.51.100.1", "192.0.2.1"]) == "198.51.100.1"
    assert proxies.client_of("10.1.2.3", []) == "10.1.2.3"
    with pytest.raises(ValueError, match="not an IP address or network"):
        parse_networks(["proxy.internal"])


async def test_a_task_event_keeps_the_lasting_entries_and_a_taxonomy_edit_drops_them():
    cache, loads = PublicCache(ttl_seconds=60), []

    async def load():
        loads.append(1)
        return len(loads)

    skills = await cache.get_or_load("skills", load, lasting=True)
    page = await cache.get_or_load("skills", load)  # the same key, not lasting: an entry of its own
    cache.invalidate_tasks()  # what a task event or a posted task does
    assert await cache.get_or_load("skills", load, lasting=True) == skills == 1
    assert await cache.get_or_load("skills", load) == 3 != page
    cache.invalidate()  # what a taxonomy or organization edit does
    assert await cache.get_or_load("skills", load, lasting=True) == 4


async def test_lasting_entries_still_expire():
    clock = Clock()
    cache = PublicCache(ttl_seconds=5, clock=clock)
    values = iter([1, 2])

    async def load():
        return next(values)

    assert await cache.get_or_load("skills", load, 60, lasting=True) == 1
    clock.now += 61
    assert await cache.get_or_load("skills", load, 60, lasting=True) == 2
