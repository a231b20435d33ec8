"""The pipeline end to end: poll feeds, keep new articles, extract facts, group stories.

Fetching is I/O and runs on the event loop; everything after it (deduplication, extraction,
clustering, storage) is CPU and database work and runs in one worker thread, so a chat gateway
sharing the loop keeps its heartbeat. Articles are handled in publication order so incremental
clustering sees a story grow as readers did.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import multiprocessing
import os
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cached_property

from briefings.brief import load_topics, topics_for
from briefings.cluster import Clusterer
from briefings.extract import extract_article
from briefings.ingest.caps import cap_evidence
from briefings.ingest.dedupe import content_hash
from briefings.ingest.fetch import FetchLimits
from briefings.ingest.poll import PollOutcome, poll_feeds
from briefings.merge import merge_story_facts
from briefings.models import Article, ArticleFacts, FeedState, Story
from briefings.store import Store
from briefings.store.records import StoredStory
from briefings.titles import story_title
from briefings.view import VIEW_VERSION, build_view

log = logging.getLogger(__name__)

VIEW_META_KEY = "story_view_version"
# Articles more than this much older than now rarely join a story: the in-memory story index drops
# them after each poll (the store still holds them and the index reloads a day when one arrives).
INDEX_HORIZON = timedelta(days=21)
PARALLEL_FROM = 300
# Views are rebuilt from their stories' full articles: this many articles are loaded at a time, so a
# poll touching a few very large stories does not hold all their texts at once.
VIEW_BATCH_ARTICLES = 500

@dataclass(frozen=True)
class FeedLease:
    """How a worker takes its share of due feeds: `batch` at a time, held for `ttl`, due again
    `interval` after their last poll (see `Pipeline.poll_due`)."""

    owner: str
    interval: timedelta
    ttl: timedelta
    batch: int


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
                 topics: dict | None = None, parallel_from: int = PARALLEL_FROM,
                 progress: Callable[[int, int], None] | None = None):
        self.store = store
        self.parallel_from = parallel_from  # batches at least this large are extracted on every core
        self.progress = progress  # called with (articles absorbed, batch size) as a poll goes
        self.limits = limits or FetchLimits()
        self.max_age = max_age
        self.topics = load_topics(topics)
        # The story index fills itself from the store around each article's day when first needed
        # (after a restart, or when an old article arrives), so the cost per article stays flat.
        self.clusterer = Clusterer(loader=self._indexed_history)
        self._seen_up_to: int | None = None  # the newest article id the story index has seen

    def _indexed_history(self, start: datetime, end: datetime) -> list[tuple[Article, ArticleFacts, str | None]]:
        """Stored articles for the story index: titles and leads, never whole texts."""
        return self.store.clustered_between(start, end, lead_chars=self._lead_chars)

    @property
    def _lead_chars(self) -> int:
        return self.clusterer.settings.lead_chars

    async def poll(self, feeds: Sequence[FeedSpec], *, now: datetime | None = None, force: bool = False) -> PollReport:
        """Poll every feed once (feeds in backoff are skipped unless `force`) and store what is new."""
        states = await asyncio.to_thread(self.store.feed_states_for, [(feed.name, feed.url) for feed in feeds])
        return await self._poll_states(states, now=now, force=force)

    async def poll_due(self, feeds: Sequence[FeedSpec], lease: FeedLease, *, now: datetime | None = None
                       ) -> PollReport | None:
        """Poll the next few of these feeds that are due and that no other worker holds, holding
        them meanwhile; None when none is left. Several workers calling this on one database share
        the feeds (see `briefings.store.leases`)."""
        states = await asyncio.to_thread(
            self.store.lease_due_feeds, [(feed.name, feed.url) for feed in feeds], interval=lease.interval,
            owner=lease.owner, ttl=lease.ttl, limit=lease.batch)
        if not states:
            return None
        try:
            return await self._poll_states(states, now=now, owner=lease.owner)
        except BaseException:
            # Nothing of the batch was stored (one transaction); its feeds go back at once rather
            # than sit leased, unpolled by anyone, until the lease lapses.
            names = [state.name for state in states]
            log.error("poll of %s failed; their leases are given back", ", ".join(names))
            try:
                await asyncio.to_thread(self.store.release_feeds, names, lease.owner)
            except Exception:
                log.exception("the leases could not be given back either: they lapse after %s", lease.ttl)
            raise

    async def _poll_states(self, states: list[FeedState], *, now: datetime | None, force: bool = False,
                           owner: str | None = None) -> PollReport:
        now = now or datetime.now(UTC)
        known = await asyncio.to_thread(self.store.item_hashes, [state.name for state in states])
        outcomes = await poll_feeds(states, limits=self.limits, now=now, force=force, max_age=self.max_age,
                                    skip=lambda item: item.item_hash in known)
        return await asyncio.to_thread(self._absorb, outcomes, owner)

    def _absorb(self, outcomes: list[PollOutcome], owner: str | None = None) -> PollReport:
        """Store a poll's articles, their stories' views and the feeds' validators in one transaction;
        feeds leased by `owner` are handed back in it."""
        self.ensure_views()  # views from older rules or topics are rebuilt before new ones join them
        report = PollReport(feeds=len(outcomes))
        articles = [a for outcome in outcomes for a in outcome.articles]
        extracted = self._extract_first(articles, report)
        with self._clustering():
            self._absorb_batch(outcomes, report, extracted)
            self.refresh_views(report.stories)
            if owner is not None:
                self.store.finish_feeds([o.state.name for o in outcomes], owner)
        # The story index keeps only the days new articles can still join; older ones reload on demand.
        self.clusterer.prune(datetime.now(UTC) - INDEX_HORIZON)
        return report

    @contextmanager
    def _clustering(self) -> Iterator[None]:
        """A transaction in which this worker alone assigns stories, its story index up to date.

        Workers sharing a database take turns (`Store.hold`: an advisory lock on PostgreSQL, held
        until the commit), and each first adds to its in-memory index the articles others stored
        since it last looked (article ids above its high-water mark). So every article is assigned
        against every article stored before it, as one worker would: a story is never split in
        two because two workers each started it. Should the transaction fail, the index (which
        already holds the failed batch) is started afresh from the store.
        """
        asked = time.perf_counter()
        try:
            with self.store.transaction():
                self.store.hold("stories")
                held = time.perf_counter()
                newest = self.store.newest_article_id()
                if self._seen_up_to is not None and newest > self._seen_up_to:
                    self.clusterer.add_stored(self.store.clustered_after(self._seen_up_to, self._lead_chars))
                yield
                self._seen_up_to = self.store.newest_article_id()
            # What several workers wait for: one long hold is every other worker's wait.
            log.debug("story lock: waited %.2f s, held %.2f s", held - asked, time.perf_counter() - held)
        except BaseException:
            self.clusterer = Clusterer(self.clusterer.settings, loader=self._indexed_history)
            self._seen_up_to = None
            raise

    def _absorb_batch(self, outcomes: list[PollOutcome], report: PollReport,
                      extracted: dict[tuple[str, str], ArticleFacts]) -> None:
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
        self._absorb_articles(fresh, report, extracted)
        # Validators (ETag, Last-Modified) are saved only once the articles are stored: a crash in
        # between makes the next poll fetch the feed again instead of answering 304 and losing them.
        self.store.save_feed_states([o.state for o in outcomes if not o.skipped])

    def absorb(self, articles: list[Article]) -> PollReport:
        """Store articles that did not come from a poll (a backfill, a test), as a poll would: in
        publication order, their stories' views written in the same transaction."""
        report = PollReport()
        self.ensure_views()
        extracted = self._extract_first(articles, report)
        with self._clustering():
            self._absorb_articles(articles, report, extracted)
            self.refresh_views(report.stories)
        return report

    def _absorb_articles(self, articles: list[Article], report: PollReport,
                         extracted: dict[tuple[str, str], ArticleFacts]) -> None:
        ordered = sorted(articles, key=lambda a: a.published)
        for done, article in enumerate(ordered, start=1):
            self._absorb_article(article, report, extracted.get(_facts_key(article)))
            if self.progress is not None:
                self.progress(done, len(ordered))

    def _extract_first(self, articles: list[Article], report: PollReport) -> dict[tuple[str, str], ArticleFacts]:
        """Facts of a batch's new and edited articles, extracted before its clustering transaction.

        Extraction is a pure function of the article and most of a poll's CPU: done here, it runs
        while other workers hold the story lock, which then covers clustering and storing only. An
        article another worker stores meanwhile is found at absorption and its facts go unused.
        """
        todo = [a for a in articles if self._changed(a)]
        return self._extract_in_parallel(todo, report) or {_facts_key(a): self._extract(a, report) for a in todo}

    def _extract_in_parallel(self, todo: list[Article], report: PollReport) -> dict[tuple[str, str], ArticleFacts]:
        """Facts of a large batch's articles, extracted on every core.

        Extraction is a pure function of the article, so the results are those of one core; only
        clustering, which depends on order, stays sequential. Worth it from a few hundred articles
        (a first start, a backfill): below that, starting the workers costs more than it saves.
        """
        cores = os.cpu_count() or 1
        if cores < 2 or len(todo) < self.parallel_from:
            return {}
        out: dict[tuple[str, str], ArticleFacts] = {}
        # Workers fork from a server that has imported the extractors once (no fork of this
        # threaded process, no import per worker).
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["briefings.extract", "briefings.pipeline"])
        failed = 0
        try:
            with ProcessPoolExecutor(max_workers=cores, mp_context=context) as pool:
                for article, (facts, error) in zip(todo, pool.map(extract_or_error, todo, chunksize=8), strict=True):
                    if error is not None:
                        log.error("extraction failed for %s; the article is kept without facts\n%s", article.url,
                                  error)
                        failed += 1
                    out[_facts_key(article)] = facts
        except (OSError, BrokenProcessPool) as exc:  # no worker processes here (limits, a killed worker)
            log.warning("extracting on one core: the worker processes failed (%s)", exc)
            return {}
        report.extraction_failed += failed
        return out

    def _changed(self, article: Article) -> bool:
        """Whether absorbing the article will extract it: it is new, or an edit of a stored one."""
        known = self.store.find_article(url=article.url, guid=article.guid, feed=article.feed)
        if known is not None:
            return content_hash(known.title, known.text) != content_hash(article.title, article.text)
        return not (article.fingerprint and self.store.find_article(fingerprint=article.fingerprint))

    def _absorb_article(self, article: Article, report: PollReport, facts: ArticleFacts | None = None) -> None:
        known = self.store.find_article(url=article.url, guid=article.guid, feed=article.feed)
        if known is not None:
            if content_hash(known.title, known.text) == content_hash(article.title, article.text):
                report.unchanged += 1
                return
            # A publisher's edit: same article, new text and facts; its story stays.
            article.id, article.backlog = known.id, known.backlog
            self.store.update_article(article, facts if facts is not None else self._extract(article, report))
            report.updated += 1
            report.stories.update(self.store.story_ids([known.id]).values())
            return
        if article.fingerprint and self.store.find_article(fingerprint=article.fingerprint) is not None:
            report.unchanged += 1  # the same wire copy at another address
            return
        if facts is None:
            facts = self._extract(article, report)
        story_id = self.clusterer.assign(article, facts)
        if self.store.add_article(article, facts, story_id) is None:
            report.unchanged += 1  # stored by another process that shares the database without its lock
            return
        report.new += 1
        report.backlog += article.backlog
        report.stories.add(story_id)

    @staticmethod
    def _extract(article: Article, report: PollReport) -> ArticleFacts:
        """Facts of an article; an extractor bug on one odd text costs that article its facts,
        never the article itself nor the rest of the poll."""
        facts, error = extract_or_error(article)
        if error is not None:
            log.error("extraction failed for %s; the article is kept without facts\n%s", article.url, error)
            report.extraction_failed += 1
        return facts


    # --- the stored story view ---------------------------------------------------------------------

    def refresh_views(self, story_ids: Iterable[str], now: datetime | None = None) -> int:
        """Merge, title and tag these stories again and store their views (in the caller's
        transaction when there is one); each fact keeps its key and first sighting."""
        ids = sorted(set(story_ids))
        if not ids:
            return 0
        now = now or datetime.now(UTC)
        written = 0
        with self.store.transaction():
            sizes = self.store.story_sizes(ids)
            for chunk in _by_size(ids, sizes, VIEW_BATCH_ARTICLES):
                previous = self.store.previous_view_facts(chunk)
                views = [build_view(self.story_of(stored), previous.get(stored.id, []), now)
                         for stored in self.store.stored_stories(chunk)]
                self.store.write_views(views)
                written += len(views)
        return written

    def reindex(self, *, batch: int = 200) -> int:
        """Rebuild the view of every story that has articles (the source of truth); the views of
        stories whose articles were all pruned stay as they are. Facts keep their keys and times."""
        ids = self.store.story_ids_with_articles()
        with self.store.transaction():
            for start in range(0, len(ids), batch):
                self.refresh_views(ids[start:start + batch])
            self.store.set_meta(VIEW_META_KEY, self._view_version)
        return len(ids)

    def ensure_views(self) -> int:
        """Build the views when the store has none yet for its stories (a store from before views)
        or they were built with other rules or topics; returns how many stories were rebuilt."""
        if self.store.meta(VIEW_META_KEY) == self._view_version:
            return 0
        with self.store.transaction():
            # Workers starting together after an upgrade all find the views stale: one rebuilds
            # them under the story lock, the others find them current once they get it.
            self.store.hold("stories")
            if self.store.meta(VIEW_META_KEY) == self._view_version:
                return 0
            count = self.reindex()
        log.info("built the story view of %d stories", count)
        return count

    def prune(self, keep: timedelta, now: datetime | None = None) -> int:
        """Delete articles published more than `keep` ago; the views of their stories stay as they
        were (what was posted keeps its facts and sources). Returns how many articles went."""
        gone = self.store.prune((now or datetime.now(UTC)) - keep)
        if gone:
            log.info("retention: pruned %d articles older than %s", gone, keep)
        return gone

    @cached_property
    def _view_version(self) -> str:
        """Views hold topics: they are rebuilt when the view rules or the topics' definitions change
        (both fixed for the pipeline's life: worked out once, not at every poll)."""
        topics = json.dumps({slug: [dict(t.names), {k: list(v) for k, v in t.keywords.items()}, list(t.actors)]
                             for slug, t in sorted(self.topics.items())}, sort_keys=True)
        return f"{VIEW_VERSION}:{hashlib.sha256(topics.encode()).hexdigest()[:16]}"

    def stories(self) -> list[Story]:
        """Every story with its facts merged across articles, titled and tagged with topics, read
        back from the stored views, oldest first (what `export` prints)."""
        self.ensure_views()
        return [v.story for v in self.store.all_views()]

    def story_of(self, stored: StoredStory) -> Story:
        items: list[tuple[Article, ArticleFacts]] = stored.articles
        pledges, missions, dates, conflicts = merge_story_facts(items)
        story = Story(id=stored.id, title={}, articles=[a for a, _ in items], pledges=pledges,
                      missions=missions, dates=dates, conflicts=conflicts)
        story.title = story_title(story, [f for _, f in items])
        story.topics = topics_for(story, self.topics)
        return story


def _facts_key(article: Article) -> tuple[str, str]:
    """Which article of a batch extracted facts belong to: its address and its text, since one
    address can come twice in a batch with two texts (two section feeds, an edit between them)."""
    return article.url, content_hash(article.title, article.text)


def extract_or_error(article: Article) -> tuple[ArticleFacts, str | None]:
    """The article's facts, or no facts and the traceback: what a worker process sends back."""
    try:
        return cap_evidence(extract_article(article)), None  # quoted sentences stay quotable
    except Exception:
        return ArticleFacts(), traceback.format_exc()


def _by_size(ids: list[str], sizes: dict[str, int], budget: int) -> Iterable[list[str]]:
    """Story ids in chunks of at most `budget` articles (a larger story is a chunk of its own)."""
    chunk: list[str] = []
    total = 0
    for story_id in ids:
        size = sizes.get(story_id, 0)
        if chunk and total + size > budget:
            yield chunk
            chunk, total = [], 0
        chunk.append(story_id)
        total += size
    if chunk:
        yield chunk
