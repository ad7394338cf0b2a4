"""Typed entry points to each service's HTTP contract: one method per route the gateway calls. The
contracts themselves are the services' routes and pydantic models (each service's ``/openapi.json``).
The gateway's side of them is ``gateway.clients.contracts``: the bodies it sends, and the models it
reads the answers with, checked against each service's schema by
``tests/gateway/test_service_contracts.py``. Lists and batch reads answer those models here (their
items are what the loaders, the calendar feed and the fill settling share); a single read answers
its JSON, which its reader reads with the same model: the GraphQL type built from it
(``from_service``), or the web page (answer links, unsubscribe links, the calendar feed)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal
from uuid import UUID

import httpx

from gateway.clients.contracts import Json
from gateway.clients.contracts.matching import FillPageReply, FillReply, OfferAnswerBody, OfferPageReply, OfferReply
from gateway.clients.contracts.members import (
    AreaPageReply,
    AreaReply,
    MemberCommitteesReply,
    MemberNameReply,
    NamePurpose,
    NamesBody,
    NamesReply,
    SkillPageReply,
    SkillReply,
    TermBody,
)
from gateway.clients.contracts.tasks import (
    AttendanceBody,
    CommitteeBody,
    CommitteePageReply,
    CommitteeReply,
    CoordinatorBody,
    FollowingChangesBody,
    LeadBody,
    LeadPageReply,
    LeadReply,
    OrganizationBody,
    OrganizationPageReply,
    OrganizationReply,
    SeriesCreateBody,
    TaskAddressesReply,
    TaskAddressReply,
    TaskCreateBody,
    TaskFields,
    TaskPageReply,
    TaskReply,
)
from gateway.clients.http import IN_FLIGHT_PER_SERVICE, Actor, ServiceClient
from services.common.identity import TokenIssuer

TaxonomyKind = Literal["skills", "areas"]  # the members service's path for each kind of term
TAXONOMY_PAGE = 100  # the largest page the services give; a coalition's taxonomy fits in it
NAMES_PER_CALL = 500  # the most names the members service gives at once
BATCH_SIZE = 100  # ids the tasks and matching services take in one batch read
OFFERS_PAGE = 200  # the largest page of offers matching gives


class MembersClient(ServiceClient):
    async def create(self, actor: Actor, profile: Json) -> Json:
        return await self.call("POST", "/members", actor, json=profile)

    async def get(self, actor: Actor, member_id: UUID) -> Json:
        return await self.call("GET", f"/members/{member_id}", actor)

    async def update(self, actor: Actor, member_id: UUID, changes: Json) -> Json:
        return await self.call("PATCH", f"/members/{member_id}", actor, json=changes)

    async def pause(self, actor: Actor, member_id: UUID) -> Json:
        return await self.call("POST", f"/members/{member_id}/pause", actor)

    async def resume(self, actor: Actor, member_id: UUID) -> Json:
        return await self.call("POST", f"/members/{member_id}/resume", actor)

    async def erase(self, actor: Actor, member_id: UUID) -> None:
        await self.call("DELETE", f"/members/{member_id}", actor)

    async def record_activity(self, actor: Actor, member_id: UUID) -> None:
        await self.call("POST", f"/members/{member_id}/activity", actor)

    async def contact(self, actor: Actor, member_id: UUID, purpose: str, task_id: UUID | None = None) -> Json:
        params = {"purpose": purpose, "task_id": task_id}
        return await self.call("GET", f"/members/{member_id}/contact", actor, params=params)

    async def names(self, actor: Actor, member_ids: Sequence[UUID], purpose: NamePurpose) -> NamesReply:
        """Display names, audited per member; unknown or erased members are listed as missing."""
        names: list[MemberNameReply] = []
        missing: list[UUID] = []
        ids = list(dict.fromkeys(member_ids))
        for start in range(0, len(ids), NAMES_PER_CALL):
            asked = NamesBody(member_ids=ids[start : start + NAMES_PER_CALL], purpose=purpose)
            found = NamesReply.model_validate(await self.call("POST", "/members/names", actor, json=asked.sent()))
            names += found.names
            missing += found.missing
        return NamesReply(names=names, missing=missing)

    async def page(self, actor: Actor, limit: int, offset: int) -> Json:
        return await self.call("GET", "/members", actor, params={"limit": limit, "offset": offset})

    async def audit(self, actor: Actor, member_id: UUID, limit: int, offset: int) -> Json:
        return await self.call("GET", f"/members/{member_id}/audit", actor, params={"limit": limit, "offset": offset})

    async def committees(self, actor: Actor, member_id: UUID) -> list[str]:
        return _joined(await self.call("GET", f"/members/{member_id}/committees", actor))

    async def set_committee(self, actor: Actor, member_id: UUID, committee_id: UUID, joined: bool) -> list[str]:
        path = f"/members/{member_id}/committees/{committee_id}"
        return _joined(await self.call("PUT" if joined else "DELETE", path, actor))

    # The taxonomy: each kind of term (skills, areas) has the same three routes under its own path.

    async def skills(self, actor: Actor) -> list[SkillReply]:
        return SkillPageReply.model_validate(await self._terms(actor, "skills")).items

    async def areas(self, actor: Actor) -> list[AreaReply]:
        return AreaPageReply.model_validate(await self._terms(actor, "areas")).items

    async def _terms(self, actor: Actor, kind: TaxonomyKind) -> Json:
        return await self.call("GET", f"/{kind}", actor, params={"limit": TAXONOMY_PAGE})

    async def create_term(self, actor: Actor, kind: TaxonomyKind, term: TermBody) -> Json:
        return await self.call("POST", f"/{kind}", actor, json=term.sent())

    async def update_term(self, actor: Actor, kind: TaxonomyKind, slug: str, changes: TermBody) -> Json:
        return await self.call("PATCH", f"/{kind}/{slug}", actor, json=changes.sent())


class TasksClient(ServiceClient):
    async def create(self, actor: Actor, task: TaskCreateBody) -> Json:
        return await self.call("POST", "/tasks", actor, json=task.sent())

    async def page(self, actor: Actor, **filters) -> Json:
        return await self.call("GET", "/tasks", actor, params=filters)

    async def get(self, actor: Actor, task_id: UUID) -> Json:
        return await self.call("GET", f"/tasks/{task_id}", actor)

    async def many(self, actor: Actor, task_ids: Sequence[UUID]) -> list[TaskReply]:
        """The tasks among ``task_ids`` that exist (as ``get`` would answer each), in one request."""
        ids = _batch(task_ids)
        page = await self.call("GET", "/tasks", actor, params={"id": ids, "limit": len(ids)})
        return TaskPageReply.model_validate(page).items

    async def update(self, actor: Actor, task_id: UUID, changes: TaskFields) -> Json:
        return await self.call("PATCH", f"/tasks/{task_id}", actor, json=changes.sent())

    async def transition(self, actor: Actor, task_id: UUID, action: str) -> Json:
        return await self.call("POST", f"/tasks/{task_id}/{action}", actor)

    async def addresses(self, actor: Actor, task_ids: Sequence[UUID], member_id: UUID | None) -> list[TaskAddressReply]:
        """The exact addresses among ``task_ids`` the actor may see (as ``GET /tasks/{id}/address``
        decides each), in one request; tasks it would refuse, or does not know, are absent."""
        params = {"task_id": _batch(task_ids), "member_id": member_id}
        return TaskAddressesReply.model_validate(await self.call("GET", "/tasks/addresses", actor, params=params)).items

    async def organizations(self, actor: Actor) -> list[OrganizationReply]:
        page = await self.call("GET", "/organizations", actor, params={"limit": TAXONOMY_PAGE})
        return OrganizationPageReply.model_validate(page).items

    async def organization(self, actor: Actor, organization_id: UUID) -> Json:
        return await self.call("GET", f"/organizations/{organization_id}", actor)

    async def create_organization(self, actor: Actor, organization: OrganizationBody) -> Json:
        return await self.call("POST", "/organizations", actor, json=organization.sent())

    async def add_coordinator(self, actor: Actor, organization_id: UUID, coordinator_id: UUID) -> Json:
        coordinator = CoordinatorBody(coordinator_id=coordinator_id)
        return await self.call("POST", f"/organizations/{organization_id}/coordinators", actor, json=coordinator.sent())

    async def remove_coordinator(self, actor: Actor, organization_id: UUID, coordinator_id: UUID) -> None:
        await self.call("DELETE", f"/organizations/{organization_id}/coordinators/{coordinator_id}", actor)

    async def create_series(self, actor: Actor, series: SeriesCreateBody) -> Json:
        return await self.call("POST", "/series", actor, json=series.sent())

    async def series(self, actor: Actor, series_id: UUID) -> Json:
        return await self.call("GET", f"/series/{series_id}", actor)

    async def update_following(
        self, actor: Actor, series_id: UUID, task_id: UUID, changes: FollowingChangesBody
    ) -> Json:
        return await self.call("PATCH", f"/series/{series_id}/following/{task_id}", actor, json=changes.sent())

    async def cancel_series(self, actor: Actor, series_id: UUID) -> Json:
        return await self.call("POST", f"/series/{series_id}/cancel", actor)

    async def attendance(self, actor: Actor, task_id: UUID) -> Json:
        return await self.call("GET", f"/tasks/{task_id}/attendance", actor)

    async def mark_attendance(self, actor: Actor, task_id: UUID, member_id: UUID, mark: AttendanceBody) -> Json:
        return await self.call("PUT", f"/tasks/{task_id}/attendance/{member_id}", actor, json=mark.sent())

    async def volunteer_record(self, actor: Actor, member_id: UUID) -> Json:
        return await self.call("GET", f"/members/{member_id}/attendance", actor)

    async def attendance_totals(self, actor: Actor, **scope) -> Json:
        return await self.call("GET", "/attendance/totals", actor, params=scope)

    async def attendance_records(self, actor: Actor, **scope) -> Json:
        return await self.call("GET", "/attendance/records", actor, params=scope)

    async def committees(self, actor: Actor, **filters) -> list[CommitteeReply]:
        params = {name: str(value) for name, value in filters.items() if value is not None}
        page = await self.call("GET", "/committees", actor, params=params | {"limit": TAXONOMY_PAGE})
        return CommitteePageReply.model_validate(page).items

    async def committee(self, actor: Actor, committee_id: UUID) -> Json:
        return await self.call("GET", f"/committees/{committee_id}", actor)

    async def create_committee(self, actor: Actor, committee: CommitteeBody) -> Json:
        return await self.call("POST", "/committees", actor, json=committee.sent())

    async def committee_leads(self, actor: Actor, committee_id: UUID) -> list[LeadReply]:
        page = await self.call("GET", f"/committees/{committee_id}/leads", actor, params={"limit": TAXONOMY_PAGE})
        return LeadPageReply.model_validate(page).items

    async def add_lead(self, actor: Actor, committee_id: UUID, lead_id: UUID) -> Json:
        lead = LeadBody(lead_id=lead_id)
        return await self.call("POST", f"/committees/{committee_id}/leads", actor, json=lead.sent())

    async def remove_lead(self, actor: Actor, committee_id: UUID, lead_id: UUID) -> None:
        await self.call("DELETE", f"/committees/{committee_id}/leads/{lead_id}", actor)


class MatchingClient(ServiceClient):
    async def offers(self, actor: Actor, **filters) -> Json:
        return await self.call("GET", "/offers", actor, params=filters)

    async def get(self, actor: Actor, offer_id: UUID) -> Json:
        return await self.call("GET", f"/offers/{offer_id}", actor)

    async def respond(self, actor: Actor, offer_id: UUID, action: str, member_id: UUID) -> Json:
        return await self.call("POST", f"/offers/{offer_id}/{action}", actor, json=_answering(member_id))

    async def fill(self, actor: Actor, task_id: UUID) -> Json:
        return await self.call("GET", f"/tasks/{task_id}/fill", actor)

    async def ask_for_task(self, actor: Actor, task_id: UUID, member_id: UUID) -> Json:
        """The member asks for the task: an offer now if they fit and a place is open, else why not."""
        return await self.call("POST", f"/tasks/{task_id}/asks", actor, json=_answering(member_id))

    async def diagnosis(self, actor: Actor, task_id: UUID) -> Json:
        return await self.call("GET", f"/tasks/{task_id}/diagnosis", actor)

    async def fills(self, actor: Actor, task_ids: Sequence[UUID]) -> list[FillReply]:
        """Fills of the tasks matching knows among ``task_ids``, in one request."""
        answer = await self.call("GET", "/fills", actor, params={"task_id": _batch(task_ids)})
        return FillPageReply.model_validate(answer).items

    async def offers_of_tasks(self, actor: Actor, task_ids: Sequence[UUID], per_task: int) -> list[OfferReply]:
        """Each task's ``per_task`` newest offers: one request per 200 offers, whatever the number of tasks."""
        params = {"task_id": _batch(task_ids), "per_task": per_task, "limit": OFFERS_PAGE}
        offers: dict[UUID, OfferReply] = {}
        offset = 0
        while True:
            page = OfferPageReply.model_validate(
                await self.call("GET", "/offers", actor, params=params | {"offset": offset})
            )
            # Keyed by id: an offer made between two pages shifts the next one by a row.
            offers.update((offer.id, offer) for offer in page.items)
            offset += len(page.items)
            if not page.items or offset >= page.total:
                return list(offers.values())


def _answering(member_id: UUID) -> Json:
    return OfferAnswerBody(member_id=member_id).sent()


def _joined(answer: Json) -> list[str]:
    """The ids of the committees a member joined, as the GraphQL ids they are compared with."""
    return [str(committee) for committee in MemberCommitteesReply.model_validate(answer).committees]


def _batch(ids: Sequence[UUID]) -> list[str]:
    """Distinct ids, as many as one batch read takes (loaders split bigger batches)."""
    distinct = list(dict.fromkeys(str(i) for i in ids))
    if not 1 <= len(distinct) <= BATCH_SIZE:
        raise ValueError(f"a batch read takes 1 to {BATCH_SIZE} ids, not {len(distinct)}")
    return distinct


@dataclass
class ServiceClients:
    members: MembersClient
    tasks: TasksClient
    matching: MatchingClient
    http: httpx.AsyncClient

    @classmethod
    def build(
        cls,
        members_url: str,
        tasks_url: str,
        matching_url: str,
        timeout_s: float,
        tokens: TokenIssuer,
        transport: httpx.AsyncBaseTransport | None = None,
        in_flight: int = IN_FLIGHT_PER_SERVICE,
    ) -> "ServiceClients":
        # Idle connections are dropped before uvicorn's 5 s keep-alive timeout would close them
        # under us; refused connections are retried (nothing was sent on them).
        limits = httpx.Limits(max_connections=200, max_keepalive_connections=50, keepalive_expiry=3.0)
        transport = transport or httpx.AsyncHTTPTransport(retries=2, limits=limits)
        http = httpx.AsyncClient(timeout=timeout_s, limits=limits, transport=transport)
        # Each service gets its own slots: a busy one does not hold up calls to the others.
        return cls(
            MembersClient("members", members_url, http, tokens, in_flight, timeout_s),
            TasksClient("tasks", tasks_url, http, tokens, in_flight, timeout_s),
            MatchingClient("matching", matching_url, http, tokens, in_flight, timeout_s),
            http,
        )

    async def close(self) -> None:
        await self.http.aclose()
