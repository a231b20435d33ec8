"""The pipeline end to end: poll feeds, keep new articles, extract facts, group stories.

Fetching is I/O and runs on the event loop; everything after it (deduplication, extraction,
clustering, storage) is CPU and database work and runs in one worker thread, so a chat gateway
sharing the loop keeps its heartbeat. Articles are handled in publication order so incremental
clustering sees a story grow as readers did.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from briefings.brief import load_topics, topics_for
from briefings.cluster import Clusterer
from briefings.extract import extract_article
from briefings.ingest import PollOutcome, poll_feeds
from briefings.ingest.caps import cap_evidence
from briefings.ingest.dedupe import content_hash
from briefings.ingest.fetch import FetchLimits
from briefings.merge import merge_story_facts
from briefings.models import Article, ArticleFacts, Story
from briefings.store import Store
from briefings.store.records import StoredStory
from briefings.titles import story_title

log = logging.getLogger(__name__)

@dataclass(frozen=True)
class FeedSpec:
    """A feed to poll, as configured."""

    name: str
    url: str


@dataclass
class PollReport:
    """What one poll did, for the command line and the logs."""

    feeds: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    not_modified: int = 0
    backing_off: int = 0  # feeds not polled: waiting after failures
    pages_failed: int = 0  # items kept on their feed summary because their page could not be read
    extraction_failed: int = 0  # articles kept without facts because extraction raised
    backlog: int = 0
    errors: dict[str, str] = field(default_factory=dict)  # feed name -> reason
    stories: set[str] = field(default_factory=set)  # stories that received an article

    def summary(self) -> str:
        line = (f"polled {self.feeds} feeds: {self.new} new articles ({self.backlog} kept as backlog), "
                f"{self.updated} updated, {self.not_modified} feeds not modified, "
                f"{self.backing_off} feeds backing off after failures, "
                f"{self.pages_failed} pages unreadable (summary kept), "
                f"{self.extraction_failed} articles whose extraction failed (kept without facts), "
                f"{len(self.stories)} stories touched")
        return line + "".join(f"\n  feed {name!r} failed: {reason}" for name, reason in self.errors.items())


class Pipeline:
    """Polls feeds into the store and keeps the story index warm between polls."""

    def __init__(self, store: Store, *, limits: FetchLimits | None = None, max_age: timedelta = timedelta(hours=48),
                 topics: dict | None = None):
        self.store = store
        self.limits = limits or FetchLimits()
        self.max_age = max_age
        self.topics = load_topics(topics)
        # The story index fills itself from the store around each article's day when first needed
        # (after a restart, or when an old article arrives), so the cost per article stays flat.
        self.clusterer = Clusterer(loader=store.clustered_between)

    async def poll(self, feeds: Sequence[FeedSpec], *, now: datetime | None = None, force: bool = False) -> PollReport:
        """Poll every feed once (feeds in backoff are skipped unless `force`) and store what is new."""
        now = now or datetime.now(UTC)
        states = [self.store.feed_state(feed.name, feed.url) for feed in feeds]
        known = await asyncio.to_thread(self.store.item_hashes, [feed.name for feed in feeds])
        outcomes = await poll_feeds(states, limits=self.limits, now=now, force=force, max_age=self.max_age,
                                    skip=lambda item: item.item_hash in known)
        return await asyncio.to_thread(self._absorb, outcomes)

    def _absorb(self, outcomes: list[PollOutcome]) -> PollReport:
        report = PollReport(feeds=len(outcomes))
        fresh: list[Article] = []
        for outcome in outcomes:
            if outcome.error:
                report.errors[outcome.state.name] = outcome.error
                log.warning("feed %r failed: %s", outcome.state.name, outcome.error)
            for page_error in outcome.page_errors:
                log.debug("feed %r: page kept as summary: %s", outcome.state.name, page_error)
            report.not_modified += outcome.not_modified
            report.backing_off += outcome.skipped
            report.pages_failed += len(outcome.page_errors)
            # Age limits and first-run seeding (ingest marks those articles `backlog`) decide what
            # is posted, never what is stored.
            fresh.extend(outcome.articles)
        fresh.sort(key=lambda a: a.published)
        for article in fresh:
            self._absorb_article(article, report)
        # Validators (ETag, Last-Modified) are saved only once the articles are stored: a crash in
        # between makes the next poll fetch the feed again instead of answering 304 and losing them.
        for outcome in outcomes:
            if not outcome.skipped:
                self.store.save_feed_state(outcome.state)
        return report

    def _absorb_article(self, article: Article, report: PollReport) -> None:
        known = self.store.find_article(url=article.url, guid=article.guid, feed=article.feed)
        if known is not None:
            if content_hash(known.title, known.text) == content_hash(article.title, article.text):
                report.unchanged += 1
                return
            # A publisher's edit: same article, new text and facts; its story stays.
            article.id, article.backlog = known.id, known.backlog
            self.store.update_article(article, self._extract(article, report))
            report.updated += 1
            return
        if article.fingerprint and self.store.find_article(fingerprint=article.fingerprint) is not None:
            report.unchanged += 1  # the same wire copy at another address
            return
        facts = self._extract(article, report)
        story_id = self.clusterer.assign(article, facts)
        self.store.add_article(article, facts, story_id)
        report.new += 1
        report.backlog += article.backlog
        report.stories.add(story_id)

    @staticmethod
    def _extract(article: Article, report: PollReport) -> ArticleFacts:
        """Facts of an article; an extractor bug on one odd text costs that article its facts,
        never the article itself nor the rest of the poll."""
        try:
            return cap_evidence(extract_article(article))  # quoted sentences stay quotable
        except Exception:
            log.exception("extraction failed for %s; the article is kept without facts", article.url)
            report.extraction_failed += 1
            return ArticleFacts()

    def stories(self, since: datetime | None = None) -> list[Story]:
        """Stories with their facts merged across articles, titled and tagged with topics."""
        return [self.story_of(stored) for stored in self.store.stories(since)]

    def story_of(self, stored: StoredStory) -> Story:
        items: list[tuple[Article, ArticleFacts]] = stored.articles
        pledges, missions, dates, conflicts = merge_story_facts(items)
        story = Story(id=stored.id, title={}, articles=[a for a, _ in items], pledges=pledges,
                      missions=missions, dates=dates, conflicts=conflicts)
        story.title = story_title(story, [f for _, f in items])
        story.topics = topics_for(story, self.topics)
        return story
