"""The delivery outbox: each brief reaches each channel exactly once, across crashes, retries and workers.

The order of operations is what makes it exactly-once:

1. render the brief's messages (nothing to say: nothing is written);
2. lease the outbox row (channel, brief key): one atomic UPDATE in the store gives the row to one
   worker for a while; settled ("sent", "failed") or held by another worker means hands off;
3. ask the platform which parts of this brief the channel already shows (Slack metadata, Discord
   mark in the title link's fragment); a worker that died after posting but before step 5 is caught here;
4. post the missing parts in order, each marked with the brief key (Discord also sends a nonce that
   Discord enforces), renewing the lease before each one: a worker that lost its lease (it slept
   past it and another took over) stops instead of posting beside the new holder;
5. mark the row sent.

A crash anywhere leaves either no row (nothing was posted) or a pending row whose lease lapses; the
next start, or the periodic resume of any worker, takes it through the same steps. What a refusal
means decides what happens next (`PostError.kind`):

- a network error, a 5xx or a 429: retried a few times with backoff (or after `Retry-After`), then
  the row is released for a later retry (`retry_later`), so a brief being retried never holds the
  channel's next brief; the resume job brings it back, and it is marked late by its render;
- a message too long: split into pieces (`bot.reshape`), halved again if needed, each piece marked;
- a payload refused: posted with fewer fields, then as plain text;
- a refused token: the platform is paused, its rows stay pending, `on_pause` tells the admin once
  (through the other platform), and a delivery is tried again every `auth_probe`; the first that
  gets through ends the pause and the pending briefs follow;
- an unknown channel or lost permission, a payload refused in every form, or a row still pending
  `give_up_after` its creation: the row is marked failed with its reason, reported once through
  `on_failed`, and nobody retries it.

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

from bot import reshape
from bot.metrics import DELIVERY_RETRIES
from bot.platforms import Mark, Place, Poster, PostError, complete_parts
from briefings.store import Delivery, Store

log = logging.getLogger(__name__)

CRASH_ENV = "BRIEFBOT_CRASH_AT"
LEASE_ENV = "BRIEFBOT_LEASE_SECONDS"
DEFAULT_LEASE = timedelta(seconds=60)  # far above one post's time; how long a crashed worker's row waits
RETRY_LATER = timedelta(minutes=2)  # a row whose attempts ran out waits this long before the next try
AUTH_PROBE = timedelta(minutes=1)  # a platform whose token was refused is tried again this often
GIVE_UP_AFTER = timedelta(hours=6)  # a brief still not posted this long after its row was written is failed
MAX_SPLITS = 4  # a part too long is halved at most this often (16 pieces)
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
    PAUSED = "platform paused: its token is refused; kept pending"


@dataclass(frozen=True)
class Backoff:
    """Retry schedule: `base * 2**attempt` seconds with ±20 % jitter, capped, for `attempts` tries."""

    attempts: int = 3  # a few quick tries, then the row is released: a brief retried never holds the next
    base: float = 2.0
    cap: float = 300.0

    def delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return max(retry_after, 0.0)
        return min(self.cap, self.base * 2**attempt) * random.uniform(0.8, 1.2)


Render = Callable[[], Awaitable[list[dict[str, Any]]]]
OnFailed = Callable[[Target, Delivery], Awaitable[None]]
OnSent = Callable[[Target, Delivery], Awaitable[None]]
OnPause = Callable[[str, str | None], Awaitable[None]]  # (platform, reason; None when it works again)


@dataclass
class Pause:
    """A platform whose token was refused: why, since when, and when its deliveries are tried again."""

    reason: str
    since: datetime
    next_probe: datetime
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
        self.on_pause: OnPause | None = None
        self.auth_probe = min(AUTH_PROBE, self.lease)  # each resume of pending rows probes a paused platform
        self.give_up_after = GIVE_UP_AFTER
        self.paused: dict[str, Pause] = {}
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
                await self._settle_empty(target.key, brief_key)
                return Outcome.NOTHING
            crash_point("before_claim")
            delivery = await asyncio.to_thread(self.store.lease_delivery, target.key, brief_key, self.owner,
                                               self.lease)
            if delivery is None:
                return await self._not_ours(target.key, brief_key)
            crash_point("after_claim")
            now = datetime.now(UTC)
            pause = self.paused.get(target.platform)
            if pause is not None and now < pause.next_probe:  # kept pending, tried when the pause ends
                await asyncio.to_thread(self.store.release_delivery, delivery.id, self.owner, pause.next_probe)
                return Outcome.PAUSED
            if now - _utc(delivery.created) > self.give_up_after:
                await self._give_up(target, delivery, f"not posted within {_hours(self.give_up_after)} of "
                                                      f"retries; last error: {delivery.last_error or '?'}")
                return Outcome.FAILED
            try:
                return await self._post_with_retries(poster, target, delivery, parts)
            except LeaseLost:
                log.warning("delivery %s to %s: another worker took it over", brief_key, target.key)
                return Outcome.BUSY

    async def _settle_empty(self, channel_key: str, brief_key: str) -> None:
        """Settle a pending row whose brief has nothing left to say: a worker died holding it, and a
        later brief told its stories meanwhile. Left pending, every resume would render it again,
        for ever. A brief with nothing to say and no row writes nothing."""
        row = await asyncio.to_thread(self.store.delivery, channel_key, brief_key)
        if row is None or row.status != "pending":
            return
        held = await asyncio.to_thread(self.store.lease_delivery, channel_key, brief_key, self.owner, self.lease)
        if held is not None:
            await asyncio.to_thread(self.store.complete_delivery, held.id, None)
            log.info("delivery %s to %s: nothing left to post (a later brief told it); settled", brief_key,
                     channel_key)

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
                if exc.kind == "auth":
                    return await self._pause(target, delivery, str(exc))
                if exc.kind in ("permanent", "too_long", "rejected"):  # no smaller or plainer form was taken
                    await self._give_up(target, delivery, str(exc))
                    return Outcome.FAILED
                if attempt + 1 < self.backoff.attempts:
                    DELIVERY_RETRIES.labels(target.platform).inc()
                    await self._sleep(self.backoff.delay(attempt, exc.retry_after))
                continue
            await asyncio.to_thread(self.store.complete_delivery, delivery.id, ",".join(ids))
            log.info("delivered %s to %s in %d message(s)", delivery.brief_key, target.key, len(ids))
            await self._resume_platform(target.platform)
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
    async def _pause(self, target: Target, delivery: Delivery, reason: str) -> Outcome:
        """The token is refused: hold every delivery of the platform (rows stay pending) and tell the
        admin once, through whatever does not depend on that token."""
        now = datetime.now(UTC)
        first = target.platform not in self.paused
        pause = self.paused.setdefault(target.platform, Pause(reason, now, now))
        pause.next_probe = now + self.auth_probe
        await asyncio.to_thread(self.store.release_delivery, delivery.id, self.owner, pause.next_probe)
        if first:
            log.error("platform %s paused: its token is refused (%s); briefs stay pending and are tried "
                      "again every %s", target.platform, reason, self.auth_probe)
            await self._notify_pause(target.platform, reason)
        return Outcome.PAUSED

    async def _resume_platform(self, platform: str) -> None:
        if self.paused.pop(platform, None) is not None:
            log.warning("platform %s: its token works again; pending briefs are being posted", platform)
            await self._notify_pause(platform, None)

    async def _notify_pause(self, platform: str, reason: str | None) -> None:
        if self.on_pause is not None:
            try:
                await self.on_pause(platform, reason)
            except Exception:  # the alert is best effort: the log line above always exists
                log.exception("could not tell the admin about platform %s", platform)

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
        posted = await poster.posted_parts(target.channel, delivery.brief_key, since)
        present = complete_parts(posted)
        ids = []
        for number, message in enumerate(parts, start=1):
            if number in present:
                ids.append(present[number])
                continue
            await self._hold(delivery)
            mark = Mark(delivery.brief_key, number, len(parts))
            role = target.mention_role if number == 1 else None
            ids.append(await self._post_part(poster, target, delivery, mark, message, role, posted))
            crash_point("after_post")
        return ids

    async def _post_part(self, poster: Poster, target: Target, delivery: Delivery, mark: Mark,
                         message: dict[str, Any], role: str | None, posted: dict[Place, str]) -> str:
        """Post one part; refused as too long, in smaller pieces; refused as a payload, plainer."""
        try:
            return await poster.post(target.channel, message, mark, mention_role=role)
        except PostError as exc:
            if exc.kind == "too_long":
                pieces = _halved([message], target.platform)
                if pieces is None:
                    raise
                log.warning("delivery %s to %s: part %d too long (%s); posting it in pieces", mark.brief_key,
                            target.key, mark.part, exc)
                return await self._post_pieces(poster, target, delivery, mark, pieces, role, posted, splits=1)
            if exc.kind == "rejected":
                return await self._post_plainer(poster, target, delivery, mark, message, role, posted, exc)
            raise

    async def _post_pieces(self, poster: Poster, target: Target, delivery: Delivery, mark: Mark,
                           pieces: list[dict[str, Any]], role: str | None, posted: dict[Place, str],
                           splits: int) -> str:
        """Post `pieces` of one part in order, skipping those a crashed attempt already posted; a piece
        still too long is halved with the pieces after it (those before it stay posted) up to
        MAX_SPLITS times. Returns the last piece's id."""
        last = ""
        number = 0
        while number < len(pieces):
            if (earlier := posted.get((mark.part, number + 1, len(pieces)))) is not None:
                last, number = earlier, number + 1
                continue
            await self._hold(delivery)
            try:
                last = await poster.post(target.channel, pieces[number], mark.of_piece(number + 1, len(pieces)),
                                         mention_role=role if number == 0 else None)
            except PostError as exc:
                smaller = _halved(pieces[number:], target.platform) if exc.kind == "too_long" else None
                if smaller is None or splits >= MAX_SPLITS:
                    raise
                pieces, splits = pieces[:number] + smaller, splits + 1
                continue
            number += 1
        return last

    async def _post_plainer(self, poster: Poster, target: Target, delivery: Delivery, mark: Mark,
                            message: dict[str, Any], role: str | None, posted: dict[Place, str],
                            refusal: PostError) -> str:
        """Post the part with fewer fields, then as plain text; the last refusal is raised."""
        for level in reshape.PLAIN_LEVELS:
            pieces = reshape.plainer(message, target.platform, level)
            log.warning("delivery %s to %s: part %d refused (%s); posting it plainer (level %d)",
                        mark.brief_key, target.key, mark.part, refusal, level)
            try:
                if len(pieces) == 1:
                    return await poster.post(target.channel, pieces[0], mark, mention_role=role)
                return await self._post_pieces(poster, target, delivery, mark, pieces, role, posted,
                                               splits=MAX_SPLITS)
            except PostError as exc:
                if exc.kind != "rejected":
                    raise
                refusal = exc
        raise refusal

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


def _halved(messages: list[dict[str, Any]], platform: str) -> list[dict[str, Any]] | None:
    """Each message split in two, in order; None when one of them cannot be cut further."""
    out: list[dict[str, Any]] = []
    for message in messages:
        halves = reshape.split(message, platform)
        if halves is None:
            return None
        out += halves
    return out


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _hours(span: timedelta) -> str:
    return f"{span.total_seconds() / 3600:g} h"


def _logged_failure(error: BaseException) -> Outcome:
    log.error("delivery crashed: %r", error, exc_info=error)
    return Outcome.FAILED
