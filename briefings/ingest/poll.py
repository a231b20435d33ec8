"""Polling feeds: fetch, parse, complete teaser items from their pages, build Articles.

One feed's failure is that feed's business: it is recorded in its FeedState with an exponential
backoff, and never stops the other feeds. One page's failure is that item's business: the item
keeps its summary as text and the failure is noted, the item is never lost. Parsing and extraction
run in threads so the shared event loop (chat gateways, commands) stays responsive.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import aiohttp
from yarl import URL

from briefings.ingest.addresses import AddressGuard, guard_for_feed
from briefings.ingest.dedupe import canonical_url, fingerprint
from briefings.ingest.fetch import FetchError, FetchLimits, check_url, fetch, make_session, session_resolver
from briefings.models import Article, FeedState

if TYPE_CHECKING:  # parsing, pages and language are imported where a feed changed (see __init__)
    from briefings.ingest.pages import PageContent
    from briefings.ingest.parse import FeedItem, ParsedFeed

log = logging.getLogger(__name__)

BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_MAX = timedelta(hours=6)
_FUTURE_SLACK = timedelta(days=1)  # a feed date further ahead than this is a publisher's mistake
_EARLIEST = datetime(1995, 1, 1, tzinfo=UTC)

SkipItem = Callable[["FeedItem"], bool]


@dataclass
class PollOutcome:
    """The result of polling one feed: its articles, its new state, and what went wrong."""

    feed: str
    state: FeedState
    articles: list[Article] = field(default_factory=list)
    not_modified: bool = False
    error: str | None = None  # why the feed itself failed; its state carries the backoff
    page_errors: list[str] = field(default_factory=list)  # "<url>: <reason>" for items kept on their summary
    skipped: bool = False  # not polled: backing off after failures


def backoff(failures: int) -> timedelta:
    """Wait after `failures` consecutive failures: 1 min, 2, 4… capped at 6 h."""
    if failures <= 0:
        return timedelta(0)
    return min(BACKOFF_BASE * 2 ** min(failures - 1, 30), BACKOFF_MAX)


def failed(state: FeedState, reason: str, now: datetime) -> FeedState:
    """The state after a failed poll: one more failure, the reason, and when to try again."""
    failures = state.failures + 1
    return dataclasses.replace(state, failures=failures, last_error=reason, next_attempt=now + backoff(failures))


def due(state: FeedState, now: datetime) -> bool:
    """Whether a feed may be polled now (it is not backing off). A naive time is taken as UTC,
    as SQLite hands datetimes back without their zone."""
    return state.next_attempt is None or utc(state.next_attempt) <= utc(now)


def utc(moment: datetime) -> datetime:
    """`moment` in UTC; a naive datetime is taken to be UTC already."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


async def poll_feed(
    session: aiohttp.ClientSession,
    state: FeedState,
    *,
    limits: FetchLimits,
    now: datetime,
    skip: SkipItem | None = None,
    max_age: timedelta | None = None,
) -> PollOutcome:
    """Poll one feed once and build its articles.

    `skip` lets the caller leave out items it already holds unchanged (checked with the item's
    canonical link, GUID or `item_hash`), so their pages are not fetched again. Articles from a
    feed's first successful poll, or older than `max_age`, are marked `backlog`. The whole poll of
    the feed has a deadline (`limits.feed_deadline_s`): the feed itself must arrive within it, and
    pages still missing then are given up (their items keep their summaries). Every fetch goes
    through the feed's address guard, which resolves names with the session's resolver.
    Raises nothing for feed problems: they come back in `error` and in the new state.
    """
    from briefings.ingest.parse import FeedParseError, parse_feed

    now = utc(now)
    deadline = asyncio.get_running_loop().time() + limits.feed_deadline_s
    guard = await guard_for_feed(state.url, session_resolver(session), limits.allow_private)
    try:
        async with asyncio.timeout_at(deadline):
            response = await fetch(session, state.url, etag=state.etag, last_modified=state.last_modified,
                                   limits=limits, guard=guard)
    except TimeoutError:
        reason = f"feed not received within its {limits.feed_deadline_s:g} s deadline"
        return PollOutcome(state.name, failed(state, reason, now), error=reason)
    except FetchError as exc:
        return PollOutcome(state.name, failed(state, exc.reason, now), error=exc.reason)
    if response.not_modified:
        fresh = _succeeded(state, now, response.etag, response.last_modified)
        return PollOutcome(state.name, fresh, not_modified=True)
    content_type = response.content_type + (f"; charset={response.charset}" if response.charset else "")
    try:
        parsed: ParsedFeed = await asyncio.to_thread(parse_feed, response.body, response.url, content_type)
    except FeedParseError as exc:
        return PollOutcome(state.name, failed(state, exc.reason, now), error=exc.reason)
    items = parsed.items[: limits.max_items]
    if skip is not None:
        items = [item for item in items if not skip(item)]
    pages, page_errors = await _fetch_pages(session, items, limits, guard, deadline)
    backlog_before = now - max_age if max_age is not None else None
    articles = await asyncio.to_thread(_build_articles, items, pages, state, parsed, now, backlog_before)
    new_state = _succeeded(state, now, response.etag, response.last_modified)
    return PollOutcome(state.name, new_state, articles=articles, page_errors=page_errors)


async def poll_feeds(
    states: Iterable[FeedState],
    limits: FetchLimits,
    now: datetime,
    concurrency: int | None = None,
    *,
    force: bool = False,
    skip: SkipItem | None = None,
    max_age: timedelta | None = None,
    session: aiohttp.ClientSession | None = None,
) -> list[PollOutcome]:
    """Poll many feeds at once over one session; one outcome per state, in order.

    At most `concurrency` (default `limits.concurrency`) feeds are in flight. Feeds backing off
    are skipped (`skipped=True`, state unchanged) unless `force`. Any exception while polling a
    feed, expected or not, becomes that feed's error; cancellation still propagates.
    """
    states = list(states)
    now = utc(now)
    gate = asyncio.Semaphore(concurrency or limits.concurrency)

    async def one(client: aiohttp.ClientSession, state: FeedState) -> PollOutcome:
        if not force and not due(state, now):
            return PollOutcome(state.name, state, skipped=True)
        async with gate:
            try:
                return await poll_feed(client, state, limits=limits, now=now, skip=skip, max_age=max_age)
            except Exception as exc:  # a bug or an unforeseen error must not take the other feeds down
                log.exception("polling feed %s failed", state.name)
                reason = f"internal error: {type(exc).__name__}: {exc}"[:300]
                return PollOutcome(state.name, failed(state, reason, now), error=reason)

    if session is not None:
        return list(await asyncio.gather(*(one(session, s) for s in states)))
    async with make_session(limits) as own:
        return list(await asyncio.gather(*(one(own, s) for s in states)))


def _succeeded(state: FeedState, now: datetime, etag: str | None, last_modified: str | None) -> FeedState:
    return dataclasses.replace(
        state,
        etag=etag or state.etag,
        last_modified=last_modified or state.last_modified,
        failures=0,
        last_error=None,
        next_attempt=None,
        last_success=now,
        seeded=True,
    )


async def _fetch_pages(
    session: aiohttp.ClientSession, items: list[FeedItem], limits: FetchLimits, guard: AddressGuard,
    deadline: float,
) -> tuple[dict[str, PageContent], list[str]]:
    """Fetch the pages of teaser items, a few at a time, until the feed's deadline; failures are
    reported, not raised."""
    from briefings.ingest.pages import PageContent, fetch_page

    gate = asyncio.Semaphore(limits.page_concurrency)
    teasers = (item.link for item in items if not item.has_full_text and _fetchable(item.link))
    wanted = list(dict.fromkeys(teasers))

    async def one(url: str) -> PageContent | str:
        async with gate:
            try:
                async with asyncio.timeout_at(deadline):
                    page = await fetch_page(session, url, limits=limits, guard=guard)
            except TimeoutError:
                return f"the feed's {limits.feed_deadline_s:g} s deadline passed"
            except FetchError as exc:
                return exc.reason
        return page if page.text else "no article text found on the page"

    results = await asyncio.gather(*(one(url) for url in wanted))
    pages = {url: r for url, r in zip(wanted, results, strict=True) if isinstance(r, PageContent)}
    errors = [f"{url}: {r}" for url, r in zip(wanted, results, strict=True) if isinstance(r, str)]
    return pages, errors


def _fetchable(url: str) -> bool:
    try:
        check_url(url)
    except FetchError:
        return False
    return True


def _build_articles(
    items: list[FeedItem],
    pages: dict[str, PageContent],
    state: FeedState,
    parsed: ParsedFeed,
    now: datetime,
    backlog_before: datetime | None,
) -> list[Article]:
    """Articles from items and their pages (synchronous: language detection and hashing are CPU work)."""
    from briefings.ingest.language import detect_language

    articles = []
    for item in items:
        page = pages.get(item.link)
        url = _article_url(item, page)
        if url is None:
            continue
        if item.has_full_text or page is None:
            text = item.content or item.summary
        else:  # a page text shorter than the feed's own texts means extraction missed the article
            text = max(page.text, item.content, item.summary, key=len)
        title = item.title or (page.title if page else "") or text[:120]
        published = _published(item, page, now)
        articles.append(
            Article(
                url=url,
                title=title,
                text=text,
                language=detect_language(
                    f"{title}\n{text}", page.language if page else None, item.language, parsed.language
                ),
                published=published,
                feed=state.name,
                guid=item.guid,
                summary=item.summary,
                fingerprint=fingerprint(text),
                item_hash=item.item_hash,
                backlog=not state.seeded or (backlog_before is not None and published < backlog_before),
            )
        )
    return articles


def _article_url(item: FeedItem, page: PageContent | None) -> str | None:
    """The canonical URL: the page's own canonical link when it stays on the page's site, else the item's."""
    if not _fetchable(item.link):
        return None
    if page and page.canonical_url:
        try:
            served = URL(page.url)
            declared = check_url(str(served.join(URL(page.canonical_url))))
        except (FetchError, ValueError):
            declared = None
        if declared is not None and _site(declared.host) == _site(served.host):
            return canonical_url(str(declared))
    return canonical_url(item.link)


def _site(host: str | None) -> str:
    host = (host or "").lower()
    return host.removeprefix("www.")


def _published(item: FeedItem, page: PageContent | None, now: datetime) -> datetime:
    """The feed's date, else the page's, else the time of fetching; implausible dates are passed over."""
    for candidate in (item.published, page.published if page else None):
        if candidate is not None and _EARLIEST <= candidate <= now + _FUTURE_SLACK:
            return candidate.astimezone(UTC)
    return now
