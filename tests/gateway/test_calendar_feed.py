"""The volunteer's private calendar feed: their accepted tasks only, in each task's own zone,
discreet by default, and an address that stops working once renewed or removed."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import httpx
import pytest
from icalendar import Calendar

from gateway.auth import calendar_links
from gateway.auth.calendar_links import FeedLink, InvalidFeedLink

pytestmark = pytest.mark.kafka

FEED = "{ myCalendarFeed { path } }"
RENEW = "mutation { renewCalendarFeed { path } }"
REMOVE = "mutation { removeCalendarFeed }"


def fetch(graphql, path: str) -> httpx.Response:
    return httpx.get(graphql.url.removesuffix("/graphql") + path, timeout=30)


def events_of(response: httpx.Response) -> list:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/calendar")
    return Calendar.from_ical(response.content).walk("VEVENT")


def test_the_feed_lists_accepted_tasks_at_their_local_time_on_both_sides_of_a_dst_change(world, graphql):
    skill, coordinator = world.skill(), world.coordinator()
    volunteer = world.volunteer(skill)
    year = datetime.now(UTC).year + 1
    winter = world.task(
        coordinator,
        skill,
        title="Winter legal clinic",
        timeZone="America/Toronto",
        startsAt=f"{year}-01-15T15:00:00Z",
        endsAt=f"{year}-01-15T17:00:00Z",
    )
    summer = world.task(
        coordinator,
        skill,
        title="Summer legal clinic",
        timeZone="America/Toronto",
        startsAt=f"{year}-07-15T14:00:00Z",
        endsAt=f"{year}-07-15T16:00:00Z",
    )
    only_offered = world.task(
        coordinator,
        skill,
        title="Still only offered",
        timeZone="America/Toronto",
        startsAt=f"{year}-02-10T15:00:00Z",
        endsAt=f"{year}-02-10T16:00:00Z",
    )
    for task in (winter, summer):
        assert world.accept(volunteer, world.wait_for_offer(volunteer, task["id"])["id"])["status"] == "ACCEPTED"
    world.wait_for_offer(volunteer, only_offered["id"])

    assert graphql(FEED, token=volunteer.token)["myCalendarFeed"] is None
    path = graphql(RENEW, token=volunteer.token)["renewCalendarFeed"]["path"]
    assert graphql(FEED, token=volunteer.token)["myCalendarFeed"]["path"] == path
    response = fetch(graphql, path)
    events = sorted(events_of(response), key=lambda event: event.decoded("dtstart"))

    assert [(e.decoded("dtstart").hour, e.decoded("dtstart").tzname()) for e in events] == [(10, "EST"), (10, "EDT")]
    assert [e["dtstart"].params["TZID"] for e in events] == ["America/Toronto"] * 2
    assert Calendar.from_ical(response.content).walk("VTIMEZONE")[0]["tzid"] == "America/Toronto"
    assert {str(e["uid"]) for e in events} == {
        f"task-{winter['id']}@coalition-match",
        f"task-{summer['id']}@coalition-match",
    }
    # Discreet by default: what a lock screen's calendar alert could show names no task, place or person.
    assert {str(e["summary"]) for e in events} == {"Volunteer task"}
    body = response.text
    for secret in ("legal clinic", "Amina", volunteer.email, coordinator.email, "LOCATION", "ATTENDEE", "ORGANIZER"):
        assert secret not in body
    assert response.headers["cache-control"] == "private, no-store"


def test_a_renewed_or_removed_address_stops_working_and_a_forged_one_never_worked(world, graphql):
    volunteer = world.volunteer(world.skill())
    first = graphql(RENEW, token=volunteer.token)["renewCalendarFeed"]["path"]
    assert events_of(fetch(graphql, first)) == []

    second = graphql(RENEW, token=volunteer.token)["renewCalendarFeed"]["path"]
    assert second != first
    assert fetch(graphql, first).status_code == 404
    assert fetch(graphql, second).status_code == 200

    token = second.removeprefix("/calendar/").removesuffix(".ics")
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    for path in (f"/calendar/{forged}.ics", "/calendar/not-a-token.ics", "/calendar/.ics"):
        assert fetch(graphql, path).status_code == 404

    assert graphql(REMOVE, token=volunteer.token)["removeCalendarFeed"] is True
    assert fetch(graphql, second).status_code == 404
    assert graphql(FEED, token=volunteer.token)["myCalendarFeed"] is None


def test_an_erased_volunteer_has_no_feed_left(world, graphql):
    volunteer = world.volunteer(world.skill())
    path = graphql(RENEW, token=volunteer.token)["renewCalendarFeed"]["path"]
    erased = graphql(
        "mutation($p: String!) { eraseMe(password: $p) { __typename } }",
        {"p": volunteer.password},
        token=volunteer.token,
    )["eraseMe"]
    assert erased["__typename"] == "Erasure"
    assert fetch(graphql, path).status_code == 404


def test_a_link_reads_back_only_under_the_secret_it_was_made_with():
    link = FeedLink(uuid.uuid4(), 3)
    token = calendar_links.make(link, "one secret")
    assert calendar_links.read(token, "one secret") == link
    for bad, secret in (
        (token, "another secret"),
        (token[:-1], "one secret"),
        ("", "one secret"),
        ("%%%", "one secret"),
        (calendar_links.make(FeedLink(link.user_id, 4), "x"), "one secret"),
    ):
        with pytest.raises(InvalidFeedLink):
            calendar_links.read(bad, secret)


def test_a_volunteer_who_chose_detailed_messages_sees_the_task_title_in_the_feed(world, graphql):
    skill = world.skill()
    volunteer = world.volunteer(skill)
    task = world.task(world.coordinator(), skill, title="Phone bank for the rent strike")
    world.accept(volunteer, world.wait_for_offer(volunteer, task["id"])["id"])
    chosen = graphql(
        "mutation($i: NotificationPreferencesInput!) { updateNotificationPreferences(input: $i) { __typename } }",
        {"i": {"email": True, "detail": "DETAILED"}},
        token=volunteer.token,
    )["updateNotificationPreferences"]
    assert chosen["__typename"] == "MemberProfile"
    path = graphql(RENEW, token=volunteer.token)["renewCalendarFeed"]["path"]

    [event] = events_of(fetch(graphql, path))
    assert str(event["summary"]) == "Phone bank for the rent strike"
