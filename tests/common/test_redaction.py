"""Contact details in free text: masked in log lines, refused in public text; ids, dates and
figures are neither."""

from __future__ import annotations

import logging
import uuid

import pytest

from services.common.contact_patterns import has_contact_details, redact
from services.common.observability import RedactingFilter


@pytest.mark.parametrize(
    "phone",
    [
        "+1 514 555 0199",
        "(514) 555-0199",
        "514-555-0199",
        "514.555.0199",
        "+33 6 12 34 56 78",
        "555-0199",
        "5145550199",
    ],
)
def test_phone_numbers_are_redacted_however_they_are_written(phone):
    assert redact(f"could not text {phone} today") == "could not text [redacted-phone] today"


def test_a_phone_number_split_by_zero_width_characters_is_still_one():
    assert has_contact_details("call 514\u200b555\u200d0199")
    assert redact("call 514\u200b555\u200d0199 now") == "call [redacted-phone] now"


def test_emails_are_redacted():
    assert redact("bounce from amina.k+events@example.org") == "bounce from [redacted-email]"


@pytest.mark.parametrize(
    "line",
    [
        f"applied member.updated for {uuid.UUID('12345678-1234-5678-1234-567812345678')}",
        f"offer {uuid.uuid4()} accepted by {uuid.uuid4()}",
        "event 2026-11-23 01:05:56 on partition 3 at offset 1234567",
        "pass took 0.0123456789 s",
        "trace 4bf92f3577b34da6a3ce929d0e0e4736 span 00f067aa0ba902b7",
        "listening on 127.0.0.1:18092",
    ],
)
def test_ids_timestamps_and_figures_are_left_alone(line):
    assert redact(line) == line


def test_the_filter_rewrites_a_record_with_arguments():
    record = logging.LogRecord("t", logging.INFO, __file__, 1, "call %s or %s", ("514-555-0199", "x@y.ca"), None)
    assert RedactingFilter().filter(record)
    assert record.getMessage() == "call [redacted-phone] or [redacted-email]"


@pytest.mark.parametrize(
    "title",
    [
        "Rally for status for all, 2026-11-28",
        "Shift 10:00-14:00 at 5 rue Jarry",
        "Legal clinic, room 2.10",
        "Phone bank: 40 calls",
    ],
)
def test_public_text_may_carry_dates_times_and_numbers(title):
    assert not has_contact_details(title)


@pytest.mark.parametrize("title", ["Call Rosa at 514 555 0199", "Questions: rosa@example.org", "Text +1-514-555-0199"])
def test_public_text_with_a_phone_or_an_email_is_spotted(title):
    assert has_contact_details(title)
