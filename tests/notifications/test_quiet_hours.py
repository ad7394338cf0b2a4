"""Quiet hours: a message due in the member's quiet window waits until it ends, unless the task
starts first. The rule on its own, then end to end with real Kafka, Mailpit and members service."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from time import sleep
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from services.common.contracts import NotificationPreferences, QuietHours
from services.notifications.main import create_app
from services.notifications.models import Delivery, DeliveryStatus
from services.notifications.quiet_hours import window_end
from tests.notifications.conftest import deliveries_of
from tests.notifications.test_preferences import prefers, scheduled
from tests.support.clock import MovableClock
from tests.support.infra import POSTGRES_ONLY
from tests.support.processes import eventually

TOKYO = "Asia/Tokyo"


def at(local: str, zone: str = "America/Toronto") -> datetime:
    return datetime.fromisoformat(local).replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)


def test_a_window_across_midnight_ends_the_next_morning_in_the_members_zone():
    night = (time(22, 0), time(7, 0), "America/Toronto")
    assert window_end(at("2026-03-07T23:30"), *night) == at("2026-03-08T07:00")  # the night clocks move forward
    assert window_end(at("2026-03-08T06:59"), *night) == at("2026-03-08T07:00")
    assert window_end(at("2026-03-08T07:00"), *night) is None and window_end(at("2026-03-08T12:00"), *night) is None
    lunch = (time(12, 0), time(13, 0), "America/Toronto")
    assert window_end(at("2026-03-08T12:30"), *lunch) == at("2026-03-08T13:00")
    assert window_end(at("2026-03-08T11:59"), *lunch) is None
    assert window_end(at("2026-03-08T12:30"), time(12, 0), time(12, 0), "UTC") is None  # an empty window


@pytest.mark.kafka
@pytest.mark.postgres
@POSTGRES_ONLY
def test_a_mail_due_in_quiet_hours_waits_for_their_end_unless_the_task_starts_first(
    settings,
    members,
    offers,
    inbox,
):
    clock = MovableClock()  # the window's end is reached by moving the sender's clock, not by waiting
    with TestClient(create_app(settings, clock=clock)):
        held_id, held_address = members.register(languages=("en",))
        urgent_id, urgent_address = members.register(languages=("en",))
        local_now = clock().astimezone(ZoneInfo(TOKYO))
        ends = local_now + timedelta(minutes=30)
        quiet = NotificationPreferences(
            quiet_hours=QuietHours(
                start=(local_now - timedelta(minutes=5)).time().replace(microsecond=0),
                end=ends.time().replace(microsecond=0),
                time_zone=TOKYO,
            )
        )
        prefers(settings, offers, held_id, quiet)
        prefers(settings, offers, urgent_id, quiet)

        held_offer, urgent_offer = offers.created(held_id), offers.created(urgent_id)
        scheduled(settings, offers, urgent_offer, starts_at=clock() + timedelta(minutes=10))  # before the end
        scheduled(settings, offers, held_offer)  # next spring
        offers.publish(held_offer)
        offers.publish(urgent_offer)

        inbox.wait_for(urgent_address, timeout_s=15)  # at once: the task starts before the window ends
        [record] = eventually(
            lambda: [d for d in deliveries_of(settings.database_url, held_id) if d.not_before is not None] or None,
            15,
            message="the mail held",
        )
        expected_end = ends.replace(microsecond=0).astimezone(UTC)
        assert abs((_utc(record.not_before) - expected_end).total_seconds()) < 1, (record.not_before, expected_end)
        assert record.status == DeliveryStatus.queued.value and record.attempts == 0
        # Held through the window: just after it was held, and a second before its end, the sender
        # looks several times (every send_poll_seconds) and neither takes it to send nor sends it.
        for moment in (clock(), expected_end - timedelta(seconds=1)):
            clock.move_to(moment)
            sleep(1)
            waiting = _one(deliveries_of(settings.database_url, held_id))
            assert (waiting.status, waiting.claimed_until) == (DeliveryStatus.queued.value, None), moment
            assert inbox.messages_to(held_address) == [], f"a mail went out in the member's quiet hours ({moment})"
        clock.move_to(expected_end)
        [mail] = inbox.wait_for(held_address, timeout_s=15)
        eventually(lambda: _one(deliveries_of(settings.database_url, held_id)).status == "sent", 10, message="sent")
        sent = _one(deliveries_of(settings.database_url, held_id))
        assert _utc(sent.finished_at) >= expected_end, "sent before the quiet hours ended"


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _one(rows: list[Delivery]) -> Delivery:
    [row] = rows
    return row
