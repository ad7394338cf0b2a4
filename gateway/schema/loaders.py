"""Per-request DataLoaders: each thing is fetched once per request, and siblings in one go.

``task``, ``offers_of_task`` and ``fill`` collect every key asked for while a level of the query
resolves and fetch them with one batch read (``GET /tasks?id=…``, ``GET /offers?task_id=…``,
``GET /fills?task_id=…``), split into batches of ``BATCH_SIZE`` ids: a page of 50 tasks with
their offers and fills costs three requests, not a hundred. A key asked for twice in a request is
fetched once. Each key still gets its own answer: a task the service does not return is a
NotFound for that key alone, and a failed request fails only the keys of its batch. The services
answer a batch read exactly as they answer the single reads, permissions included.

``address`` does the same for exact addresses (``GET /tasks/addresses?task_id=…&member_id=…``),
keyed by task and the volunteer asking (None for coordinators and admins): one request per
volunteer per level, which in practice is one. A task the batch leaves out is Forbidden for that
key, as the single read would have said. Taxonomy and organization names come from the
gateway-wide public cache.

Every answer is a contract model (``TaskReply``, ``OfferReply``, ``FillReply``,
``TaskAddressReply``, ``SkillReply``...), frozen: a resolver reads typed fields, and whatever
primes ``task`` primes it with a ``TaskReply`` too.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, TypeVar
from uuid import UUID

from strawberry.dataloader import DataLoader

from gateway.clients.contracts.matching import FillReply, OfferReply
from gateway.clients.contracts.members import AreaReply, SkillReply
from gateway.clients.contracts.tasks import CommitteeReply, OrganizationReply, TaskAddressReply, TaskReply
from gateway.clients.http import PUBLIC, Actor
from gateway.clients.services import BATCH_SIZE
from services.common.problems import Forbidden, NotFound

if TYPE_CHECKING:
    from gateway.schema.context import Context
    from gateway.state import Gateway

AddressKey = tuple[UUID, UUID | None]
Cached = TypeVar("Cached")
PerTask = TypeVar("PerTask", FillReply, TaskAddressReply)
TAXONOMY_TTL_SECONDS = 60.0
OFFERS_PER_TASK = 100


class Loaders:
    def __init__(self, gateway: "Gateway", context: "Context"):
        self._gateway = gateway
        self._context = context
        self.task = DataLoader(self._load_tasks, max_batch_size=BATCH_SIZE)
        self.offers_of_task = DataLoader(self._load_offers_of_tasks, max_batch_size=BATCH_SIZE)
        self.fill = DataLoader(self._load_fills, max_batch_size=BATCH_SIZE)
        # Keyed by (task id, volunteer asking or None); batches split by volunteer, then by 100.
        self.address = DataLoader(self._load_addresses)
        self._led_committees: list[CommitteeReply] | None = None

    async def _load_tasks(self, task_ids: list[UUID]) -> list[TaskReply | NotFound]:
        tasks = await self._gateway.clients.tasks.many(await self._context.actor(), task_ids)
        found = {task.id: task for task in tasks}
        return [found.get(task_id) or NotFound(f"no task with id {task_id}") for task_id in task_ids]

    async def _load_offers_of_tasks(self, task_ids: list[UUID]) -> list[list[OfferReply]]:
        offers = await self._gateway.clients.matching.offers_of_tasks(
            await self._context.actor(), task_ids, per_task=OFFERS_PER_TASK
        )
        by_task: dict[UUID, list[OfferReply]] = defaultdict(list)
        for offer in offers:  # newest first, as matching sorts them
            by_task[offer.task_id].append(offer)
        return [by_task[task_id] for task_id in task_ids]

    async def _load_fills(self, task_ids: list[UUID]) -> list[FillReply | NotFound]:
        found = _by_task(await self._gateway.clients.matching.fills(await self._context.actor(), task_ids))
        return [
            found.get(task_id) or NotFound(f"The matching service has not heard of task {task_id}.")
            for task_id in task_ids
        ]

    async def _load_addresses(self, keys: list[AddressKey]) -> list[TaskAddressReply | Exception]:
        batches = _address_batches(keys)
        actor = await self._context.actor()
        answers = await asyncio.gather(
            *(self._gateway.clients.tasks.addresses(actor, task_ids, member_id) for member_id, task_ids in batches),
            return_exceptions=True,
        )
        found: dict[AddressKey, TaskAddressReply | Exception] = {}
        for (member_id, task_ids), answer in zip(batches, answers, strict=True):
            if isinstance(answer, BaseException):
                if not isinstance(answer, Exception):  # cancelled: not an answer for these keys
                    raise answer
                found.update(((task_id, member_id), answer) for task_id in task_ids)
            else:
                addresses = _by_task(answer)
                found.update(((task_id, member_id), item) for task_id, item in addresses.items())
        return [found.get(key) or _address_refused(key[1]) for key in keys]

    async def skill_names(self) -> dict[str, str]:
        return {skill.slug: skill.name for skill in await self.skills()}

    async def area_names(self) -> dict[str, str]:
        return {area.slug: area.name for area in await self.areas()}

    async def skills(self) -> list[SkillReply]:
        return await self._public("skills", self._gateway.clients.members.skills)

    async def areas(self) -> list[AreaReply]:
        return await self._public("areas", self._gateway.clients.members.areas)

    async def organizations_list(self) -> list[OrganizationReply]:
        return await self._public("organizations", self._gateway.clients.tasks.organizations)

    async def _public(self, name: str, read: Callable[[Actor], Awaitable[Cached]]) -> Cached:
        """A list anyone may read, shared by every request for a minute: read it, never change it.
        Not made of tasks: task events keep it (a lasting entry of the public cache)."""
        return await self._gateway.cache.get_or_load((name,), lambda: read(PUBLIC), TAXONOMY_TTL_SECONDS, lasting=True)

    async def led_committees(self) -> list[CommitteeReply]:
        """The committees the signed-in coordinator leads, asked once per request."""
        if self._led_committees is None:
            user = await self._context.user()
            led: list[CommitteeReply] = []
            if user is not None and user.role == "coordinator":
                led = await self._gateway.clients.tasks.committees(await self._context.actor(), led_by=user.id)
            self._led_committees = led
        return self._led_committees

    async def organizations(self) -> dict[str, OrganizationReply]:
        return {str(org.id): org for org in await self.organizations_list()}


def _address_batches(keys: list[AddressKey]) -> list[tuple[UUID | None, list[UUID]]]:
    """One batch per volunteer asking (or none: coordinators and admins), at most 100 tasks each."""
    by_member: dict[UUID | None, list[UUID]] = defaultdict(list)
    for task_id, member_id in keys:
        by_member[member_id].append(task_id)
    return [
        (member_id, task_ids[start : start + BATCH_SIZE])
        for member_id, task_ids in by_member.items()
        for start in range(0, len(task_ids), BATCH_SIZE)
    ]


def _address_refused(member_id: UUID | None) -> Forbidden:
    # The batch read leaves out what the single read would refuse (and tasks it does not know).
    if member_id is not None:
        return Forbidden("the exact address is shared only with volunteers who accepted this task")
    return Forbidden("only the task's coordinators, or volunteers who accepted it, may see the address")


def _by_task(items: Sequence[PerTask]) -> dict[UUID, PerTask]:
    return {item.task_id: item for item in items}
