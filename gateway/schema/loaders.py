"""Per-request DataLoaders: each thing is fetched once per request, and siblings in one go.

``task`` and ``offers_of_task`` collect every key asked for while a level of the query
resolves and fetch them together (concurrently, one call per key, since the services' list
endpoints filter by one id); a key asked for twice in a request is fetched once. Taxonomy and
organization names come from the gateway-wide public cache.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any
from uuid import UUID

from strawberry.dataloader import DataLoader

from gateway.clients.http import PUBLIC

if TYPE_CHECKING:
    from gateway.schema.context import Context
    from gateway.state import Gateway

TAXONOMY_TTL_SECONDS = 60.0
OFFERS_PER_TASK = 100


class Loaders:
    def __init__(self, gateway: "Gateway", context: "Context"):
        self._gateway = gateway
        self._context = context
        self.task = DataLoader(self._load_tasks)
        self.offers_of_task = DataLoader(self._load_offers_of_tasks)
        self.fill = DataLoader(self._load_fills)

    async def _gather(self, keys: list, fetch) -> list:
        results = await asyncio.gather(*(fetch(key) for key in keys), return_exceptions=True)
        return list(results)

    async def _load_tasks(self, task_ids: list[UUID]) -> list[Any]:
        actor = await self._context.actor()
        return await self._gather(task_ids, lambda task_id: self._gateway.clients.tasks.get(actor, task_id))

    async def _load_offers_of_tasks(self, task_ids: list[UUID]) -> list[Any]:
        actor = await self._context.actor()

        async def offers_of(task_id: UUID) -> list[dict]:
            page = await self._gateway.clients.matching.offers(actor, task_id=task_id, limit=OFFERS_PER_TASK)
            return list(page.get("items", []))

        return await self._gather(task_ids, offers_of)

    async def _load_fills(self, task_ids: list[UUID]) -> list[Any]:
        actor = await self._context.actor()
        return await self._gather(task_ids, lambda task_id: self._gateway.clients.matching.fill(actor, task_id))

    async def skill_names(self) -> dict[str, str]:
        return {skill["slug"]: skill["name"] for skill in await self.skills()}

    async def area_names(self) -> dict[str, str]:
        return {area["slug"]: area["name"] for area in await self.areas()}

    async def skills(self) -> list[dict]:
        return await self._gateway.cache.get_or_load(
            ("skills",), lambda: self._gateway.clients.members.skills(PUBLIC), TAXONOMY_TTL_SECONDS)

    async def areas(self) -> list[dict]:
        return await self._gateway.cache.get_or_load(
            ("areas",), lambda: self._gateway.clients.members.areas(PUBLIC), TAXONOMY_TTL_SECONDS)

    async def organizations_list(self) -> list[dict]:
        return await self._gateway.cache.get_or_load(
            ("organizations",), lambda: self._gateway.clients.tasks.organizations(PUBLIC), TAXONOMY_TTL_SECONDS)

    async def organizations(self) -> dict[str, dict]:
        return {str(org["id"]): org for org in await self.organizations_list()}
