"""Database engines and migrations. SQLite by default, PostgreSQL when DATABASE_URL says so."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import TimeoutError as NoTurnToWrite
from sqlmodel import Session, create_engine

MIGRATION_LOCK_KEY = 720_431_001  # any fixed number; each service has its own database


def normalize_url(url: str) -> str:
    """Accept plain ``postgresql://`` URLs and use the psycopg 3 driver for them."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str, busy_timeout_s: float = 30) -> Engine:
    url = normalize_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": busy_timeout_s})
        event.listen(engine, "connect", _sqlite_pragmas)
        WritersQueue(busy_timeout_s).watch(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the outbox relay and consumers read while a request writes; foreign keys are
    # off by default in SQLite.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")
_HOLDS = "writers_queue.holds"  # in a connection's info: it holds this process's turn to write


class WritersQueue:
    """The writers of one process take turns at a SQLite database's write lock, in the process.

    SQLite lets one connection write at a time. The others wait in its busy handler, which sleeps
    longer and longer between tries (up to 100 ms) whether or not the lock came free: under a rush
    of requests, the lock sat idle while a dozen waiters slept, and some waited past the busy
    timeout (``POST /tasks`` answered 503 at ten tasks a second). Here a connection takes the
    process's turn before its first write and gives it back when its transaction ends, and the
    next writer goes at once. Readers never wait for it (WAL). Another process writing to the same
    file still meets SQLite's own busy handler.
    """

    def __init__(self, wait_s: float) -> None:
        self.wait_s = wait_s
        self._turn = threading.Lock()

    def watch(self, engine: Engine) -> None:
        event.listen(engine, "before_cursor_execute", self._before_statement)
        event.listen(engine, "commit", self._transaction_ended)
        event.listen(engine, "rollback", self._transaction_ended)
        event.listen(engine.pool, "checkin", self._returned)  # whatever happened, not held past its use

    def _before_statement(self, connection: Connection, _cursor: Any, statement: str, *_args: Any) -> None:
        if connection.info.get(_HOLDS) or not statement.lstrip()[:7].upper().startswith(_WRITES):
            return
        if not self._turn.acquire(timeout=self.wait_s):
            raise NoTurnToWrite(f"no turn to write to the database after {self.wait_s:g} s: other writers held it")
        connection.info[_HOLDS] = True

    def _transaction_ended(self, connection: Connection) -> None:
        # Just before SQLite's own commit or rollback: the next writer may meet its busy handler
        # for that moment, a millisecond or two.
        if connection.info.pop(_HOLDS, False):
            self._turn.release()

    def _returned(self, _dbapi_connection: Any, record: Any) -> None:
        if record is not None and record.info.pop(_HOLDS, False):
            self._turn.release()


@contextmanager
def session_scope(engine: Engine, after_commit: Callable[[Session], None] | None = None) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error; ``after_commit`` runs once the
    commit succeeded (a service's runtime wakes its outbox relay there: ``Runtime.unit_of_work``)."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        if after_commit is not None:
            after_commit(session)


def migrate(engine: Engine, migrations_dir: Path) -> None:
    """Bring the service's database to the newest alembic revision.

    On PostgreSQL, replicas starting together take turns (an advisory lock), so exactly one
    runs each migration and the others find the schema already current.
    """
    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    config.attributes["connection_engine"] = engine
    if engine.dialect.name != "postgresql":
        command.upgrade(config, "head")
        return
    with engine.connect() as lock_holder:
        lock_holder.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        try:
            command.upgrade(config, "head")
        finally:
            lock_holder.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_KEY})
