"""The coalition's taxonomy: skills and areas, data admins edit, which profiles must draw from.

Both are one concept, a taxonomy term (``models.TaxonomyTerm``), handled here once and told apart by
a ``TermKind``. What areas add is their own: geography (a parent that makes no loop, a centre) and an
event stating it for matching, which skills have no use for.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

from pydantic import BaseModel
from sqlalchemy import true
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

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
    TaxonomyTerm,
)
from services.members.permissions import STAFF, require_role

if TYPE_CHECKING:  # the Call is built where the handlers are called
    from services.members.handlers import Call

SOURCE = "members"

Term = TypeVar("Term", bound=TaxonomyTerm)
Public = TypeVar("Public", bound=BaseModel)


def _no_rule(session: Session, term: TaxonomyTerm) -> None:
    """A kind without rules of its own beyond the slug being free."""


def _no_event(call: Call, term: TaxonomyTerm) -> None:
    """A kind nobody outside the service listens to."""


@dataclass(frozen=True)
class TermKind(Generic[Term, Public]):
    """One kind of taxonomy term: its table, its HTTP models and words, and its own rules."""

    noun: str  # "skill": in messages and route names
    plural: str  # "skills": the HTTP path and the plural in messages
    article: str  # "a" or "an", before the noun
    editing: str  # what an actor refused the change was trying to do
    table: type[Term]
    public: type[Public]
    page: type[Page[Public]]  # Page[public], named here as a type (the routes' response model)
    create: type[BaseModel]
    update: type[BaseModel]
    check: Callable[[Session, Term], None] = _no_rule  # refuses a term it cannot accept (Invalid)
    stated: Callable[[Call, Term], None] = _no_event  # after a term is added or changed

    @property
    def path(self) -> str:
        return f"/{self.plural}"


def list_terms(
    kind: TermKind[Term, Public], session: Session, page: PageRequest, include_retired: bool
) -> Page[Public]:
    where = true() if include_retired else col(kind.table.retired).is_(False)
    total = session.exec(select(func.count()).select_from(kind.table).where(where)).one()
    query = select(kind.table).where(where).order_by(col(kind.table.slug)).offset(page.offset).limit(page.limit)
    items = [_public(kind, row) for row in session.exec(query).all()]
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


def add_term(kind: TermKind[Term, Public], call: Call, payload: BaseModel) -> Public:
    require_role(call.actor, *STAFF, doing=kind.editing)
    term = kind.table(**payload.model_dump())
    kind.check(call.session, term)
    duplicate = f"{kind.article} {kind.noun} with slug {term.slug!r} already exists"
    if call.session.get(kind.table, term.slug) is not None:
        raise Conflict(duplicate)
    call.session.add(term)
    try:
        call.session.flush()
    except IntegrityError:  # created by a concurrent request since the check above
        raise Conflict(duplicate) from None
    kind.stated(call, term)
    return _public(kind, term)


def edit_term(kind: TermKind[Term, Public], call: Call, slug: str, payload: BaseModel) -> Public:
    """Only the fields sent change; the kind's rules hold for the term as it ends up."""
    require_role(call.actor, *STAFF, doing=kind.editing)
    term = call.session.get(kind.table, slug)
    if term is None:
        raise NotFound(f"no {kind.noun} with slug {slug!r}; GET {kind.path} lists them")
    for name, value in payload.model_dump(exclude_unset=True).items():
        setattr(term, name, value)
    kind.check(call.session, term)
    call.session.add(term)
    kind.stated(call, term)
    return _public(kind, term)


def _public(kind: TermKind[Term, Public], term: Term) -> Public:
    return kind.public.model_validate(term, from_attributes=True)


def _state_area(call: Call, area: Area) -> None:
    publish_area(call.session, call.topics, area)


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


SKILLS: TermKind[Skill, SkillPublic] = TermKind(
    noun="skill",
    plural="skills",
    article="a",
    editing="edit the skill taxonomy",
    table=Skill,
    public=SkillPublic,
    page=Page[SkillPublic],
    create=SkillCreate,
    update=SkillUpdate,
)
AREAS: TermKind[Area, AreaPublic] = TermKind(
    noun="area",
    plural="areas",
    article="an",
    editing="edit the list of areas",
    table=Area,
    public=AreaPublic,
    page=Page[AreaPublic],
    create=AreaCreate,
    update=AreaUpdate,
    check=_check_parent,
    stated=_state_area,
)


def check_claims(
    session: Session, skill_slugs: list[str] | None, area: str | None, reach_areas: list[str] | None = None
) -> None:
    """Skills and areas named in a profile must be current entries of the taxonomy."""
    areas = ([area] if area is not None else []) + list(reach_areas or [])
    claims = [(SKILLS, slug) for slug in skill_slugs or []] + [(AREAS, slug) for slug in areas]
    if problems := [problem for kind, slug in claims if (problem := _unusable(session, kind, slug))]:
        raise Invalid("; ".join(problems))


def _unusable(session: Session, kind: TermKind, slug: str) -> str | None:
    """Why a profile cannot name this term, or None when it can."""
    term = session.get(kind.table, slug)
    if term is None:
        return f"unknown {kind.noun} {slug!r} (GET {kind.path} lists the coalition's {kind.plural})"
    if term.retired:
        return f"{kind.noun} {slug!r} is retired; choose another"
    return None
