"""The one-click answer page (opened from a mail) says why the member was asked in the link's
language: areas by name, free times in the task's zone; an older offer's English words as written."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import httpx

from gateway.clients.http import PUBLIC
from gateway.clients.services import ServiceClients
from gateway.web.answer_page import OfferDetails, page
from gateway.web.answers import _place
from services.common.contracts import OfferReason, ReasonKind, SkillLevel, TimeWindow
from services.common.identity import GATEWAY_ISSUER, TokenIssuer, development_key

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


def members_answering_areas(areas: list[dict]) -> SimpleNamespace:
    """A gateway whose members service lists these areas (the clients over a stand-in transport)."""

    def answer(request: httpx.Request) -> httpx.Response:
        assert (request.method, request.url.path) == ("GET", "/areas")
        return httpx.Response(200, json={"items": areas, "total": len(areas), "limit": 100, "offset": 0})

    tokens = TokenIssuer(GATEWAY_ISSUER, development_key(GATEWAY_ISSUER))
    clients = ServiceClients.build(
        "http://members.test", "http://t.test", "http://x.test", 5.0, tokens, transport=httpx.MockTransport(answer)
    )
    return SimpleNamespace(clients=clients)


async def test_the_place_is_the_area_s_name_and_city_or_its_slug_when_the_taxonomy_does_not_know_it():
    gateway = members_answering_areas([{"slug": "verdun", "name": "Verdun", "city": "Montréal", "retired": False}])

    assert await _place(gateway, PUBLIC, {"area": "verdun", "remote": False}, "fr") == "Verdun, Montréal"
    assert await _place(gateway, PUBLIC, {"area": "lachine", "remote": False}, "fr") == "lachine"
