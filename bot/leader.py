"""Which worker leads: the one that runs the brief jobs (and, on SQLite, the only one that polls).

Several `run` workers may share one database. Brief jobs run on one of them at a time, the leader,
so a channel's brief is built once per fire time; the outbox's leases would keep a brief from being
posted twice anyway, but two leaders would each render it and race for the row. The leader holds a
lock between processes (`briefings.store.locks.ProcessLock`: a PostgreSQL advisory lock on a
connection of its own, or a file lock beside a SQLite database); every worker checks every
`[workers] leader_check_seconds` and takes the lock when it is free, which it is as soon as the
leader stops or dies (`kill -9` ends its database session, and the kernel drops its file lock). The
new leader catches up on a brief whose time passed while nobody led, within the usual grace period.

On PostgreSQL every worker polls, taking its share of the due feeds through their leases. On SQLite
(one writer at a time, and no `SKIP LOCKED`) the leader alone polls, and another worker says in its
log that it only delivers: it resumes pending briefs and answers commands, and takes over polling
and briefs if the leader goes.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable

from sqlalchemy.exc import SQLAlchemyError

from bot import metrics
from briefings.store import Store
from briefings.store.locks import ProcessLock, lock_file

log = logging.getLogger(__name__)

LOCK_NAME = "leader"


def worker_name() -> str:
    """This process's name in feed and outbox leases: unique, and readable in the database."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def every_worker_polls(store: Store) -> bool:
    """Whether workers share the feeds out (PostgreSQL) rather than leave them to the leader (SQLite)."""
    return store.engine.dialect.name == "postgresql"


class Leadership:
    """This worker's claim to lead: `check` takes the lock when it is free, and calls `on_gain` or
    `on_loss` when the answer changes."""

    def __init__(self, store: Store, on_gain: Callable[[], Awaitable[None]],
                 on_loss: Callable[[], Awaitable[None]]) -> None:
        self.store = store
        self.leading = False
        self._lock = ProcessLock(store.engine, LOCK_NAME)
        self._on_gain = on_gain
        self._on_loss = on_loss
        self._told_follower = False
        self._checking = asyncio.Lock()  # the start-up check and the periodic one never overlap

    async def check(self) -> bool:
        async with self._checking:
            return await self._check()

    async def _check(self) -> bool:
        try:
            held = await asyncio.to_thread(self._lock.try_acquire)
        except SQLAlchemyError as exc:
            log.warning("could not ask the database who leads (this worker does not lead meanwhile): %s", exc)
            held = False
        if held and not self.leading:
            self.leading = True
            metrics.LEADER.set(1)
            log.info("this worker leads: it runs the brief jobs%s",
                     "" if every_worker_polls(self.store) else " and polls the feeds")
            await self._on_gain()
        elif not held and self.leading:
            self.leading = False
            metrics.LEADER.set(0)
            log.warning("this worker lost the lead (its database connection ended): it stops running brief jobs")
            await self._on_loss()
        elif not held and not self._told_follower:
            self._told_follower = True
            log.info("%s", self._follower_line())
        return held

    async def release(self) -> None:
        """Give the lead up at a clean stop, so another worker need not wait for a check to notice."""
        await asyncio.to_thread(self._lock.release)
        self.leading = False
        metrics.LEADER.set(0)

    def _follower_line(self) -> str:
        if every_worker_polls(self.store):
            return ("another worker leads and runs the brief jobs; this one polls its share of the feeds, "
                    "delivers and answers commands, and takes the lead if that worker stops")
        holder = lock_file(self.store.engine, LOCK_NAME)
        return (f"another worker polls this SQLite database and runs its brief jobs (it holds {holder}): this "
                "worker will only deliver (pending briefs, commands) and takes over if that worker stops; "
                "use PostgreSQL to share polling between workers")
