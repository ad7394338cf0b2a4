"""Skills and areas are the coalition's data, seeded once and edited by admins."""

from __future__ import annotations

import uuid

import pytest

from tests.support.members_app import ADMIN, coordinator, profile, register, volunteer

pytestmark = pytest.mark.kafka

SEEDED_SKILLS = {
    "website-maintenance",
    "graphic-design",
    "legal-knowledge",
    "immigration-law",
    "public-speaking",
    "meeting-facilitation",
    "rally-support",
    "one-on-one-outreach",
    "translation",
    "interpretation",
    "accompaniment",
    "event-logistics",
    "social-media",
    "writing",
}


@pytest.mark.postgres
def test_the_taxonomy_is_seeded_with_the_coalitions_skills_and_areas(client):
    skills = client.get("/skills", params={"limit": 100}).json()
    assert {skill["slug"] for skill in skills["items"]} == SEEDED_SKILLS and skills["total"] == 14
    assert {"slug": "graphic-design", "name": "Graphic design", "description": "", "retired": False} in skills["items"]
    areas = client.get("/areas").json()["items"]
    assert "montreal-parc-extension" in {area["slug"] for area in areas}
    assert {area["city"] for area in areas} == {"Montréal"}


@pytest.mark.postgres
def test_an_admin_adds_a_skill_that_members_can_then_claim(client):
    refused = client.post("/members", json=profile(skills=[{"skill": "design", "level": "capable"}]))
    assert refused.status_code == 422 and "unknown skill 'design'" in refused.json()["detail"]
    added = client.post("/skills", json={"slug": "design", "name": "Design"}, headers=ADMIN)
    assert added.status_code == 201, added.text
    assert register(client, skills=[{"skill": "design", "level": "capable"}])["skills"][0]["skill"] == "design"
    again = client.post("/skills", json={"slug": "design", "name": "Design again"}, headers=ADMIN)
    assert again.status_code == 409 and "already exists" in again.json()["detail"]


def test_a_retired_skill_can_no_longer_be_claimed(sqlite_client):
    member = register(sqlite_client)
    retired = sqlite_client.patch(
        "/skills/rally-support", json={"retired": True, "description": "Merged"}, headers=ADMIN
    )
    assert retired.json() == {
        "slug": "rally-support",
        "name": "Rally support",
        "description": "Merged",
        "retired": True,
    }
    assert "rally-support" not in {
        s["slug"] for s in sqlite_client.get("/skills", params={"limit": 100}).json()["items"]
    }
    listed = sqlite_client.get("/skills", params={"limit": 100, "include_retired": True}).json()
    assert "rally-support" in {s["slug"] for s in listed["items"]}
    claim = sqlite_client.patch(
        f"/members/{member['id']}",
        json={"skills": [{"skill": "rally-support", "level": 1}]},
        headers=volunteer(member["id"]),
    )
    assert claim.status_code == 422 and "retired" in claim.json()["detail"]


def test_admins_add_and_rename_areas(sqlite_client):
    added = sqlite_client.post(
        "/areas", json={"slug": "toronto-parkdale", "name": "Parkdale", "city": "Toronto"}, headers=ADMIN
    )
    assert added.status_code == 201
    renamed = sqlite_client.patch("/areas/toronto-parkdale", json={"name": "Parkdale–High Park"}, headers=ADMIN)
    assert renamed.json()["name"] == "Parkdale–High Park"
    assert register(sqlite_client, area="toronto-parkdale")["area"] == "toronto-parkdale"


def test_only_admins_edit_the_taxonomy(shared_client):
    for headers in (volunteer("00000000-0000-0000-0000-000000000001"), coordinator()):
        assert shared_client.post("/skills", json={"slug": "x", "name": "X"}, headers=headers).status_code == 403
        assert shared_client.patch("/areas/montreal-nord", json={"name": "X"}, headers=headers).status_code == 403
    missing = shared_client.patch("/skills/no-such-skill", json={"name": "X"}, headers=ADMIN)
    assert missing.status_code == 404 and "GET /skills" in missing.json()["detail"]
    bad_slug = shared_client.post("/skills", json={"slug": "Graphic Design", "name": "X"}, headers=ADMIN)
    assert bad_slug.status_code == 422 and "slug" in bad_slug.json()["detail"]


def test_interests_may_be_written_as_words_and_are_kept_as_slugs(shared_client):
    member = register(shared_client, interests=["Labour rights", "anti-deportation-support", "Défense des locataires"])
    assert member["interests"] == ["labour-rights", "anti-deportation-support", "defense-des-locataires"]
    refused = shared_client.post("/members", json=profile(interests=["!!!"]))
    assert refused.status_code == 422 and "^" not in refused.json()["detail"], refused.text
    assert "letters or digits" in refused.json()["detail"]


# Each kind of term: the fields it needs besides a slug, how a profile names one, "a"/"an".
KINDS = {
    "skills": ({"name": "Canvassing"}, lambda slug: {"skills": [{"skill": slug, "level": "capable"}]}, "a skill"),
    "areas": ({"name": "Verdun", "city": "Montréal"}, lambda slug: {"area": slug}, "an area"),
}


@pytest.mark.parametrize("kind", KINDS)
def test_skills_and_areas_are_added_edited_and_retired_by_the_same_rules(shared_client, kind):
    fields, claim, described = KINDS[kind]
    slug, others = f"same-rules-{uuid.uuid4().hex[:8]}", (volunteer(str(uuid.uuid4())), coordinator())
    for headers in others:
        assert shared_client.post(f"/{kind}", json={"slug": slug, **fields}, headers=headers).status_code == 403
    assert shared_client.post(f"/{kind}", json={"slug": slug, **fields}, headers=ADMIN).status_code == 201
    again = shared_client.post(f"/{kind}", json={"slug": slug, **fields}, headers=ADMIN)
    assert again.status_code == 409 and again.json()["detail"] == f"{described} with slug {slug!r} already exists"

    for headers in others:
        assert shared_client.patch(f"/{kind}/{slug}", json={"name": "Taken over"}, headers=headers).status_code == 403
    too_long = shared_client.patch(f"/{kind}/{slug}", json={"name": "x" * 81}, headers=ADMIN)
    assert too_long.status_code == 422, too_long.text
    for field in ("name", "retired"):  # left out keeps a field; null does not say what it becomes
        null = shared_client.patch(f"/{kind}/{slug}", json={field: None}, headers=ADMIN)
        assert null.status_code == 422 and field in null.text, null.text
    missing = shared_client.patch(f"/{kind}/{slug}-gone", json={"name": "X"}, headers=ADMIN)
    assert missing.status_code == 404 and f"GET /{kind} lists them" in missing.json()["detail"]
    assert shared_client.patch(f"/{kind}/{slug}", json={"retired": True}, headers=ADMIN).json()["retired"] is True

    def listed(**params) -> dict:
        items = shared_client.get(f"/{kind}", params={"limit": 100, **params}).json()["items"]
        return {item["slug"]: item for item in items}

    assert slug not in listed() and listed(include_retired=True)[slug]["name"] == fields["name"]
    refused = shared_client.post("/members", json=profile(**claim(slug)))
    assert refused.status_code == 422 and f"{slug!r} is retired" in refused.json()["detail"]
