"""A throw-away PostgreSQL server on 127.0.0.1 for the test suite (Debian's postgresql package).

    python -m deploy.postgres_server start [--port 15432]   # installs the package if missing
    python -m deploy.postgres_server stop  [--port 15432]

The cluster lives in ``var/pg-<port>/`` and is owned by the ``postgres`` system user (PostgreSQL
refuses to run as root). When the clone sits where that user cannot go (under a home folder of
mode 700, or in a ``mktemp -d`` folder), the cluster lives in ``/var/tmp/coalition-match-pg-<port>-<id>/``
instead, and the start says so. Connections from 127.0.0.1 are trusted: this server is for tests only.
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def bin_dir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"))
    if not found:
        print("installing Debian's postgresql package...", flush=True)
        env = os.environ | {"DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-q"], check=True, env=env, stdout=subprocess.DEVNULL)
        subprocess.run(["apt-get", "install", "-y", "-q", "postgresql"], check=True, env=env, stdout=subprocess.DEVNULL)
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"))
    return Path(found[-1]).parent


def as_postgres(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    if os.geteuid() == 0:
        args = ["runuser", "-u", "postgres", "--", *args]
    return subprocess.run(args, check=True, **kwargs)


def home(port: int) -> Path:
    inside = REPO / "var" / f"pg-{port}"
    if os.geteuid() != 0 or postgres_can_enter(REPO):
        return inside
    # As root the server runs as `postgres`, which needs to pass through every folder above its data.
    return OUTSIDE_ROOT / f"coalition-match-pg-{port}-{hashlib.sha256(str(REPO).encode()).hexdigest()[:10]}"


OUTSIDE_ROOT = Path("/var/tmp")


def postgres_can_enter(folder: Path) -> bool:
    result = subprocess.run(["runuser", "-u", "postgres", "--", "test", "-x", str(folder)], capture_output=True)
    return result.returncode == 0


def is_ready(port: int) -> bool:
    result = subprocess.run([str(bin_dir() / "pg_isready"), "-h", "127.0.0.1", "-p", str(port)], capture_output=True)
    return result.returncode == 0


def start(port: int, timeout_s: float = 60) -> str:
    url = f"postgresql://postgres@127.0.0.1:{port}/postgres"
    if is_ready(port):
        print(f"PostgreSQL already running: {url}")
        return url
    binaries = bin_dir()
    data = home(port) / "data"
    if not data.is_relative_to(REPO):
        print(f"the postgres user cannot enter {REPO}; the test cluster lives in {data.parent}", flush=True)
    if not (data / "PG_VERSION").exists():
        data.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(home(port), "postgres", "postgres")
            shutil.chown(data, "postgres", "postgres")
        as_postgres(
            [str(binaries / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"],
            stdout=subprocess.DEVNULL,
        )
    _clear_stale_pid(data)
    as_postgres(
        [
            str(binaries / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(home(port) / "server.log"),
            "-w",
            "-t",
            str(int(timeout_s)),
            "-o",
            f"-h 127.0.0.1 -p {port} -k /tmp -c max_connections=300 -c fsync=off -c synchronous_commit=off",
            "start",
        ],
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + timeout_s
    while not is_ready(port):
        if time.monotonic() > deadline:
            raise SystemExit(f"PostgreSQL did not become ready; see {home(port) / 'server.log'}")
        time.sleep(0.2)
    print(f"PostgreSQL ready: {url}")
    return url


def _clear_stale_pid(data: Path) -> None:
    pid_file = data / "postmaster.pid"
    if not pid_file.exists():
        return
    try:
        pid = int(pid_file.read_text().splitlines()[0])
        os.kill(pid, 0)
    except (ValueError, IndexError, ProcessLookupError):
        pid_file.unlink()


def stop(port: int) -> None:
    data = home(port) / "data"
    if not (data / "postmaster.pid").exists():
        print(f"no PostgreSQL running from {data}")
        return
    as_postgres([str(bin_dir() / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"], stdout=subprocess.DEVNULL)
    print(f"PostgreSQL on port {port} stopped")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=["start", "stop"])
    parser.add_argument("--port", type=int, default=15432)
    args = parser.parse_args(argv)
    start(args.port) if args.action == "start" else stop(args.port)


if __name__ == "__main__":
    sys.exit(main())
