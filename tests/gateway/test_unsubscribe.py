"""One-click unsubscribe links from mails, against the running product: opening one changes
nothing; its button, or a mail client's RFC 8058 one-click POST (no cookie, no CSRF field), turns
the member's email off, which members.state then says; bad, foreign and old links change nothing;
an erased member's link gets a plain answer; and the volunteer can turn email on again."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from html import escape

import httpx
import pytest

from gateway.web.answer_page import text
from services.common import answer_links
from services.common.answer_links import AnswerLink, UnsubscribeLink
from services.common.contracts import MemberState
from services.common.envelope import Envelope
from services.common.topics import Topics
from tests.support.topic_reading import read_topic

pytestmark = pytest.mark.kafka

SIGNING_KEY = answer_links.private_key("dev-only-insecure-secret")  # the pair the test stack's gateway checks
ONE_CLICK = {"List-Unsubscribe": "One-Click"}
EMAIL = "notificationPreferences { email }"


def link_for(stack, member_id: str, language: str = "en", issued_days_ago: int = 0) -> str:
    issued = datetime.now(UTC) - timedelta(days=issued_days_ago)
    token = answer_links.sign_unsubscribe(UnsubscribeLink(uuid.UUID(member_id), issued, language), SIGNING_KEY)
    return f"{stack.url}/unsubscribe/{token}"


def email_on(graphql, volunteer) -> bool:
    return graphql("{ me { member { %s } } }" % EMAIL, token=volunteer.token)["me"]["member"][
        "notificationPreferences"
    ]["email"]


def said(language: str, key: str) -> str:
    return escape(text(language, key))


@pytest.fixture
def mail_client():
    """What a mail client or a person's browser sends: no session, no cookies kept."""
    with httpx.Client(timeout=30) as client:
        yield client


def test_opening_the_link_shows_a_button_in_the_links_language_and_changes_nothing(world, graphql, stack, mail_client):
    volunteer = world.volunteer()
    link = link_for(stack, volunteer.member_id, "fr")

    for _ in range(2):  # mail scanners open links, sometimes twice
        opened = mail_client.get(link)
        assert opened.status_code == 200
        assert said("fr", "unsubscribe.intro") in opened.text and said("fr", "unsubscribe.button") in opened.text
        assert '<html lang="fr">' in opened.text and '<form method="post">' in opened.text
    assert opened.headers["referrer-policy"] == "no-referrer" and opened.headers["cache-control"] == "no-store"
    assert email_on(graphql, volunteer) is True


def test_a_mail_clients_one_click_post_turns_email_off_and_members_state_says_so(
    world, graphql, stack, mail_client, kafka_bootstrap
):
    volunteer = world.volunteer()
    link = link_for(stack, volunteer.member_id)

    answered = mail_client.post(link, data=ONE_CLICK)  # RFC 8058: form body, no cookie, no CSRF field
    assert answered.status_code == 200 and said("en", "unsubscribe.done") in answered.text
    assert email_on(graphql, volunteer) is False
    again = mail_client.post(link, data=ONE_CLICK)
    assert again.status_code == 200 and email_on(graphql, volunteer) is False
    assert said("en", "unsubscribe.already_off") in mail_client.get(link).text

    topic = Topics(stack.topic_prefix).members_state
    key = volunteer.member_id.encode()

    def email_off_published(records) -> bool:
        mine = [record for record in records if record.key == key and record.value]
        latest = MemberState.model_validate(Envelope.from_bytes(mine[-1].value).data) if mine else None
        return latest is not None and not latest.notifications.email

    read_topic(kafka_bootstrap, topic, email_off_published, timeout_s=60)


def test_the_pages_button_turns_email_off_and_the_volunteer_page_turns_it_on_again(world, graphql, stack, mail_client):
    volunteer = world.volunteer()
    pressed = mail_client.post(
        link_for(stack, volunteer.member_id, "fr"),
        data=ONE_CLICK,
        headers={"Origin": stack.url, "Sec-Fetch-Site": "same-origin"},
    )
    assert pressed.status_code == 200 and said("fr", "unsubscribe.done") in pressed.text
    assert email_on(graphql, volunteer) is False

    back = graphql(
        "mutation { updateNotificationPreferences(input: {email: true}) { __typename "
        "... on MemberProfile { %s } } }" % EMAIL,
        token=volunteer.token,
    )["updateNotificationPreferences"]
    assert back == {"__typename": "MemberProfile", "notificationPreferences": {"email": True}}


def test_tampered_foreign_and_old_links_get_a_4xx_page_and_change_nothing(world, graphql, stack, mail_client):
    volunteer = world.volunteer()
    good = link_for(stack, volunteer.member_id)
    payload, signature = good.rsplit("/", 1)[1].split(".")
    other = answer_links.sign_unsubscribe(UnsubscribeLink(uuid.uuid4(), datetime.now(UTC)), SIGNING_KEY)
    answer = answer_links.sign(
        AnswerLink(uuid.uuid4(), uuid.UUID(volunteer.member_id), "decline", datetime.now(UTC) + timedelta(days=1)),
        SIGNING_KEY,
    )
    bad_links = {
        "tampered": f"{stack.url}/unsubscribe/{payload}.{signature[:-2]}{'BB' if signature.endswith('AA') else 'AA'}",
        "signed with another member's payload": f"{stack.url}/unsubscribe/{other.split('.')[0]}.{signature}",
        "an answer link": f"{stack.url}/unsubscribe/{answer}",
        "older than a year": link_for(stack, volunteer.member_id, issued_days_ago=366),
        "not a token": f"{stack.url}/unsubscribe/nothing-here",
    }
    for name, link in bad_links.items():
        for response in (mail_client.get(link), mail_client.post(link, data=ONE_CLICK)):
            assert 400 <= response.status_code < 500, (name, response.status_code)
            assert said("en", "unsubscribe.invalid") in response.text, name
    assert email_on(graphql, volunteer) is True


def test_an_erased_members_link_gets_a_plain_answer(world, graphql, stack, mail_client):
    volunteer = world.volunteer()
    link = link_for(stack, volunteer.member_id)
    erased = graphql(
        "mutation($p: String!) { eraseMe(password: $p) { __typename } }", {"p": volunteer.password}, volunteer.token
    )["eraseMe"]
    assert erased == {"__typename": "Erasure"}

    for response in (mail_client.get(link), mail_client.post(link, data=ONE_CLICK)):
        assert response.status_code == 200 and said("en", "unsubscribe.erased") in response.text
