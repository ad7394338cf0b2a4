from tests.gateway.fixtures import graphql, stack, world  # noqa: F401  (one real stack per session)
