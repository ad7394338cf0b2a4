"""The one-click answer page (opened from a mail) says why the member was asked in the link's
language: areas by name, free times in the task's zone; an older offer's English words as written."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from gateway.web.answer_page import OfferDetails, page
from services.common.contracts import OfferReason, ReasonKind, SkillLevel, TimeWindow

STARTS_AT = datetime(2027, 1, 16, 15, 0, tzinfo=UTC)  # a Saturday, 10:00 in Toronto


def why_you(language: str, reasons: list[OfferReason]) -> str:
    details = OfferDetails(
        title="Legal clinic",
        starts_at=STARTS_AT,
        ends_at=STARTS_AT + timedelta(hours=2),
        reasons=reasons,
        time_zone="America/Toronto",
    )
    return page(language, 200, details=details, action="accept", csrf="token").body.decode()


def test_the_answer_page_words_the_reasons_in_french_with_the_areas_name_and_the_tasks_time():
    body = why_you(
        "fr",
        [
            OfferReason(kind=ReasonKind.skill, skill="legal-knowledge", level=SkillLevel.capable),
            OfferReason(
                kind=ReasonKind.free_time, windows=[TimeWindow(start=STARTS_AT, end=STARTS_AT + timedelta(hours=2))]
            ),
            OfferReason(kind=ReasonKind.place, area="saint-roch", area_name="Saint-Roch", own_area=True),
        ],
    )

    assert (
        "Connaissances juridiques : à l&#x27;aise; disponible samedi 10:00-12:00 (America/Toronto); "
        "dans le secteur Saint-Roch"
    ) in body


def test_an_older_offers_english_reason_is_shown_as_written():
    body = why_you(
        "en",
        [
            OfferReason(kind=ReasonKind.text, text="speaks French"),
            OfferReason(kind=ReasonKind.recent_load, recent_tasks=0),
        ],
    )

    assert "speaks French; no recent tasks" in body
