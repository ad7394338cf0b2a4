"""The matching service's routes as the gateway uses them: offers, fills and why a task is not
filling (``services/matching/models.py``, ``unfilled.py``)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from gateway.clients.contracts import Body, Reply
from services.common.contracts import OfferStatus, Reasons


class OfferReply(Reply):
    """An offer as ``OfferPublic`` gives it; an ``offers.events`` payload (``OfferChanged``, its
    ``offer_id`` given as ``id``) reads the same way."""

    id: UUID
    task_id: UUID
    member_id: UUID
    status: OfferStatus
    reasons: Reasons = []
    task_title: str | None = None
    expires_at: datetime | None = None
    created_at: datetime | None = None
    withdrawn_because: str | None = None


class OfferAnswerBody(Body):
    """Answering an offer (accept, decline, withdraw) or asking for a task: which member does."""

    member_id: UUID


class OfferPageReply(Reply):
    items: list[OfferReply]
    total: int


class FillReply(Reply):
    task_id: UUID
    slots: int
    accepted: int
    pending: int
    accepted_member_ids: list[UUID] = []


class FillPageReply(Reply):
    """``GET /fills``: the fills of the tasks asked for that matching knows."""

    items: list[FillReply]


class AutomaticWideningReply(Reply):
    widening: str
    applied_at: datetime
    more_members: int


class DiagnosisReply(Reply):
    active_members: int
    eligible: int
    excluded: dict[str, int]  # per constraint; the ones this gateway does not know are skipped
    widenings: dict[str, int]
    automatic_widenings: list[AutomaticWideningReply] = []


class AskReply(Reply):
    """What asking for a task came to: an offer, or codes saying why not."""

    answer: Literal["offered", "not_eligible", "checking"]
    offer: OfferReply | None = None
    reasons: list[str] = []  # codes; the ones this gateway does not know are left out
