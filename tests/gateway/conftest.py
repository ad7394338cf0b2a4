from tests.gateway.fixtures import graphql, stack, world  # noqa: F401  (fixtures)
