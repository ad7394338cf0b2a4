"""The matching HTTP contract: what the gateway can ask, and the clear answers it gets back."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest

from services.common.clock import utc_now
from services.common.db import session_scope
from services.matching.offers import expire_due
from tests.matching.conftest import volunteer
from tests.support.service_tokens import signed_headers

pytestmark = pytest.mark.kafka


def test_answering_another_member_s_offer_is_forbidden(offered):
    matching, _, (offer, other) = offered
    response = matching.client.post(f"/offers/{offer['id']}/accept", json={"member_id": other["member_id"]})
    assert (response.status_code, response.json()["type"]) == (403, "/problems/not-your-offer")
    as_someone_else = matching.client.post(
        f"/offers/{offer['id']}/accept",
        json={"member_id": offer["member_id"]},
        headers=volunteer(str(uuid4())),
    )
    assert as_someone_else.status_code == 403
    as_themselves = matching.client.post(
        f"/offers/{offer['id']}/decline",
        json={"member_id": offer["member_id"]},
        headers=volunteer(offer["member_id"]),
    )
    assert as_themselves.json()["status"] == "declined"


def test_bad_input_is_a_422_that_names_the_field(offered):
    matching, _, (offer, _) = offered
    extra = matching.client.post(f"/offers/{offer['id']}/accept", json={"member_id": offer["member_id"], "note": "hi"})
    assert extra.status_code == 422
    assert extra.json()["errors"][0]["field"] == "note"
    assert matching.client.post(f"/offers/{offer['id']}/accept", json={}).status_code == 422
    assert matching.client.post("/offers/not-a-uuid/accept", json={"member_id": offer["member_id"]}).status_code == 422
    assert matching.client.get("/offers", params={"status": "maybe"}).status_code == 422
    assert matching.client.get("/offers", params={"limit": 0}).status_code == 422


def test_unknown_offers_and_tasks_are_404(offered):
    matching, *_ = offered
    assert matching.client.get(f"/offers/{uuid4()}").json()["type"] == "/problems/not-found"
    assert matching.client.post(f"/offers/{uuid4()}/decline", json={"member_id": str(uuid4())}).status_code == 404
    assert matching.client.get(f"/tasks/{uuid4()}/fill").status_code == 404


def test_answers_are_idempotent_and_closed_offers_say_why(offered):
    matching, posted, (offer, other) = offered
    assert matching.answer(offer, "decline").json()["status"] == "declined"
    assert matching.answer(offer, "decline").json()["status"] == "declined"
    refused = matching.answer(offer, "accept")
    assert (refused.status_code, refused.json()["type"]) == (409, "/problems/offer-not-pending")
    not_accepted = matching.answer(other, "withdraw")
    assert (not_accepted.status_code, not_accepted.json()["type"]) == (409, "/problems/offer-not-accepted")
    assert matching.answer(other, "accept").json()["status"] == "accepted"
    assert matching.answer(other, "withdraw").json()["status"] == "cancelled_by_volunteer"
    assert matching.answer(other, "withdraw").json()["status"] == "cancelled_by_volunteer"
    assert matching.fill(posted.task_id)["accepted"] == 0


def test_offers_can_be_listed_by_member_task_and_status_a_page_at_a_time(offered):
    matching, posted, (offer, other) = offered
    mine = matching.client.get("/offers", params={"member_id": offer["member_id"]}).json()
    assert [o["id"] for o in mine["items"]] == [offer["id"]]
    page = matching.client.get("/offers", params={"task_id": str(posted.task_id), "limit": 1, "offset": 1}).json()
    assert (page["total"], page["limit"], page["offset"], len(page["items"])) == (2, 1, 1, 1)
    matching.answer(offer, "decline")
    declined = matching.client.get("/offers", params={"task_id": str(posted.task_id), "status": "declined"}).json()
    assert [o["id"] for o in declined["items"]] == [offer["id"]]
    one = matching.client.get(f"/offers/{other['id']}").json()
    assert set(one) >= {"id", "task_id", "member_id", "status", "reasons", "expires_at", "created_at", "task_title"}


def test_an_offset_past_any_database_s_integers_is_a_422_not_a_500(offered):
    matching, _, _ = offered
    response = matching.client.get("/offers", params={"offset": 9223372036854775808})
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == "query.offset"


def test_declining_an_offer_the_filled_task_withdrew_says_nothing_more_is_needed(offered):
    matching, _, (taken, withdrawn) = offered
    assert matching.answer(taken, "accept").json()["status"] == "accepted"
    response = matching.answer(withdrawn, "decline")
    assert response.status_code == 409 and response.json()["type"] == "/problems/offer-not-pending", response.text
    assert response.json()["offer_status"] == "withdrawn"
    assert "already withdrawn" in response.json()["detail"] and "nothing more is needed" in response.json()["detail"]
    again = matching.answer(withdrawn, "accept")  # taking it, by contrast, is refused because the task filled
    assert again.json()["type"] == "/problems/task-filled"


def test_a_coordinator_can_see_who_the_task_still_reaches_and_who_was_already_asked(offered):
    matching, posted, _ = offered
    diagnosis = matching.client.get(f"/tasks/{posted.task_id}/diagnosis").json()
    assert diagnosis["active_members"] == 3 and diagnosis["eligible"] == 1
    assert diagnosis["excluded"] == {"skill": 0, "language": 0, "place": 0, "time": 0, "load": 0, "already_asked": 2}
    assert diagnosis["widenings"] == {"whole_city": 0}
    assert matching.client.get(f"/tasks/{uuid4()}/diagnosis").status_code == 404


def test_the_diagnosis_counts_the_places_taken_and_the_offers_declined_or_let_expire(offered):
    matching, posted, (offer, other) = offered
    matching.answer(offer, "decline")
    with session_scope(matching.matching.runtime.engine) as session:  # the worker's expiry, two hours on
        expired = expire_due(session, matching.matching.offers_topic, posted.task_id, utc_now() + timedelta(hours=2))
    # The other offer, and the third member's if the decline had them asked meanwhile.
    assert other["id"] in {str(offer.id) for offer in expired} and len(expired) <= 2
    diagnosis = matching.client.get(f"/tasks/{posted.task_id}/diagnosis").json()
    assert (diagnosis["slots"], diagnosis["accepted"]) == (1, 0)
    assert (diagnosis["declined"], diagnosis["expired"]) == (1, len(expired))


def test_each_read_is_for_the_callers_it_names_and_a_volunteer_reads_their_own_offers_only(offered):
    matching, posted, (offer, other) = offered
    mine, someone = offer["member_id"], other["member_id"]
    task_path = f"/tasks/{posted.task_id}"

    def status(path, role, subject=None, **params):
        return matching.client.get(path, params=params, headers=signed_headers("matching", role, subject)).status_code

    assert status("/offers", "volunteer", mine, member_id=mine) == 200
    assert status("/offers", "volunteer", mine, member_id=someone) == 403
    assert status("/offers", "volunteer", mine) == 403  # everyone's: no
    assert status(f"/offers/{offer['id']}", "volunteer", mine) == 200
    assert status(f"/offers/{other['id']}", "volunteer", mine) == 404  # not even whether it exists
    for role in ("coordinator", "admin", "gateway"):
        assert status("/offers", role, uuid4(), member_id=someone) == 200
    for role, subject in (("public", None), ("notifier", None), ("taxonomy", None)):
        assert status("/offers", role, subject, member_id=someone) == 403
        assert status(f"/offers/{offer['id']}", role, subject) == 403
    for role in ("public", "taxonomy"):
        assert status(f"{task_path}/diagnosis", role) == 403
    # Counts without a member: the notifications service's "task at risk" mail says why from them.
    assert status(f"{task_path}/diagnosis", "notifier") == 200
    assert status(f"{task_path}/fill", "public") == 200  # counts, as the public widget shows them
    assert status(f"{task_path}/fill", "notifier") == 403
    assert status("/fills", "taxonomy", task_id=str(posted.task_id)) == 403
    assert status(f"{task_path}/diagnosis", "volunteer", mine) == 403
    assert status(f"{task_path}/diagnosis", "coordinator", uuid4()) == 200
