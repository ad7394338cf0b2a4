"""The whole product as real processes (members, tasks, matching, gateway) on the real broker.

One stack serves a whole test session (starting it takes seconds); tests stay independent by
creating their own organizations, people and a skill of their own (so matching offers their
tasks to their volunteers only). Databases are fresh SQLite files; topics get a fresh prefix.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from services.common.kafka_io import ensure_topics
from services.common.topics import Topics, all_topics
from tests.support.infra import new_sqlite_database, new_topic_prefix
from tests.support.processes import REPO, ServiceProcess, free_port, start_service

TEST_SECRET = "test-only-gateway-secret-0123456789"
ADMIN_EMAIL = "admin@example.org"
ADMIN_PASSWORD = "admin-password-for-tests"
START_TIMEOUT_S = 180  # a busy shared machine can take minutes to start four processes


@dataclass
class Stack:
    members: ServiceProcess
    tasks: ServiceProcess
    matching: ServiceProcess
    gateway: ServiceProcess
    topic_prefix: str
    gateway_env: dict[str, str]
    widget_host_port: int
    tasks_database_url: str = ""  # for tests that move a task into the past, as if it had taken place

    @property
    def url(self) -> str:
        return self.gateway.url

    @property
    def graphql_url(self) -> str:
        return self.gateway.url + "/graphql"

    @property
    def widget_host_origin(self) -> str:
        return f"http://127.0.0.1:{self.widget_host_port}"

    def stop(self) -> None:
        for process in (self.gateway, self.matching, self.tasks, self.members):
            process.stop()


def start_stack(
    directory: Path, bootstrap: str, gateway_env: dict[str, str] | None = None, matching_tick_seconds: float = 0.2
) -> Stack:
    prefix = new_topic_prefix()
    # Topics first: services creating them concurrently while matching's consumer group forms
    # makes the group rebalance at start-up.
    ensure_topics(bootstrap, all_topics(topics=Topics(prefix)))
    common = {"KAFKA_BOOTSTRAP_SERVERS": bootstrap, "KAFKA_TOPIC_PREFIX": prefix, "ENVIRONMENT": "test"}
    ports = {name: free_port() for name in ("members", "tasks", "matching")}
    service_envs = {
        "members": common | {"MEMBERS_DATABASE_URL": new_sqlite_database(directory, "members")},
        "tasks": common
        | {
            "TASKS_DATABASE_URL": new_sqlite_database(directory, "tasks"),
            "TASKS_MEMBERS_URL": f"http://127.0.0.1:{ports['members']}",
        },
        "matching": common
        | {
            "MATCHING_DATABASE_URL": new_sqlite_database(directory, "matching"),
            "MATCHING_TICK_SECONDS": str(matching_tick_seconds),
            "MATCHING_OFFER_TTL_SECONDS": "3600",
        },
    }
    with ThreadPoolExecutor(3) as pool:  # the three services do not depend on each other to start
        futures = {
            name: pool.submit(
                start_service, f"services.{name}.main", env, name=name, port=ports[name], timeout_s=START_TIMEOUT_S
            )
            for name, env in service_envs.items()
        }
        started = {}
        errors = []
        for name, future in futures.items():
            try:
                started[name] = future.result()
            except BaseException as error:  # noqa: BLE001 - stop the others, then re-raise
                errors.append(error)
    if errors:
        for process in started.values():
            process.stop()
        raise errors[0]
    widget_host_port = free_port()
    env = (
        common
        | {
            "GATEWAY_DATABASE_URL": new_sqlite_database(directory, "gateway"),
            "GATEWAY_MEMBERS_URL": started["members"].url,
            "GATEWAY_TASKS_URL": started["tasks"].url,
            "GATEWAY_MATCHING_URL": started["matching"].url,
            "GATEWAY_JWT_SECRET": TEST_SECRET,
            "GATEWAY_DATA_KEY": TEST_SECRET,
            "GATEWAY_WIDGET_ORIGINS": f"http://127.0.0.1:{widget_host_port}",
            # Many tests log in from 127.0.0.1; the limits themselves are tested on their own.
            "GATEWAY_RATE_LIMIT_LOGIN_PER_MINUTE": "100000",
            "GATEWAY_RATE_LIMIT_PUBLIC_PER_MINUTE": "100000",
            "GATEWAY_RATE_LIMIT_LOGIN_PER_ACCOUNT_PER_HOUR": "100000",
        }
        | (gateway_env or {})
    )
    try:
        gateway = start_service("gateway.main", env, name="gateway", timeout_s=START_TIMEOUT_S)
    except BaseException:
        for process in started.values():
            process.stop()
        raise
    stack = Stack(
        started["members"],
        started["tasks"],
        started["matching"],
        gateway,
        prefix,
        env,
        widget_host_port,
        service_envs["tasks"]["TASKS_DATABASE_URL"],
    )
    try:
        create_admin(stack)
    except BaseException:
        stack.stop()
        raise
    return stack


def create_admin(stack: Stack) -> None:
    """The documented bootstrap: ``python -m gateway create-admin`` against the gateway's database."""
    env = os.environ | stack.gateway_env | {"GATEWAY_ADMIN_PASSWORD": ADMIN_PASSWORD}
    done = subprocess.run(
        [sys.executable, "-m", "gateway", "create-admin", "--email", ADMIN_EMAIL],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )  # imports alone take seconds
    if done.returncode != 0:
        raise RuntimeError(f"create-admin failed: {done.stderr or done.stdout}")


def unique(label: str) -> str:
    # Always a letter first: a suffix of eight digits, put in a public title, reads as a phone
    # number and is refused (http_api.public_text).
    return f"{label}-q{uuid.uuid4().hex[:7]}"
