"""The test PostgreSQL server starts from a clone the `postgres` user cannot enter."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.processes import free_port

REPO = Path(__file__).resolve().parents[2]
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(os.geteuid() != 0, reason="only root runs the server as another user (postgres)"),
]


def run(clone: Path, action: str, port: int) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "deploy.postgres_server", action, "--port", str(port)],
        cwd=clone,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_server_starts_from_a_clone_under_a_private_folder(tmp_path):
    private = tmp_path / "home-of-someone"  # mode 700, like a home folder or a mktemp -d folder
    private.mkdir(mode=0o700)
    clone = private / "clone"
    (clone / "deploy").mkdir(parents=True)
    for name in ("__init__.py", "postgres_server.py"):
        shutil.copy(REPO / "deploy" / name, clone / "deploy" / name)
    port = free_port()

    started = run(clone, "start", port)
    try:
        assert started.returncode == 0, started.stderr[-2000:]
        assert "cannot enter" in started.stdout
        ready = subprocess.run(["pg_isready", "-h", "127.0.0.1", "-p", str(port)], capture_output=True)
        assert ready.returncode == 0
    finally:
        stopped = run(clone, "stop", port)
    assert f"PostgreSQL on port {port} stopped" in stopped.stdout
    outside = [path for path in Path("/var/tmp").glob(f"coalition-match-pg-{port}-*")]
    for folder in outside:
        shutil.rmtree(folder, ignore_errors=True)
    assert outside, "the cluster should have lived outside the private folder"
