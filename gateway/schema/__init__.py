"""The GraphQL schema, composed from one module per domain.

Each domain (catalogue, accounts, volunteers, offers, coordination, admin, committees) keeps its types,
queries, mutations and subscriptions side by side; this module only merges them and adds the
schema-wide extensions (limits, error masking).
"""

from __future__ import annotations

from strawberry.extensions import DisableIntrospection, MaxTokensLimiter, ParserCache, ValidationCache
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

from gateway.limits.query_budget import Budget, QueryBudget
from gateway.response_cache import MarkPublicResponses
from gateway.schema.accounts.mutations import AccountMutations
from gateway.schema.accounts.queries import AccountQueries
from gateway.schema.admin.mutations import AdminMutations
from gateway.schema.admin.queries import AdminQueries
from gateway.schema.catalogue.mutations import CatalogueMutations
from gateway.schema.catalogue.queries import CatalogueQueries
from gateway.schema.catalogue.subscriptions import CatalogueSubscriptions
from gateway.schema.committees.mutations import CommitteeMutations
from gateway.schema.committees.queries import CommitteeQueries
from gateway.schema.coordination.attendance import AttendanceMutations, AttendanceQueries
from gateway.schema.coordination.mutations import CoordinationMutations
from gateway.schema.coordination.queries import CoordinationQueries
from gateway.schema.coordination.series import SeriesMutations
from gateway.schema.coordination.subscriptions import CoordinationSubscriptions
from gateway.schema.errors import GatewaySchema, MaskUnexpectedErrors
from gateway.schema.offers.mutations import OfferMutations
from gateway.schema.offers.queries import OfferQueries
from gateway.schema.offers.reasons import TIME_INTERVAL, TimeInterval
from gateway.schema.offers.subscriptions import OfferSubscriptions
from gateway.schema.problems import ALL_PROBLEMS
from gateway.schema.volunteers.calendar import CalendarMutations, CalendarQueries
from gateway.schema.volunteers.mutations import VolunteerMutations
from gateway.schema.volunteers.queries import VolunteerQueries

Query = merge_types(
    "Query",
    (
        CatalogueQueries,
        AccountQueries,
        VolunteerQueries,
        CalendarQueries,
        OfferQueries,
        CoordinationQueries,
        AdminQueries,
        CommitteeQueries,
        AttendanceQueries,
    ),
)
Mutation = merge_types(
    "Mutation",
    (
        AccountMutations,
        VolunteerMutations,
        CalendarMutations,
        OfferMutations,
        CoordinationMutations,
        CatalogueMutations,
        AdminMutations,
        CommitteeMutations,
        SeriesMutations,
        AttendanceMutations,
    ),
)
Subscription = merge_types("Subscription", (CatalogueSubscriptions, OfferSubscriptions, CoordinationSubscriptions))


def build_schema(budget: Budget | None = None, max_tokens: int = 2000, introspection: bool = True) -> GatewaySchema:
    """``introspection=False`` refuses ``__schema`` and ``__type`` (``__typename`` still answers)."""
    budget = budget or Budget(max_depth=8, max_cost=5000, max_aliases=15, max_page_size=50)
    return GatewaySchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=list(ALL_PROBLEMS),
        scalar_overrides={TimeInterval: TIME_INTERVAL},
        extensions=[
            lambda: MaxTokensLimiter(max_token_count=max_tokens),
            lambda: ParserCache(maxsize=500),
            lambda: ValidationCache(maxsize=500),
            lambda: QueryBudget(budget),
            MaskUnexpectedErrors,
            MarkPublicResponses,
            *([] if introspection else [DisableIntrospection]),
        ],
        config=StrawberryConfig(auto_camel_case=True),
    )


def schema_sdl() -> str:
    """The schema in SDL, as committed in gateway/schema.graphql."""
    return build_schema().as_str() + "\n"
