"""A volunteer's choices about messages through GraphQL: read on their profile, changed by one
mutation (only the fields given), bad input answered with the fields to fix (real stack)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.kafka

PREFERENCES = "notificationPreferences { email detail quietHours { start end timeZone } }"
UPDATE = (
    "mutation($i: NotificationPreferencesInput!) { updateNotificationPreferences(input: $i) { __typename "
    "... on MemberProfile { %s } ... on Problem { message } "
    "... on ValidationProblem { fields { field message } } } }" % PREFERENCES
)


def update(graphql, volunteer, **changes) -> dict:
    return graphql(UPDATE, {"i": changes}, volunteer.token)["updateNotificationPreferences"]


def mine(graphql, volunteer) -> dict:
    return graphql("{ me { member { %s } } }" % PREFERENCES, token=volunteer.token)["me"]["member"][
        "notificationPreferences"
    ]


def test_a_volunteer_changes_each_choice_and_finds_it_kept(world, graphql):
    volunteer = world.volunteer()
    assert mine(graphql, volunteer) == {"email": True, "detail": "DISCREET", "quietHours": None}

    nights = {"start": "22:00:00", "end": "07:30:00", "timeZone": "America/Toronto"}
    changed = update(graphql, volunteer, detail="DETAILED", quietHours=nights)
    assert changed["__typename"] == "MemberProfile", changed
    assert changed["notificationPreferences"] == {"email": True, "detail": "DETAILED", "quietHours": nights}

    update(graphql, volunteer, email=False)
    assert mine(graphql, volunteer) == {"email": False, "detail": "DETAILED", "quietHours": nights}
    update(graphql, volunteer, email=True, quietHours=None)
    assert mine(graphql, volunteer) == {"email": True, "detail": "DETAILED", "quietHours": None}


@pytest.mark.parametrize(
    ("quiet_hours", "field", "says"),
    [
        ({"start": "21:00", "end": "21:00", "timeZone": "Europe/Paris"}, "quietHours.end", "must differ from start"),
        (
            {"start": "21:00", "end": "06:00", "timeZone": "Atlantis/Capital"},
            "quietHours.timeZone",
            "unknown time zone",
        ),
    ],
)
def test_bad_quiet_hours_say_which_field_to_fix_and_change_nothing(world, graphql, quiet_hours, field, says):
    volunteer = world.volunteer()
    result = update(graphql, volunteer, quietHours=quiet_hours)
    assert result["__typename"] == "ValidationProblem", result
    assert [entry["field"] for entry in result["fields"]] == [field]
    assert says in result["fields"][0]["message"] and result["message"].startswith(field)
    assert mine(graphql, volunteer)["quietHours"] is None
