"""Run the whole product on one machine: Kafka, Mailpit, the four services, gateway, demo data.

    ./start.sh                # everything, with demo data; Ctrl-C stops it all
    ./start.sh --no-demo      # without demo data
    ./start.sh --fresh        # forget previous local data (databases and broker storage) first
    ./start.sh --widget-origins https://partner.example.org   # let a partner site embed the widget

Every process is started by this runner and stopped by it, by PID, on Ctrl-C or SIGTERM:
services first, then Mailpit and the broker. Logs go to var/logs/. Mails the services send land in
Mailpit's web inbox, whose address the banner prints. The key pairs that sign and verify the
services' tokens are made on the first start and kept in var/service-token-keys.env (readable by
you only), so no other local user can forge a call to a service.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from deploy import kafka_broker, mailpit
from deploy.make_secrets import add_token_keys

REPO = Path(__file__).resolve().parents[1]
LOGS = REPO / "var" / "logs"
TOKEN_KEYS = REPO / "var" / "service-token-keys.env"


@dataclass(frozen=True)
class Part:
    name: str
    module: str
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def parts() -> list[Part]:
    env = os.environ
    return [
        Part("members", "services.members.main", int(env.get("MEMBERS_PORT", "8001"))),
        Part("tasks", "services.tasks.main", int(env.get("TASKS_PORT", "8002"))),
        Part("matching", "services.matching.main", int(env.get("MATCHING_PORT", "8003"))),
        Part("notifications", "services.notifications.main", int(env.get("NOTIFICATIONS_PORT", "8004"))),
        Part("gateway", "gateway.main", int(env.get("GATEWAY_PORT", "8000"))),
    ]


def _outdated(existing: dict[str, str], wanted: dict[str, str]) -> bool:
    """A variable missing, or a service trusting other issuers than this version says (a new caller)."""
    return not set(wanted) <= set(existing) or _trusted_issuers(existing) != _trusted_issuers(wanted)


def _trusted_issuers(variables: dict[str, str]) -> dict[str, set[str]]:
    """Per ``*_TOKEN_ISSUER_KEYS``, the issuers it lists (each key is ``issuer:kid:key``)."""
    return {
        name: {key.split(":", 1)[0] for key in value.split(",") if key}
        for name, value in variables.items()
        if name.endswith("_TOKEN_ISSUER_KEYS")
    }


def local_token_keys(path: Path = TOKEN_KEYS) -> dict[str, str]:
    """This machine's service-token keys: made once, then read back (private to the user). Made
    anew when a newer version signs with an issuer the file has no key for, or a service trusts a
    caller the file does not list for it."""
    files: dict[str, dict[str, str]] = {
        name: {} for name in ("gateway.env", "members.env", "tasks.env", "matching.env", "notifications.env")
    }
    add_token_keys(files)
    wanted = {name: value for variables in files.values() for name, value in variables.items()}
    if path.exists() and _outdated(_read_env(path), wanted):
        path.unlink()  # local development keys only: nothing outside this machine holds them
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        lines = [f"{name}={value}\n" for variables in files.values() for name, value in variables.items()]
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another start made them meanwhile: use those
            pass
        else:
            with os.fdopen(descriptor, "w") as handle:
                handle.writelines(lines)
    return _read_env(path)


def _read_env(path: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)


def local_mailpit() -> mailpit.Mailpit:
    env = os.environ
    return mailpit.Mailpit(int(env.get("MAILPIT_SMTP_PORT", "1025")), int(env.get("MAILPIT_HTTP_PORT", "8025")))


def service_env(bootstrap: str, all_parts: list[Part], mail: mailpit.Mailpit) -> dict[str, str]:
    urls = {p.name: p.url for p in all_parts}
    # On one machine every browser and the demo loader come from 127.0.0.1, so the per-address
    # sign-in limit is shared by everyone; raise it unless the operator chose a value.
    keys = {name: value for name, value in local_token_keys().items() if name != "OPERATOR_TOKEN_KEY"}
    defaults = {
        "GATEWAY_RATE_LIMIT_LOGIN_PER_MINUTE": "60",
        # Mail goes to the local Mailpit unless the operator points the service at a real relay.
        "NOTIFICATIONS_SMTP_HOST": "127.0.0.1",
        "NOTIFICATIONS_SMTP_PORT": str(mail.smtp_port),
        "NOTIFICATIONS_PUBLIC_URL": urls["gateway"],
    } | keys
    return (
        defaults
        | os.environ
        | {
            "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
            "GATEWAY_MEMBERS_URL": urls["members"],
            "GATEWAY_TASKS_URL": urls["tasks"],
            "GATEWAY_MATCHING_URL": urls["matching"],
            "TASKS_MEMBERS_URL": urls["members"],
            "NOTIFICATIONS_MEMBERS_URL": urls["members"],
            "NOTIFICATIONS_GATEWAY_URL": urls["gateway"],
            "NOTIFICATIONS_MATCHING_URL": urls["matching"],
        }
    )


def start_part(part: Part, env: dict[str, str]) -> subprocess.Popen:
    LOGS.mkdir(parents=True, exist_ok=True)
    log = open(LOGS / f"{part.name}.log", "ab")
    return subprocess.Popen(
        # Without --no-proxy-headers uvicorn believes X-Forwarded-For from 127.0.0.1, which here is
        # every local program: the gateway alone reads it, from GATEWAY_TRUSTED_PROXIES only.
        [
            sys.executable,
            "-m",
            "uvicorn",
            f"{part.module}:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(part.port),
            "--no-proxy-headers",
        ],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,  # Ctrl-C reaches the runner only; it stops everyone in order
    )


def wait_ready(part: Part, process: subprocess.Popen, timeout_s: float = 90) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{part.name} exited with {process.returncode}; see {LOGS / (part.name + '.log')}")
        try:
            if httpx.get(part.url + "/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{part.name} not ready after {timeout_s}s; see {LOGS / (part.name + '.log')}")


def stop_process(name: str, process: subprocess.Popen, timeout_s: float = 15) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout_s)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
    print(f"  stopped {name}")


def forget_local_data(broker: kafka_broker.Broker) -> None:
    print("--fresh: forgetting the local databases and the broker's storage")
    if kafka_broker.running_pid(broker) is not None:
        kafka_broker.stop(broker)
    shutil.rmtree(broker.home, ignore_errors=True)
    for db in (REPO / "var").glob("*.db*"):
        db.unlink()


def parse_options(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--no-demo", action="store_true", help="do not load the demo coalition")
    parser.add_argument("--fresh", action="store_true", help="delete local databases and broker data first")
    parser.add_argument("--kafka-port", type=int, default=int(os.environ.get("KAFKA_PORT", "9092")))
    parser.add_argument(
        "--widget-origins",
        default=None,
        metavar="ORIGINS",
        help="comma-separated origins of partner sites that may embed the widget "
        "(sets GATEWAY_WIDGET_ORIGINS; default: that variable, else none)",
    )
    args = parser.parse_args(argv)
    if args.widget_origins is not None:
        os.environ["GATEWAY_WIDGET_ORIGINS"] = args.widget_origins
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_options(argv)

    stopping = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stopping.set())

    broker = kafka_broker.Broker(args.kafka_port, args.kafka_port + 1)
    if args.fresh:
        forget_local_data(broker)
    kafka_was_running = kafka_broker.running_pid(broker) is not None
    kafka_broker.start(broker)
    mail = local_mailpit()
    mailpit_was_running = mailpit.running_pid(mail) is not None
    all_parts = parts()
    running: list[tuple[Part, subprocess.Popen]] = []
    try:
        mailpit.start(mail)
        env = service_env(broker.bootstrap, all_parts, mail)
        for part in all_parts:
            process = start_part(part, env)
            running.append((part, process))
            wait_ready(part, process)
            print(f"  {part.name:13} ready on {part.url}")
        if not args.no_demo:
            from deploy.demo_data import load_demo_data

            print(load_demo_data(all_parts[-1].url))
        print_banner(all_parts, broker, mail)
        while not stopping.is_set():
            for part, process in running:
                if process.poll() is not None:
                    print(f"{part.name} exited unexpectedly ({process.returncode}); see var/logs/{part.name}.log")
                    stopping.set()
            stopping.wait(1)
        return 0
    except Exception as error:
        print(f"start-up failed: {error}", file=sys.stderr)
        return 1
    finally:
        print("stopping...")
        for part, process in reversed(running):
            stop_process(part.name, process)
        if not mailpit_was_running:
            mailpit.stop(mail)
        if not kafka_was_running:
            kafka_broker.stop(broker)


def print_banner(all_parts: list[Part], broker: kafka_broker.Broker, mail: mailpit.Mailpit) -> None:
    gateway = all_parts[-1].url
    print(
        f"""
Coalition Match is running.
  Web app (volunteers, coordinators) {gateway}/
  GraphQL (GraphiQL in development)  {gateway}/graphql
  Widget script for partner sites    {gateway}/widget.js   (demo page: {gateway}/widget-demo)
  Partner sites allowed to embed it  {os.environ.get("GATEWAY_WIDGET_ORIGINS") or "none yet (--widget-origins)"}
  Mail inbox (Mailpit, local only)   {mail.url}/   (SMTP on {mail.smtp_host_port})
  Services: {", ".join(f"{p.name} {p.url}/docs" for p in all_parts[:-1])}
  Kafka {kafka_broker.kafka_version()} (KRaft) on {broker.bootstrap}; logs in var/logs/
Press Ctrl-C to stop everything.""",
        flush=True,
    )


if __name__ == "__main__":
    sys.exit(main())
