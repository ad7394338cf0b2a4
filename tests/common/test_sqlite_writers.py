"""Many threads of one process writing to one SQLite file: each gets its turn.

SQLite lets one connection write at a time and makes the others wait in its busy handler, which
sleeps longer and longer between tries (up to 100 ms) whether or not the lock came free. Under a
rush of requests, waiters slept while the lock sat idle, and some waited past the busy timeout:
the tasks service answered ``POST /tasks`` with 503s at ten tasks a second. Writers of one
process now queue for the write lock in the process itself (``services.common.db``) and the
next one goes the moment it is released.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import text
from sqlmodel import Session

from services.common.db import make_engine

WRITERS, WRITES_EACH = 12, 8
HOLD_S = 0.03  # the work a request does between its first write and its commit


def write_rows(engine, writer: int, errors: list) -> None:
    for number in range(WRITES_EACH):
        try:
            with Session(engine) as session:
                session.execute(text("INSERT INTO row (writer, number) VALUES (:w, :n)"), {"w": writer, "n": number})
                time.sleep(HOLD_S)
                session.execute(text("UPDATE tally SET n = n + 1"))
                session.commit()
        except Exception as error:  # noqa: BLE001 - counted, then asserted on
            errors.append(f"{type(error).__name__}: {error}")


def test_writers_of_one_process_each_get_their_turn_within_the_busy_timeout(tmp_path):
    # All the writes take 12 x 8 x 30 ms = 2.9 s of holding the lock, and the busy timeout is 1.5 s:
    # a writer that waits its turn in a queue waits for at most the 11 others (0.4 s); one left to
    # SQLite's backoff may sleep through its turns until the timeout.
    engine = make_engine(f"sqlite:///{tmp_path / 'rush.db'}", busy_timeout_s=1.5)
    with Session(engine) as session:
        session.execute(text("CREATE TABLE row (writer INTEGER, number INTEGER)"))
        session.execute(text("CREATE TABLE tally (n INTEGER)"))
        session.execute(text("INSERT INTO tally VALUES (0)"))
        session.commit()
    errors: list[str] = []
    start = threading.Barrier(WRITERS)

    def writer(number: int) -> None:
        start.wait()
        write_rows(engine, number, errors)

    with ThreadPoolExecutor(WRITERS) as pool:
        list(pool.map(writer, range(WRITERS)))
    assert errors == []
    with Session(engine) as session:
        assert session.execute(text("SELECT count(*) FROM row")).scalar() == WRITERS * WRITES_EACH
        assert session.execute(text("SELECT n FROM tally")).scalar() == WRITERS * WRITES_EACH


def test_a_reader_does_not_wait_for_the_writers_queue(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'read.db'}", busy_timeout_s=1.5)
    with Session(engine) as session:
        session.execute(text("CREATE TABLE tally (n INTEGER)"))
        session.execute(text("INSERT INTO tally VALUES (7)"))
        session.commit()
    with Session(engine) as writer:
        writer.execute(text("UPDATE tally SET n = 8"))  # holds the write lock, not committed
        with Session(engine) as reader:
            assert reader.execute(text("SELECT n FROM tally")).scalar() == 7  # WAL: the last committed value
        writer.commit()
    with Session(engine) as session:
        session.execute(text("UPDATE tally SET n = 9"))  # the lock was handed back at commit
        session.commit()
        assert session.execute(text("SELECT n FROM tally")).scalar() == 9
