"""Locks between processes that share one database: who migrates, who clusters, who leads.

PostgreSQL has advisory locks for this: a transaction-scoped one serialises story assignment (it is
released by the commit, so the next holder sees every row the previous one wrote), and a
session-scoped one on a connection of its own names the leader (it is released when that connection
ends, which is also what happens when the leader's process dies, `kill -9` included). SQLite has one
writer at a time and no advisory locks: a file lock (`flock`) beside the database plays the leader
and migration locks, and the kernel releases it with the process.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for `name` (advisory locks are keyed by bigint)."""
    return int.from_bytes(hashlib.sha1(f"briefbot:{name}".encode()).digest()[:8], "big", signed=True)


def _is_postgresql(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


def lock_file(engine: Engine, name: str) -> Path | None:
    """The file beside a SQLite database that stands for lock `name`; None for an in-memory one."""
    database = engine.url.database
    if not database or database == ":memory:":
        return None
    return Path(f"{database}.{name}.lock")


def hold_in_transaction(session: Session, name: str) -> None:
    """Hold lock `name` until the session's transaction ends (PostgreSQL: an advisory xact lock).

    On SQLite the transaction takes the database's write lock at once instead (a write that changes
    nothing): a transaction that reads first and writes later cannot upgrade its lock while another
    process writes and fails with "database is locked", where one that writes first waits its turn.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": lock_key(name)})
    else:
        write_first(session)


def write_first(session: Session) -> None:
    """Take SQLite's write lock at the start of the session's transaction (waiting for it like any
    write does), so that its later writes cannot fail to upgrade a read lock."""
    session.execute(text("UPDATE meta SET value = value WHERE 0"))


@contextmanager
def held(engine: Engine, name: str) -> Iterator[None]:
    """Hold lock `name` for the block, waiting for it (schema migrations at start-up)."""
    if _is_postgresql(engine):
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": lock_key(name)})
            connection.commit()
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": lock_key(name)})
                connection.commit()
        return
    path = lock_file(engine, name)
    if path is None:
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class ProcessLock:
    """A lock one process at a time holds until it releases it or dies: the leader's role.

    `try_acquire` never waits. On PostgreSQL it is a session advisory lock on a connection kept for
    it alone (the pool never hands that connection to anything else); on SQLite a `flock` on a file
    beside the database. `still_held` tells a holder whether it still is: a PostgreSQL restart or a
    dropped connection ends the session and frees the lock for another worker.
    """

    def __init__(self, engine: Engine, name: str) -> None:
        self.engine = engine
        self.name = name
        self._connection: Connection | None = None
        self._file: IO[bytes] | None = None
        self._alone = False  # an in-memory database: no other process can share it

    @property
    def held(self) -> bool:
        return self._connection is not None or self._file is not None or self._alone

    def try_acquire(self) -> bool:
        if self.held:
            return self.still_held()
        if _is_postgresql(self.engine):
            return self._try_postgresql()
        return self._try_file()

    def still_held(self) -> bool:
        if self._file is not None or self._alone:
            return True
        if self._connection is None:
            return False
        try:
            self._connection.execute(text("SELECT 1"))
            self._connection.commit()
            return True
        except SQLAlchemyError as exc:
            log.warning("the connection holding the %s lock was lost: %s", self.name, exc)
            self._drop_connection()
            return False

    def release(self) -> None:
        if self._connection is not None:
            try:
                self._connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": lock_key(self.name)})
                self._connection.commit()
            except SQLAlchemyError:
                pass  # a lost connection already freed the lock
            self._drop_connection()
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None
        self._alone = False

    def _try_postgresql(self) -> bool:
        connection = self.engine.connect()
        try:
            got = connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": lock_key(self.name)}).scalar()
            connection.commit()
        except SQLAlchemyError:
            connection.close()
            raise
        if not got:
            connection.close()
            return False
        self._connection = connection
        return True

    def _drop_connection(self) -> None:
        if self._connection is not None:
            # The connection is discarded rather than returned to the pool: a session that may still
            # hold the lock must never serve another query.
            try:
                self._connection.invalidate()
            finally:
                self._connection = None

    def _try_file(self) -> bool:
        path = lock_file(self.engine, self.name)
        if path is None:  # an in-memory database lives in this process only: nobody to share with
            self._alone = True
            return True
        handle = path.open("a+b")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        self._file = handle
        return True
