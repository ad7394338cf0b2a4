"""init-databases.sh on a real, private PostgreSQL server with password authentication over TCP."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import psycopg
import pytest

from deploy import make_secrets
from deploy.postgres_server import as_postgres, bin_dir
from deploy.tools import REPO
from tests.support.processes import free_port

INIT_SCRIPT = REPO / "deploy" / "k8s" / "postgres" / "init-databases.sh"
pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def fresh_server():
    """An empty cluster like the official image's first start: trusted socket, passwords on TCP."""
    home = Path(tempfile.mkdtemp(prefix="pg-init-test-"))
    data, port = home / "data", free_port()
    if os.geteuid() == 0:
        shutil.chown(home, "postgres", "postgres")
    as_postgres(
        [
            str(bin_dir() / "initdb"),
            "-D",
            str(data),
            "-U",
            "postgres",
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "-E",
            "UTF8",
        ],
        stdout=subprocess.DEVNULL,
    )
    as_postgres(
        [
            str(bin_dir() / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(home / "server.log"),
            "-w",
            "-o",
            f"-h 127.0.0.1 -p {port} -k {home} -c fsync=off",
            "start",
        ],
        stdout=subprocess.DEVNULL,
    )
    try:
        yield home, port
    finally:
        as_postgres(
            [str(bin_dir() / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"], stdout=subprocess.DEVNULL
        )
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(scope="module")
def passwords(fresh_server) -> dict[str, str]:
    home, port = fresh_server
    variables = make_secrets.secret_files()["postgres.env"]
    env = (
        os.environ
        | variables
        | {
            "POSTGRES_USER": "postgres",
            "PGHOST": str(home),
            "PGPORT": str(port),
            "PATH": f"{bin_dir()}:{os.environ['PATH']}",
        }
    )
    done = subprocess.run(["bash", str(INIT_SCRIPT)], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return {service: variables[f"{service.upper()}_DB_PASSWORD"] for service in make_secrets.SERVICES}


def connect(port: int, user: str, password: str, database: str) -> psycopg.Connection:
    return psycopg.connect(
        host="127.0.0.1", port=port, user=user, password=password, dbname=database, connect_timeout=10, autocommit=True
    )


@pytest.mark.parametrize("service", make_secrets.SERVICES)
def test_each_service_logs_in_to_its_own_database_and_owns_it(fresh_server, passwords, service):
    _, port = fresh_server
    with connect(port, service, passwords[service], service) as connection:
        connection.execute("CREATE TABLE migration_probe (id int)")  # alembic needs to create tables
        connection.execute("DROP TABLE migration_probe")


def test_no_service_can_open_another_services_database(fresh_server, passwords):
    _, port = fresh_server
    with pytest.raises(psycopg.OperationalError, match="permission denied for database"):
        connect(port, "members", passwords["members"], "tasks")


def test_a_wrong_password_is_refused(fresh_server, passwords):
    _, port = fresh_server
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        connect(port, "gateway", passwords["members"], "gateway")


def test_a_missing_password_stops_the_initialisation_with_its_name(fresh_server):
    home, port = fresh_server
    env = {
        "PATH": f"{bin_dir()}:{os.environ['PATH']}",
        "POSTGRES_USER": "postgres",
        "PGHOST": str(home),
        "PGPORT": str(port),
    }
    done = subprocess.run(["bash", str(INIT_SCRIPT)], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert "MEMBERS_DB_PASSWORD must be set" in done.stderr
