"""Exact addresses of many tasks in one read: each under the rule of the single read (volunteers
who accepted, the task's coordinators, admins), the others simply absent."""

from __future__ import annotations

import uuid

import pytest

from services.common.contracts import OfferChanged, OfferStatus
from services.common.envelope import wrap
from services.tasks.listing import MAX_IDS
from tests.support.processes import eventually
from tests.support.service_tokens import signed_headers
from tests.support.tasks_app import ADMIN, SYSTEM, new_organization, post_task, volunteer
from tests.support.topic_reading import produce

pytestmark = pytest.mark.kafka


def accept(
    settings,
    bootstrap,
    task_id: str,
    member_id: str,
    status: OfferStatus = OfferStatus.accepted,
    offer_id: str | None = None,
) -> str:
    """What matching publishes when a volunteer answers an offer."""
    offer_id = offer_id or str(uuid.uuid4())
    payload = OfferChanged(offer_id=offer_id, task_id=task_id, member_id=member_id, status=status)
    produce(
        bootstrap, settings.topics.offers_events, task_id, wrap(f"offer.{status.value}", payload, "matching").to_bytes()
    )
    return offer_id


def addresses(client, task_ids: list[str], headers: dict, member_id: str | None = None) -> dict[str, dict]:
    params = [("task_id", task_id) for task_id in task_ids] + ([("member_id", member_id)] if member_id else [])
    response = client.get("/tasks/addresses", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return {item["task_id"]: item for item in response.json()["items"]}


def accepted_by(client, task_id: str, member_id: str) -> bool:
    """The acceptance reached the tasks service: the volunteer may read the address."""
    return client.get(f"/tasks/{task_id}/address", headers=volunteer(member_id)).status_code == 200


@pytest.mark.postgres
def test_each_reader_gets_exactly_the_addresses_the_single_read_would_show(client, settings, kafka_bootstrap):
    organization, other = new_organization(client), new_organization(client)
    first, second = post_task(client, organization), post_task(client, organization, address="12 rue Ontario Est")
    not_accepted = post_task(client, organization, address="99 avenue du Parc")
    elsewhere = post_task(client, other, address="5 boulevard Saint-Laurent")
    alma, bao = str(uuid.uuid4()), str(uuid.uuid4())
    for task in (first, second, elsewhere):
        accept(settings, kafka_bootstrap, task["id"], alma)
    eventually(
        lambda: all(accepted_by(client, t["id"], alma) for t in (first, second, elsewhere)),
        timeout_s=15,
        message="alma's three acceptances",
    )
    asked = [first["id"], not_accepted["id"], str(uuid.uuid4()), second["id"], elsewhere["id"]]

    # Alma sees her accepted tasks, whoever organizes them; not the one she did not accept, nor an unknown one.
    mine = addresses(client, asked, volunteer(alma))
    assert list(mine) == [first["id"], second["id"], elsewhere["id"]]  # in the order asked
    assert addresses(client, asked, volunteer(alma), member_id=alma) == mine
    for task_id, item in mine.items():
        assert item == client.get(f"/tasks/{task_id}/address", headers=volunteer(alma)).json()
    assert mine[second["id"]]["address"] == "12 rue Ontario Est"
    # Another volunteer accepted none of them, and may not ask on Alma's behalf.
    assert addresses(client, asked, volunteer(bao)) == {}
    on_behalf = client.get(
        "/tasks/addresses", params={"task_id": first["id"], "member_id": alma}, headers=volunteer(bao)
    )
    assert on_behalf.status_code == 403 and "own behalf" in on_behalf.json()["detail"]
    # Coordinators see their organization's tasks only; admins see every task.
    assert list(addresses(client, asked, organization.coordinator)) == [first["id"], not_accepted["id"], second["id"]]
    assert addresses(client, asked, organization.coordinator)[not_accepted["id"]]["address"] == "99 avenue du Parc"
    assert list(addresses(client, asked, other.coordinator)) == [elsewhere["id"]]
    assert list(addresses(client, asked, ADMIN)) == [first["id"], not_accepted["id"], second["id"], elsewhere["id"]]
    # The system asking for a volunteer gets what that volunteer would.
    assert addresses(client, asked, SYSTEM, member_id=alma) == mine


def test_an_address_disappears_from_the_batch_once_the_volunteer_withdraws(
    sqlite_client, sqlite_settings, kafka_bootstrap
):
    organization = new_organization(sqlite_client)
    kept, withdrawn = post_task(sqlite_client, organization), post_task(sqlite_client, organization)
    alma = str(uuid.uuid4())
    accept(sqlite_settings, kafka_bootstrap, kept["id"], alma)
    offer_id = accept(sqlite_settings, kafka_bootstrap, withdrawn["id"], alma)
    eventually(
        lambda: len(addresses(sqlite_client, [kept["id"], withdrawn["id"]], volunteer(alma))) == 2,
        timeout_s=15,
        message="both acceptances",
    )

    accept(sqlite_settings, kafka_bootstrap, withdrawn["id"], alma, OfferStatus.cancelled_by_volunteer, offer_id)

    eventually(
        lambda: list(addresses(sqlite_client, [kept["id"], withdrawn["id"]], volunteer(alma))) == [kept["id"]],
        timeout_s=15,
        message="the withdrawn task's address hidden again",
    )
    refused = sqlite_client.get(f"/tasks/{withdrawn['id']}/address", headers=volunteer(alma))
    assert refused.status_code == 403  # the single read agrees


def test_anyone_unidentified_is_refused_the_whole_batch(shared_client):
    organization = new_organization(shared_client)
    task = post_task(shared_client, organization)
    for headers in [signed_headers("tasks", role) for role in ("public", "volunteer", "coordinator")]:
        refused = shared_client.get("/tasks/addresses", params={"task_id": task["id"]}, headers=headers)
        assert refused.status_code == 403, (headers, refused.text)
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert "Notre-Dame" not in refused.text


def test_a_batch_of_addresses_refuses_too_many_ids_none_at_all_and_ids_that_are_not_ids(shared_client):
    ids = [("task_id", str(uuid.uuid4())) for _ in range(MAX_IDS + 1)]
    too_many = shared_client.get("/tasks/addresses", params=ids, headers=ADMIN)
    assert too_many.status_code == 422
    assert too_many.headers["content-type"].startswith("application/problem+json")
    assert too_many.json()["errors"][0]["field"] == "query.task_id" and "100" in too_many.json()["detail"]
    at_most = shared_client.get("/tasks/addresses", params=ids[:MAX_IDS], headers=ADMIN)
    assert at_most.status_code == 200 and at_most.json() == {"items": []}  # unknown tasks are absent, not errors
    none = shared_client.get("/tasks/addresses", headers=ADMIN)
    assert none.status_code == 422 and none.json()["errors"][0]["field"] == "query.task_id"
    not_an_id = shared_client.get("/tasks/addresses", params={"task_id": "task-1"}, headers=ADMIN)
    assert not_an_id.status_code == 422 and not_an_id.json()["errors"][0]["field"] == "query.task_id.0"
    bad_member = shared_client.get(
        "/tasks/addresses", params={"task_id": str(uuid.uuid4()), "member_id": "me"}, headers=ADMIN
    )
    assert bad_member.status_code == 422 and bad_member.json()["errors"][0]["field"] == "query.member_id"


def test_the_batch_route_leaves_single_task_routes_as_they_were(shared_client):
    organization = new_organization(shared_client)
    task = post_task(shared_client, organization)
    assert shared_client.get(f"/tasks/{task['id']}").json()["id"] == task["id"]
    single = shared_client.get(f"/tasks/{task['id']}/address", headers=organization.coordinator)
    assert single.status_code == 200 and single.json()["address"] == "1 rue Notre-Dame Est, salle 4.10"
    assert addresses(shared_client, [task["id"]], organization.coordinator) == {task["id"]: single.json()}
