"""Each chat platform's connection as a supervised task: never quietly dead, never holding the others.

discord.py's gateway loop ends with an exception on a payload it cannot parse, and Slack's Socket
Mode connect raises (or retries forever) on a bad token or an unreachable host. Awaited in line,
either one kept the scheduler from starting; left alone as a bare task, a crash went unnoticed and
every slash command failed for good. Here each platform's `connect` coroutine runs in its own task:
when it raises or returns, the cause is logged and it is started again after an exponential backoff.
The state of each platform (connected, retrying since when, last error) is kept for the log and for
the health endpoint (beside the outbox's pauses: a platform whose token is refused for posting).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

log = logging.getLogger(__name__)

RESTART_ENV = "BRIEFBOT_RESTART_BASE_SECONDS"  # tests shorten the first restart delay

Connect = Callable[["PlatformState"], Awaitable[None]]


@dataclass
class PlatformState:
    """What the health endpoint shows for one platform."""

    name: str
    status: str = "starting"  # starting | connected | retrying | stopped
    since: datetime = field(default_factory=lambda: datetime.now(UTC))
    last_error: str | None = None
    restarts: int = 0
    settled: asyncio.Event = field(default_factory=asyncio.Event, repr=False)  # first connect done or failed

    def connected(self) -> None:
        """Called by `connect` once the platform is up (gateway READY, Socket Mode hello)."""
        if self.status != "connected":
            self.status, self.since = "connected", datetime.now(UTC)
            self.settled.set()
            log.info("platform %s: connected", self.name)

    def as_dict(self) -> dict[str, object]:
        return {"status": self.status, "since": self.since.isoformat(), "last_error": self.last_error,
                "restarts": self.restarts}


@dataclass(frozen=True)
class Restart:
    """Backoff between restarts of a platform task: `base * 2**n` seconds, ±20 %, capped."""

    base: float = 1.0
    cap: float = 120.0

    def delay(self, failures: int) -> float:
        return min(self.cap, self.base * 2 ** min(failures, 20)) * random.uniform(0.8, 1.2)


def restart_from_env() -> Restart:
    """The restart backoff: BRIEFBOT_RESTART_BASE_SECONDS sets its first delay (tests), else 1 s."""
    value = os.environ.get(RESTART_ENV)
    return Restart(base=float(value)) if value else Restart()


class Supervisor:
    """Starts and restarts platform tasks; `states` is what the log and the health endpoint report."""

    def __init__(self, restart: Restart = Restart(), sleep: Callable[[float], Awaitable[None]] = asyncio.sleep):
        self.restart = restart
        self.states: dict[str, PlatformState] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._sleep = sleep

    def start(self, name: str, connect: Connect) -> PlatformState:
        state = self.states[name] = PlatformState(name)
        self._tasks[name] = asyncio.create_task(self._supervise(state, connect), name=f"supervise-{name}")
        return state

    async def _supervise(self, state: PlatformState, connect: Connect) -> None:
        failures = 0
        while True:
            started = asyncio.get_running_loop().time()
            try:
                await connect(state)
                reason = "connection ended"
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # any crash of a platform is that platform's business only
                reason = f"{type(exc).__name__}: {exc}"[:500]
                log.error("platform %s: %s", state.name, reason, exc_info=exc)
            if asyncio.get_running_loop().time() - started > self.restart.cap:
                failures = 0  # it ran for a good while: start the backoff over
            delay = self.restart.delay(failures)
            failures += 1
            state.restarts += 1
            state.status, state.since, state.last_error = "retrying", datetime.now(UTC), reason
            state.settled.set()
            log.warning("platform %s: %s; restarting in %.1f s", state.name, reason, delay)
            await self._sleep(delay)

    async def stop(self) -> None:
        for task in self._tasks.values():
            task.cancel()
        for name, task in self._tasks.items():
            with contextlib.suppress(asyncio.CancelledError):
                await task
            self.states[name].status = "stopped"
