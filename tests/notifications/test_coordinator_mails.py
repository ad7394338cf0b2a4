"""Mails to a task's coordinator: the task filled, a volunteer withdrew. Discreet always, never
naming the volunteer; the address read from the gateway (audited) at send time. Real Kafka,
Mailpit and gateway process; the notifications app in-process on PostgreSQL."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from services.common.contracts import FillChanged, OfferChanged, OfferStatus, TaskState, TaskStatus
from services.common.envelope import Envelope, wrap
from services.notifications.main import create_app
from services.notifications.models import Delivery, DeliveryStatus
from tests.notifications.conftest import Offers, delivery_counts, notification_settings, read
from tests.support.infra import POSTGRES_ONLY
from tests.support.processes import eventually, free_port

pytestmark = [pytest.mark.kafka, POSTGRES_ONLY]

TITLE = "Accompany Ana Lopez to the housing tribunal"
FILLED = {
    "en": "One of your tasks is full: open your page to see which",
    "fr": "Une de vos tâches est complète : ouvrez votre page pour voir laquelle",
}
WITHDREW_EN = "A place came free on one of your tasks: open your page to see which"


@pytest.fixture
def coordinator_mails(
    database_url, kafka_bootstrap, topic_prefix, topics, mail_server, gateway
) -> Iterator[TestClient]:
    # No member is mailed here: the members service is not needed, and nothing answers at its address.
    settings = notification_settings(
        database_url,
        kafka_bootstrap,
        topic_prefix,
        mail_server[0],
        f"http://127.0.0.1:{free_port()}",
        gateway_url=gateway.process.url,
    )
    with TestClient(create_app(settings)) as client:
        yield client


def task_state(offers: Offers, task_id: uuid.UUID, coordinator_id: uuid.UUID) -> None:
    starts_at = datetime.now(UTC) + timedelta(days=3)
    state = TaskState(
        task_id=task_id,
        organization_id=uuid.uuid4(),
        coordinator_id=coordinator_id,
        status=TaskStatus.open,
        title=TITLE,
        slots=1,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        time_zone="America/Toronto",
    )
    offers.producer.send(
        offers.tasks_topic, key=str(task_id).encode(), value=wrap("task.posted", state, "tasks").to_bytes()
    ).get(30)


def filled(task_id: uuid.UUID, sequence: int) -> Envelope:
    return wrap("fill.completed", FillChanged(task_id=task_id, slots=1, accepted=1, sequence=sequence), "matching")


def volunteer_withdrew(task_id: uuid.UUID) -> Envelope:
    payload = OfferChanged(
        offer_id=uuid.uuid4(),
        task_id=task_id,
        member_id=uuid.uuid4(),
        status=OfferStatus.cancelled_by_volunteer,
        reasons=["speaks French"],
        task_title=TITLE,
    )
    return wrap("offer.cancelled_by_volunteer", payload, "matching")


def assert_discreet(inbox, mail, volunteer_id: str | None = None) -> str:
    text = inbox.body(mail)["Text"]
    for secret in (TITLE, "Ana", "tribunal", *([volunteer_id] if volunteer_id else [])):
        assert secret not in mail.subject and secret not in mail.snippet and secret not in text
    assert "http://127.0.0.1:8000/coordinator.html" in text and "Solidarity Network" in text
    assert "List-Unsubscribe" not in inbox.headers(mail)  # that link unsubscribes members, not accounts
    return text


def test_a_filled_task_tells_its_coordinator_once_per_fill_in_their_language(
    coordinator_mails,
    gateway,
    offers,
    inbox,
):
    french_id, french_address = gateway.coordinator(locale="fr")
    task_id = uuid.uuid4()
    task_state(offers, task_id, french_id)
    fill = filled(task_id, sequence=4)
    offers.publish(fill)
    offers.publish(fill)  # the same record again (a producer retry, a replay)

    [mail] = inbox.wait_for(french_address, timeout_s=10)
    assert mail.subject == FILLED["fr"] and mail.snippet.startswith("Toutes les places")
    assert "vous coordonnez des tâches avec Solidarity Network" in assert_discreet(inbox, mail)
    [audited] = gateway.reads_of(french_id)
    assert (audited.reader, audited.purpose) == ("notifications:notifier", "notification")

    offers.publish(filled(task_id, sequence=6))  # reopened, then full again: worth saying again
    inbox.wait_for(french_address, count=2, timeout_s=10)
    time.sleep(1.5)  # room for a duplicate of the first to show up, were there one
    assert len(inbox.messages_to(french_address)) == 2
    assert delivery_counts(coordinator_mails)["sent"] == 2


def test_a_volunteer_who_withdraws_is_never_named_to_the_coordinator(coordinator_mails, gateway, offers, inbox):
    coordinator_id, address = gateway.coordinator(locale="en")
    task_id = uuid.uuid4()
    task_state(offers, task_id, coordinator_id)
    withdrawal = volunteer_withdrew(task_id)
    offers.publish(withdrawal)

    [mail] = inbox.wait_for(address, timeout_s=10)
    assert mail.subject == WITHDREW_EN and mail.snippet.startswith("A volunteer who had said yes")
    assert_discreet(inbox, mail, volunteer_id=withdrawal.data["member_id"])


def test_a_fill_heard_before_the_tasks_state_waits_for_its_coordinator(
    coordinator_mails,
    database_url,
    gateway,
    offers,
    inbox,
):
    coordinator_id, address = gateway.coordinator()
    task_id = uuid.uuid4()
    offers.publish(filled(task_id, sequence=1))
    eventually(
        lambda: read(database_url, lambda s: s.exec(select(Delivery).where(Delivery.task_id == task_id)).all()),
        10,
        message="the coordinator's delivery queued",
    )
    time.sleep(1)
    assert inbox.messages_to(address) == []

    task_state(offers, task_id, coordinator_id)  # names the coordinator: the waiting mail goes to them

    [mail] = inbox.wait_for(address, timeout_s=10)
    assert mail.subject == FILLED["en"]


def test_a_disabled_coordinator_account_gets_nothing_and_the_delivery_is_dropped(
    coordinator_mails,
    database_url,
    gateway,
    offers,
    inbox,
):
    coordinator_id, address = gateway.coordinator()
    gateway.accounts.set_active(coordinator_id, False)
    task_id = uuid.uuid4()
    task_state(offers, task_id, coordinator_id)
    offers.publish(filled(task_id, sequence=1))

    def finished():
        found = read(
            database_url,
            lambda s: s.exec(
                select(Delivery).where(Delivery.task_id == task_id, Delivery.kind == "task_filled")
            ).first(),
        )  # not the task's at-risk check
        return found if found is not None and found.status != DeliveryStatus.queued.value else None

    delivery = eventually(finished, 10, message="the delivery finished")
    assert (delivery.status, delivery.last_error) == ("dropped", "coordinator account gone")
    assert inbox.messages_to(address) == [] and gateway.reads_of(coordinator_id) == []
