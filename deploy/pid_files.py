"""Background servers started by this repo's scripts (Kafka, Mailpit): found and stopped by the pid
file each one writes, never by name."""

from __future__ import annotations

import os
import signal
import socket
import time
from pathlib import Path


def running_pid(pid_file: Path) -> int | None:
    """The pid in ``pid_file`` if that process is alive; clears a stale pid file."""
    try:
        pid = int(pid_file.read_text())
    except (FileNotFoundError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        pid_file.unlink(missing_ok=True)
        return None
    if is_zombie(pid):
        pid_file.unlink(missing_ok=True)
        return None
    return pid


def stop_pid(pid_file: Path, timeout_s: float) -> bool:
    """SIGTERM the process of ``pid_file``, SIGKILL it after ``timeout_s``; False if none ran."""
    pid = running_pid(pid_file)
    if pid is None:
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and running_pid(pid_file) is not None:
        reap(pid)
        time.sleep(0.1)
    if running_pid(pid_file) is not None:
        os.kill(pid, signal.SIGKILL)
        time.sleep(0.3)
        reap(pid)
    pid_file.unlink(missing_ok=True)
    return True


def is_zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"
    except (FileNotFoundError, IndexError):
        return False


def reap(pid: int) -> None:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass  # not our child: its own parent (init) reaps it


def port_in_use(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0
