"""Set up what the test suite needs, run pytest, and tear down what this run started.

``--fast`` first runs the fast tier instead: the tests that need no broker, PostgreSQL, mail
server or browser, with none of them started.

Starts the real Kafka broker (KRaft), a PostgreSQL server and Mailpit (SMTP with an HTTP API) on
loopback test ports, makes sure Debian's Chromium is installed for the browser tests and the
deployment validators are cached, then runs pytest with any extra arguments.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time

from deploy import kafka_broker, mailpit, postgres_server

KAFKA_PORT = int(os.environ.get("TEST_KAFKA_PORT", "19092"))
POSTGRES_PORT = int(os.environ.get("TEST_POSTGRES_PORT", "15432"))
MAILPIT_SMTP_PORT = int(os.environ.get("TEST_MAILPIT_SMTP_PORT", "11025"))
MAILPIT_HTTP_PORT = int(os.environ.get("TEST_MAILPIT_HTTP_PORT", "11026"))


def ensure_chromium() -> None:
    if shutil.which("chromium"):
        return
    print("installing Debian's chromium for the browser tests...", flush=True)
    env = os.environ | {"DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-q"], check=True, env=env, stdout=subprocess.DEVNULL)
    subprocess.run(
        ["apt-get", "install", "-y", "-q", "chromium", "fonts-dejavu-core"],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
    )


def fast(pytest_args: list[str]) -> int:
    """The fast tier: the tests that need no real part, with nothing started (see tests/conftest.py)."""
    started = time.monotonic()
    env = os.environ | {"TEST_TIER": "fast", "ENVIRONMENT": "test"}
    code = subprocess.call([sys.executable, "-m", "pytest", *pytest_args], env=env)
    print(f"fast tier finished in {time.monotonic() - started:.0f}s with exit code {code}")
    return code


def main(pytest_args: list[str]) -> int:
    if pytest_args[:1] == ["--fast"]:
        return fast(pytest_args[1:])
    started = time.monotonic()
    ensure_chromium()
    subprocess.run([sys.executable, "-m", "deploy.tools"], check=True, stdout=subprocess.DEVNULL)
    broker = kafka_broker.Broker(KAFKA_PORT, KAFKA_PORT + 1)
    kafka_was_running = kafka_broker.running_pid(broker) is not None
    postgres_was_running = postgres_server.is_ready(POSTGRES_PORT)
    mail = mailpit.Mailpit(MAILPIT_SMTP_PORT, MAILPIT_HTTP_PORT)
    mailpit_was_running = mailpit.running_pid(mail) is not None
    try:
        kafka_broker.start(broker)
        postgres_url = postgres_server.start(POSTGRES_PORT)
        mailpit.start(mail)
        env = os.environ | {
            "TEST_KAFKA_BOOTSTRAP": broker.bootstrap,
            "TEST_POSTGRES_URL": postgres_url,
            "TEST_MAILPIT_SMTP": mail.smtp_host_port,
            "TEST_MAILPIT_URL": mail.url,
            "ENVIRONMENT": "test",
        }
        code = subprocess.call([sys.executable, "-m", "pytest", *pytest_args], env=env)
    finally:
        if not kafka_was_running:
            kafka_broker.stop(broker)
        if not postgres_was_running:
            postgres_server.stop(POSTGRES_PORT)
        if not mailpit_was_running:
            mailpit.stop(mail)
    print(f"test run finished in {time.monotonic() - started:.0f}s with exit code {code}")
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
