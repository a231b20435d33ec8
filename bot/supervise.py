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
from datetime import UTC, datetime, timedelta

log = logging.getLogger(__name__)

RESTART_ENV = "BRIEFBOT_RESTART_BASE_SECONDS"  # tests shorten the first restart delay

Connect = Callable[["PlatformState"], Awaitable[None]]
OnTrouble = Callable[["PlatformState"], Awaitable[None]]  # told when down too long, then when back


@dataclass
class PlatformState:
    """What the health endpoint shows for one platform."""

    name: str
    status: str = "starting"  # starting | connected | retrying | stopped
    since: datetime = field(default_factory=lambda: datetime.now(UTC))
    last_error: str | None = None
    restarts: int = 0
    down_since: datetime | None = None  # first failure since it was last connected
    reported: bool = False  # the admin was told it is down
    settled: asyncio.Event = field(default_factory=asyncio.Event, repr=False)  # first connect done or failed

    def connected(self) -> None:
        """Called by `connect` once the platform is up (gateway READY, Socket Mode hello)."""
        if self.status != "connected":
            self.status, self.since, self.down_since = "connected", datetime.now(UTC), None
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

    def __init__(self, restart: Restart = Restart(), sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
                 *, on_trouble: OnTrouble | None = None, trouble_after: timedelta = timedelta(minutes=5)):
        self.restart = restart
        self.states: dict[str, PlatformState] = {}
        self.on_trouble = on_trouble
        self.trouble_after = trouble_after
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._sleep = sleep

    async def watch(self) -> None:
        """Tell `on_trouble` once about a platform down for longer than `trouble_after`, and once
        when it is connected again: a platform must never be quietly dead."""
        period = max(min(self.trouble_after.total_seconds() / 4, 5.0), 0.1)
        while True:
            await asyncio.sleep(period)
            now = datetime.now(UTC)
            for state in list(self.states.values()):
                down = state.down_since is not None and now - state.down_since >= self.trouble_after
                if down != state.reported and (down or state.status == "connected"):
                    state.reported = down
                    if self.on_trouble is not None:
                        try:
                            await self.on_trouble(state)
                        except Exception:  # the log line of each failure is there regardless
                            log.exception("could not report platform %s", state.name)

    def start(self, name: str, connect: Connect) -> PlatformState:
        state = self.states[name] = PlatformState(name)
        self._tasks[name] = asyncio.create_task(self._supervise(state, connect), name=f"supervise-{name}")
        if "watch" not in self._tasks:
            self._tasks["watch"] = asyncio.create_task(self.watch(), name="supervise-watch")
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
            state.down_since = state.down_since or state.since
            state.settled.set()
            log.warning("platform %s: %s; restarting in %.1f s", state.name, reason, delay)
            await self._sleep(delay)

    async def stop(self) -> None:
        for task in self._tasks.values():
            task.cancel()
        for name, task in self._tasks.items():
            with contextlib.suppress(asyncio.CancelledError):
                await task
            if name in self.states:
                self.states[name].status = "stopped"
