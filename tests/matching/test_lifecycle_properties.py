"""Invariants of the offer lifecycle under any sequence of events, at the handler level, on a
real database (SQLite and PostgreSQL): hypothesis drives passes, answers, expiries, pauses,
erasures, slot changes and cancellations, and checks after every step that

- no task ever has more accepted volunteers than slots, and the fill counter agrees with the offers;
- no offer goes to a member who does not qualify, or past their monthly limit, or beyond the
  offers a member may have waiting at once, and nobody accepts two tasks at the same time;
- a declined task is never offered to that member again;
- a withdrawn (or otherwise closed) offer cannot be accepted;
- every offer's last event on the outbox says what its status is.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from datetime import timedelta
from uuid import UUID

import pytest
from hypothesis import HealthCheck, Phase, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test
from sqlalchemy import select

from services.common.clock import utc_now
from services.common.contracts import MemberStatus, OfferStatus, SkillLevel, TaskStatus
from services.common.db import session_scope
from services.common.outbox import OutboxMessage
from services.common.problems import DomainError
from services.matching import handlers
from services.matching.members_reader import settle_member_offers
from services.matching.models import Offer, TaskFill
from tests.matching.factories import member, task

AREAS = ("downtown", "north")
LANGUAGES = ("es", "en", "fr")

members_strategy = st.lists(
    st.fixed_dictionaries(
        {
            "level": st.sampled_from([None, *SkillLevel, SkillLevel.expert]),
            "languages": st.sets(st.sampled_from(LANGUAGES), min_size=1).map(tuple),
            "area": st.sampled_from(AREAS + AREAS[:1] * 3),
            "limit": st.integers(1, 3),
            "active": st.sampled_from([True, True, True, False]),
        }
    ),
    min_size=4,
    max_size=10,
)
tasks_strategy = st.lists(
    st.fixed_dictionaries(
        {
            "slots": st.integers(1, 3),
            "level": st.sampled_from([None, None, *SkillLevel]),
            "language": st.sampled_from([None, None, *LANGUAGES]),
        }
    ),
    min_size=1,
    max_size=2,
)


def qualifies(state, task_state) -> bool:
    """The hard constraints, written independently of the engine."""
    levels = {claim.skill: claim.level for claim in state.skills}
    spoken = {claim.code for claim in state.languages}
    return (
        state.status == MemberStatus.active
        and all(levels.get(need.skill, 0) >= need.min_level for need in task_state.skills)
        and (not task_state.languages or bool(spoken & set(task_state.languages)))
        and state.area == task_state.area
    )


class OfferLifecycle(RuleBasedStateMachine):
    harness = None  # set by the test function

    @initialize(member_specs=members_strategy, task_specs=tasks_strategy)
    def set_up(self, member_specs, task_specs):
        self.harness.reset()
        self.now = utc_now()
        self.members = {}
        for number, spec in enumerate(member_specs):
            # Fixed ids: the engine's rotation depends on them, and hypothesis replays examples.
            state = member(
                member_id=UUID(int=1000 + number),
                skills={"legal": spec["level"]} if spec["level"] else {},
                languages=spec["languages"],
                area=spec["area"],
                max_tasks_per_month=spec["limit"],
                status=MemberStatus.active if spec["active"] else MemberStatus.paused,
            )
            self.members[state.member_id] = state
        self.harness.members(*self.members.values())
        self.tasks = {}
        for number, spec in enumerate(task_specs):
            state = task(
                task_id=UUID(int=2000 + number),
                slots=spec["slots"],
                skills={"legal": spec["level"]} if spec["level"] else {},
                languages=(spec["language"],) if spec["language"] else (),
            )
            self.tasks[state.task_id] = state
            self.harness.task(state, self.now)
        self.erased: set[UUID] = set()
        self.matching_pass()

    # -- what can happen ------------------------------------------------------------------

    @rule()
    def matching_pass(self):
        self.now += timedelta(seconds=1)  # offers of different passes never share a timestamp
        before = {offer.id for offer in self.offers()}
        self.harness.run_pass(self.now)
        for offer in self.offers():
            if offer.id not in before:
                self.assert_wave_not_exceeded(offer.task_id)
                state = self.members[offer.member_id]
                assert offer.member_id not in self.erased
                assert qualifies(state, self.tasks[offer.task_id]), "offer to a member who does not qualify"
                assert self.commitments(offer.member_id) <= state.max_tasks_per_month
                waiting = [
                    o for o in self.offers() if o.member_id == offer.member_id and o.status == OfferStatus.pending
                ]
                assert len(waiting) <= self.harness.settings.max_pending_offers, "too many offers waiting at once"

    @rule(pick=st.integers(0, 200), verb=st.sampled_from(["accept", "decline", "withdraw"]))
    def member_answers_any_offer(self, pick, verb):
        self.answer(self.offers(), pick, verb)

    @rule(pick=st.integers(0, 200))
    def member_accepts_a_pending_offer(self, pick):
        self.answer([o for o in self.offers() if o.status == OfferStatus.pending], pick, "accept")

    @rule(pick=st.integers(0, 200))
    def member_declines_a_pending_offer(self, pick):
        self.answer([o for o in self.offers() if o.status == OfferStatus.pending], pick, "decline")

    @rule(pick=st.integers(0, 200))
    def volunteer_withdraws_after_accepting(self, pick):
        self.answer([o for o in self.offers() if o.status == OfferStatus.accepted], pick, "withdraw")

    @rule()
    def time_passes_beyond_expiry(self):
        self.now += timedelta(seconds=self.harness.settings.offer_ttl_seconds + 1)

    @rule(pick=st.integers(0, 100), active=st.booleans())
    def member_pauses_or_resumes(self, pick, active):
        member_id = self.pick_member(pick)
        if member_id is None:
            return
        state = self.members[member_id].model_copy(
            update={"status": MemberStatus.active if active else MemberStatus.paused}
        )
        self.members[member_id] = state
        self.harness.members(state)
        self.settle(member_id, state)

    @rule(pick=st.integers(0, 100))
    def member_is_erased(self, pick):
        member_id = self.pick_member(pick)
        if member_id is None:
            return
        self.erased.add(member_id)
        self.harness.matching.directory.apply([(member_id, None)])
        self.settle(member_id, None)

    @rule(pick=st.integers(0, 10), slots=st.integers(1, 4))
    def coordinator_changes_slots(self, pick, slots):
        task_id = list(self.tasks)[pick % len(self.tasks)]
        self.update_task(task_id, slots=slots)

    @rule(pick=st.integers(0, 10), status=st.sampled_from([TaskStatus.cancelled, TaskStatus.closed]))
    def coordinator_ends_task(self, pick, status):
        task_id = list(self.tasks)[pick % len(self.tasks)]
        self.update_task(task_id, status=status)

    # -- what must always hold ----------------------------------------------------------------

    @invariant()
    def lifecycle_invariants_hold(self):
        if not hasattr(self, "tasks"):
            return
        offers = self.offers()
        self.never_over_capacity(offers)
        self.one_live_offer_and_no_second_ask_after_a_decline(offers)
        self.members_stay_within_their_limits_and_in_one_place(offers)
        self.every_change_was_announced(offers)

    def never_over_capacity(self, offers):
        for task_id, state in self.tasks.items():
            fill = self.fill(task_id)
            accepted = [o for o in offers if o.task_id == task_id and o.status == OfferStatus.accepted]
            assert fill.accepted == len(accepted) <= fill.slots
            # Fewer slots than accepted volunteers only ever come from the coordinator lowering them.
            assert fill.slots == max(state.slots, fill.accepted)
            if fill.accepted >= fill.slots or state.status != TaskStatus.open:
                assert not [o for o in offers if o.task_id == task_id and o.status == OfferStatus.pending], (
                    "pending offers on a full or ended task"
                )

    @staticmethod
    def one_live_offer_and_no_second_ask_after_a_decline(offers):
        """A task may go to the same member again only after a withdrawal by circumstance (the
        task filled, the member paused), never after they declined it or let it expire."""
        by_pair: dict[tuple, list[Offer]] = {}
        for offer in offers:  # in the order they were made
            by_pair.setdefault((offer.task_id, offer.member_id), []).append(offer)
        for pair_offers in by_pair.values():
            statuses = Counter(o.status for o in pair_offers)
            assert statuses[OfferStatus.pending] + statuses[OfferStatus.accepted] <= 1
            closed = (OfferStatus.declined, OfferStatus.expired)
            answered = [i for i, o in enumerate(pair_offers) if o.status in closed]
            assert not answered or answered[0] == len(pair_offers) - 1, (
                "a task was offered again to a member who declined it or let it expire",
                [(o.created_at, o.status.value, o.withdrawn_because) for o in pair_offers],
            )

    def members_stay_within_their_limits_and_in_one_place(self, offers):
        accepted = Counter(o.member_id for o in offers if o.status == OfferStatus.accepted)
        for member_id, count in accepted.items():
            assert count <= self.members[member_id].max_tasks_per_month
            # Every task here happens on the same Saturday morning.
            assert count <= 1, "a member accepted two tasks at the same time"

    def every_change_was_announced(self, offers):
        last_event = {}
        with self.harness.session() as session:
            for payload in session.scalars(select(OutboxMessage.payload).order_by(OutboxMessage.id)):
                message = json.loads(payload)
                if message["type"].startswith("offer."):
                    last_event[UUID(message["data"]["offer_id"])] = message
        for offer in offers:
            message = last_event[offer.id]
            assert message["data"]["status"] == offer.status.value
            expected = "created" if offer.status == OfferStatus.pending else offer.status.value
            assert message["type"] == f"offer.{expected}"

    # -- helpers ------------------------------------------------------------------------------

    def answer(self, offers, pick, verb):
        if not offers:
            return
        offer = offers[pick % len(offers)]
        accepted_before = self.fill(offer.task_id).accepted
        slots = self.tasks[offer.task_id].slots
        outcome = self.call(verb, offer)
        after = self.offer(offer.id)
        event(f"{verb} {offer.status.value} -> {after.status.value}")
        if verb == "accept" and offer.status != OfferStatus.pending:
            # Withdrawn, declined, expired or cancelled offers stay what they are.
            assert after.status == offer.status
            assert offer.status == OfferStatus.accepted or isinstance(outcome, DomainError)
        if verb == "accept" and offer.status == OfferStatus.pending and after.status == OfferStatus.accepted:
            assert accepted_before < slots, "an accept went through on a full task"

    def assert_wave_not_exceeded(self, task_id):
        """A pass that sent offers for a task leaves no more pending than the widest wave allows."""
        fill = self.fill(task_id)
        pending = [o for o in self.offers(task_id) if o.status == OfferStatus.pending]
        settings = self.harness.settings
        widest = max(settings.wave_factor, settings.widest_wave_factor)
        assert len(pending) <= math.ceil((fill.slots - fill.accepted) * widest)

    def call(self, verb, offer):
        action = {
            "accept": handlers.accept_offer,
            "decline": handlers.decline_offer,
            "withdraw": handlers.withdraw_acceptance,
        }[verb]
        try:
            with session_scope(self.harness.engine) as session:
                return action(self.harness.call(session, self.now), offer.id, offer.member_id)
        except DomainError as error:
            return error

    def settle(self, member_id, state):
        with session_scope(self.harness.engine) as session:
            settle_member_offers(session, self.harness.matching.offers_topic, member_id, state, self.now)

    def update_task(self, task_id, **changes):
        state = self.tasks[task_id].model_copy(update=changes)
        self.tasks[task_id] = state
        self.now += timedelta(milliseconds=1)
        self.harness.task(state, self.now)

    def pick_member(self, pick):
        candidates = [m for m in self.members if m not in self.erased]
        return candidates[pick % len(candidates)] if candidates else None

    def commitments(self, member_id) -> int:
        live = (OfferStatus.pending, OfferStatus.accepted)
        return sum(1 for o in self.offers() if o.member_id == member_id and o.status in live)

    def offers(self, task_id=None) -> list[Offer]:
        task_ids = [task_id] if task_id else list(self.tasks)
        with self.harness.session() as session:
            query = select(Offer).where(Offer.task_id.in_(task_ids))
            return list(session.scalars(query.order_by(Offer.created_at, Offer.task_id, Offer.member_id)))

    def offer(self, offer_id) -> Offer:
        with self.harness.session() as session:
            return session.get(Offer, offer_id)

    def fill(self, task_id) -> TaskFill:
        with self.harness.session() as session:
            return session.get(TaskFill, task_id)


@pytest.mark.postgres
def test_offer_lifecycle_keeps_its_invariants_whatever_happens(harness):
    OfferLifecycle.harness = harness
    run_state_machine_as_test(
        OfferLifecycle,
        settings=settings(
            max_examples=30,
            stateful_step_count=25,
            deadline=None,
            # No shrinking: each step is a database round trip, and the failing steps are printed.
            phases=[Phase.explicit, Phase.reuse, Phase.generate],
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )
