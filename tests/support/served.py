"""A service app served over real HTTP from a thread of the test process.

For a service another one calls by URL (the members service the notifications service reads
addresses from): the same app, lifespan, consumers and outbox relay as its own process runs, on a
loopback port, without the 10-30 s a new interpreter spends importing before it answers. A test
that stops or restarts a service still runs that one as a process (tests/support/processes.py).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import uvicorn
from fastapi import FastAPI

from tests.support.processes import free_port, wait_http_ok


@dataclass(frozen=True)
class ServedApp:
    name: str
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@contextmanager
def served(app: FastAPI, name: str, ready_path: str = "/readyz", timeout_s: float = 60) -> Iterator[ServedApp]:
    """``app`` answering on a free loopback port until the block ends; ready (``ready_path``) on entry."""
    port = free_port()
    # As deployed, like tests/support/processes.py: no proxy headers trusted.
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", proxy_headers=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"served-{name}", daemon=True)
    thread.start()  # uvicorn installs no signal handlers outside the main thread
    try:
        _wait_started(server, thread, name, timeout_s)
        wait_http_ok(f"http://127.0.0.1:{port}{ready_path}", timeout_s)
        yield ServedApp(name, port)
    finally:
        server.should_exit = True  # ends the lifespan: consumers and relay stop as on SIGTERM
        thread.join(timeout_s)


def _wait_started(server: uvicorn.Server, thread: threading.Thread, name: str, timeout_s: float) -> None:
    """Until the lifespan ran and the socket listens; a start that failed says so at once."""
    deadline = time.monotonic() + timeout_s
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError(f"{name} stopped before it was ready (its log is in the test's output)")
        if time.monotonic() > deadline:
            raise TimeoutError(f"{name} not started after {timeout_s}s")
        time.sleep(0.05)
