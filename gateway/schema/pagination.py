"""Forward pagination with ``first`` / ``after``; cursors are opaque to clients."""

from __future__ import annotations

import base64
from dataclasses import dataclass

import strawberry

from services.common.problems import Invalid

DEFAULT_PAGE_SIZE = 20


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@dataclass(frozen=True)
class Window:
    limit: int
    offset: int

    def page_info(self, returned: int, total: int) -> PageInfo:
        end = self.offset + returned
        return PageInfo(has_next_page=end < total, end_cursor=encode_cursor(end) if returned else None)


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode()


def decode_cursor(cursor: str) -> int:
    try:
        kind, _, value = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
        offset = int(value)
        if kind != "o" or offset < 0 or offset > 1_000_000:
            raise ValueError
        return offset
    except (ValueError, UnicodeError):
        raise Invalid(
            "after: not a cursor this API gave out", errors=[{"field": "after", "message": "unknown cursor"}]
        ) from None


def window(first: int, after: str | None, max_page_size: int) -> Window:
    if not 1 <= first <= max_page_size:
        message = f"must be between 1 and {max_page_size}"
        raise Invalid(f"first: {message}", errors=[{"field": "first", "message": message}])
    return Window(limit=first, offset=decode_cursor(after) if after else 0)
