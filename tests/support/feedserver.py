"""A loopback HTTP server of feeds and article pages, with the faults real sites have.

Tests (this project's and the end-to-end ones) serve feeds and pages at paths, change them
between polls, and count requests per path. Feeds answer conditional GETs (ETag / If-None-Match,
Last-Modified / If-Modified-Since) with 304 until their content changes. A path can also be made
hostile: an HTTP error, a slow drip, a redirect (or a redirect loop), an oversize body, a gzip
bomb, or a connection closed without an answer.

    async with FeedServer() as server:
        server.set_feed("/feed.xml", rss([FeedEntry("Title", server.url("/a/1.html"))]))
        server.set_page("/a/1.html", article_page("Title", ["First paragraph.", "Second."]))
        ... server.url("/feed.xml") ... server.hits["/feed.xml"]
"""

from __future__ import annotations

import asyncio
import hashlib
import html
import socket
import zlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from xml.sax.saxutils import escape

from aiohttp import web
from aiohttp.abc import AbstractResolver, ResolveResult

RSS_TYPE = "application/rss+xml; charset=utf-8"
ATOM_TYPE = "application/atom+xml; charset=utf-8"
HTML_TYPE = "text/html; charset=utf-8"


@dataclass
class Resource:
    """What the server answers at one path."""

    body: bytes = b""
    content_type: str = RSS_TYPE
    modified: datetime = field(default_factory=lambda: datetime.now(UTC).replace(microsecond=0))
    conditional: bool = True  # answer If-None-Match / If-Modified-Since with 304
    compress: bool = False  # gzip the body when the client accepts it
    kind: str = "ok"  # ok | status | drip | redirect | oversize | gzipbomb | hangup
    status: int = 200
    location: str = ""
    size: int = 0  # oversize: bytes sent; gzipbomb: bytes once inflated
    declare_length: bool = True
    interval: float = 0.5  # drip: seconds between bytes
    drip_for: float = 30.0  # drip: seconds before giving up

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha1(self.body).hexdigest()[:16] + '"'


class FeedServer:
    """An aiohttp server on 127.0.0.1 serving `Resource`s at paths, counting every request."""

    def __init__(self) -> None:
        self.resources: dict[str, Resource] = {}
        self.hits: Counter[str] = Counter()  # requests per path
        self.not_modified: Counter[str] = Counter()  # 304 answers per path
        self.request_headers: dict[str, list[dict[str, str]]] = {}
        self.served_encodings: dict[str, list[str]] = {}  # Content-Encoding of each compressed answer
        self.base = ""
        self._runner: web.AppRunner | None = None
        self._bombs: dict[int, bytes] = {}

    async def start(self) -> str:
        """Start listening on a free loopback port; returns the base URL."""
        app = web.Application()
        app.router.add_route("GET", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.base = f"http://127.0.0.1:{port}"
        return self.base

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FeedServer:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def url(self, path: str) -> str:
        return self.base + path

    # -- content -------------------------------------------------------------------------------------

    def set(self, path: str, body: bytes | str, content_type: str, *, conditional: bool = True) -> Resource:
        """Serve `body` at `path`; a changed body gets a new ETag and Last-Modified."""
        data = body.encode() if isinstance(body, str) else body
        previous = self.resources.get(path)
        modified = datetime.now(UTC).replace(microsecond=0)
        if previous is not None and previous.modified >= modified:
            modified = previous.modified + timedelta(seconds=1)  # Last-Modified has 1 s precision
        resource = Resource(body=data, content_type=content_type, modified=modified, conditional=conditional)
        self.resources[path] = resource
        return resource

    def set_feed(self, path: str, xml: bytes | str, content_type: str = RSS_TYPE) -> Resource:
        return self.set(path, xml, content_type)

    def set_page(self, path: str, markup: bytes | str) -> Resource:
        return self.set(path, markup, HTML_TYPE, conditional=False)

    # -- faults --------------------------------------------------------------------------------------

    def fail(self, path: str, status: int = 500) -> None:
        """Answer every request at `path` with `status`."""
        self.resources[path] = Resource(body=b"server error", content_type="text/plain", kind="status", status=status)

    def drip(self, path: str, interval: float = 0.5, duration: float = 30.0) -> None:
        """Send headers, then one byte every `interval` seconds for `duration` seconds."""
        self.resources[path] = Resource(kind="drip", interval=interval, drip_for=duration)

    def redirect(self, path: str, location: str, status: int = 302) -> None:
        """Redirect `path` to `location` (a path or a URL); to itself, it is a redirect loop."""
        self.resources[path] = Resource(kind="redirect", location=location, status=status)

    def oversize(self, path: str, size: int, *, declare_length: bool = True) -> None:
        """Serve `size` bytes of feed-like XML, with or without a Content-Length saying so."""
        self.resources[path] = Resource(kind="oversize", size=size, declare_length=declare_length)

    def gzip_bomb(self, path: str, inflated: int = 50_000_000, *, declare_length: bool = False) -> None:
        """Serve zeros gzip-compressed: small on the wire, `inflated` bytes once decompressed."""
        self.resources[path] = Resource(kind="gzipbomb", size=inflated, declare_length=declare_length)

    def hangup(self, path: str) -> None:
        """Close the connection without answering."""
        self.resources[path] = Resource(kind="hangup")

    # -- serving -------------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        self.hits[path] += 1
        self.request_headers.setdefault(path, []).append(dict(request.headers))
        resource = self.resources.get(path)
        if resource is None:
            return web.Response(status=404, text="not found")
        if resource.kind == "status":
            return web.Response(status=resource.status, body=resource.body, content_type="text/plain")
        if resource.kind == "redirect":
            return web.Response(status=resource.status, headers={"Location": resource.location})
        if resource.kind == "drip":
            return await self._drip(request, resource)
        if resource.kind == "oversize":
            return await self._oversize(request, resource)
        if resource.kind == "gzipbomb":
            return await self._gzip_bomb(request, resource)
        if resource.kind == "hangup":
            if request.transport is not None:
                request.transport.abort()
            raise asyncio.CancelledError
        return self._serve(request, resource)

    def _serve(self, request: web.Request, resource: Resource) -> web.Response:
        headers = {"Content-Type": resource.content_type}
        if resource.conditional:
            headers["ETag"] = resource.etag
            headers["Last-Modified"] = format_datetime(resource.modified, usegmt=True)
            if _fresh(request, resource):
                self.not_modified[request.path] += 1
                return web.Response(status=304, headers=headers)
        response = web.Response(body=resource.body, headers=headers)
        if resource.compress and "gzip" in request.headers.get("Accept-Encoding", ""):
            response.enable_compression(web.ContentCoding.gzip)
            self.served_encodings.setdefault(request.path, []).append("gzip")
        return response

    async def _drip(self, request: web.Request, resource: Resource) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": RSS_TYPE, "Content-Length": "100000"})
        await response.prepare(request)
        loop = asyncio.get_running_loop()
        end = loop.time() + resource.drip_for
        try:
            while loop.time() < end:
                await response.write(b" ")
                await asyncio.sleep(resource.interval)
        except (ConnectionError, RuntimeError):
            pass
        return response

    async def _oversize(self, request: web.Request, resource: Resource) -> web.StreamResponse:
        headers = {"Content-Type": RSS_TYPE}
        if resource.declare_length:
            headers["Content-Length"] = str(resource.size)
        response = web.StreamResponse(headers=headers)
        if not resource.declare_length:
            response.enable_chunked_encoding()
        await response.prepare(request)
        chunk = b"<item><title>filler</title></item>" * 2000
        sent = 0
        try:
            await response.write(b'<?xml version="1.0"?><rss version="2.0"><channel>')
            while sent < resource.size:
                piece = chunk[: resource.size - sent]
                await response.write(piece)
                sent += len(piece)
        except (ConnectionError, RuntimeError):
            pass
        return response

    async def _gzip_bomb(self, request: web.Request, resource: Resource) -> web.StreamResponse:
        body = self.bomb_body(resource.size)
        headers = {"Content-Type": RSS_TYPE, "Content-Encoding": "gzip"}
        if resource.declare_length:
            headers["Content-Length"] = str(len(body))
        response = web.StreamResponse(headers=headers)
        if not resource.declare_length:
            response.enable_chunked_encoding()
        await response.prepare(request)
        try:
            for start in range(0, len(body), 65536):
                await response.write(body[start : start + 65536])
        except (ConnectionError, RuntimeError):
            pass
        return response

    def bomb_body(self, inflated: int) -> bytes:
        """The gzip bomb for `inflated` bytes, built once (call it ahead to keep it out of timings)."""
        if inflated not in self._bombs:
            packer = zlib.compressobj(9, zlib.DEFLATED, 31)
            block = b"\0" * (1 << 20)
            parts = [packer.compress(block) for _ in range(inflated >> 20)]
            self._bombs[inflated] = b"".join(parts) + packer.flush()
        return self._bombs[inflated]


def _fresh(request: web.Request, resource: Resource) -> bool:
    """Whether the client's validators match, so 304 is the answer."""
    inm = request.headers.get("If-None-Match")
    if inm:
        return resource.etag in [tag.strip() for tag in inm.split(",")] or inm.strip() == "*"
    ims = request.headers.get("If-Modified-Since")
    if ims:
        try:
            return parsedate_to_datetime(ims) >= resource.modified
        except (TypeError, ValueError):
            return False
    return False


class LoopbackResolver(AbstractResolver):
    """A resolver that answers only for localhost, so no test ever sends a DNS query off the machine.

    Feeds in tests may link to made-up hosts; with this resolver those fetches fail as "cannot
    connect" instead of leaking a lookup. Use it with `make_session(limits, resolver=LoopbackResolver())`.
    """

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        if host != "localhost":
            raise OSError(f"{host} is not resolved in tests")
        return [
            ResolveResult(
                hostname=host, host="127.0.0.1", port=port, family=socket.AF_INET, proto=0, flags=socket.AI_NUMERICHOST
            )
        ]

    async def close(self) -> None:
        return None


# -- builders ----------------------------------------------------------------------------------------


@dataclass
class FeedEntry:
    """One item of a test feed. `summary` and `content_html` are HTML; either may be absent."""

    title: str
    link: str
    summary: str | None = None
    content_html: str | None = None
    guid: str | None = None
    published: datetime | None = None


def rss(
    entries: list[FeedEntry],
    *,
    title: str = "Test feed",
    link: str = "http://127.0.0.1/",
    language: str | None = None,
) -> str:
    """An RSS 2.0 document with content:encoded for entries that carry content."""
    items = []
    for e in entries:
        parts = [f"<title>{escape(e.title)}</title>", f"<link>{escape(e.link)}</link>"]
        if e.guid:
            parts.append(f'<guid isPermaLink="false">{escape(e.guid)}</guid>')
        if e.published:
            parts.append(f"<pubDate>{format_datetime(e.published.astimezone(UTC), usegmt=True)}</pubDate>")
        if e.summary is not None:
            parts.append(f"<description>{escape(e.summary)}</description>")
        if e.content_html is not None:
            parts.append(f"<content:encoded>{escape(e.content_html)}</content:encoded>")
        items.append("<item>" + "".join(parts) + "</item>")
    lang = f"<language>{language}</language>" if language else ""
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
        f"<title>{escape(title)}</title><link>{escape(link)}</link><description>{escape(title)}</description>"
        f"{lang}{''.join(items)}</channel></rss>"
    )


def atom(entries: list[FeedEntry], *, title: str = "Test feed", language: str | None = None) -> str:
    """An Atom 1.0 document; `content_html` becomes <content type="html">."""
    now = datetime.now(UTC).isoformat()
    out = []
    for e in entries:
        when = (e.published or datetime.now(UTC)).astimezone(UTC).isoformat()
        parts = [
            f"<title>{escape(e.title)}</title>",
            f'<link rel="alternate" href="{escape(e.link)}"/>',
            f"<id>{escape(e.guid or e.link)}</id>",
            f"<updated>{when}</updated>",
        ]
        if e.published:
            parts.append(f"<published>{when}</published>")
        if e.summary is not None:
            parts.append(f'<summary type="html">{escape(e.summary)}</summary>')
        if e.content_html is not None:
            parts.append(f'<content type="html">{escape(e.content_html)}</content>')
        out.append("<entry>" + "".join(parts) + "</entry>")
    lang = f' xml:lang="{language}"' if language else ""
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom"{lang}>'
        f"<title>{escape(title)}</title><id>urn:test:{escape(title)}</id><updated>{now}</updated>"
        f"{''.join(out)}</feed>"
    )


def article_page(
    title: str,
    paragraphs: list[str],
    *,
    lang: str | None = "en",
    published: datetime | None = None,
    canonical: str | None = None,
    nav: str = "Home · World · Europe · Sign in",
    aside: str = "Read more: other headlines of the day. Share this page",
    footer: str = "© Test Outlet, all rights reserved",
) -> str:
    """A news page as outlets build them: navigation, the article, an aside and a footer."""
    head = [f"<meta charset='utf-8'><title>{html.escape(title)} | Test Outlet</title>"]
    if published:
        head.append(f'<meta property="article:published_time" content="{published.isoformat()}">')
    if canonical:
        head.append(f'<link rel="canonical" href="{html.escape(canonical)}">')
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    lang_attr = f' lang="{lang}"' if lang else ""
    return (
        f"<!doctype html><html{lang_attr}><head>{''.join(head)}</head><body>"
        f"<header><nav><a href='/'>{html.escape(nav)}</a></nav></header><main><article>"
        f"<h1>{html.escape(title)}</h1>\n{body}\n</article><aside>{html.escape(aside)}</aside></main>"
        f"<footer>{html.escape(footer)}</footer></body></html>"
    )
