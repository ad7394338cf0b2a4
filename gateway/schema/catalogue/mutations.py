"""Editing the taxonomy (admins): skills and areas, one path for both kinds.

Each kind keeps its GraphQL input, type and result; what is done with them is the same: send the
given fields to the members service, forget the cached taxonomy, and answer with the term it returns.
"""

from __future__ import annotations

import strawberry

from gateway.clients.contracts import Json
from gateway.clients.services import TaxonomyKind
from gateway.schema.catalogue.types import (
    Area,
    AreaInput,
    AreaResult,
    AreaUpdateInput,
    Skill,
    SkillInput,
    SkillResult,
    SkillUpdateInput,
    TermInput,
    term_body,
)
from gateway.schema.context import Info
from gateway.schema.permissions import ADMIN
from gateway.schema.problems import returns_problems


async def create_term(info: Info, kind: TaxonomyKind, input: TermInput) -> Json:
    data = await info.context.clients.members.create_term(await info.context.actor(), kind, term_body(input))
    info.context.gateway.cache.invalidate()  # the public lists of skills and areas are cached
    return data


async def update_term(info: Info, kind: TaxonomyKind, slug: str, input: TermInput) -> Json:
    data = await info.context.clients.members.update_term(await info.context.actor(), kind, slug, term_body(input))
    info.context.gateway.cache.invalidate()
    return data


@strawberry.type
class CatalogueMutations:
    @strawberry.mutation(description="Add a skill to the taxonomy.", permission_classes=ADMIN)
    @returns_problems(SkillResult)
    async def create_skill(self, info: Info, input: SkillInput) -> SkillResult:
        return Skill.from_service(await create_term(info, "skills", input))

    @strawberry.mutation(description="Rename, describe or retire a skill.", permission_classes=ADMIN)
    @returns_problems(SkillResult)
    async def update_skill(self, info: Info, slug: str, input: SkillUpdateInput) -> SkillResult:
        return Skill.from_service(await update_term(info, "skills", slug, input))

    @strawberry.mutation(description="Add an area.", permission_classes=ADMIN)
    @returns_problems(AreaResult)
    async def create_area(self, info: Info, input: AreaInput) -> AreaResult:
        return Area.from_service(await create_term(info, "areas", input))

    @strawberry.mutation(description="Rename, place (parent, centre) or retire an area.", permission_classes=ADMIN)
    @returns_problems(AreaResult)
    async def update_area(self, info: Info, slug: str, input: AreaUpdateInput) -> AreaResult:
        return Area.from_service(await update_term(info, "areas", slug, input))
