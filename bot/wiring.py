"""Settings → the pipeline the command line and the running bot share, built in one place so the
two never disagree on fetch limits, the posting age limit or the topics."""

from __future__ import annotations

import gc
from datetime import timedelta

from bot.config import FeedConfig, Settings
from bot.worker_config import WorkersConfig
from briefings.ingest.fetch import FetchLimits
from briefings.pipeline import FeedLease, FeedSpec, Pipeline, PollReport
from briefings.store import Store


def pipeline_for(settings: Settings, store: Store) -> Pipeline:
    ingest = settings.ingest
    limits = FetchLimits(timeout_s=ingest.timeout_s, max_bytes=ingest.max_bytes, concurrency=ingest.concurrency,
                         feed_deadline_s=ingest.feed_deadline_s, allow_private=frozenset(ingest.allow_private))
    return Pipeline(store, limits=limits, max_age=timedelta(hours=ingest.max_age_hours), topics=settings.topics)


def feed_specs(settings: Settings) -> list[FeedSpec]:
    return [FeedSpec(feed.name, feed.url) for feed in settings.feeds]


def feed_lease(feeds: list[FeedConfig], owner: str, workers: WorkersConfig) -> FeedLease:
    """How `owner` takes its share of these feeds (one interval group) from the other workers."""
    return FeedLease(owner, timedelta(minutes=feeds[0].interval_minutes),
                     timedelta(seconds=workers.feed_lease_seconds), workers.feed_batch)


def interval_groups(feeds: tuple[FeedConfig, ...]) -> list[list[FeedConfig]]:
    """Feeds by polling interval, shortest first: each group is due on its own clock."""
    groups: dict[int, list[FeedConfig]] = {}
    for feed in feeds:
        groups.setdefault(feed.interval_minutes, []).append(feed)
    return [groups[minutes] for minutes in sorted(groups)]


async def poll_shared(pipeline: Pipeline, settings: Settings, owner: str) -> list[PollReport]:
    """This process's share of the due feeds, batch after batch until none is left (`poll --once
    --shared`: several such processes on one PostgreSQL database share a poll)."""
    reports = []
    for group in interval_groups(settings.feeds):
        lease = feed_lease(group, owner, settings.workers)
        specs = [FeedSpec(feed.name, feed.url) for feed in group]
        while (report := await pipeline.poll_due(specs, lease)) is not None:
            reports.append(report)
    return reports


def settle_heap() -> None:
    """Move everything start-up created (modules, locale data, compiled patterns, caches) out of the
    garbage collector's sight.

    A full collection walks every live object; with start-up's hundreds of thousands it took about
    50 ms, often in the middle of a command, and made up the slowest 1 % of command times. Objects
    frozen here live as long as the process anyway.
    """
    gc.collect()
    gc.freeze()
