from __future__ import annotations

import asyncio
import re

import strawberry

from gateway.clients.contracts.tasks import TaskPageReply
from gateway.clients.http import PUBLIC
from gateway.schema.catalogue.types import Area, OpenTaskFilter, PublicTask, PublicTaskPage, Skill
from gateway.schema.context import Info
from gateway.schema.pagination import DEFAULT_PAGE_SIZE, window
from services.common.http_api import SLUG_PATTERN
from services.common.languages import LANGUAGES
from services.common.problems import Invalid

MAX_FILTER_SKILLS = 20  # what the tasks service takes in one listing


def task_filters(filter: OpenTaskFilter | None) -> dict:
    if filter is None:
        return {}
    # The deprecated single ``skill`` joins ``skills``; sorted so equal filters share a cache entry.
    skills = sorted({*(filter.skills or ()), *([filter.skill] if filter.skill else [])})
    if len(skills) > MAX_FILTER_SKILLS:
        raise Invalid(f"filter.skills takes at most {MAX_FILTER_SKILLS} skills (got {len(skills)}).")
    if malformed := [slug for slug in skills if not re.fullmatch(SLUG_PATTERN, slug) or len(slug) > 60]:
        raise Invalid(f"filter.skills: {malformed[0]!r} is not a skill slug (lowercase letters, digits, dashes).")
    return {"skill": skills or None, "language": filter.language, "area": filter.area, "remote": filter.remote}


async def load_open_tasks(info: Info, filter: OpenTaskFilter | None, first: int, after: str | None) -> PublicTaskPage:
    context = info.context
    page_window = window(first, after, context.settings.max_page_size)
    params = task_filters(filter) | {"status": "open", "limit": page_window.limit, "offset": page_window.offset}

    async def load() -> PublicTaskPage:
        # Three independent reads: side by side, a cache miss costs the slowest, not their sum.
        answer, skill_names, area_names = await asyncio.gather(
            context.clients.tasks.page(PUBLIC, **params), context.loaders.skill_names(), context.loaders.area_names()
        )
        page = TaskPageReply.model_validate(answer)
        nodes = [PublicTask.from_service(task, skill_names, area_names) for task in page.items]
        return PublicTaskPage(
            nodes=nodes, total_count=page.total, page_info=page_window.page_info(len(nodes), page.total)
        )

    key = ("open-tasks", repr(sorted((k, v) for k, v in params.items() if v is not None)))
    return await context.gateway.cache.get_or_load(key, load)


@strawberry.type
class CatalogueQueries:
    @strawberry.field(description="Tasks open to volunteers, soonest first. Public: no personal data.")
    async def open_tasks(
        self, info: Info, filter: OpenTaskFilter | None = None, first: int = DEFAULT_PAGE_SIZE, after: str | None = None
    ) -> PublicTaskPage:
        return await load_open_tasks(info, filter, first, after)

    @strawberry.field(description="The coalition's skill taxonomy.")
    async def skills(self, info: Info) -> list[Skill]:
        return [Skill.from_service(skill) for skill in await info.context.loaders.skills()]

    @strawberry.field(description="The areas tasks and volunteers can be in.")
    async def areas(self, info: Info) -> list[Area]:
        return [Area.from_service(area) for area in await info.context.loaders.areas()]

    @strawberry.field(
        description="Language codes (BCP 47) members and tasks choose from, in the order forms offer them."
    )
    def languages(self) -> list[str]:
        return list(LANGUAGES)

    @strawberry.field(
        description="The coalition's time zone (IANA name): where a task happens unless its coordinator names another."
    )
    def default_time_zone(self, info: Info) -> str:
        return info.context.settings.default_time_zone
