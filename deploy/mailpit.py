"""Run Mailpit, a real SMTP server with a web inbox, on 127.0.0.1 for development and tests.

    python -m deploy.mailpit start [--smtp-port 1025] [--http-port 8025]   # build (once), start, wait ready
    python -m deploy.mailpit stop  [--smtp-port 1025]
    python -m deploy.mailpit status [--smtp-port 1025]

Mailpit is built once from its Go module with the machine's Go toolchain and cached under
``.cache/mailpit/<version>/`` (git-ignored), as Kafka's jars are under ``.cache/kafka/``. Its
database, log and pid file live under ``var/mailpit-<smtp port>/``. Readiness is Mailpit's own
``/readyz`` answering on the HTTP port and the SMTP port accepting a connection.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from deploy import pid_files
from deploy.pid_files import port_in_use

REPO = Path(__file__).resolve().parents[1]
MODULE = "github.com/axllent/mailpit"
VERSION = "v1.33.1"  # served by the Go module proxy; builds with CGO off (pure-Go SQLite)


@dataclass(frozen=True)
class Mailpit:
    smtp_port: int
    http_port: int

    @property
    def home(self) -> Path:
        return REPO / "var" / f"mailpit-{self.smtp_port}"

    @property
    def pid_file(self) -> Path:
        return self.home / "mailpit.pid"

    @property
    def log_file(self) -> Path:
        return self.home / "mailpit.log"

    @property
    def smtp_host_port(self) -> str:
        return f"127.0.0.1:{self.smtp_port}"

    @property
    def url(self) -> str:
        """The web inbox; its HTTP API is under ``/api/v1/``."""
        return f"http://127.0.0.1:{self.http_port}"


def binary(version: str = VERSION) -> Path:
    """Mailpit's executable, built with ``go install`` the first time and reused afterwards."""
    target = REPO / ".cache" / "mailpit" / version
    built = target / "mailpit"
    if built.exists():
        return built
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.parent / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two test sessions building at once build it once
        if built.exists():
            return built
        if shutil.which("go") is None:
            raise SystemExit("building Mailpit needs the Go toolchain (`go`) on PATH")
        print(f"building Mailpit {version} from its Go module (once)...", flush=True)
        scratch = Path(tempfile.mkdtemp(prefix=f".{version}-", dir=target.parent))
        env = os.environ | {"GOBIN": str(scratch), "CGO_ENABLED": "0", "GOTOOLCHAIN": "local", "GOFLAGS": "-mod=mod"}
        try:
            done = subprocess.run(
                ["go", "install", f"{MODULE}@{version}"],
                env=env,
                capture_output=True,
                text=True,
                stdin=subprocess.DEVNULL,
                timeout=1800,
            )
            if done.returncode != 0:
                raise SystemExit(f"go install {MODULE}@{version} failed:\n{(done.stdout + done.stderr)[-3000:]}")
            scratch.chmod(0o755)
            scratch.rename(target)  # whole folder at once: a half-built binary is never taken as done
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    return built


def running_pid(mailpit: Mailpit) -> int | None:
    """Mailpit's pid if its process is alive; clears a stale pid file."""
    return pid_files.running_pid(mailpit.pid_file)


def start(mailpit: Mailpit, timeout_s: float = 60) -> int:
    pid = running_pid(mailpit)
    if pid is not None:
        wait_ready(mailpit, timeout_s)
        print(f"Mailpit already running, inbox {mailpit.url} (pid {pid})")
        return pid
    for port in (mailpit.smtp_port, mailpit.http_port):
        if port_in_use(port):
            raise SystemExit(f"port {port} is taken by another program; choose others with --smtp-port/--http-port")
    executable = binary()
    mailpit.home.mkdir(parents=True, exist_ok=True)
    command = [
        str(executable),
        "--smtp",
        mailpit.smtp_host_port,
        "--listen",
        f"127.0.0.1:{mailpit.http_port}",
        "--database",
        str(mailpit.home / "mailpit.db"),
        # Local development: accept any login, and plain-text auth without TLS, so the services can
        # be pointed at it with or without SMTP credentials.
        "--smtp-auth-accept-any",
        "--smtp-auth-allow-insecure",
        "--disable-version-check",
    ]
    with open(mailpit.log_file, "ab") as log:
        process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
        )
    mailpit.pid_file.write_text(str(process.pid))
    try:
        wait_ready(mailpit, timeout_s, process)
    except BaseException:
        stop(mailpit)
        raise
    print(f"Mailpit {VERSION} ready: SMTP {mailpit.smtp_host_port}, inbox {mailpit.url} (pid {process.pid})")
    return process.pid


def wait_ready(mailpit: Mailpit, timeout_s: float, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise SystemExit(f"Mailpit exited with code {process.returncode}; see {mailpit.log_file}")
        if port_in_use(mailpit.smtp_port) and _answers(mailpit.url + "/readyz"):
            return
        time.sleep(0.1)
    raise SystemExit(f"Mailpit not ready after {timeout_s}s; see {mailpit.log_file}")


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def stop(mailpit: Mailpit, timeout_s: float = 15) -> None:
    if pid_files.stop_pid(mailpit.pid_file, timeout_s):
        print(f"Mailpit on SMTP port {mailpit.smtp_port} stopped")
    else:
        print(f"no Mailpit running on SMTP port {mailpit.smtp_port}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=["build", "start", "stop", "status"])
    parser.add_argument("--smtp-port", type=int, default=int(os.environ.get("MAILPIT_SMTP_PORT", "1025")))
    parser.add_argument("--http-port", type=int, default=int(os.environ.get("MAILPIT_HTTP_PORT", "8025")))
    parser.add_argument("--timeout", type=float, default=60)
    args = parser.parse_args(argv)
    mailpit = Mailpit(args.smtp_port, args.http_port)
    if args.action == "build":
        print(binary())
    elif args.action == "start":
        start(mailpit, args.timeout)
    elif args.action == "stop":
        stop(mailpit)
    else:
        pid = running_pid(mailpit)
        print(f"running (pid {pid}), SMTP {mailpit.smtp_host_port}" if pid else "not running")
        sys.exit(0 if pid else 1)


if __name__ == "__main__":
    main()
