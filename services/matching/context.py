"""What the matching service's handlers, readers and worker share, built once per process."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import event
from sqlmodel import Session

from services.common.clock import utc_now
from services.common.runtime import Runtime
from services.matching.config import Settings, settings_of
from services.matching.directory import MemberDirectory
from services.matching.loads import LoadBook, LoadCache, changed_by, load_book
from services.matching.open_tasks import OpenTasks, short_tasks_members_fit
from services.matching.ownership import PartitionOwnership
from services.matching.work import WorkQueue, expiring_by, freed_by, touched_by

# The longest the worker uses a load book it did not see change (see ``LoadCache``).
LOADS_MAX_AGE = timedelta(seconds=2)


@dataclass
class Matching:
    runtime: Runtime
    settings: Settings
    directory: MemberDirectory
    ownership: PartitionOwnership
    worker_wakeup: threading.Event = field(default_factory=threading.Event)
    work: WorkQueue = field(init=False)
    open_tasks: OpenTasks = field(default_factory=OpenTasks)
    loads: LoadCache = field(init=False)

    def __post_init__(self) -> None:
        self.work = WorkQueue(self.worker_wakeup)
        self.loads = LoadCache(self.read_loads, LOADS_MAX_AGE)

    def read_loads(self, now: datetime) -> LoadBook:
        """Every member's load now, read from the database (the worker keeps it: ``loads``)."""
        settings = self.settings
        with Session(self.runtime.engine) as session:
            return load_book(
                session, now, settings.tz, settings.recent_days, settings.max_pending_offers, settings.no_show_days
            )

    @classmethod
    def build(cls, runtime: Runtime, settings: Settings | None = None) -> "Matching":
        settings = settings or settings_of(runtime)
        wakeup = threading.Event()
        return cls(
            runtime=runtime,
            settings=settings,
            directory=MemberDirectory(settings.score_weights, settings.tz),
            # A partition gained means tasks to match now, not at the next tick.
            ownership=PartitionOwnership(settings.topics.tasks_state, on_change=wakeup.set),
            worker_wakeup=wakeup,
        )

    @property
    def offers_topic(self) -> str:
        return self.settings.topics.offers_events

    def nudge_worker(self) -> None:
        """Let the worker look for due work now rather than at the next tick."""
        self.worker_wakeup.set()

    def after_commit(self, session: Session, wake_worker: bool = True, book_kept: bool = False) -> None:
        """Once this session commits, let the worker handle the tasks whose offers or fill it
        changed. (Its events leave through the unit of work it runs in: ``Runtime.committed``.)

        A change to members' loads invalidates the worker's load book, unless the transaction is
        the worker's own top-up (``book_kept``), which writes the offers it makes into the book;
        an offer that stopped waiting invalidates it always."""

        def woken(committed: Session) -> None:
            changed, freed = touched_by(committed), freed_by(committed)
            if (expires_at := expiring_by(committed)) is not None:
                self.work.offers_made(expires_at)
            if freed or (changed_by(committed) and not book_kept):
                self.loads.invalidate()
            if wake_worker:
                self.work.mark(changed)
            if freed:  # also from the worker's own expiries: it runs these next
                self.work.mark(
                    short_tasks_members_fit(self.open_tasks, self.directory, self.work.short(), freed, utc_now())
                )

        event.listen(session, "after_commit", woken, once=True)

    @contextmanager
    def unit_of_work(self, wake_worker: bool = True, book_kept: bool = False) -> Iterator[Session]:
        """A transaction; once committed, its events leave and (by default) the worker reacts,
        e.g. asks the next candidate right after a decline."""
        with self.runtime.unit_of_work() as session:
            self.after_commit(session, wake_worker, book_kept)
            yield session
