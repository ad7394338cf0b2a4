"""What the gateway sends to the services and reads of their answers, as pydantic models: one
place that names every field that crosses the HTTP boundary, instead of dict keys spread over the
GraphQL types.

These are the gateway's side of each service's contract, not copies of the services' models:
the gateway's image holds ``services/common`` and ``gateway`` only, so it cannot import a
service's ``models.py`` (which also carries its database tables). ``tests/gateway/
test_service_contracts.py`` checks every model here against the OpenAPI schema of the route it is
used with: a field renamed, removed or retyped on either side fails that test, not an end-to-end one.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

Json = dict[str, Any]


# The default of a body field that is sent only with a value: left out of the body unless set
# (``Body.sent``), never null. Typed Any so that ``title: str = UNSENT`` keeps the field's type
# (str, not str | None) in the model's JSON schema, where the drift test compares it.
UNSENT: Any = None


class Reply(BaseModel):
    """The fields the gateway reads of an answer. A tolerant reader: fields it does not use are
    ignored, so a service may add fields freely."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class Body(BaseModel):
    """A request body. Only the fields set are sent: a field left out is a field not changed."""

    model_config = ConfigDict(extra="forbid")

    def sent(self) -> Json:
        return self.model_dump(mode="json", exclude_unset=True)
