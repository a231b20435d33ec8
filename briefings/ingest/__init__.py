"""Ingest: feeds in, Articles out (fetch → parse → page text → language → fingerprints).

The public API lives here; see each module for the reasons behind it.
"""

from briefings.ingest.dedupe import (
    article_keys,
    canonical_url,
    content_hash,
    fingerprint,
    hamming,
    near_duplicate,
)
from briefings.ingest.fetch import FetchError, FetchLimits, FetchResponse, fetch, make_session
from briefings.ingest.language import detect_language
from briefings.ingest.pages import PageContent, extract_page, fetch_page
from briefings.ingest.parse import FeedItem, FeedParseError, ParsedFeed, parse_feed
from briefings.ingest.poll import PollOutcome, backoff, due, poll_feed, poll_feeds

__all__ = [
    "FeedItem",
    "FeedParseError",
    "FetchError",
    "FetchLimits",
    "FetchResponse",
    "PageContent",
    "ParsedFeed",
    "PollOutcome",
    "article_keys",
    "backoff",
    "canonical_url",
    "content_hash",
    "detect_language",
    "due",
    "extract_page",
    "fetch",
    "fetch_page",
    "fingerprint",
    "hamming",
    "make_session",
    "near_duplicate",
    "parse_feed",
    "poll_feed",
    "poll_feeds",
]
