"""A volunteer who asks for a task (from a widget's link) is offered it at once when they fit and a
place is open, or told plainly which needs they do not meet; on a real database, with a chosen clock."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest
from sqlalchemy import select

from services.common.clock import utc_now
from services.common.contracts import OfferReason, ReasonKind, SkillLevel, TaskStatus
from services.common.db import session_scope
from services.common.deps import Actor
from services.matching import asked_for
from services.matching.asked_for import Answer, NotEligible
from services.matching.errors import NotYourOffer
from services.matching.models import Offer
from tests.matching.factories import member, task, with_changes


def ask(harness, task_id, member_id, now, actor: Actor | None = None):
    actor = actor or Actor(member_id, "volunteer")
    with session_scope(harness.engine) as session:
        return asked_for.consider(harness.call(session, now, actor), task_id, member_id)


def offers_of(harness, task_id) -> list[Offer]:
    with harness.session() as session:
        return list(session.scalars(select(Offer).where(Offer.task_id == task_id)))


def test_a_member_who_fits_is_offered_the_task_at_once_even_when_its_wave_is_out(harness):
    now = utc_now()
    harness.members(member(), member())
    posted = task(slots=1)
    harness.task(posted, now)
    harness.run_pass(now)
    waiting = {offer.member_id for offer in offers_of(harness, posted.task_id)}
    latecomer = member()
    harness.members(latecomer)

    answer = ask(harness, posted.task_id, latecomer.member_id, now)

    assert answer.answer == Answer.offered and answer.reasons == []
    assert answer.offer.member_id == latecomer.member_id and answer.offer.reasons == [
        OfferReason(kind=ReasonKind.asked_for)
    ]
    assert {offer.member_id for offer in offers_of(harness, posted.task_id)} == waiting | {latecomer.member_id}
    again = ask(harness, posted.task_id, latecomer.member_id, now)
    assert again.offer.id == answer.offer.id  # asking twice makes one offer


def test_a_member_who_does_not_fit_is_told_which_needs_they_miss(harness):
    now = utc_now()
    committee = uuid4()
    newcomer = member(languages=("en",), area="downtown")
    harness.members(newcomer)
    clinic = with_changes(
        task(skills={"immigration-law": SkillLevel.capable}, languages=("es",), remote=True),
        committee_id=committee,
        members_only=True,
    )
    harness.task(clinic, now)

    answer = ask(harness, clinic.task_id, newcomer.member_id, now)

    assert answer.answer == Answer.not_eligible and answer.offer is None
    assert answer.reasons == [NotEligible.skills, NotEligible.languages, NotEligible.place, NotEligible.members_only]
    assert offers_of(harness, clinic.task_id) == []


def test_a_full_started_or_cancelled_task_is_said_to_be_so(harness):
    now = utc_now()
    newcomer = member()
    harness.members(newcomer)
    full, started, cancelled = task(), task(starts_at=now + timedelta(hours=1)), task()
    for state in (full, started, cancelled):
        harness.task(state, now)
    harness.task(with_changes(full, status=TaskStatus.filled), now)
    harness.task(with_changes(cancelled, status=TaskStatus.cancelled), now)

    assert ask(harness, full.task_id, newcomer.member_id, now).reasons == [NotEligible.task_full]
    assert ask(harness, cancelled.task_id, newcomer.member_id, now).reasons == [NotEligible.task_not_open]
    later = now + timedelta(hours=2)
    assert ask(harness, started.task_id, newcomer.member_id, later).reasons == [NotEligible.task_started]


def test_a_member_matching_has_not_heard_of_yet_is_asked_to_wait(harness):
    now = utc_now()
    posted = task()
    harness.task(posted, now)
    assert ask(harness, posted.task_id, uuid4(), now).answer == Answer.checking


def test_a_volunteer_cannot_ask_for_a_task_in_another_member_s_name(harness):
    now = utc_now()
    someone = member()
    harness.members(someone)
    posted = task()
    harness.task(posted, now)
    with pytest.raises(NotYourOffer):
        ask(harness, posted.task_id, someone.member_id, now, actor=Actor(uuid4(), "volunteer"))
    assert offers_of(harness, posted.task_id) == []
