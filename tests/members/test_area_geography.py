"""Areas form a hierarchy (cities or regions containing neighbourhoods) with coarse centres, and
members say where they can go: what matching needs to reach beyond one neighbourhood."""

from __future__ import annotations

import json

import pytest

from tests.support.members_app import ADMIN, profile, register, volunteer
from tests.support.topic_reading import read_topic

pytestmark = pytest.mark.kafka

GLANBROOK = {
    "slug": "hamilton-glanbrook",
    "name": "Glanbrook",
    "city": "Hamilton",
    "parent": "hamilton",
    "latitude": 43.1720,
    "longitude": -79.9360,
}


def add_hamilton(client) -> None:
    city = {"slug": "hamilton", "name": "Hamilton", "city": "Hamilton", "latitude": 43.2557, "longitude": -79.8711}
    assert client.post("/areas", json=city, headers=ADMIN).status_code == 201
    added = client.post("/areas", json=GLANBROOK, headers=ADMIN)
    assert added.status_code == 201, added.text


@pytest.mark.postgres
def test_the_seeded_neighbourhoods_sit_in_their_city_with_a_centre(client):
    areas = {area["slug"]: area for area in client.get("/areas", params={"limit": 100}).json()["items"]}
    assert areas["montreal"]["parent"] is None
    plateau = areas["montreal-plateau"]
    assert plateau["parent"] == "montreal" and 45 < plateau["latitude"] < 46 and -74 < plateau["longitude"] < -73


def test_an_admin_places_a_neighbourhood_in_its_city_and_the_matcher_hears_of_it(sqlite_client, sqlite_settings):
    add_hamilton(sqlite_client)
    moved = sqlite_client.patch(
        "/areas/hamilton-glanbrook", json={"latitude": 43.18, "longitude": -79.94}, headers=ADMIN
    )
    assert moved.status_code == 200 and moved.json()["latitude"] == 43.18 and moved.json()["parent"] == "hamilton"
    topic = sqlite_settings.topics.areas_state

    def glanbrook_moved(records) -> bool:
        return any(
            json.loads(r.value)["data"].get("latitude") == 43.18 for r in records if r.key == b"hamilton-glanbrook"
        )

    records = read_topic(sqlite_settings.kafka_bootstrap_servers, topic, glanbrook_moved)
    seeded = {r.key.decode() for r in records}
    assert {"montreal", "montreal-plateau", "hamilton"} <= seeded  # every area is stated at start-up
    last = [json.loads(r.value) for r in records if r.key == b"hamilton-glanbrook"][-1]
    assert last["type"] == "area.stated"
    assert last["data"] == {
        "slug": "hamilton-glanbrook",
        "name": "Glanbrook",
        "parent": "hamilton",
        "latitude": 43.18,
        "longitude": -79.94,
        "retired": False,
    }


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"parent": "nowhere"}, "parent", "unknown parent area 'nowhere'"),
        ({"parent": "hamilton-glanbrook"}, "parent", "loop"),
        ({"latitude": 91.0}, "latitude", "less than or equal to 90"),
        ({"latitude": 43.0, "longitude": None}, None, "both latitude and longitude"),
    ],
)
def test_a_parent_or_centre_that_makes_no_sense_is_refused_and_nothing_changes(shared_client, change, field, words):
    if "hamilton" not in {a["slug"] for a in shared_client.get("/areas", params={"limit": 100}).json()["items"]}:
        add_hamilton(shared_client)
    target = "hamilton" if change.get("parent") == "hamilton-glanbrook" else "hamilton-glanbrook"
    refused = shared_client.patch(f"/areas/{target}", json=change, headers=ADMIN)
    assert refused.status_code == 422 and words in refused.text, refused.text
    areas = {a["slug"]: a for a in shared_client.get("/areas", params={"limit": 100}).json()["items"]}
    assert areas["hamilton"]["parent"] is None and areas["hamilton-glanbrook"]["latitude"] == GLANBROOK["latitude"]


def test_a_member_says_where_they_can_go_and_it_travels_without_anything_personal(sqlite_client, sqlite_settings):
    reach = {"areas": ["montreal-plateau"], "whole_city": True, "km": 12}
    member = register(sqlite_client, reach=reach)
    assert member["reach"] == reach
    narrowed = sqlite_client.patch(
        f"/members/{member['id']}", json={"reach": {"km": 5}}, headers=volunteer(member["id"])
    )
    assert narrowed.json()["reach"] == {"areas": [], "whole_city": False, "km": 5}
    topic = sqlite_settings.topics.members_state
    records = read_topic(
        sqlite_settings.kafka_bootstrap_servers,
        topic,
        lambda rs: any(json.loads(r.value)["type"] == "member.updated" for r in rs),
    )
    states = [json.loads(r.value)["data"] for r in records]
    assert [s["reach"] for s in states] == [reach, {"areas": [], "whole_city": False, "km": 5}]
    assert "Marisol" not in json.dumps(states)


@pytest.mark.parametrize(
    ("reach", "words"),
    [
        ({"areas": ["atlantis"]}, "unknown area 'atlantis'"),
        ({"areas": ["montreal-nord", "montreal-nord"]}, "listed twice"),
        ({"km": 0}, "greater than or equal to 1"),
        ({"km": 501}, "less than or equal to 500"),
        ({"anywhere": True}, "anywhere"),
    ],
)
def test_a_reach_that_cannot_be_met_is_refused(shared_client, reach, words):
    refused = shared_client.post("/members", json=profile(reach=reach))
    assert refused.status_code == 422 and words in refused.text, refused.text
