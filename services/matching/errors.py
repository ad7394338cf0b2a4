"""The answers an offer's holder can get instead of what they asked for (RFC 9457 problems)."""

from __future__ import annotations

from services.common.problems import Conflict, DomainError, Forbidden


class TaskFilled(Conflict):
    slug, title = "task-filled", "This task has just been filled"


class OfferNotPending(Conflict):
    slug, title = "offer-not-pending", "This offer can no longer be answered"


class OfferNotAccepted(Conflict):
    slug, title = "offer-not-accepted", "Only an accepted offer can be withdrawn"


class MonthlyLimitReached(Conflict):
    slug, title = "monthly-limit-reached", "You already have as many tasks this month as you asked for"


class ScheduleClash(Conflict):
    slug, title = "schedule-clash", "You already accepted a task at that time"


class NotYourOffer(Forbidden):
    slug, title = "not-your-offer", "This offer belongs to another member"


class StillStarting(DomainError):
    """Before the members topic is replayed, member limits are unknown; ask again shortly."""

    status, slug, title = 503, "starting", "The matching service is still starting"
