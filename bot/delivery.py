"""The delivery outbox: each brief reaches each channel exactly once, across crashes, retries and workers.

The order of operations is what makes it exactly-once:

1. render the brief's messages (nothing to say: nothing is written);
2. lease the outbox row (channel, brief key): one atomic UPDATE in the store gives the row to one
   worker for a while; settled ("sent", "failed") or held by another worker means hands off;
3. ask the platform which parts of this brief the channel already shows (Slack metadata, Discord
   footer mark); a worker that died after posting but before step 5 is caught here;
4. post the missing parts in order, each marked with the brief key (Discord also sends a nonce that
   Discord enforces), renewing the lease before each one: a worker that lost its lease (it slept
   past it and another took over) stops instead of posting beside the new holder;
5. mark the row sent.

A crash anywhere leaves either no row (nothing was posted) or a pending row whose lease lapses; the
next start, or the periodic resume of any worker, takes it through the same steps. Errors are
retried with exponential backoff, or after the platform's `Retry-After` on a 429; when the attempts
run out the row is released for a later retry. A permanent error (unknown channel, lost permission)
marks the row failed with its reason, reports it once through `on_failed`, and nobody retries it.
Deliveries to different channels run independently; deliveries to one channel run one at a time,
in order.

`BRIEFBOT_CRASH_AT=<point>[:<n>]` makes the process SIGKILL itself at a point (the n-th time):
`before_claim`, `after_claim`, `after_post`. Only the crash tests set it. `BRIEFBOT_LEASE_SECONDS`
shortens the lease (default 60 s), so those tests need not wait a minute for a killed worker's row.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import secrets
import signal
import socket
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Any

from bot.platforms import Mark, Poster, PostError
from briefings.store import Delivery, Store

log = logging.getLogger(__name__)

CRASH_ENV = "BRIEFBOT_CRASH_AT"
LEASE_ENV = "BRIEFBOT_LEASE_SECONDS"
DEFAULT_LEASE = timedelta(seconds=60)  # far above one post's time; how long a crashed worker's row waits
RETRY_LATER = timedelta(minutes=15)  # a row whose attempts ran out waits this long before the next try
HISTORY_MARGIN = timedelta(minutes=10)  # look this far before the row's creation for earlier posts
_crash_counts: Counter[str] = Counter()


def crash_point(name: str) -> None:
    """SIGKILL this process here when BRIEFBOT_CRASH_AT names this point (tests of crash recovery)."""
    wanted = os.environ.get(CRASH_ENV, "")
    point, _, nth = wanted.partition(":")
    if point != name:
        return
    _crash_counts[name] += 1
    if _crash_counts[name] >= int(nth or 1):
        os.kill(os.getpid(), signal.SIGKILL)


def lease_from_env() -> timedelta:
    """The lease length: BRIEFBOT_LEASE_SECONDS when set (tests), else DEFAULT_LEASE."""
    value = os.environ.get(LEASE_ENV)
    return timedelta(seconds=float(value)) if value else DEFAULT_LEASE


def worker_id() -> str:
    """Names this worker in leases: host and pid for the admin reading the table, plus a random part
    so two Outboxes (or a pid reused after a crash) never pass for one another."""
    return f"{socket.gethostname()[:120]}:{os.getpid()}:{secrets.token_hex(4)}"


@dataclass(frozen=True)
class Target:
    """Where a brief goes. `key` matches `ChannelConfig.key`, the channel's identity in the outbox."""

    platform: str
    channel: str
    mention_role: str | None = None

    @property
    def key(self) -> str:
        return f"{self.platform}:{self.channel}"


class Outcome(Enum):
    SENT = "sent"
    ALREADY_SENT = "already sent"
    NOTHING = "nothing to send"
    FAILED = "failed"
    BUSY = "held by a worker, or not due for a retry yet"
    NO_PLATFORM = "platform not running"


@dataclass(frozen=True)
class Backoff:
    """Retry schedule: `base * 2**attempt` seconds with ±20 % jitter, capped, for `attempts` tries."""

    attempts: int = 6
    base: float = 2.0
    cap: float = 300.0

    def delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return max(retry_after, 0.0)
        return min(self.cap, self.base * 2**attempt) * random.uniform(0.8, 1.2)


Render = Callable[[], Awaitable[list[dict[str, Any]]]]
OnFailed = Callable[[Target, Delivery], Awaitable[None]]
OnSent = Callable[[Target, Delivery], Awaitable[None]]
Rebuild = Callable[[Delivery], Awaitable[tuple[Target, Render] | None]]


class LeaseLost(Exception):
    """Another worker took the row over while this one was waiting: it finishes the delivery."""


class Outbox:
    """Delivers rendered briefs through the Posters, with the store's deliveries table as the outbox.

    `on_failed(target, delivery)` is awaited once for each row that fails for good, before it is
    marked failed (a crash in between reports it again under the same key, which the outbox dedupes).
    `on_sent(target, delivery)` is awaited after a row is marked sent by this worker (the channel's
    brief then remembers what it told).
    """

    def __init__(self, store: Store, posters: Mapping[str, Poster], backoff: Backoff = Backoff(),
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep, *, lease: timedelta | None = None,
                 retry_later: timedelta = RETRY_LATER, owner: str | None = None) -> None:
        self.store = store
        self.posters = posters
        self.backoff = backoff
        self.lease = lease or lease_from_env()
        self.retry_later = retry_later
        self.owner = owner or worker_id()
        self.on_failed: OnFailed | None = None
        self.on_sent: OnSent | None = None
        self._sleep = sleep
        self._locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._unconfigured: set[int] = set()  # pending rows already logged as having no channel

    async def deliver(self, target: Target, brief_key: str, render: Render) -> Outcome:
        """Post the brief `render()` produces to `target` once, whatever happened to earlier attempts."""
        poster = self.posters.get(target.platform)
        if poster is None:
            return Outcome.NO_PLATFORM
        async with self._locks[target.key]:
            parts = await render()
            if not parts:
                return Outcome.NOTHING
            crash_point("before_claim")
            delivery = await asyncio.to_thread(self.store.lease_delivery, target.key, brief_key, self.owner,
                                               self.lease)
            if delivery is None:
                return await self._not_ours(target.key, brief_key)
            crash_point("after_claim")
            try:
                return await self._post_with_retries(poster, target, delivery, parts)
            except LeaseLost:
                log.warning("delivery %s to %s: another worker took it over", brief_key, target.key)
                return Outcome.BUSY

    async def _not_ours(self, channel_key: str, brief_key: str) -> Outcome:
        row = await asyncio.to_thread(self.store.delivery, channel_key, brief_key)
        status = row.status if row else "sent"
        return {"sent": Outcome.ALREADY_SENT, "failed": Outcome.FAILED}.get(status, Outcome.BUSY)

    async def _post_with_retries(self, poster: Poster, target: Target, delivery: Delivery,
                                 parts: list[dict[str, Any]]) -> Outcome:
        for attempt in range(self.backoff.attempts):
            try:
                ids = await self._post_missing(poster, target, delivery, parts)
            except PostError as exc:
                await asyncio.to_thread(self.store.record_delivery_error, delivery.id, str(exc))
                log.warning("delivery %s to %s failed (attempt %d): %s", delivery.brief_key, target.key,
                            attempt + 1, exc)
                if exc.permanent:
                    await self._give_up(target, delivery, str(exc))
                    return Outcome.FAILED
                if attempt + 1 < self.backoff.attempts:
                    await self._sleep(self.backoff.delay(attempt, exc.retry_after))
                continue
            await asyncio.to_thread(self.store.complete_delivery, delivery.id, ",".join(ids))
            log.info("delivered %s to %s in %d message(s)", delivery.brief_key, target.key, len(ids))
            await self._sent(target, delivery)
            return Outcome.SENT
        await asyncio.to_thread(self.store.release_delivery, delivery.id, self.owner,
                                datetime.now(UTC) + self.retry_later)
        return Outcome.FAILED

    async def _sent(self, target: Target, delivery: Delivery) -> None:
        if self.on_sent is not None:
            try:
                await self.on_sent(target, delivery)
            except Exception:  # the brief is out; at worst the next one repeats what this one said
                log.exception("after delivering %s to %s", delivery.brief_key, target.key)

    async def _give_up(self, target: Target, delivery: Delivery, reason: str) -> None:
        if self.on_failed is not None:
            try:
                await self.on_failed(target, replace(delivery, status="failed", last_error=reason))
            except Exception:  # a report that cannot go out must not keep the row retrying forever
                log.exception("could not report the failed delivery %s to %s", delivery.brief_key, target.key)
        await asyncio.to_thread(self.store.fail_delivery, delivery.id, reason)
        log.error("delivery %s to %s failed for good: %s", delivery.brief_key, target.key, reason)

    async def _post_missing(self, poster: Poster, target: Target, delivery: Delivery,
                            parts: list[dict[str, Any]]) -> list[str]:
        await self._hold(delivery)
        since = delivery.created - HISTORY_MARGIN
        present = await poster.posted_parts(target.channel, delivery.brief_key, since)
        ids = []
        for number, message in enumerate(parts, start=1):
            if number in present:
                ids.append(present[number])
                continue
            await self._hold(delivery)
            mark = Mark(delivery.brief_key, number, len(parts))
            role = target.mention_role if number == 1 else None
            ids.append(await poster.post(target.channel, message, mark, mention_role=role))
            crash_point("after_post")
        return ids

    async def _hold(self, delivery: Delivery) -> None:
        """Renew the lease for the next step, or stop: the lease may have lapsed during a backoff."""
        if not await asyncio.to_thread(self.store.renew_lease, delivery.id, self.owner, self.lease):
            raise LeaseLost(delivery.brief_key)

    async def resume(self, rebuild: Rebuild) -> list[Outcome]:
        """Finish every pending row no worker holds (left by a crash, or due for a retry); `rebuild`
        says where and what each one was. Runs at start-up and then periodically.

        Rows whose channel is gone from the config are left pending (logged once), never guessed at.
        """
        pending = await asyncio.to_thread(self.store.pending_deliveries, datetime.now(UTC))
        jobs = []
        for delivery in pending:
            found = await rebuild(delivery)
            if found is None:
                if delivery.id not in self._unconfigured:
                    self._unconfigured.add(delivery.id)
                    log.warning("pending delivery %s for %s: channel no longer configured",
                                delivery.brief_key, delivery.channel_key)
                continue
            target, render = found
            jobs.append(self.deliver(target, delivery.brief_key, render))
        results = await asyncio.gather(*jobs, return_exceptions=True)
        return [r if isinstance(r, Outcome) else _logged_failure(r) for r in results]


def _logged_failure(error: BaseException) -> Outcome:
    log.error("delivery crashed: %r", error, exc_info=error)
    return Outcome.FAILED
