from tests.browser.fixtures import browser, page_in, web  # noqa: F401  (fixtures)
from tests.gateway.fixtures import graphql, stack, world  # noqa: F401  (fixtures)
