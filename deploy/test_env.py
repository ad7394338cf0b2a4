"""Set up what the test suite needs, run pytest, and tear down what this run started.

Starts the real Kafka broker (KRaft) and a PostgreSQL server on loopback test ports, makes sure
Debian's Chromium is installed for the browser tests and the deployment validators are cached,
then runs pytest with any extra arguments.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time

from deploy import kafka_broker, postgres_server

KAFKA_PORT = int(os.environ.get("TEST_KAFKA_PORT", "19092"))
POSTGRES_PORT = int(os.environ.get("TEST_POSTGRES_PORT", "15432"))


def ensure_chromium() -> None:
    if shutil.which("chromium"):
        return
    print("installing Debian's chromium for the browser tests...", flush=True)
    env = os.environ | {"DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-q"], check=True, env=env, stdout=subprocess.DEVNULL)
    subprocess.run(["apt-get", "install", "-y", "-q", "chromium", "fonts-dejavu-core"], check=True, env=env,
                   stdout=subprocess.DEVNULL)


def main(pytest_args: list[str]) -> int:
    started = time.monotonic()
    ensure_chromium()
    subprocess.run([sys.executable, "-m", "deploy.tools"], check=True, stdout=subprocess.DEVNULL)
    broker = kafka_broker.Broker(KAFKA_PORT, KAFKA_PORT + 1)
    kafka_was_running = kafka_broker.running_pid(broker) is not None
    postgres_was_running = postgres_server.is_ready(POSTGRES_PORT)
    try:
        kafka_broker.start(broker)
        postgres_url = postgres_server.start(POSTGRES_PORT)
        env = os.environ | {
            "TEST_KAFKA_BOOTSTRAP": broker.bootstrap,
            "TEST_POSTGRES_URL": postgres_url,
            "ENVIRONMENT": "test",
        }
        code = subprocess.call([sys.executable, "-m", "pytest", *pytest_args], env=env)
    finally:
        if not kafka_was_running:
            kafka_broker.stop(broker)
        if not postgres_was_running:
            postgres_server.stop(POSTGRES_PORT)
    print(f"test run finished in {time.monotonic() - started:.0f}s with exit code {code}")
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
