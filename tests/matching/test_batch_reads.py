"""Offers and fills of many tasks in one request: the same answers as asking task by task."""

from __future__ import annotations

from uuid import uuid4

import pytest

from services.common.clock import utc_now
from services.common.contracts import Weekday
from services.common.db import session_scope
from services.matching import handlers, reads
from services.matching.reads import MAX_TASK_IDS
from tests.matching.factories import member, next_weekday, task


def offered_tasks(harness, count: int):
    """``count`` one-place tasks at different hours, each offered to a wave of members."""
    now = utc_now()
    harness.members(*(member() for _ in range(4)))
    tasks = [task(starts_at=next_weekday(Weekday.saturday, 8 + 3 * n)) for n in range(count)]
    for state in tasks:
        harness.task(state, now)
    harness.run_pass(now)
    return tasks, now


def single_reads(call, task_id):
    offers = reads.list_offers(
        call, member_id=None, task_ids=[task_id], status=None, per_task=None, limit=200, offset=0
    )
    return offers.items, handlers.get_fill(call, task_id)


def test_offers_and_fills_of_many_tasks_match_what_each_task_answers_alone(harness):
    (first, second), now = offered_tasks(harness, 2)
    with harness.session() as session:
        accepted = single_reads(harness.call(session), first.task_id)[0][0]
    with session_scope(harness.engine) as session:
        handlers.accept_offer(harness.call(session, now), accepted.id, accepted.member_id)
    unknown = uuid4()

    with harness.session() as session:
        ids = [second.task_id, unknown, first.task_id]
        offers = reads.list_offers(
            harness.call(session), member_id=None, task_ids=ids, status=None, per_task=None, limit=200, offset=0
        )
        fills = reads.list_fills(harness.call(session), ids)
        alone = {state.task_id: single_reads(harness.call(session), state.task_id) for state in (first, second)}

    assert [fill.task_id for fill in fills.items] == [second.task_id, first.task_id]  # as asked; unknown absent
    for fill in fills.items:
        assert fill == alone[fill.task_id][1]
    assert fills.items[1].accepted_member_ids == [accepted.member_id]
    for state in (first, second):
        assert [o for o in offers.items if o.task_id == state.task_id] == alone[state.task_id][0]
    assert offers.total == len(offers.items) == sum(len(items) for items, _ in alone.values())


def test_per_task_keeps_only_each_task_s_newest_offers(harness):
    (first, second), _ = offered_tasks(harness, 2)
    with harness.session() as session:
        newest = {state.task_id: single_reads(harness.call(session), state.task_id)[0][0] for state in (first, second)}
        assert all(len(single_reads(harness.call(session), state.task_id)[0]) >= 2 for state in (first, second))
        page = reads.list_offers(
            harness.call(session),
            member_id=None,
            task_ids=[first.task_id, second.task_id],
            status=None,
            per_task=1,
            limit=200,
            offset=0,
        )
        one_a_page = reads.list_offers(
            harness.call(session),
            member_id=None,
            task_ids=[first.task_id, second.task_id],
            status=None,
            per_task=1,
            limit=1,
            offset=1,
        )

    assert sorted(page.items, key=lambda o: str(o.task_id)) == sorted(newest.values(), key=lambda o: str(o.task_id))
    assert page.total == 2 and one_a_page.total == 2 and one_a_page.items == page.items[1:]


def test_fills_of_no_known_task_are_an_empty_list(harness):
    with harness.session() as session:
        assert reads.list_fills(harness.call(session), [uuid4(), uuid4()]).items == []


@pytest.mark.kafka
def test_batch_reads_over_http_are_bounded_and_refuse_bad_input_with_a_problem(offered):
    matching, posted, _ = offered
    client, known, unknown = matching.client, str(posted.task_id), str(uuid4())

    fills = client.get("/fills", params=[("task_id", unknown), ("task_id", known)]).json()
    assert fills == {"items": [matching.fill(known)]}
    offers = client.get("/offers", params=[("task_id", known), ("task_id", unknown), ("per_task", 1)]).json()
    assert (offers["total"], [o["task_id"] for o in offers["items"]]) == (1, [known])

    too_many = [("task_id", str(uuid4())) for _ in range(MAX_TASK_IDS + 1)]
    for path, params in [
        ("/fills", too_many),
        ("/offers", too_many),
        ("/fills", []),
        ("/fills", {"task_id": "not-a-task"}),
        ("/offers", {"task_id": known, "per_task": 0}),
    ]:
        refused = client.get(path, params=params)
        assert refused.status_code == 422, (path, refused.text)
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert refused.json()["errors"][0]["field"].startswith(("query.task_id", "query.per_task"))
    assert client.get("/fills", params=too_many[:MAX_TASK_IDS]).json() == {"items": []}
