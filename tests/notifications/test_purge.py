"""Finished delivery records are purged after the retention period (seconds here, 30 days by
default); the counts admins see stay whole, and waiting deliveries are never purged."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from services.notifications.main import create_app
from tests.notifications.conftest import deliveries_of, delivery_counts, notification_settings
from tests.notifications.test_reminders import accepted_task, in_seconds
from tests.support.processes import eventually

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]


def test_sent_records_go_after_the_retention_period_and_the_counts_stay(
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
        record_retention_days=3 / 86400,
        purge_every_seconds=0.5,
    )
    with TestClient(create_app(settings)) as client:
        created, address, _ = accepted_task(settings, offers, members, in_seconds(3 * 24 * 3600))
        member_id = created.data["member_id"]
        inbox.wait_for(address, timeout_s=15)  # the confirmation; its two reminders wait for their day
        # Waiting: the two reminders, and the coordinator's "task at risk" check 48 h before the start.
        waiting = {"queued": 3, "sent": 1, "failed": 0, "dropped": 0}
        eventually(
            lambda: delivery_counts(client) == waiting,
            15,
            message="the confirmation marked sent",
        )
        eventually(
            lambda: [d.kind for d in deliveries_of(database_url, member_id)] == ["reminder", "reminder"],
            20,
            message="the sent confirmation's record purged, the waiting reminders kept",
        )
        assert delivery_counts(client) == waiting
        purged = re.search(
            r'notifications_purged_total\{kind="offer_accepted",status="sent"\} (\S+)', client.get("/metrics").text
        )
        assert purged and float(purged[1]) >= 1  # the counter is the process's: other tests may add to it
