"""RSS/Atom bytes to feed items, with feedparser (synchronous: callers run it in a thread).

feedparser tolerates the broken feeds real sites serve ("bozo" feeds); a bozo feed that still
yields entries is accepted, one that yields none is an error named for what it really is (an HTML
page, an empty body, an XML error at a line). Entity declarations are refused before parsing:
feeds never need them, and a "billion laughs" body costs seconds of CPU even when expat's
amplification guard finally stops it.
"""

from __future__ import annotations

import calendar
import hashlib
import io
import re
import time
import xml.sax
from dataclasses import dataclass
from datetime import UTC, datetime

import feedparser

from briefings.ingest.caps import DEFAULT_CAPS, cap
from briefings.ingest.html_text import html_to_text, inline_text

MAX_FEED_BYTES = 20_000_000  # a second guard for callers that skip fetch's byte cap
_ENTITY_DECL = re.compile(rb"<!ENTITY", re.IGNORECASE)
_HTML_START = re.compile(rb"^\s*(<!--.*?-->\s*)*(<!doctype\s+html|<html|<head|<body)", re.IGNORECASE | re.DOTALL)


class FeedParseError(Exception):
    """A body that is not a usable feed, with a short human reason ("not a feed: HTML page")."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class FeedItem:
    """One feed entry, as the feed gives it: plain texts, absolute link, UTC date."""

    link: str
    guid: str | None
    title: str
    summary: str  # plain text, paragraphs separated by "\n"
    content: str  # plain text of content:encoded / atom content, "" when absent
    published: datetime | None  # the feed's date (published, else updated), UTC
    language: str | None  # the entry's or else the feed's declared language, e.g. "fr-FR"
    item_hash: str  # hash of what the feed says about the item, to spot edits without fetching

    @property
    def has_full_text(self) -> bool:
        """Whether `content` looks like the article rather than a teaser.

        Content counts as full text when it is at least a few hundred characters and clearly longer
        than the summary; otherwise the article page is worth fetching.
        """
        return len(self.content) >= 400 and len(self.content) >= 2 * len(self.summary)


@dataclass(frozen=True)
class ParsedFeed:
    """A parsed feed: its own title, link and language, and its items in feed order."""

    title: str
    link: str
    language: str | None
    items: list[FeedItem]
    warning: str | None = None  # why feedparser found the feed malformed, when it still had entries


def parse_feed(body: bytes, base_url: str, content_type: str | None = None) -> ParsedFeed:
    """Parse `body` (the feed as fetched from `base_url`) into items; raise FeedParseError if unusable."""
    if not body.strip():
        raise FeedParseError("not a feed: empty body")
    if len(body) > MAX_FEED_BYTES:
        raise FeedParseError("not a feed: body too large to parse")
    if _ENTITY_DECL.search(body[:65536]):
        raise FeedParseError("not a feed: XML entity declarations are refused")
    headers = {"content-location": base_url}
    if content_type:
        headers["content-type"] = content_type
    # A BytesIO, never bytes or str: feedparser treats strings as URLs or file names and would open them.
    doc = feedparser.parse(io.BytesIO(body), response_headers=headers)
    warning = _describe(doc.get("bozo_exception")) if doc.get("bozo") else None
    if not doc.entries and (doc.get("bozo") or not doc.get("version")):
        if _HTML_START.match(body):
            raise FeedParseError("not a feed: HTML page")
        raise FeedParseError(f"not a feed: {warning or 'unknown format'}")
    feed_language = doc.feed.get("language") or None
    items = [item for entry in doc.entries if (item := _item(entry, feed_language)) is not None]
    return ParsedFeed(
        title=inline_text(doc.feed.get("title", "")),
        link=doc.feed.get("link", ""),
        language=feed_language,
        items=items,
        warning=warning,
    )


def _describe(exc: BaseException | None) -> str:
    if isinstance(exc, xml.sax.SAXParseException):
        return f"XML error at line {exc.getLineNumber()}: {exc.getMessage()}"
    if exc is None:
        return "malformed feed"
    return str(exc) or type(exc).__name__


def _item(entry: feedparser.FeedParserDict, feed_language: str | None) -> FeedItem | None:
    link = entry.get("link") or ""
    guid = entry.get("id") or None
    if not link and guid and guid.startswith(("http://", "https://")):
        link = guid
    title = cap(inline_text(entry.get("title", "")), DEFAULT_CAPS.title)
    contents = entry.get("content") or []
    content_html = max((c.get("value", "") for c in contents), key=len, default="")
    content = html_to_text(content_html)
    summary = html_to_text(entry.get("summary", ""))
    if content and summary == content:
        summary = _lead(content)  # feedparser copies content into summary when the feed has no summary
    content, summary = cap(content, DEFAULT_CAPS.text), cap(summary, DEFAULT_CAPS.summary)
    if not link and not title and not summary and not content:
        return None
    language = next((c.get("language") for c in contents if c.get("language")), None)
    digest = hashlib.sha256("\x1f".join((link, title, summary, content)).encode()).hexdigest()
    return FeedItem(
        link=link,
        guid=guid,
        title=title,
        summary=summary,
        content=content,
        published=_date(entry),
        language=language or entry.get("language") or feed_language,
        item_hash=digest[:32],
    )


def _lead(text: str) -> str:
    """The first paragraph, as a summary for items that carry only their full text."""
    return text.split("\n", 1)[0][:600]


def _date(entry: feedparser.FeedParserDict) -> datetime | None:
    parsed: time.struct_time | None = entry.get("published_parsed") or entry.get("updated_parsed")
    if not parsed:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC)
    except (OverflowError, ValueError, OSError):
        return None
