"""Reading what a GraphQL client sends that the schema's types cannot check: ids. (The services'
JSON is read with the contract models, ``gateway.clients.contracts``.)"""

from __future__ import annotations

from uuid import UUID

from services.common.problems import Invalid


def parse_id(value: str, field: str) -> UUID:
    """An id argument, or a ValidationProblem naming the argument."""
    try:
        return UUID(str(value))
    except ValueError:
        raise Invalid(f"{field}: not an id", errors=[{"field": field, "message": "not an id"}]) from None
