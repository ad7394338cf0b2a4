"""Start the product's services as real processes for integration and end-to-end tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[2]
LOG_DIR = REPO / "var" / "test-logs"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class ServiceProcess:
    name: str
    port: int
    process: subprocess.Popen
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self, timeout_s: float = 15) -> None:
        if self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout_s)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)


def start_service(
    module: str,
    env: dict[str, str],
    *,
    name: str | None = None,
    port: int | None = None,
    ready_path: str = "/readyz",
    timeout_s: float = 60,
) -> ServiceProcess:
    """Run ``uvicorn <module>:app`` with ``env`` on a free loopback port; wait until it is ready."""
    name = name or module.split(".")[1]
    port = port or free_port()
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    log_path = LOG_DIR / f"{name}-{port}.log"
    full_env = os.environ | {"ENVIRONMENT": "test"} | env
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                f"{module}:app",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "warning",
                "--no-proxy-headers",
            ],  # as deployed: see deploy/runner.py
            cwd=REPO,
            env=full_env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    service = ServiceProcess(name, port, process, log_path)
    try:
        wait_http_ok(service.url + ready_path, timeout_s, process)
    except BaseException:
        service.stop()
        raise
    return service


def wait_http_ok(url: str, timeout_s: float, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout_s
    last_error = "no answer"
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process exited with {process.returncode} before {url} was ready")
        try:
            response = httpx.get(url, timeout=2)
            if response.status_code == 200:
                return
            last_error = f"HTTP {response.status_code}: {response.text[:200]}"
        except httpx.HTTPError as error:
            last_error = str(error)
        time.sleep(0.2)
    raise TimeoutError(f"{url} not ready after {timeout_s}s: {last_error}")


def eventually(check, timeout_s: float = 10, interval_s: float = 0.1, message: str = "condition"):
    """Poll ``check`` until it returns a truthy value; returns it, or fails with ``message``."""
    deadline = time.monotonic() + timeout_s
    last = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(interval_s)
    raise AssertionError(f"{message} not met within {timeout_s}s (last value: {last!r})")
