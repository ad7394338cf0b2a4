"""Shapes every service's HTTP API shares: pages, problem documents, safe text and slugs.

Added for the members and tasks services; usable by any service. Input types here refuse what a
database would choke on later (NUL bytes, lone surrogates, out-of-range numbers), so bad input is a
422 at the door instead of a 500 deep inside.
"""

from __future__ import annotations

import re
from enum import Enum
from typing import Annotated, Any, Generic, Literal, TypeVar

from fastapi import Query
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from services.common.contact_patterns import has_contact_details, hidden_formatting
from services.common.contracts import Fluency, SkillLevel

T = TypeVar("T")

MAX_PAGE_SIZE = 100
MAX_OFFSET = 1_000_000


class Page(BaseModel, Generic[T]):
    """One page of a list; ``total`` counts every match, not just this page."""

    items: list[T]
    total: int = Field(ge=0)
    limit: int = Field(ge=1, le=MAX_PAGE_SIZE)
    offset: int = Field(ge=0)


def batch_ids(name: str, at_most: int, meaning: str, required: bool = True) -> Any:
    """A repeated id parameter (``?name=a&name=b``) for reading many things in one request."""
    return Query(
        ... if required else [],
        alias=name,
        min_length=1 if required else 0,
        max_length=at_most,
        description=f"Repeat it (?{name}=a&{name}=b), at most {at_most}. {meaning}",
    )


class PageRequest(BaseModel):
    limit: int
    offset: int


def page_request(
    limit: int = Query(50, ge=1, le=MAX_PAGE_SIZE, description="How many items to return (at most 100)"),
    offset: int = Query(0, ge=0, le=MAX_OFFSET, description="How many matching items to skip"),
) -> PageRequest:
    return PageRequest(limit=limit, offset=offset)


class FieldProblem(BaseModel):
    field: str
    message: str


class ProblemDetails(BaseModel):
    """RFC 9457 problem document, as written by ``services.common.problems``."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str
    instance: str
    errors: list[FieldProblem] | None = None


_PROBLEM_TITLES = {
    400: "The request could not be read",
    401: "No valid service token",
    403: "The actor may not do this",
    404: "No such resource",
    409: "The request conflicts with the resource's current state",
    410: "The resource was erased",
    422: "The request is not valid",
    503: "Briefly unavailable; try again after Retry-After seconds",
}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` documenting problem+json bodies for the given statuses."""
    schema = {"$ref": "#/components/schemas/ProblemDetails"}
    return {
        status: {
            "model": ProblemDetails,
            "description": _PROBLEM_TITLES.get(status, "Problem"),
            "content": {"application/problem+json": {"schema": schema}},
        }
        for status in statuses
    }


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _clean_text(value: str) -> str:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("contains characters that are not valid text") from None
    if _CONTROL.search(value):
        raise ValueError("contains control characters; use plain text")
    return value.strip()


def _not_blank(value: str) -> str:
    if not value:
        raise ValueError("must not be blank")
    return value


def _no_contact_details(value: str) -> str:
    if has_contact_details(value):
        raise ValueError("is shown publicly and must not contain an email address or phone number")
    return value


def _no_hidden_formatting(value: str) -> str:
    if hidden := hidden_formatting(value):
        raise ValueError(
            f"is shown publicly and must not contain the invisible formatting character "
            f"U+{ord(hidden[0]):04X} (zero-width or text-direction control); remove it"
        )
    return value


def plain_text_rules(max_length: int, *, required: bool = True) -> tuple[Any, ...]:
    """What ``plain_text`` checks, to unpack where mypy must read the field as a ``str``:
    ``Annotated[str, *plain_text_rules(120)]`` is the type ``plain_text(120)`` returns."""
    blank = (AfterValidator(_not_blank),) if required else ()
    return (StringConstraints(max_length=max_length), AfterValidator(_clean_text), *blank)


def plain_text(max_length: int, *, required: bool = True) -> Any:
    """A trimmed text field free of control characters (and non-blank when ``required``)."""
    return Annotated[str, *plain_text_rules(max_length, required=required)]


def public_text_rules(max_length: int, *, required: bool = True) -> tuple[Any, ...]:
    """What ``public_text`` checks, to unpack as ``plain_text_rules`` is."""
    return (
        *plain_text_rules(max_length, required=required),
        AfterValidator(_no_hidden_formatting),
        AfterValidator(_no_contact_details),
    )


def public_text(max_length: int, *, required: bool = True) -> Any:
    """Plain text shown to the public: refuses anything shaped like an email or phone number, and
    invisible characters that could disguise what the reader sees."""
    return Annotated[str, *public_text_rules(max_length, required=required)]


SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
Slug = Annotated[str, StringConstraints(min_length=1, max_length=60, pattern=SLUG_PATTERN)]
LANGUAGE_PATTERN = r"^[a-z]{2,3}(-[a-z0-9]{2,8}){0,2}$"
LanguageCode = Annotated[
    str,
    BeforeValidator(lambda v: v.lower() if isinstance(v, str) else v),
    StringConstraints(min_length=2, max_length=20, pattern=LANGUAGE_PATTERN),
    Field(description="BCP 47 language tag, e.g. 'fr', 'es', 'pt-br'"),
]


def _name_of(enum_type: type[Enum]) -> Any:
    def convert(value: Any) -> Any:
        # Clients may send the contract's number (2) or its name ("capable"); both mean one thing.
        if isinstance(value, int) and not isinstance(value, bool):
            try:
                return enum_type(value).name
            except ValueError:
                return value
        return value

    return BeforeValidator(convert)


SkillLevelName = Annotated[Literal["learning", "capable", "expert"], _name_of(SkillLevel)]
FluencyName = Annotated[Literal["basic", "conversational", "fluent"], _name_of(Fluency)]
