"""What the matching service's handlers, feeds and worker share, built once per process."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import event
from sqlmodel import Session

from services.common.clock import utc_now
from services.common.runtime import Runtime
from services.matching.config import Settings
from services.matching.directory import MemberDirectory
from services.matching.open_tasks import OpenTasks, short_tasks_members_fit
from services.matching.ownership import PartitionOwnership
from services.matching.work import WorkQueue, freed_by, touched_by


@dataclass
class Matching:
    runtime: Runtime
    settings: Settings
    directory: MemberDirectory
    ownership: PartitionOwnership
    worker_wakeup: threading.Event = field(default_factory=threading.Event)
    work: WorkQueue = field(init=False)
    open_tasks: OpenTasks = field(default_factory=OpenTasks)
    # SQLite has one writer at a time, and its busy handler backs off up to 100 ms per retry: under
    # a rush of accepts the lock sits idle while waiters sleep. Queueing this process's writers on
    # a lock hands it over at once. PostgreSQL locks rows and needs none of this.
    sqlite_writers: threading.Lock | None = None

    def __post_init__(self) -> None:
        self.work = WorkQueue(self.worker_wakeup)

    @classmethod
    def build(cls, runtime: Runtime, settings: Settings | None = None) -> "Matching":
        settings = settings or runtime.settings
        wakeup = threading.Event()
        return cls(
            runtime=runtime,
            settings=settings,
            directory=MemberDirectory(settings.score_weights, settings.tz),
            # A partition gained means tasks to match now, not at the next tick.
            ownership=PartitionOwnership(settings.topics.tasks_state, on_change=wakeup.set),
            worker_wakeup=wakeup,
            sqlite_writers=threading.Lock() if runtime.engine.dialect.name == "sqlite" else None,
        )

    @property
    def offers_topic(self) -> str:
        return self.settings.topics.offers_events

    def nudge_worker(self) -> None:
        """Let the worker look for due work now rather than at the next tick."""
        self.worker_wakeup.set()

    def after_commit(self, session: Session, wake_worker: bool = True) -> None:
        """Once this session commits, let the worker handle the tasks whose offers or fill it
        changed. (Its events leave through the unit of work it runs in: ``Runtime.committed``.)"""

        def woken(committed: Session) -> None:
            changed, freed = touched_by(committed), freed_by(committed)
            if wake_worker:
                self.work.mark(changed)
            if freed:  # also from the worker's own expiries: it runs these next
                self.work.mark(
                    short_tasks_members_fit(self.open_tasks, self.directory, self.work.short(), freed, utc_now())
                )

        event.listen(session, "after_commit", woken, once=True)

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Around a transaction that writes (see ``sqlite_writers``)."""
        if self.sqlite_writers is None:
            yield
            return
        with self.sqlite_writers:
            yield

    @contextmanager
    def unit_of_work(self, wake_worker: bool = True) -> Iterator[Session]:
        """A transaction; once committed, its events leave and (by default) the worker reacts,
        e.g. asks the next candidate right after a decline."""
        with self.writing(), self.runtime.unit_of_work() as session:
            self.after_commit(session, wake_worker)
            yield session
