"""Settings → the pipeline the command line and the running bot share, built in one place so the
two never disagree on fetch limits, the posting age limit or the topics."""

from __future__ import annotations

from datetime import timedelta

from bot.config import Settings
from briefings.ingest.fetch import FetchLimits
from briefings.pipeline import FeedSpec, Pipeline
from briefings.store import Store


def pipeline_for(settings: Settings, store: Store) -> Pipeline:
    ingest = settings.ingest
    limits = FetchLimits(timeout_s=ingest.timeout_s, max_bytes=ingest.max_bytes, concurrency=ingest.concurrency,
                         feed_deadline_s=ingest.feed_deadline_s, allow_private=frozenset(ingest.allow_private))
    return Pipeline(store, limits=limits, max_age=timedelta(hours=ingest.max_age_hours), topics=settings.topics)


def feed_specs(settings: Settings) -> list[FeedSpec]:
    return [FeedSpec(feed.name, feed.url) for feed in settings.feeds]
