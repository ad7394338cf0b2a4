"""A detailed request mail says why the member was asked, in their language: skills and languages by
name, areas by name (never a slug), free times in the task's zone naming it. A discreet one never
does (reasons name skills and places). Older offers' English reasons are shown as written."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from services.common.contracts import Fluency, MessageDetail, OfferReason, ReasonKind, SkillLevel, TimeWindow
from services.notifications.composer import Composer
from services.notifications.config import Settings
from services.notifications.models import Delivery, MessageKind, Recipient, TaskSchedule

NOW = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
STARTS_AT = datetime(2027, 3, 14, 14, 0, tzinfo=UTC)  # 10:00 in Toronto, the day clocks move forward
REASONS = [
    OfferReason(kind=ReasonKind.skill, skill="legal-knowledge", level=SkillLevel.expert),
    OfferReason(kind=ReasonKind.language, language="es", fluency=Fluency.conversational),
    OfferReason(kind=ReasonKind.free_time, windows=[TimeWindow(start=STARTS_AT, end=STARTS_AT + timedelta(hours=2))]),
    OfferReason(kind=ReasonKind.place, area="glanbrook", area_name="Glanbrook", distance_km=11),
    OfferReason(kind=ReasonKind.recent_load, recent_tasks=0),
]


def compose(language: str, detail: MessageDetail, reasons: list) -> str:
    composer = Composer(Settings(environment="test", database_url="sqlite://"), clock=lambda: NOW)
    member_id, task_id = uuid.uuid4(), uuid.uuid4()
    delivery = Delivery(
        member_id=member_id,
        kind=MessageKind.new_offer.value,
        subject_id=uuid.uuid4(),
        task_id=task_id,
        event_at=NOW,
        expires_at=NOW + timedelta(days=1),
        reasons=reasons,
    )
    recipient = Recipient(member_id=member_id, language=language, detail=detail.value)
    schedule = TaskSchedule(
        task_id=task_id,
        title="Legal clinic",
        time_zone="America/Toronto",
        starts_at=STARTS_AT,
        ends_at=STARTS_AT + timedelta(hours=2),
    )
    return composer.compose(delivery, recipient, schedule, "member@example.org").text


def stored(reasons: list[OfferReason]) -> list[dict]:
    """As the service keeps them (from the event's payload)."""
    return [reason.model_dump(mode="json", exclude_defaults=True) for reason in reasons]


def test_a_detailed_french_request_says_why_in_french_with_the_areas_name_and_the_tasks_local_time():
    text = compose("fr", MessageDetail.detailed, stored(REASONS))

    assert (
        "Pourquoi cette demande vous est faite :\n"
        "- Connaissances juridiques : experte ou expert\n"
        "- parle espagnol (conversation)\n"
        "- disponible dimanche 10:00-12:00 (America/Toronto)\n"
        "- dans le secteur Glanbrook, à environ 11 km du vôtre\n"
        "- aucune tâche récente\n"
    ) in text
    assert "glanbrook" not in text


def test_a_detailed_english_request_says_why_in_english():
    text = compose("en", MessageDetail.detailed, stored(REASONS))

    assert "- in Glanbrook, about 11 km from your area\n" in text
    assert "- free Sunday 10:00-12:00 (America/Toronto)\n" in text


def test_a_discreet_request_says_nothing_of_why():
    text = compose("fr", MessageDetail.discreet, stored(REASONS))

    assert "Pourquoi" not in text and "Glanbrook" not in text and "juridiques" not in text


def test_an_older_offers_english_reasons_are_shown_as_written():
    text = compose("fr", MessageDetail.detailed, ["speaks French", {"kind": "remote"}])

    assert "- speaks French\n- ouvert·e au travail à distance\n" in text
