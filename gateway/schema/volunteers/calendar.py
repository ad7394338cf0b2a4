"""The volunteer's private calendar feed: see it, renew it (the old address stops working), remove it."""

from __future__ import annotations

import asyncio

import strawberry

from gateway.auth import calendar_links
from gateway.models import User
from gateway.schema.context import Info
from gateway.schema.permissions import VOLUNTEER


@strawberry.type(
    description="A private calendar address (iCalendar) listing the tasks you accepted. "
    "Anyone holding it can read those tasks: keep it to your calendar application."
)
class CalendarFeed:
    path: str = strawberry.field(description="The address on this site, e.g. /calendar/<secret>.ics.")


def _feed(info: Info, user: User) -> CalendarFeed | None:
    if user.calendar_feed_version is None:
        return None
    link = calendar_links.FeedLink(user.id, user.calendar_feed_version)
    return CalendarFeed(path=calendar_links.path(link, info.context.settings.jwt_secret))


@strawberry.type
class CalendarQueries:
    @strawberry.field(description="Your private calendar address, if you made one.", permission_classes=VOLUNTEER)
    async def my_calendar_feed(self, info: Info) -> CalendarFeed | None:
        return _feed(info, await info.context.require_user())


@strawberry.type
class CalendarMutations:
    @strawberry.mutation(
        description="Make a new private calendar address; the previous one stops working.", permission_classes=VOLUNTEER
    )
    async def renew_calendar_feed(self, info: Info) -> CalendarFeed:
        user = await info.context.require_user()
        renewed = await asyncio.to_thread(info.context.gateway.accounts.renew_calendar_feed, user.id)
        feed = _feed(info, renewed)
        assert feed is not None, "a renewed feed has an address"
        return feed

    @strawberry.mutation(
        description="Remove your private calendar address: it stops working.", permission_classes=VOLUNTEER
    )
    async def remove_calendar_feed(self, info: Info) -> bool:
        user = await info.context.require_user()
        await asyncio.to_thread(info.context.gateway.accounts.remove_calendar_feed, user.id)
        return True
