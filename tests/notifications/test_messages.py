"""What a message says and how it is packed: discreet, plain text, one catalogue per language."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from services.common import answer_links
from services.common.identity import new_signing_key
from services.notifications import local_times, messages
from services.notifications.channels import EmailChannel
from services.notifications.config import Settings
from services.notifications.messages import CATALOGUES, choose_language, render
from services.notifications.models import MessageKind, WithdrawalReason

VALUES = {
    "coalition": "Solidarity Network",
    "open_url": "https://coalition.example.org/volunteer.html",
    "accept_url": "https://coalition.example.org/answer/a.b",
    "decline_url": "https://coalition.example.org/answer/c.d",
    "still_coming_url": "https://coalition.example.org/answer/e.f",
    "cant_come_url": "https://coalition.example.org/answer/g.h",
    # a task's counts, which the at-risk mail to its coordinator states
    "slots": "4",
    "accepted": "1",
    "eligible": "0",
    "pending": "2",
    "declined": "3",
    "expired": "1",
}


@pytest.mark.parametrize("language", messages.languages())
def test_every_catalogue_renders_every_kind(language):
    variants = [
        (MessageKind.new_offer, None),
        (MessageKind.offer_accepted, None),
        (MessageKind.reminder, None),
        (MessageKind.task_cancelled, None),
        (MessageKind.acceptance_withdrawn, None),
        (MessageKind.task_filled, None),
        (MessageKind.volunteer_withdrew, None),
        (MessageKind.task_at_risk, None),
    ]
    variants += [(MessageKind.offer_withdrawn, reason.value) for reason in WithdrawalReason]
    assert {kind for kind, _ in variants} == set(MessageKind)
    for kind, variant in variants:
        message = render(kind, language, VALUES, variant)
        assert message.subject and "Solidarity Network" in message.text and VALUES["open_url"] in message.text


def test_a_catalogue_missing_a_key_is_refused_at_load(tmp_path, monkeypatch):
    for path in CATALOGUES.glob("*.json"):
        (tmp_path / path.name).write_text(path.read_text())
    broken = json.loads((tmp_path / "fr.json").read_text())
    del broken["why"]
    (tmp_path / "fr.json").write_text(json.dumps(broken))
    monkeypatch.setattr(messages, "CATALOGUES", tmp_path)
    messages.catalogues.cache_clear()
    try:
        with pytest.raises(ValueError, match="exactly the keys"):
            messages.catalogues()
    finally:
        monkeypatch.undo()
        messages.catalogues.cache_clear()


def test_a_third_language_needs_only_its_catalogue(tmp_path, monkeypatch):
    for path in CATALOGUES.glob("*.json"):
        (tmp_path / path.name).write_text(path.read_text())
    spanish = {key: f"[es] {value}" for key, value in json.loads((CATALOGUES / "en.json").read_text()).items()}
    (tmp_path / "es.json").write_text(json.dumps(spanish))
    monkeypatch.setattr(messages, "CATALOGUES", tmp_path)
    messages.catalogues.cache_clear()
    try:
        assert choose_language(["es", "fr"], "en") == "es"
        assert render(MessageKind.new_offer, "es", VALUES).subject.startswith("[es] ")
    finally:
        monkeypatch.undo()
        messages.catalogues.cache_clear()


def test_the_language_is_the_first_the_member_speaks_that_has_a_catalogue():
    assert choose_language(["es", "fr-CA", "en"], "en") == "fr"
    assert choose_language(["es", "ar"], "fr") == "fr"
    assert choose_language([], "xx") == "en"


def test_an_email_is_plain_text_only_with_a_stable_message_id_and_no_remote_content():
    channel = EmailChannel(Settings(environment="test", database_url="sqlite://", mail_from="Network <n@example.org>"))
    mail = channel.compose("member@example.org", render(MessageKind.new_offer, "en", VALUES), "<abc@example.org>")
    assert mail.get_content_type() == "text/plain" and not mail.is_multipart()
    assert mail["Message-ID"] == "<abc@example.org>" and mail["Content-Language"] == "en"
    assert "<img" not in mail.get_content() and "<html" not in mail.get_content().lower()


def test_production_refuses_plain_smtp_to_a_remote_relay_a_login_without_password_and_a_placeholder_key():
    signing_key, _ = answer_links.new_key_pair()
    callers = ",".join(new_signing_key(issuer).trusted_key(issuer).text for issuer in ("gateway", "operator"))
    production = dict(
        environment="production",
        database_url="sqlite://",
        smtp_host="smtp.example.org",
        token_issuer_keys=callers,
        service_token_key=new_signing_key("notifications").text,
    )
    with pytest.raises(ValueError, match="starttls or tls"):
        Settings(**production, link_signing_key=signing_key)
    with pytest.raises(ValueError, match="SMTP_PASSWORD"):
        Settings(**production, smtp_security="starttls", smtp_username="relay-user", link_signing_key=signing_key)
    with pytest.raises(ValueError, match="LINK_SIGNING_KEY"):
        Settings(**production, smtp_security="tls")
    Settings(
        **production,
        smtp_security="tls",
        smtp_username="relay-user",
        smtp_password="a-real-password",
        link_signing_key=signing_key,
    )


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Sunday 8 March 2026, 10:00 - 12:00 (America/Toronto)"),
        ("fr", "dimanche 8 mars 2026, 10:00 - 12:00 (America/Toronto)"),
    ],
)
def test_a_tasks_time_reads_in_the_tasks_own_zone_and_names_it_across_a_dst_change(language, expected):
    # 2026-03-08 is the day Toronto moves to summer time: 14:00 UTC is 10:00 there, not 09:00.
    starts_at = datetime(2026, 3, 8, 14, 0, tzinfo=UTC)
    assert (
        local_times.describe(starts_at, starts_at + timedelta(hours=2), "America/Toronto", messages.words(language))
        == expected
    )
    assert local_times.describe(starts_at, None, None, messages.words("en")) == "Sunday 8 March 2026, 14:00 (UTC)"


def test_a_detailed_message_names_the_task_first_and_a_discreet_one_never_does():
    values = VALUES | {"about": "Food bank shift, Sunday 8 March 2026, 10:00 - 12:00 (America/Toronto)"}
    detailed = render(MessageKind.new_offer, "en", values, detailed=True)
    assert detailed.subject == f"New request: {values['about']}" and detailed.text.startswith(values["about"])
    discreet = render(MessageKind.new_offer, "en", values)
    assert "Food bank" not in discreet.subject + discreet.text
    assert render(MessageKind.new_offer, "en", VALUES, detailed=True).subject == discreet.subject  # no title known


def test_a_long_unsubscribe_link_stays_a_plain_header_a_mail_program_can_follow():
    channel = EmailChannel(Settings(environment="test", database_url="sqlite://"))
    link = "<https://coalition.example.org/unsubscribe/" + "x" * 250 + ">"
    message = replace(render(MessageKind.new_offer, "en", VALUES), headers={"List-Unsubscribe": link})
    raw = channel.compose("member@example.org", message, "<abc@example.org>").as_bytes()
    assert f"List-Unsubscribe: {link}".encode() in raw
