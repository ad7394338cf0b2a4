"""Everything the gateway wires up once at start-up and hands to each request."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from sqlalchemy.engine import Engine

from gateway.auth.accounts import Accounts
from gateway.auth.tokens import TokenService
from gateway.clients.services import ServiceClients
from gateway.config import Settings
from gateway.limits.rate import RateLimiter, Rule
from gateway.live.feed import EventFeed
from gateway.live.hub import Hub
from gateway.public_cache import PublicCache
from services.common.runtime import Runtime, dead_threads


@dataclass
class Gateway:
    settings: Settings
    engine: Engine
    accounts: Accounts
    tokens: TokenService
    clients: ServiceClients
    hub: Hub
    cache: PublicCache
    limiter: RateLimiter
    feed: EventFeed | None = None
    consumers: Runtime | None = None  # the member-erasures consumer group, once started
    stop: threading.Event = field(default_factory=threading.Event)
    threads: list[threading.Thread] = field(default_factory=list)

    @property
    def login_rule(self) -> Rule:
        return Rule("login", self.settings.rate_limit_login_per_minute, 60)

    @property
    def login_account_rule(self) -> Rule:
        return Rule("login-account", self.settings.rate_limit_login_per_account_per_hour, 3600)

    def start_thread(self, name: str, target) -> None:
        thread = threading.Thread(target=target, args=(self.stop,), name=name, daemon=True)
        thread.start()
        self.threads.append(thread)

    def dead_threads(self) -> list[str]:
        """Background threads (live feed, consumers) that ended although the gateway runs on."""
        return dead_threads(self.threads + (self.consumers.threads if self.consumers else []), self.stop)

    async def close(self) -> None:
        self.stop.set()
        for thread in self.threads + (self.consumers.threads if self.consumers else []):
            thread.join(10)
        await self.clients.close()
        self.engine.dispose()
