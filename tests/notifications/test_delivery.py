"""Offer mails, delivered once and never lost: the same event twice, a mail server that goes away,
a mail server that never comes back, an erased member. Real Kafka, Mailpit and members service."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar

from deploy import mailpit
from services.common.contracts import NotificationPreferences
from services.common.kafka_io import ensure_topics
from services.common.topics import Topics, all_topics
from services.notifications.main import create_app
from tests.notifications.conftest import Offers, delivery_counts, notification_settings
from tests.notifications.mailbox import Inbox, private_mailpit
from tests.support.infra import POSTGRES_ONLY, delete_topics_with_prefix
from tests.support.processes import eventually, free_port
from tests.support.service_tokens import signed_headers

pytestmark = pytest.mark.kafka

FRENCH_SUBJECT = "Vous avez une nouvelle demande : ouvrez-la pour voir les détails"
ENGLISH_SUBJECT = "You have a new request: open it to see the details"


@pytest.mark.postgres
def test_a_new_offer_reaches_the_member_in_their_language_without_saying_what_it_is_about(
    notifications,
    members,
    offers,
    inbox,
):
    french_id, french_address = members.register(languages=("fr", "en"))
    english_id, english_address = members.register(languages=("es", "en"))
    offers.publish(offers.created(french_id))
    offers.publish(offers.created(english_id))

    [french] = inbox.wait_for(french_address, timeout_s=10)
    [english] = inbox.wait_for(english_address, timeout_s=10)
    assert french.subject == FRENCH_SUBJECT and french.snippet.startswith("Vous avez une nouvelle demande")
    assert english.subject == ENGLISH_SUBJECT and english.snippet.startswith("You have a new request")
    body = inbox.body(english)
    assert "Solidarity Network" in body["Text"] and body["HTML"] == "" and body["Attachments"] == []
    assert "http://127.0.0.1:8000/volunteer.html" in body["Text"]


@pytest.mark.postgres
def test_the_same_offer_event_delivered_twice_produces_one_mail(notifications, members, offers, inbox):
    member_id, address = members.register()
    event = offers.created(member_id)
    offers.publish(event)
    offers.publish(event)  # the very same record again (a producer retry, a replay)
    offers.publish(event.model_copy(update={"event_id": uuid.uuid4()}))  # same offer, new event id

    inbox.wait_for(address)
    eventually(lambda: delivery_counts(notifications)["sent"] == 1, 10, message="the delivery marked sent")
    time.sleep(2)  # room for a duplicate to show up, were there one
    assert len(inbox.messages_to(address)) == 1
    assert delivery_counts(notifications) == {"queued": 0, "sent": 1, "failed": 0, "dropped": 0}


@POSTGRES_ONLY
def test_with_the_mail_server_down_for_15_s_the_mail_arrives_once_it_is_back(
    database_url,
    kafka_bootstrap,
    topic_prefix,
    topics,
    members,
    members_service,
    offers,
):
    server = private_mailpit()
    try:
        settings = notification_settings(
            database_url, kafka_bootstrap, topic_prefix, server.smtp_host_port, members_service.url, max_attempts=100
        )
        with TestClient(create_app(settings)) as client:
            member_id, address = members.register()
            mailpit.stop(server)
            offers.publish(offers.created(member_id))
            eventually(lambda: client.get("/metrics").text.count('outcome="retry"') > 0, 15, message="a failed attempt")
            time.sleep(15)
            assert delivery_counts(client)["queued"] == 1
            mailpit.start(server)
            [mail] = Inbox(server.url).wait_for(address, timeout_s=15)
            eventually(lambda: delivery_counts(client)["sent"] == 1, 10, message="marked sent")
            time.sleep(3)
            assert len(Inbox(server.url).messages_to(address)) == 1
    finally:
        mailpit.stop(server)


def test_a_mail_server_that_never_answers_ends_in_a_failed_delivery_admins_can_count(
    database_url,
    kafka_bootstrap,
    topic_prefix,
    topics,
    members,
    members_service,
    offers,
):
    settings = notification_settings(
        database_url,
        kafka_bootstrap,
        topic_prefix,
        f"127.0.0.1:{free_port()}",
        members_service.url,
        max_attempts=3,
        retry_base_seconds=0.2,
        retry_max_seconds=0.5,
    )
    with TestClient(create_app(settings)) as client:
        member_id, _ = members.register()
        offers.publish(offers.created(member_id))
        eventually(lambda: delivery_counts(client)["failed"] == 1, 30, message="the delivery marked failed")
        assert (
            'notifications_sent_total{channel="email",kind="new_offer",outcome="failed"}' in client.get("/metrics").text
        )
        volunteer = signed_headers("notifications", "volunteer", member_id)
        assert client.get("/deliveries/counts", headers=volunteer).status_code == 403


def test_erasure_drops_the_queued_mail_and_its_record(
    database_url,
    kafka_bootstrap,
    topic_prefix,
    topics,
    members,
    members_service,
    offers,
):
    settings = notification_settings(
        database_url,
        kafka_bootstrap,
        topic_prefix,
        f"127.0.0.1:{free_port()}",
        members_service.url,
        retry_base_seconds=60,
    )
    with TestClient(create_app(settings)) as client:
        member_id, _ = members.register()
        offers.publish(offers.created(member_id))
        eventually(lambda: delivery_counts(client)["queued"] == 1, 15, message="the mail queued")
        members.erase(member_id)
        eventually(
            lambda: delivery_counts(client) == {"queued": 0, "sent": 0, "failed": 0, "dropped": 0},
            5,
            message="the member's deliveries gone within 5 s of the erasure",
        )


def test_a_member_told_of_a_request_hears_plainly_when_the_task_filled_and_a_pause_sends_nothing(
    notifications,
    members,
    offers,
    inbox,
):
    filled_id, filled_address = members.register(languages=("en",))
    paused_id, paused_address = members.register(languages=("en",))
    filled_offer, paused_offer = offers.created(filled_id), offers.created(paused_id)
    offers.publish(filled_offer)
    offers.publish(paused_offer)
    inbox.wait_for(filled_address)
    inbox.wait_for(paused_address)
    eventually(lambda: delivery_counts(notifications)["sent"] == 2, 10, message="both requests sent")

    offers.publish(offers.withdrawn(filled_offer, "task filled"))
    offers.publish(offers.withdrawn(paused_offer, "member paused"))
    [request, update] = sorted(inbox.wait_for(filled_address, count=2), key=lambda m: m.subject != ENGLISH_SUBJECT)
    assert update.subject == "An update on a request: nothing to do"
    assert inbox.body(update)["Text"].startswith("The task filled; thank you.")
    eventually(lambda: delivery_counts(notifications)["sent"] == 3, 10, message="the update marked sent")
    assert len(inbox.messages_to(paused_address)) == 1


def test_a_request_withdrawn_before_its_mail_went_out_is_dropped_not_sent(
    database_url,
    kafka_bootstrap,
    topic_prefix,
    topics,
    members,
    members_service,
    offers,
):
    settings = notification_settings(
        database_url,
        kafka_bootstrap,
        topic_prefix,
        f"127.0.0.1:{free_port()}",
        members_service.url,
        retry_base_seconds=60,
    )
    with TestClient(create_app(settings)) as client:
        member_id, _ = members.register()
        offer = offers.created(member_id)
        offers.publish(offer)
        eventually(lambda: delivery_counts(client)["queued"] == 1, 15, message="the mail queued")
        offers.publish(offers.withdrawn(offer, "task filled"))
        eventually(
            lambda: delivery_counts(client) == {"queued": 0, "sent": 0, "failed": 0, "dropped": 1},
            10,
            message="the unsent request dropped, no update queued",
        )


def test_an_accepted_offer_is_confirmed_with_a_calendar_invitation_that_names_no_task(
    notifications,
    members,
    offers,
    inbox,
):
    member_id, address = members.register(languages=("en",))
    created = offers.created(member_id)
    starts_at = datetime(2027, 3, 14, 14, 0, tzinfo=UTC)  # across the DST change of March 2027 in Montréal
    offers.task_scheduled(UUID(created.data["task_id"]), starts_at, starts_at + timedelta(hours=2))
    time.sleep(1)  # the task's state first, as in the product (posted long before anyone accepts)
    offers.publish(offers.accepted(created))

    [confirmation] = inbox.wait_for(address)
    assert confirmation.subject == "Confirmed: open it to see the details"
    message = inbox.body(confirmation)
    [invitation] = message["Attachments"]
    assert invitation["ContentType"].startswith("text/calendar") and invitation["FileName"] == "invitation.ics"
    calendar = Calendar.from_ical(inbox.part(confirmation, invitation["PartID"]))
    assert str(calendar["method"]) == "REQUEST"
    [event] = calendar.walk("VEVENT")
    assert event.decoded("dtstart") == starts_at and event.decoded("dtend") == starts_at + timedelta(hours=2)
    assert (
        str(event["summary"]) == "Volunteer task (Solidarity Network)" and "hearing" not in calendar.to_ical().decode()
    )
    assert str(event["uid"]) == f"{created.data['offer_id']}@localhost"


@POSTGRES_ONLY
def test_a_mail_waits_for_the_member_s_choices_when_the_offer_comes_first(
    database_url, kafka_bootstrap, members, members_service, mail_server, inbox
):
    """The member's state (their language here) and the offer travel on two topics: an offer that
    overtakes it waits, instead of going out with the defaults (English) the member did not choose."""
    own = Topics(f"test-{uuid.uuid4().hex[:10]}.")  # topics the members service does not write to
    ensure_topics(kafka_bootstrap, all_topics(topics=own))
    publisher = Offers(kafka_bootstrap, own)
    settings = notification_settings(database_url, kafka_bootstrap, own.prefix, mail_server[0], members_service.url)
    try:
        with TestClient(create_app(settings)) as client:
            member_id, address = members.register(languages=("fr",))
            publisher.publish(publisher.created(member_id))
            eventually(lambda: delivery_counts(client)["queued"] == 1, 15, message="the request queued")
            time.sleep(3)  # several attempts at 0.5 s and more
            assert inbox.messages_to(address) == []

            publisher.member_prefers(member_id, NotificationPreferences(), languages=("fr",))
            [mail] = inbox.wait_for(address, timeout_s=15)
            assert mail.subject == FRENCH_SUBJECT
    finally:
        publisher.producer.close()
        delete_topics_with_prefix(kafka_bootstrap, own.prefix)
