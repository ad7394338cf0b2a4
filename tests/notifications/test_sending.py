"""The sender keeps up with a burst: each sending thread keeps its SMTP connection (and opens a
new one when the server went away), several deliveries go out at a time, and a queued delivery
(or the service stopping) wakes the sender instead of waiting for its next poll. Real Mailpit;
real Kafka and members service for the app."""

from __future__ import annotations

import threading
import time
import uuid

import pytest
from fastapi.testclient import TestClient

from deploy import mailpit
from deploy.pid_files import port_in_use
from services.notifications import channels
from services.notifications.channels import EmailChannel
from services.notifications.config import Settings
from services.notifications.main import create_app
from services.notifications.messages import Message
from tests.notifications.conftest import delivery_counts, notification_settings
from tests.notifications.mailbox import Inbox, private_mailpit
from tests.support.infra import POSTGRES_ONLY
from tests.support.processes import eventually

MESSAGE = Message(subject="You have a new request: open it to see the details", text="Open it.\n", language="en")


@pytest.fixture
def server():
    started = private_mailpit()
    yield started
    mailpit.stop(started)


def counting_connections(channel: EmailChannel) -> list[int]:
    """Wraps the channel's connect: the list grows by one per connection opened."""
    opened: list[int] = []
    connect = channel._connect

    def counted():
        opened.append(1)
        return connect()

    channel._connect = counted  # type: ignore[method-assign]
    return opened


def channel_to(server, **overrides) -> EmailChannel:
    return EmailChannel(Settings(environment="test", database_url="sqlite://", smtp_port=server.smtp_port, **overrides))


def test_one_connection_carries_many_messages_unless_keepalive_is_zero(server):
    kept, each = channel_to(server), channel_to(server, smtp_keepalive_seconds=0)
    kept_opened, each_opened = counting_connections(kept), counting_connections(each)
    run = uuid.uuid4().hex[:10]  # Mailpit keeps mail on disk: this run's have addresses of their own
    for n in range(3):
        kept.send(f"kept-{run}@example.org", MESSAGE, f"<kept-{n}@localhost>")
        each.send(f"each-{run}@example.org", MESSAGE, f"<each-{n}@localhost>")
    kept.close()

    assert (len(kept_opened), len(each_opened)) == (1, 3)
    inbox = Inbox(server.url)
    assert len(inbox.wait_for(f"kept-{run}@example.org", count=3)) == 3
    assert len(inbox.wait_for(f"each-{run}@example.org", count=3)) == 3


def test_a_connection_the_server_dropped_is_replaced_before_the_next_message(server, monkeypatch):
    monkeypatch.setattr(channels, "CHECK_AFTER_IDLE_SECONDS", 0.0)
    channel, run = channel_to(server), uuid.uuid4().hex  # Mailpit keeps mail on disk: this run's are told by id
    opened = counting_connections(channel)
    channel.send("member@example.org", MESSAGE, f"<first-{run}@localhost>")
    mailpit.stop(server)  # the server goes away while the connection is idle, and comes back
    eventually(
        lambda: not (port_in_use(server.smtp_port) or port_in_use(server.http_port)),
        15,
        message="the old Mailpit's ports free",
    )
    mailpit.start(server)

    channel.send("member@example.org", MESSAGE, f"<second-{run}@localhost>")

    assert len(opened) == 2
    inbox = Inbox(server.url)
    eventually(
        lambda: len([m for m in inbox.messages_to("member@example.org") if run in m.message_id]) == 2,
        10,
        message="both messages in the inbox",
    )
    time.sleep(0.5)  # room for a duplicate to show up, were there one
    assert sorted(m.message_id for m in inbox.messages_to("member@example.org") if run in m.message_id) == [
        f"first-{run}@localhost",
        f"second-{run}@localhost",
    ]


class SlowChannel:
    """Stands in for email: each send takes a while; records how many were under way at once."""

    name = "email"

    def __init__(self, seconds: float):
        self.seconds, self.lock = seconds, threading.Lock()
        self.in_flight = self.most_in_flight = 0
        self.sent: list[str] = []

    def send(self, address: str, message: Message, message_id: str) -> None:
        with self.lock:
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        time.sleep(self.seconds)
        with self.lock:
            self.in_flight -= 1
            self.sent.append(message_id)


@POSTGRES_ONLY
def test_several_deliveries_go_out_at_a_time_each_once(
    database_url,
    kafka_bootstrap,
    topic_prefix,
    topics,
    members,
    members_service,
    offers,
    mail_server,
):
    slow = SlowChannel(seconds=1.0)
    settings = notification_settings(
        database_url, kafka_bootstrap, topic_prefix, mail_server[0], members_service.url, send_concurrency=3
    )
    people = [members.register()[0] for _ in range(8)]
    with TestClient(create_app(settings, channels={"email": slow})) as client:
        for member_id in people:
            offers.publish(offers.created(member_id))
        eventually(lambda: delivery_counts(client)["sent"] == 8, 60, message="eight deliveries sent")

    assert 2 <= slow.most_in_flight <= 3
    assert len(slow.sent) == len(set(slow.sent)) == 8


@POSTGRES_ONLY
def test_a_queued_delivery_wakes_the_sender_rather_than_waiting_for_its_poll_and_so_does_a_stop(
    database_url,
    kafka_bootstrap,
    topic_prefix,
    topics,
    members,
    members_service,
    offers,
    mail_server,
    inbox,
):
    settings = notification_settings(
        database_url, kafka_bootstrap, topic_prefix, mail_server[0], members_service.url, send_poll_seconds=60
    )
    with TestClient(create_app(settings)) as client:
        member_id, address = members.register()
        eventually(lambda: client.get("/readyz").status_code == 200, 30, message="notifications ready")
        time.sleep(1)  # the sender found nothing and is waiting out its (long) poll
        offers.publish(offers.created(member_id))

        inbox.wait_for(address, timeout_s=15)
        stopping = time.monotonic()  # with the sender waiting out its poll again
    assert time.monotonic() - stopping < 5, "the stop waited for the sender's next poll"
