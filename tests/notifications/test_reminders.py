"""Reminders of accepted tasks at the configured offsets (seconds here), each with one-click "I'm
still coming" and "I can't come anymore"; none after the volunteer stepped back or the task was
cancelled (whose volunteers get a calendar cancellation instead); due times survive a restart of
the service. Real Kafka, Mailpit, members service; the restart stops a real process."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar

from services.common import answer_links
from services.common.contracts import TaskStatus
from services.notifications.main import create_app
from tests.notifications.conftest import deliveries_of, notification_settings
from tests.notifications.test_preferences import recorded, scheduled
from tests.support.clock import MovableClock
from tests.support.infra import POSTGRES_ONLY, new_sqlite_database
from tests.support.processes import eventually, start_service

pytestmark = [pytest.mark.kafka, pytest.mark.timeout(600)]
CONFIRMED = "Confirmed: open it to see the details"
REMINDER = "A reminder: open it to see the details"
LINK = re.compile(r"http://\S+/answer/(\S+)")


def accepted_task(settings, offers, members, starts_at: datetime):
    """A member who accepted an offer for a task starting at ``starts_at``: (offer, address, start)."""
    member_id, address = registered(settings, members)
    return accepts(settings, offers, member_id, starts_at), address, starts_at


def registered(settings, members) -> tuple[str, str]:
    """A new member, known to the notifications service: (member id, address)."""
    member_id, address = members.register(languages=("en",))
    recorded(settings, member_id)
    return member_id, address


def accepts(settings, offers, member_id: str, starts_at: datetime):
    """The member accepts an offer for a task starting at ``starts_at``, whose time is known first."""
    created = offers.created(member_id)
    scheduled(settings, offers, created, starts_at=starts_at)
    offers.publish(offers.accepted(created))
    return created


def subjects(inbox, address: str) -> list[str]:
    return sorted(mail.subject for mail in inbox.messages_to(address))


def in_seconds(seconds: float) -> datetime:
    return datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=seconds)


def nothing_yet(inbox, address: str, sent: list[str], why: str) -> None:
    """After a second of the sender looking (every send_poll_seconds), ``address`` has only ``sent``."""
    time.sleep(1)
    assert subjects(inbox, address) == sorted(sent), why


def reminder_links(inbox, mail, settings) -> dict[str, answer_links.AnswerLink]:
    key = answer_links.public_key(settings.link_signing_key)
    found = [answer_links.verify(token, key) for token in LINK.findall(inbox.body(mail)["Text"])]
    return {link.action: link for link in found}


@pytest.mark.postgres
@POSTGRES_ONLY
def test_reminders_come_at_their_offsets_and_stop_when_the_volunteer_steps_back_or_the_task_is_cancelled(
    database_url,
    kafka_bootstrap,
    topic_prefix,
    topics,
    members,
    members_service,
    offers,
    inbox,
    mail_server,
):
    settings = notification_settings(
        database_url,
        kafka_bootstrap,
        topic_prefix,
        mail_server[0],
        members_service.url,
        reminder_offsets_seconds=[30, 20],
    )
    clock = MovableClock()  # each reminder falls due when the test moves the sender's clock there
    with TestClient(create_app(settings, clock=clock)):
        starts_at = in_seconds(600)
        coming, coming_address, _ = accepted_task(settings, offers, members, starts_at)
        leaving, leaving_address, _ = accepted_task(settings, offers, members, starts_at)
        cancelled, cancelled_address, _ = accepted_task(settings, offers, members, starts_at)
        for address in (coming_address, leaving_address, cancelled_address):
            inbox.wait_for(address, timeout_s=15)  # the confirmation
        offers.publish(offers.acceptance_withdrawn(leaving))
        offers.task_scheduled(
            UUID(cancelled.data["task_id"]), starts_at, starts_at + timedelta(hours=2), status=TaskStatus.cancelled
        )
        offers.publish(offers.withdrawn(cancelled, "task cancelled"))

        clock.move_to(starts_at - timedelta(seconds=31))
        nothing_yet(inbox, coming_address, [CONFIRMED], "the 30 s reminder came early")
        clock.move_to(starts_at - timedelta(seconds=30))
        first = inbox.wait_for(coming_address, count=2, timeout_s=15)
        assert clock() < starts_at - timedelta(seconds=20) + timedelta(seconds=8), "too late"
        [reminder] = [mail for mail in first if mail.subject == REMINDER]
        links = reminder_links(inbox, reminder, settings)
        assert set(links) == {"still_coming", "cant_come"}
        for link in links.values():
            assert link.offer_id == UUID(coming.data["offer_id"]) and link.expires_at == starts_at
        clock.move_to(starts_at - timedelta(seconds=21))
        nothing_yet(inbox, coming_address, [CONFIRMED, REMINDER], "the 20 s reminder came early")
        clock.move_to(starts_at - timedelta(seconds=20))
        inbox.wait_for(coming_address, count=3, timeout_s=15)
        assert subjects(inbox, coming_address) == sorted([CONFIRMED, REMINDER, REMINDER])

        [cancellation] = [
            mail for mail in inbox.wait_for(cancelled_address, count=2, timeout_s=15) if mail.subject != CONFIRMED
        ]
        assert cancellation.subject == "A change to a task you accepted: nothing to do"
        [stepped_back] = [
            mail for mail in inbox.wait_for(leaving_address, count=2, timeout_s=15) if mail.subject != CONFIRMED
        ]
        assert stepped_back.subject == "You stepped back from a task: nothing more to do"
        [update] = inbox.body(stepped_back)["Attachments"]
        withdrawn_calendar = Calendar.from_ical(inbox.part(stepped_back, update["PartID"]))
        assert str(withdrawn_calendar["method"]) == "CANCEL"
        assert str(withdrawn_calendar.walk("VEVENT")[0]["uid"]) == f"{leaving.data['offer_id']}@localhost"
        time.sleep(3)  # room for a reminder that should not come
        assert subjects(inbox, leaving_address) == sorted([CONFIRMED, stepped_back.subject])
        assert sorted(subjects(inbox, cancelled_address)) == sorted([CONFIRMED, cancellation.subject])
        dropped = {
            d.last_error
            for d in deliveries_of(settings.database_url, leaving.data["member_id"])
            if d.kind == "reminder"
        }
        assert dropped == {"acceptance withdrawn"}

        [invitation] = inbox.body(cancellation)["Attachments"]
        calendar = Calendar.from_ical(inbox.part(cancellation, invitation["PartID"]))
        [event] = calendar.walk("VEVENT")
        assert str(calendar["method"]) == "CANCEL" and str(event["status"]) == "CANCELLED"
        assert str(event["uid"]) == f"{cancelled.data['offer_id']}@localhost" and int(event["sequence"]) == 1


def test_a_reminder_due_while_the_service_was_down_arrives_once_after_a_restart_unless_the_task_began(
    tmp_path,
    kafka_bootstrap,
    topic_prefix,
    topics,
    members,
    members_service,
    offers,
    inbox,
    mail_server,
):
    host, port = mail_server[0].rsplit(":", 1)
    database = new_sqlite_database(tmp_path, "notifications")
    env = {
        "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
        "KAFKA_TOPIC_PREFIX": topic_prefix,
        "NOTIFICATIONS_DATABASE_URL": database,
        "NOTIFICATIONS_MEMBERS_URL": members_service.url,
        "NOTIFICATIONS_SMTP_HOST": host,
        "NOTIFICATIONS_SMTP_PORT": port,
        "NOTIFICATIONS_REMINDER_OFFSETS_SECONDS": "[60, 15]",
    }
    service = start_service("services.notifications.main", env, name="notifications", timeout_s=180)
    settings = notification_settings(database, kafka_bootstrap, topic_prefix, mail_server[0], members_service.url)
    try:
        later_id, later_address = registered(settings, members)
        soon_id, soon_address = registered(settings, members)
        # Times from now, the members known. The sooner task's 15 s reminder falls due 15 s from now,
        # after the stop below (its 60 s one is past: never planned). The later task's 60 s reminder
        # falls due while the service is down and expires at its start, 60 s after the sooner one:
        # room for a slow restart (a new interpreter took 30 s on a loaded machine).
        soon_start = in_seconds(30)
        later_start = soon_start + timedelta(seconds=60)
        later, soon = accepts(settings, offers, later_id, later_start), accepts(settings, offers, soon_id, soon_start)
        for member_id in (later.data["member_id"], soon.data["member_id"]):
            eventually(
                lambda member_id=member_id: [d for d in deliveries_of(database, member_id) if d.kind == "reminder"],
                30,
                message="the reminder planned",
            )
        service.stop()
        assert datetime.now(UTC) < soon_start - timedelta(seconds=15), "stopped too late: the reminder was due already"
        # Down past the moment both reminders were due, and past the sooner task's start.
        time.sleep(max((soon_start - datetime.now(UTC)).total_seconds() + 2, 0))
        service = start_service("services.notifications.main", env, name="notifications", timeout_s=100)
        inbox.wait_for(later_address, count=2, timeout_s=30)
        time.sleep(3)
        assert datetime.now(UTC) < later_start - timedelta(seconds=15), "too slow: the later 15 s reminder is due"
        assert subjects(inbox, later_address) == sorted([CONFIRMED, REMINDER])  # once
        assert subjects(inbox, soon_address) == [CONFIRMED]
        [missed] = [d for d in deliveries_of(database, soon.data["member_id"]) if d.kind == "reminder"]
        assert (missed.status, missed.last_error) == ("dropped", "expired before it could be sent")
    finally:
        service.stop()


@pytest.mark.postgres
@POSTGRES_ONLY
def test_a_task_whose_time_is_known_only_after_the_acceptance_still_gets_its_reminders(
    database_url,
    kafka_bootstrap,
    topic_prefix,
    topics,
    members,
    members_service,
    offers,
    inbox,
    mail_server,
):
    """The acceptance can be read before the task's state (two topics), or the task get its time
    later: the reminders are planned when the time becomes known, for those who still hold it."""
    settings = notification_settings(
        database_url, kafka_bootstrap, topic_prefix, mail_server[0], members_service.url, reminder_offsets_seconds=[15]
    )
    clock = MovableClock()  # the reminder falls due when the test moves the sender's clock there
    with TestClient(create_app(settings, clock=clock)):
        staying, staying_address = members.register(languages=("en",))
        leaving, leaving_address = members.register(languages=("en",))
        for member_id in (staying, leaving):
            recorded(settings, member_id)
        kept, left = offers.created(staying), offers.created(leaving)
        left.data["task_id"] = kept.data["task_id"]  # the same task
        for offer in (kept, left):
            offers.publish(offers.accepted(offer))
        eventually(
            lambda: all(deliveries_of(database_url, offer.data["member_id"]) for offer in (kept, left)),
            15,
            message="both acceptances read",
        )
        offers.publish(offers.acceptance_withdrawn(left))
        eventually(
            lambda: any(
                d.kind == "acceptance_withdrawn" or d.status == "dropped" for d in deliveries_of(database_url, leaving)
            ),
            15,
            message="the step back read",
        )
        assert not [d for d in deliveries_of(database_url, staying) if d.kind == "reminder"]  # no time yet

        starts_at = in_seconds(600)
        scheduled(settings, offers, kept, starts_at=starts_at)

        inbox.wait_for(staying_address, timeout_s=15)  # the confirmation
        clock.move_to(starts_at - timedelta(seconds=16))
        nothing_yet(inbox, staying_address, [CONFIRMED], "the reminder came early")
        clock.move_to(starts_at - timedelta(seconds=15))
        mails = inbox.wait_for(staying_address, count=2, timeout_s=15)
        assert sorted(mail.subject for mail in mails) == sorted([CONFIRMED, REMINDER])
        time.sleep(2)
        assert REMINDER not in subjects(inbox, leaving_address)
