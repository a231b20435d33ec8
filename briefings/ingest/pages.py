"""The article behind a feed item that only carries a teaser: main text and page metadata.

Trafilatura finds the article's text and leaves navigation, asides and footers out; the page's own
metadata (canonical link, `article:published_time`, `<html lang>`, title) is read from the tree
with lxml, because it is more precise than trafilatura's day-level date. Extraction is CPU work
and runs in a thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from types import ModuleType

import aiohttp
from lxml import etree
from lxml import html as lxml_html

from briefings.ingest.addresses import AddressGuard
from briefings.ingest.caps import DEFAULT_CAPS, cap
from briefings.ingest.fetch import PAGE_ACCEPT, FetchError, FetchLimits, fetch
from briefings.ingest.html_text import clean_lines

_DATE_META = (
    "article:published_time",
    "og:article:published_time",
    "datePublished",
    "date",
    "dc.date",
    "dc.date.issued",
    "dcterms.created",
    "parsely-pub-date",
    "sailthru.date",
)


@dataclass(frozen=True)
class PageContent:
    """What a page says about its article."""

    url: str  # the URL it was fetched from (after redirects)
    text: str  # main text, paragraphs separated by "\n"; "" when nothing article-like was found
    title: str = ""
    canonical_url: str | None = None
    published: datetime | None = None  # UTC
    language: str | None = None  # as the page declares it, e.g. "fr-FR"


async def fetch_page(session: aiohttp.ClientSession, url: str, *, limits: FetchLimits,
                     guard: AddressGuard | None = None) -> PageContent:
    """Fetch an article page and extract it off the event loop. Raises FetchError."""
    response = await fetch(session, url, limits=limits, accept=PAGE_ACCEPT, guard=guard)
    if not response.body:
        raise FetchError("empty page")
    if not _looks_like_html(response.content_type):
        raise FetchError(f"not an HTML page ({response.content_type})")
    markup: bytes | str = response.body
    if response.charset:
        with contextlib.suppress(LookupError):  # an unknown charset name: lxml sniffs the bytes instead
            markup = response.body.decode(response.charset, errors="replace")
    return await asyncio.to_thread(extract_page, markup, response.url)


def _looks_like_html(content_type: str) -> bool:
    """HTML or something a server may label loosely; a PDF or an image link is not worth extracting."""
    return (
        content_type in ("", "application/octet-stream")
        or "html" in content_type
        or content_type.startswith(("text/", "application/xml"))
    )


def extract_page(markup: bytes | str, url: str) -> PageContent:
    """Main text and metadata of an HTML page (synchronous, CPU-bound)."""
    if isinstance(markup, str):
        markup = re.sub(r"^\s*<\?xml[^>]*\?>", "", markup)  # lxml refuses str with an encoding declaration
    try:
        tree = lxml_html.document_fromstring(markup)
    except (etree.ParserError, ValueError):
        return PageContent(url=url, text="")  # nothing parseable: the caller falls back to the summary
    meta = _metadata(tree)
    published = _iso_datetime(meta.get("published"))
    title = meta.get("title", "")
    if published is None or not title:
        # trafilatura's metadata search (htmldate) costs more than the extraction itself: only when
        # the page's own tags said nothing. No extensive search: a date quoted in the text is not
        # the publication date.
        found = _trafilatura().extract_metadata(tree, default_url=url, extensive=False)
        published = published or _iso_datetime(found.date)
        title = title or found.title or ""
    doc = _trafilatura().bare_extraction(
        tree,
        url=url,
        with_metadata=False,
        include_comments=False,
        include_tables=False,
        include_images=False,
        deduplicate=False,
        fast=True,  # no fallback extractors: half the time, and the same text on news pages we measured
    )
    text = clean_lines(doc.text or "") if doc is not None else ""
    return PageContent(
        url=url,
        text=cap(_drop_heading(text, {title, meta.get("heading", "")}), DEFAULT_CAPS.text),
        title=cap(title, DEFAULT_CAPS.title),
        canonical_url=meta.get("canonical"),
        published=published,
        language=meta.get("language"),
    )


def _metadata(tree: etree._Element) -> dict[str, str]:
    out: dict[str, str] = {}
    lang = tree.get("lang") or tree.get("{http://www.w3.org/XML/1998/namespace}lang")
    if lang:
        out["language"] = lang.strip()
    for link in tree.iterfind(".//link[@rel][@href]"):
        if "canonical" in link.get("rel", "").lower().split():
            out["canonical"] = link.get("href", "").strip()
            break
    metas = {}
    for meta in tree.iterfind(".//meta[@content]"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").strip().lower()
        if key and key not in metas:
            metas[key] = meta.get("content", "").strip()
    published = next((metas[k.lower()] for k in _DATE_META if metas.get(k.lower())), None)
    if published is None:
        time_el = tree.find(".//article//time[@datetime]")
        if time_el is not None:
            published = time_el.get("datetime")
    if published:
        out["published"] = published
    heading_el = tree.find(".//h1")
    heading = " ".join(heading_el.text_content().split()) if heading_el is not None else ""
    if heading:
        out["heading"] = heading
    title_el = tree.find(".//title")
    title = metas.get("og:title") or heading or (title_el.text_content() if title_el is not None else "")
    title = " ".join(title.split())
    if title:
        out["title"] = title
    return out


def _drop_heading(text: str, headings: set[str]) -> str:
    """Remove the headline trafilatura keeps as the first line: the title travels separately."""
    first, _, rest = text.partition("\n")
    folded = {h.casefold() for h in headings if h}
    if rest and " ".join(first.split()).casefold() in folded:
        return rest
    return text


def _iso_datetime(value: str | None) -> datetime | None:
    """An ISO 8601 date or datetime as UTC; a date alone is taken at midnight UTC."""
    if not value:
        return None
    value = value.strip().replace("Z", "+00:00")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _trafilatura() -> ModuleType:
    """trafilatura, imported on the first page to read: a poll whose feeds are all unchanged (most
    polls) never needs it, and its import cost a tenth of such a poll."""
    import trafilatura

    return trafilatura
