"""Which skill slugs exist: the members service owns the coalition's skill taxonomy, and the tasks
service asks it over HTTP (``GET /skills``), keeping the answer for a short while.

Why a cached HTTP read rather than taxonomy events: the taxonomy is small (one or two pages),
changes rarely, and is needed only when a coordinator posts or edits a task; no event carries it
today, and reading one would mean a new topic, a replay at start-up and a table here for a few dozen
slugs. A slug missing from the copy makes the copy be read again at once (one small read per
such request), so a skill an admin has just added is accepted without waiting for the copy to expire.
If the members service cannot be reached, the last copy is used; with no copy at all the task
cannot be checked, and the coordinator is asked to try again (503), never told a wrong "unknown".
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable

import httpx

from services.common.problems import Invalid, ServiceUnavailable

log = logging.getLogger(__name__)
PAGE = 100  # the largest page the members service gives


class SkillCatalogue:
    def __init__(self, members: httpx.Client, ttl_seconds: float = 60, clock: Callable[[], float] = time.monotonic):
        self.members = members
        self.ttl_seconds = ttl_seconds
        self.clock = clock
        self._slugs: frozenset[str] | None = None
        self._read_at = float("-inf")
        self._lock = threading.Lock()

    def require_known(self, slugs: Iterable[str]) -> None:
        """Refuse (422) skills that are not in the taxonomy or are retired."""
        wanted = set(slugs)
        if not wanted:
            return
        unknown = wanted - self._known(refresh_if_missing=wanted)
        if unknown:
            listed = ", ".join(repr(slug) for slug in sorted(unknown))
            raise Invalid(
                f"unknown or retired skill {listed}: a task can only ask for skills of the coalition's "
                "taxonomy (GET /skills on the members service lists them)",
                errors=[{"field": "skills", "message": f"unknown or retired skill {listed}"}],
            )

    def _known(self, refresh_if_missing: set[str]) -> frozenset[str]:
        with self._lock:
            slugs = self._slugs
            if slugs is None or self.clock() - self._read_at > self.ttl_seconds or not refresh_if_missing <= slugs:
                slugs = self._refresh()
            return slugs

    def _refresh(self) -> frozenset[str]:
        """The taxonomy read again, or the one read last if the members service does not answer."""
        try:
            self._slugs = frozenset(self._read_all())
            self._read_at = self.clock()
        except (httpx.HTTPError, ValueError, KeyError) as error:
            log.warning("could not read the skill taxonomy from the members service: %s", type(error).__name__)
            if self._slugs is None:
                raise ServiceUnavailable(
                    "The skills of this task cannot be checked right now (the members "
                    "service is not answering); try again in a moment."
                ) from error
        return self._slugs

    def _read_all(self) -> list[str]:
        slugs, offset = [], 0
        while True:
            response = self.members.get("/skills", params={"limit": PAGE, "offset": offset})
            response.raise_for_status()
            page = response.json()
            slugs += [skill["slug"] for skill in page["items"] if not skill.get("retired")]
            offset += len(page["items"])
            if not page["items"] or offset >= page["total"]:
                return slugs
