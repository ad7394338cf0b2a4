"""A PostgreSQL server of one test's own, on a free port, that the test may stop and start again
to see what an outage does (the shared test server is never stopped)."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from deploy import postgres_server
from tests.support.processes import free_port


@dataclass
class OwnPostgres:
    port: int
    url: str

    def stop(self) -> None:
        """Fast shutdown: open connections are cut, new ones are refused."""
        postgres_server.stop(self.port)

    def start(self) -> None:
        postgres_server.start(self.port, timeout_s=60)


@contextmanager
def own_postgres_server() -> Iterator[OwnPostgres]:
    port = free_port()
    server = OwnPostgres(port, postgres_server.start(port, timeout_s=60))
    try:
        yield server
    finally:
        try:
            server.stop()
        except subprocess.CalledProcessError:
            pass  # already stopped
        shutil.rmtree(postgres_server.home(port), ignore_errors=True)
