"""What a member chose about messages, from members.state: email off sends nothing (and reads no
address), detailed messages name the task and its time in the task's zone, in the member's
language; every mail offers one-click unsubscribe (RFC 8058). Real Kafka, Mailpit, members service."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest

from services.common import answer_links
from services.common.contracts import MessageDetail, NotificationPreferences
from services.notifications.models import Recipient, TaskSchedule
from tests.notifications.conftest import deliveries_of, delivery_counts, stored
from tests.support.processes import eventually
from tests.support.service_tokens import signed_headers

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]

DETAILED = NotificationPreferences(detail=MessageDetail.detailed)
STARTS_AT = datetime(2027, 3, 14, 14, 0, tzinfo=UTC)  # 10:00 in Toronto, the day clocks move forward


def recorded(settings, member_id: str, check=lambda row: True) -> None:
    eventually(
        lambda: (lambda row: row is not None and check(row))(stored(settings.database_url, Recipient, UUID(member_id))),
        15,
        message="the member's state recorded",
    )


def prefers(settings, offers, member_id: str, choice: NotificationPreferences, languages=("en",)) -> None:
    """What the members service will publish once a member chooses; after its own registration event,
    which its outbox sends a moment after the registration."""
    recorded(settings, member_id)
    offers.member_prefers(member_id, choice, languages)
    recorded(
        settings,
        member_id,
        lambda row: (row.email, row.detail, row.language) == (choice.email, choice.detail.value, languages[0]),
    )


def scheduled(settings, offers, created, starts_at: datetime = STARTS_AT, **task) -> None:
    """The offer's task on tasks.state, and recorded by the service (the task is posted before its offers)."""
    task_id = UUID(created.data["task_id"])
    offers.task_scheduled(task_id, starts_at, starts_at + timedelta(hours=2), **task)
    eventually(
        lambda: (lambda row: row is not None and row.starts_at is not None)(
            stored(settings.database_url, TaskSchedule, task_id)
        ),
        15,
        message="the task's state recorded",
    )


def test_a_member_who_turned_email_off_gets_no_mail_and_their_address_is_not_read(
    settings,
    notifications,
    members,
    offers,
    inbox,
):
    member_id, address = members.register(languages=("en",))
    prefers(settings, offers, member_id, NotificationPreferences(email=False))

    offers.publish(offers.created(member_id))
    eventually(lambda: delivery_counts(notifications)["dropped"] == 1, 15, message="the mail dropped")
    [record] = deliveries_of(settings.database_url, member_id)
    assert record.last_error == "the member turned email off"
    assert inbox.messages_to(address) == []
    audit = members.http.get(f"/members/{member_id}/audit", headers=signed_headers("members", "admin"))
    assert audit.status_code == 200, audit.text
    assert [e for e in audit.json()["items"] if e["action"] == "contact.read_for_notification"] == []


def test_detailed_messages_name_the_task_and_its_local_time_in_the_members_language(
    settings,
    notifications,
    members,
    offers,
    inbox,
):
    english_id, english_address = members.register(languages=("en",))
    french_id, french_address = members.register(languages=("fr",))
    discreet_id, discreet_address = members.register(languages=("en",))
    prefers(settings, offers, english_id, DETAILED)
    prefers(settings, offers, french_id, DETAILED, languages=("fr",))
    title = f"Accompany a family to a hearing {uuid.uuid4().hex[:6]}"
    created = {member: offers.created(member) for member in (english_id, french_id, discreet_id)}
    for offer in created.values():
        scheduled(settings, offers, offer, time_zone="America/Toronto", title=title)
        offers.publish(offer)

    [english] = inbox.wait_for(english_address, timeout_s=15)
    [french] = inbox.wait_for(french_address, timeout_s=15)
    [discreet] = inbox.wait_for(discreet_address, timeout_s=15)
    assert english.subject == f"New request: {title}, Sunday 14 March 2027, 10:00 - 12:00 (America/Toronto)"
    assert french.subject == f"Nouvelle demande : {title}, dimanche 14 mars 2027, 10:00 - 12:00 (America/Toronto)"
    # why they were asked, in French, the area by its name
    assert "- parle français\r\n- dans le secteur Glanbrook\r\n" in inbox.body(french)["Text"]
    assert inbox.body(english)["Text"].startswith(f"{title}, Sunday 14 March 2027")
    assert "you chose detailed messages" in inbox.body(english)["Text"]
    assert discreet.subject == "You have a new request: open it to see the details"
    assert title not in inbox.body(discreet)["Text"] and "America/Toronto" not in inbox.body(discreet)["Text"]
    assert "Glanbrook" not in inbox.body(discreet)["Text"]


def test_every_mail_carries_a_one_click_unsubscribe_for_its_member(settings, notifications, members, offers, inbox):
    member_id, address = members.register(languages=("fr",))
    recorded(settings, member_id, lambda row: row.language == "fr")  # known before their first request
    offers.publish(offers.created(member_id))
    [mail] = inbox.wait_for(address, timeout_s=15)
    headers = inbox.headers(mail)
    assert headers["List-Unsubscribe-Post"] == ["List-Unsubscribe=One-Click"]
    [value] = headers["List-Unsubscribe"]
    prefix = f"<{settings.public_url}/unsubscribe/"
    assert value.startswith(prefix) and value.endswith(">")
    link = answer_links.verify_unsubscribe(value[len(prefix) : -1], answer_links.public_key(settings.link_signing_key))
    assert link.member_id == UUID(member_id) and link.language == "fr"
    assert value[1:-1] in inbox.body(mail)["Text"]  # also said in words, for mail programs without the button
