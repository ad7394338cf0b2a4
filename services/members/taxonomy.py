"""The coalition's skill taxonomy and areas: data admins edit, which profiles must draw from."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import true
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, func, select

from services.common import catalogue
from services.common.contracts import AreaState
from services.common.db import session_scope
from services.common.envelope import wrap
from services.common.http_api import Page, PageRequest
from services.common.outbox import add_event
from services.common.problems import Conflict, Invalid, NotFound
from services.common.topics import Topics
from services.members.models import (
    Area,
    AreaCreate,
    AreaPublic,
    AreaUpdate,
    Skill,
    SkillCreate,
    SkillPublic,
    SkillUpdate,
)
from services.members.permissions import STAFF, require_role

if TYPE_CHECKING:  # the context is built where the handlers are called
    from services.members.handlers import Context

SOURCE = "members"


def list_skills(session: Session, page: PageRequest, include_retired: bool) -> Page[SkillPublic]:
    return _page(session, Skill, SkillPublic, page, include_retired)


def add_skill(ctx: Context, payload: SkillCreate) -> SkillPublic:
    require_role(ctx.actor, *STAFF, doing="edit the skill taxonomy")
    skill = _insert(ctx.session, Skill(**payload.model_dump()), f"a skill with slug {payload.slug!r} already exists")
    return SkillPublic.model_validate(skill, from_attributes=True)


def edit_skill(ctx: Context, slug: str, payload: SkillUpdate) -> SkillPublic:
    require_role(ctx.actor, *STAFF, doing="edit the skill taxonomy")
    skill = ctx.session.get(Skill, slug)
    if skill is None:
        raise NotFound(f"no skill with slug {slug!r}; GET /skills lists them")
    for name, value in payload.model_dump(exclude_unset=True).items():
        setattr(skill, name, value)
    ctx.session.add(skill)
    return SkillPublic.model_validate(skill, from_attributes=True)


def list_areas(session: Session, page: PageRequest, include_retired: bool) -> Page[AreaPublic]:
    return _page(session, Area, AreaPublic, page, include_retired)


def add_area(ctx: Context, payload: AreaCreate) -> AreaPublic:
    require_role(ctx.actor, *STAFF, doing="edit the list of areas")
    area = Area(**payload.model_dump())
    _check_parent(ctx.session, area)
    area = _insert(ctx.session, area, f"an area with slug {payload.slug!r} already exists")
    publish_area(ctx.session, ctx.topics, area)
    return AreaPublic.model_validate(area, from_attributes=True)


def edit_area(ctx: Context, slug: str, payload: AreaUpdate) -> AreaPublic:
    require_role(ctx.actor, *STAFF, doing="edit the list of areas")
    area = ctx.session.get(Area, slug)
    if area is None:
        raise NotFound(f"no area with slug {slug!r}; GET /areas lists them")
    for name, value in payload.model_dump(exclude_unset=True).items():
        setattr(area, name, value)
    _check_parent(ctx.session, area)
    ctx.session.add(area)
    publish_area(ctx.session, ctx.topics, area)
    return AreaPublic.model_validate(area, from_attributes=True)


def publish_area(session: Session, topics: Topics, area: Area) -> None:
    """Queue the area's geography for matching (outbox): names, parent and centre, nothing else."""
    state = AreaState(
        slug=area.slug,
        name=area.name,
        parent=area.parent,
        latitude=area.latitude,
        longitude=area.longitude,
        retired=area.retired,
    )
    add_event(session, topics.areas_state, area.slug, wrap(catalogue.AREA_STATED, state, SOURCE))


def publish_all_areas(engine: Engine, topics: Topics) -> int:
    """State every area again (at start-up: the seeded areas, and any the topic lost). The topic is
    compacted and readers apply a state idempotently, so repeating this is harmless."""
    with session_scope(engine) as session:
        areas = session.exec(select(Area)).all()
        for area in areas:
            publish_area(session, topics, area)
    return len(areas)


def _check_parent(session: Session, area: Area) -> None:
    """The parent is another current area, and following parents never comes back to this one."""
    seen, parent = {area.slug}, area.parent
    while parent is not None:
        if parent in seen:
            raise Invalid(
                f"area {area.slug!r} cannot be inside {area.parent!r}: that would make a loop",
                errors=[{"field": "parent", "message": "would make a loop of areas"}],
            )
        above = session.get(Area, parent)
        if above is None or (above.retired and parent == area.parent):
            problem = "unknown" if above is None else "retired"
            raise Invalid(
                f"{problem} parent area {parent!r} (GET /areas lists the coalition's areas)",
                errors=[{"field": "parent", "message": f"{problem} area {parent!r}"}],
            )
        seen.add(parent)
        parent = above.parent


def check_claims(
    session: Session, skill_slugs: list[str] | None, area: str | None, reach_areas: list[str] | None = None
) -> None:
    """Skills and areas named in a profile must be current entries of the taxonomy."""
    problems = []
    for slug in skill_slugs or []:
        skill = session.get(Skill, slug)
        if skill is None:
            problems.append(f"unknown skill {slug!r} (GET /skills lists the coalition's skills)")
        elif skill.retired:
            problems.append(f"skill {slug!r} is retired; choose another")
    for slug in ([area] if area is not None else []) + list(reach_areas or []):
        known = session.get(Area, slug)
        if known is None:
            problems.append(f"unknown area {slug!r} (GET /areas lists the coalition's areas)")
        elif known.retired:
            problems.append(f"area {slug!r} is retired; choose another")
    if problems:
        raise Invalid("; ".join(problems))


def _insert(session: Session, row: SQLModel, duplicate_message: str) -> SQLModel:
    if session.get(type(row), row.slug) is not None:
        raise Conflict(duplicate_message)
    session.add(row)
    try:
        session.flush()
    except IntegrityError:  # created by a concurrent request since the check above
        raise Conflict(duplicate_message) from None
    return row


def _page(session: Session, table, public, page: PageRequest, include_retired: bool) -> Page:
    where = true() if include_retired else table.retired.is_(False)
    total = session.exec(select(func.count()).select_from(table).where(where)).one()
    rows = session.exec(select(table).where(where).order_by(table.slug).offset(page.offset).limit(page.limit)).all()
    items = [public.model_validate(row, from_attributes=True) for row in rows]
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)
