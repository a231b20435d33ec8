"""The delivery outbox: each brief reaches each channel exactly once, across crashes and retries.

The order of operations is what makes it exactly-once:

1. render the brief's messages (nothing to say: nothing is written);
2. claim the outbox row (channel, brief key) — already "sent" means done, skip;
3. ask the platform which parts of this brief the channel already shows (Slack metadata, Discord
   footer mark); a process that died after posting but before step 5 is caught here;
4. post the missing parts in order, each marked with the brief key (Discord also sends a nonce that
   Discord enforces);
5. mark the row sent.

A crash anywhere leaves either no row (nothing was posted) or a pending row that the next start
resumes through the same steps. Errors are retried with exponential backoff, or after the
platform's `Retry-After` on a 429; a permanent error (unknown channel) stops retrying and is kept
on the row. Deliveries to different channels run independently; deliveries to one channel run one
at a time, in order.

`BRIEFBOT_CRASH_AT=<point>[:<n>]` makes the process SIGKILL itself at a point (the n-th time):
`before_claim`, `after_claim`, `after_post`. Only the crash tests set it.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import signal
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from enum import Enum
from typing import Any

from bot.platforms import Mark, Poster, PostError
from briefings.store import Delivery, Store

log = logging.getLogger(__name__)

CRASH_ENV = "BRIEFBOT_CRASH_AT"
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


class Outbox:
    """Delivers rendered briefs through the Posters, with the store's deliveries table as the outbox."""

    def __init__(self, store: Store, posters: Mapping[str, Poster], backoff: Backoff = Backoff(),
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.store = store
        self.posters = posters
        self.backoff = backoff
        self._sleep = sleep
        self._locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

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
            delivery = await asyncio.to_thread(self.store.claim_delivery, target.key, brief_key)
            if delivery is None:
                return Outcome.ALREADY_SENT
            crash_point("after_claim")
            return await self._post_with_retries(poster, target, delivery, parts)

    async def _post_with_retries(self, poster: Poster, target: Target, delivery: Delivery,
                                 parts: list[dict[str, Any]]) -> Outcome:
        for attempt in range(self.backoff.attempts):
            try:
                ids = await self._post_missing(poster, target, delivery, parts)
            except PostError as exc:
                await asyncio.to_thread(self.store.record_delivery_error, delivery.id, str(exc))
                last = attempt + 1 >= self.backoff.attempts
                log.warning("delivery %s to %s failed (attempt %d): %s", delivery.brief_key, target.key,
                            attempt + 1, exc)
                if exc.permanent or last:
                    return Outcome.FAILED
                await self._sleep(self.backoff.delay(attempt, exc.retry_after))
                continue
            await asyncio.to_thread(self.store.complete_delivery, delivery.id, ",".join(ids))
            log.info("delivered %s to %s in %d message(s)", delivery.brief_key, target.key, len(ids))
            return Outcome.SENT
        return Outcome.FAILED

    async def _post_missing(self, poster: Poster, target: Target, delivery: Delivery,
                            parts: list[dict[str, Any]]) -> list[str]:
        present = await poster.posted_parts(target.channel, delivery.brief_key, delivery.created - HISTORY_MARGIN)
        ids = []
        for number, message in enumerate(parts, start=1):
            if number in present:
                ids.append(present[number])
                continue
            mark = Mark(delivery.brief_key, number, len(parts))
            role = target.mention_role if number == 1 else None
            ids.append(await poster.post(target.channel, message, mark, mention_role=role))
            crash_point("after_post")
        return ids

    async def resume(self, rebuild: Callable[[Delivery], Awaitable[tuple[Target, Render] | None]]) -> list[Outcome]:
        """Finish every pending row left by an earlier run; `rebuild` says where and what each one was.

        Rows whose channel is gone from the config are left pending (logged), never guessed at.
        """
        pending = await asyncio.to_thread(self.store.pending_deliveries)
        jobs = []
        for delivery in pending:
            found = await rebuild(delivery)
            if found is None:
                log.warning("pending delivery %s for %s: channel no longer configured", delivery.brief_key,
                            delivery.channel_key)
                continue
            target, render = found
            jobs.append(self.deliver(target, delivery.brief_key, render))
        results = await asyncio.gather(*jobs, return_exceptions=True)
        return [r if isinstance(r, Outcome) else _logged_failure(r) for r in results]


def _logged_failure(error: BaseException) -> Outcome:
    log.error("delivery crashed: %r", error, exc_info=error)
    return Outcome.FAILED
