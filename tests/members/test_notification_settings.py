"""What a member chooses about the platform's messages: email on or off, discreet or detailed,
quiet hours in their own zone. Part of the profile, changed by the member or an admin only, and
published on members.state (without any contact data) for the notifications service."""

from __future__ import annotations

import uuid

import pytest

from services.common.contracts import MemberState, MessageDetail
from services.common.envelope import Envelope
from tests.members.test_privacy import SECRETS
from tests.support.members_app import ADMIN, coordinator, register, volunteer
from tests.support.topic_reading import read_topic

pytestmark = pytest.mark.kafka

DEFAULTS = {"email": True, "detail": "discreet", "quiet_hours": None}
NIGHTS = {"start": "22:00", "end": "07:30", "time_zone": "America/Toronto"}


def change(client, member: dict, headers=None, **notifications):
    return client.patch(
        f"/members/{member['id']}", json={"notifications": notifications}, headers=headers or volunteer(member["id"])
    )


@pytest.mark.postgres
def test_a_new_member_gets_discreet_email_without_quiet_hours_and_changes_only_what_they_send(client):
    member = register(client)
    assert member["notifications"] == DEFAULTS

    changed = change(client, member, detail="detailed", quiet_hours=NIGHTS)
    assert changed.status_code == 200, changed.text
    assert changed.json()["notifications"] == {"email": True, "detail": "detailed", "quiet_hours": NIGHTS}

    email_off = change(client, member, email=False)
    assert email_off.json()["notifications"] == {"email": False, "detail": "detailed", "quiet_hours": NIGHTS}
    stored = client.get(f"/members/{member['id']}", headers=volunteer(member["id"])).json()
    assert stored["notifications"] == email_off.json()["notifications"]

    cleared = change(client, member, quiet_hours=None).json()["notifications"]
    assert cleared == {"email": False, "detail": "detailed", "quiet_hours": None}


def test_a_member_may_choose_at_registration(sqlite_client):
    member = register(sqlite_client, notifications={"email": False, "quiet_hours": NIGHTS})
    assert member["notifications"] == {"email": False, "detail": "discreet", "quiet_hours": NIGHTS}


@pytest.mark.parametrize(
    ("quiet_hours", "field", "says"),
    [
        (
            {"start": "22:00", "end": "22:00", "time_zone": "Europe/Paris"},
            "notifications.quiet_hours.end",
            "must differ from start",
        ),
        (
            {"start": "22:00", "end": "07:00", "time_zone": "Mars/Olympus"},
            "notifications.quiet_hours.time_zone",
            "unknown time zone 'Mars/Olympus'",
        ),
        (
            {"start": "22:00", "end": "07:00", "time_zone": "EST"},
            "notifications.quiet_hours.time_zone",
            "not an IANA time zone name",
        ),
        ({"start": "25:00", "end": "07:00", "time_zone": "UTC"}, "notifications.quiet_hours.start", "match pattern"),
        ({"start": "22:00", "end": "07:00"}, "notifications.quiet_hours.time_zone", "required"),
    ],
)
def test_bad_quiet_hours_get_a_422_naming_the_field_and_change_nothing(sqlite_client, quiet_hours, field, says):
    member = register(sqlite_client)
    response = change(sqlite_client, member, quiet_hours=quiet_hours)
    assert response.status_code == 422, response.text
    errors = {error["field"]: error["message"] for error in response.json()["errors"]}
    assert field in errors and says in errors[field], errors
    assert sqlite_client.get(f"/members/{member['id']}", headers=ADMIN).json()["notifications"] == DEFAULTS


@pytest.mark.parametrize("sent", [{"detail": "loud"}, {"email": None}, {"sms": True}])
def test_other_bad_choices_are_refused_too(sqlite_client, sent):
    member = register(sqlite_client)
    response = change(sqlite_client, member, **sent)
    assert response.status_code == 422
    assert next(iter(sent)) in response.json()["detail"]


def test_only_the_member_themself_or_an_admin_changes_them(sqlite_client):
    member = register(sqlite_client)
    someone_else = volunteer(str(uuid.uuid4()))
    assert change(sqlite_client, member, someone_else, email=False).status_code == 403
    assert change(sqlite_client, member, coordinator(), email=False).status_code == 403
    assert sqlite_client.get(f"/members/{member['id']}", headers=ADMIN).json()["notifications"]["email"] is True
    assert change(sqlite_client, member, ADMIN, email=False).json()["notifications"]["email"] is False


@pytest.mark.postgres
def test_members_state_carries_the_choices_and_no_contact_data(client, settings, kafka_bootstrap):
    member = register(client)
    change(client, member, email=False, detail="detailed", quiet_hours=NIGHTS)

    records = read_topic(kafka_bootstrap, settings.topics.members_state, lambda records: len(records) >= 2)
    states = [MemberState.model_validate(Envelope.from_bytes(record.value).data) for record in records]
    assert states[0].notifications.email is True and states[0].notifications.quiet_hours is None
    chosen = states[1].notifications
    assert chosen.email is False and chosen.detail is MessageDetail.detailed
    assert (chosen.quiet_hours.start.isoformat(), chosen.quiet_hours.end.isoformat()) == ("22:00:00", "07:30:00")
    assert chosen.quiet_hours.time_zone == "America/Toronto"
    everything = b"".join(record.value + b"".join(v for _, v in record.headers) for record in records)
    for secret in SECRETS:
        assert secret.encode() not in everything, f"{secret!r} published on {settings.topics.members_state}"
