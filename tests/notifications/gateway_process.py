"""A real gateway process for the coordinators' mails (no live updates: it needs no broker here),
and the accounts it answers for: the notifications service reads a coordinator's address from it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlmodel import Session, select

from gateway.auth.accounts import Accounts
from gateway.auth.emails import EmailVault
from gateway.models import AddressRead, Role
from services.common.db import make_engine
from tests.support.infra import new_sqlite_database
from tests.support.processes import ServiceProcess, start_service

DATA_KEY = "coordinator-mails-test-secret-0123456789"


class Gateway:
    """The gateway process and its accounts, each coordinator made with a fresh address."""

    def __init__(self, process: ServiceProcess, database_url: str):
        self.process, self.engine = process, make_engine(database_url)
        self.accounts = Accounts(self.engine, EmailVault(DATA_KEY))

    def coordinator(self, locale: str = "en") -> tuple[uuid.UUID, str]:
        address = f"coordinator-{uuid.uuid4().hex[:10]}@example.org"
        user = self.accounts.create(address, "a long enough password 1", Role.coordinator, locale=locale)
        return user.id, address

    def reads_of(self, account_id: uuid.UUID) -> list[AddressRead]:
        with Session(self.engine) as session:
            return list(session.exec(select(AddressRead).where(AddressRead.account_id == account_id)).all())


@contextmanager
def gateway_process(directory: Path, kafka_bootstrap: str) -> Iterator[Gateway]:
    database_url = new_sqlite_database(directory, "gateway")
    env = {
        "GATEWAY_DATABASE_URL": database_url,
        "GATEWAY_LIVE_UPDATES": "false",
        "GATEWAY_DATA_KEY": DATA_KEY,
        "GATEWAY_JWT_SECRET": DATA_KEY,
        "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
    }
    process = start_service("gateway.main", env, name="gateway", timeout_s=120)
    try:
        yield Gateway(process, database_url)
    finally:
        process.stop()
