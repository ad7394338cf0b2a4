"""Benchmark: from an offer event on Kafka to the mail accepted by the SMTP server (Mailpit), at
20 offers/s, next to a bare ``smtplib`` send of the same message to the same Mailpit, in one run.

Run: ``uv run python bench/notifications_bench.py`` (needs the Kafka broker of the test suite on
127.0.0.1:19092, or TEST_KAFKA_BOOTSTRAP); prints its report and writes it to
bench/results/notifications.md, or to ``--out``. ``--rate`` and ``--seconds`` change the load, e.g.
``--rate 40`` to see the margin above the 20/s the service must sustain (``--help``).
Not part of the test suite.

What is measured:
* pipeline: ``offer.created`` events published at a fixed rate (RATE per second for SECONDS s);
  latency from each event's publication to the moment Mailpit received the message (its own
  ``Created`` time, same clock). Each mail is matched to its offer through the signed Accept link
  it carries. The path: Kafka, the notifications consumer, its outbox in SQLite, the sender's poll,
  the audited address read from the members service, rendering, SMTP.
* bare: the same message (rendered by the service's own code) sent with ``smtplib`` to the same
  Mailpit at the same rate, one connection per message (the service keeps its connections open,
  so this is the dearer way); latency from the due time to ``send_message`` returning.
"""

from __future__ import annotations

import argparse
import copy
import os
import platform
import re
import smtplib
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from kafka import KafkaProducer

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.machine import load_words  # noqa: E402
from deploy import mailpit  # noqa: E402
from services.common import answer_links  # noqa: E402
from services.common.contracts import OfferChanged, OfferStatus  # noqa: E402
from services.common.envelope import wrap  # noqa: E402
from services.common.kafka_io import ensure_topics  # noqa: E402
from services.common.topics import Topics, all_topics  # noqa: E402
from services.notifications.channels import EmailChannel  # noqa: E402
from services.notifications.config import Settings  # noqa: E402
from services.notifications.messages import render  # noqa: E402
from services.notifications.models import MessageKind  # noqa: E402
from tests.notifications.mailbox import private_mailpit  # noqa: E402
from tests.support.infra import ensure_kafka  # noqa: E402
from tests.support.members_app import PROFILE  # noqa: E402
from tests.support.processes import eventually, start_service  # noqa: E402
from tests.support.service_tokens import CallsAs, signed_headers  # noqa: E402

RESULTS = Path(__file__).parent / "results" / "notifications.md"
RATE, SECONDS, MEMBERS = 20, 15, 30  # RATE and SECONDS: defaults of --rate and --seconds
LINK = re.compile(r"/answer/(\S+)")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def register(members_url: str, count: int) -> list[str]:
    http = httpx.Client(base_url=members_url, timeout=30, auth=CallsAs(signed_headers("members", "system")))
    ids = []
    for _ in range(count):
        profile = copy.deepcopy(PROFILE) | {
            "contacts": {"email": {"value": f"bench-{uuid.uuid4().hex[:10]}@example.org", "consent": False}}
        }
        response = http.post("/members", json=profile)
        response.raise_for_status()
        ids.append(response.json()["id"])
    return ids


def warm_up(bootstrap: str, topics: Topics, member_ids: list[str], inbox_url: str) -> None:
    """One offer through the whole path first (consumer groups joined, connections open), then an
    empty inbox: the measured run starts from a service that is already running."""
    http = httpx.Client(base_url=inbox_url + "/api/v1", timeout=30)
    publish_offers(bootstrap, topics, member_ids[:1], count=1)
    eventually(
        lambda: http.get("/messages", params={"limit": 1}).json()["total"] >= 1,
        180,
        interval_s=0.5,
        message="the warm-up mail",
    )
    http.delete("/messages").raise_for_status()


def publish_offers(
    bootstrap: str, topics: Topics, member_ids: list[str], count: int = RATE * SECONDS, rate: float = RATE
) -> dict[str, float]:
    """offer.created at ``rate`` per second; returns offer id -> wall-clock time of publication."""
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=0)
    sent: dict[str, float] = {}
    start = time.monotonic()
    for n in range(count):
        time.sleep(max(start + n / rate - time.monotonic(), 0))
        offer = OfferChanged(
            offer_id=uuid.uuid4(),
            task_id=uuid.uuid4(),
            member_id=uuid.UUID(member_ids[n % len(member_ids)]),
            status=OfferStatus.pending,
            expires_at=datetime.now(UTC) + timedelta(hours=1),
        )
        envelope = wrap("offer.created", offer, "matching")
        producer.send(topics.offers_events, key=str(offer.task_id).encode(), value=envelope.to_bytes()).get(30)
        sent[str(offer.offer_id)] = time.time()
    producer.close()
    return sent


def arrivals(inbox_url: str, expected: int) -> dict[str, float]:
    """offer id -> when Mailpit received its mail (Mailpit's clock, which is this machine's)."""
    http = httpx.Client(base_url=inbox_url + "/api/v1", timeout=30)
    eventually(
        lambda: http.get("/messages", params={"limit": 1}).json()["total"] >= expected,
        180,
        interval_s=1,
        message=f"{expected} mails in Mailpit",
    )
    found: dict[str, float] = {}
    key = answer_links.public_key("dev-only-insecure-secret")
    for start in range(0, expected, 200):
        for summary in http.get("/messages", params={"limit": 200, "start": start}).json()["messages"]:
            text = http.get(f"/message/{summary['ID']}").json()["Text"]
            link = answer_links.verify(LINK.search(text)[1], key)
            found[str(link.offer_id)] = datetime.fromisoformat(summary["Created"].replace("Z", "+00:00")).timestamp()
    return found


def bare_sends(server: mailpit.Mailpit, rate: float, count: int) -> list[float]:
    """The same message through smtplib alone, at ``rate`` per second: latency from each due time, in s."""
    settings = Settings(
        environment="test", database_url="sqlite://", smtp_port=server.smtp_port, coalition_name="Solidarity Network"
    )
    values = {
        "coalition": "Solidarity Network",
        "open_url": "http://127.0.0.1:8000/volunteer.html",
        "accept_url": "http://127.0.0.1:8000/answer/x.y",
        "decline_url": "http://127.0.0.1:8000/answer/z.w",
        "unsubscribe_url": "http://127.0.0.1:8000/unsubscribe/u.v",
    }
    mail = EmailChannel(settings).compose(
        "bare@example.org", render(MessageKind.new_offer, "fr", values), "<bare@localhost>"
    )
    latencies = []
    start = time.monotonic()
    for n in range(count):
        due = start + n / rate
        time.sleep(max(due - time.monotonic(), 0))
        with smtplib.SMTP("127.0.0.1", server.smtp_port, timeout=10) as smtp:
            smtp.send_message(mail)
        latencies.append(time.monotonic() - due)
    return latencies


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=RATE, help=f"offers per second (default {RATE})")
    parser.add_argument("--seconds", type=float, default=SECONDS, help=f"how long they are offered (default {SECONDS})")
    parser.add_argument("--out", type=Path, default=RESULTS, help=f"where the report goes (default {RESULTS})")
    return parser.parse_args(argv)


def main() -> None:
    options = arguments()
    count = round(options.rate * options.seconds)
    bootstrap = ensure_kafka()
    topics = Topics(f"bench-{uuid.uuid4().hex[:8]}")
    ensure_topics(bootstrap, all_topics(topics=topics))
    server = private_mailpit()
    scratch = Path(tempfile.mkdtemp(prefix="notifications-bench-"))
    common = {"KAFKA_BOOTSTRAP_SERVERS": bootstrap, "KAFKA_TOPIC_PREFIX": topics.prefix}
    members = start_service(
        "services.members.main",
        common | {"MEMBERS_DATABASE_URL": f"sqlite:///{scratch}/members.db"},
        name="members",
        timeout_s=180,
    )
    notifications = start_service(
        "services.notifications.main",
        common
        | {
            "NOTIFICATIONS_DATABASE_URL": f"sqlite:///{scratch}/notifications.db",
            "NOTIFICATIONS_MEMBERS_URL": members.url,
            "NOTIFICATIONS_SMTP_PORT": str(server.smtp_port),
            "NOTIFICATIONS_COALITION_NAME": "Solidarity Network",
        },
        name="notifications",
        timeout_s=180,
    )
    loads = [os.getloadavg()[0]]
    try:
        member_ids = register(members.url, MEMBERS)
        warm_up(bootstrap, topics, member_ids, server.url)
        published = publish_offers(bootstrap, topics, member_ids, count, options.rate)
        loads.append(os.getloadavg()[0])
        received = arrivals(server.url, len(published))
        pipeline = [received[offer] - at for offer, at in published.items() if offer in received]
        span = max(received.values()) - min(published.values())
        arriving = (len(received) - 1) / max(max(received.values()) - min(received.values()), 1e-9)
        bare = bare_sends(server, options.rate, count)
        loads.append(os.getloadavg()[0])
    finally:
        notifications.stop()
        members.stop()
        mailpit.stop(server)
    report = render_report(pipeline, bare, len(published), loads, span, arriving, options.rate, options.seconds)
    options.out.write_text(report)
    print(report)


def sender_words() -> str:
    """How the sender under test works, from its settings (the bench also measures older versions)."""
    fields = Settings.model_fields
    if "send_concurrency" not in fields:
        return (
            f"one send at a time, an SMTP connection per message, sender poll {fields['send_poll_seconds'].default} s"
        )
    return (
        f"{fields['send_concurrency'].default} sends at a time, each thread keeping its SMTP connection "
        f"{fields['smtp_keepalive_seconds'].default:g} s, woken when a delivery is queued"
    )


def render_report(
    pipeline: list[float],
    bare: list[float],
    offers: int,
    loads: list[float],
    span: float,
    arriving: float,
    rate: float,
    seconds: float,
) -> str:
    ms = lambda seconds: f"{seconds * 1000:.0f}"  # noqa: E731
    rows = [
        ("offer event on Kafka → mail accepted by Mailpit", pipeline),
        ("bare `smtplib` send of the same message, same Mailpit", bare),
    ]
    table = "\n".join(
        f"| {name} | {len(values)} | {ms(statistics.median(values))} | {ms(percentile(values, 0.99))} "
        f"| {ms(max(values))} |"
        for name, values in rows
    )
    return f"""# Notifications benchmark: offer event to mail accepted by SMTP

Generated by `uv run python bench/notifications_bench.py` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC —
{platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} CPUs, shared by Kafka, the
members and notifications services, Mailpit and this load generator. The 1-minute load average was
{", ".join(f"{load:.1f}" for load in loads)} (start, after publishing, end): {load_words(loads)}.

{offers} `offer.created` events at {rate:g}/s for {seconds:g} s, to {MEMBERS} members, one notifications
process with its defaults, warmed up by one offer first (SQLite outbox, {sender_words()}); then, in
the same run, the same message sent with bare `smtplib` at the same rate, one connection per message.

| path | messages | p50 (ms) | p99 (ms) | max (ms) |
| --- | ---: | ---: | ---: | ---: |
{table}

Medians: **{ms(statistics.median(pipeline))} ms** through the service, **{ms(statistics.median(bare))} ms** for
the bare send. From the first event published to the last mail received: {span:.1f} s; from the
first mail received to the last, mails arrived at {arriving:.1f}/s{
        " and kept up with the offered rate"
        if arriving >= rate * 0.95
        else f", below the {rate:g}/s offered: mails queued in the outbox and the latency above is mostly that queue"
    }. The difference is the service's own work per message: the Kafka hop and the
consumer's transaction, the outbox row, claiming it, the audited address read from the members
service over HTTP, rendering with three signed links, recording the outcome, and the SMTP
conversation itself, which the bare row measures alone.
"""


if __name__ == "__main__":
    main()
