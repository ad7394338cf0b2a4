"""Everything the gateway wires up once at start-up and hands to each request (its typed wiring,
at ``app.state.gateway``); threads and their supervision belong to the shared runtime."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.engine import Engine

from gateway.auth.accounts import Accounts
from gateway.auth.tokens import TokenService
from gateway.clients.services import ServiceClients
from gateway.config import Settings
from gateway.limits.rate import RateLimiter, Rule
from gateway.live.hub import Hub
from gateway.live.reader import EventReader
from gateway.live.task_owners import TaskOwners
from gateway.public_cache import PublicCache


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
    reader: EventReader | None = None  # None with live updates off
    task_owners: TaskOwners = field(default_factory=TaskOwners)

    @property
    def login_rule(self) -> Rule:
        return Rule("login", self.settings.rate_limit_login_per_minute, 60)

    @property
    def login_account_rule(self) -> Rule:
        return Rule("login-account", self.settings.rate_limit_login_per_account_per_hour, 3600)
