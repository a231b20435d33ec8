"""Bounded HTTP GET for feeds and pages: conditional, size-capped, time-capped, redirect-checked.

Everything a feed points at is untrusted, so every fetch has a deadline, a minimum pace for the
body (a server dripping a byte a second is cut after a few seconds, not at the deadline), a byte
budget that also counts decompressed bytes (a gzip bomb inflates past it and is cut off), and
redirects followed by hand so each hop's scheme and address are checked and loops are named as
such. Failures become one exception type, `FetchError`, whose message is short enough to show an
operator ("HTTP 500", "timed out after 20 s") and to store as a feed's last error.
"""

from __future__ import annotations

import asyncio
import weakref
from dataclasses import dataclass

import aiohttp
from aiohttp.abc import AbstractResolver
from aiohttp.resolver import ThreadedResolver
from yarl import URL

from briefings.ingest.addresses import CURRENT_GUARD, AddressGuard, AddressRefused, GuardedResolver

USER_AGENT = "briefbot/0.1 (bilingual news brief bot; feed reader)"
FEED_ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_CHUNK = 64 * 1024
_RESOLVERS: weakref.WeakKeyDictionary[aiohttp.ClientSession, AbstractResolver] = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class FetchLimits:
    """Bounds on polling: per request (time, bytes, redirects), per feed and across feeds."""

    timeout_s: float = 20.0  # whole request, redirects and body included
    read_timeout_s: float = 10.0  # silence on the socket before giving up
    max_bytes: int = 5_000_000  # body cap, counted after decompression
    max_redirects: int = 5
    min_rate: int = 1_000  # bytes/s a body must average once `body_grace_s` has passed: drips are cut early
    body_grace_s: float = 3.0
    feed_deadline_s: float = 30.0  # one feed's whole poll, its pages included
    allow_private: frozenset[str] = frozenset()  # address kinds any feed's links may reach (see addresses.py)
    max_items: int = 500  # items taken from one feed
    page_concurrency: int = 4  # article pages fetched at once for one feed
    concurrency: int = 32  # feeds polled at once


@dataclass(frozen=True)
class FetchResponse:
    """A completed fetch: the final URL, the body (empty when not modified) and the validators."""

    url: str
    status: int
    body: bytes
    content_type: str = ""
    charset: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False


class FetchError(Exception):
    """A fetch that failed, with a short human reason ("HTTP 500", "redirect loop")."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def human_size(n: int) -> str:
    """Bytes as an operator reads them: 5 MB, 200 kB, 512 bytes."""
    if n >= 1_000_000:
        return f"{n / 1_000_000:g} MB"
    if n >= 1_000:
        return f"{n / 1_000:g} kB"
    return f"{n} bytes"


def _seconds(s: float) -> str:
    return f"{s:g} s"


def check_url(url: str) -> URL:
    """Parse `url` and refuse anything but absolute http(s): feeds must not reach file:// or the like."""
    try:
        parsed = URL(url)
    except (ValueError, TypeError) as exc:
        raise FetchError(f"invalid URL: {url!r}") from exc
    if parsed.scheme not in ("http", "https"):
        raise FetchError(f"unsupported URL scheme {parsed.scheme or 'none'!r}")
    if not parsed.host:
        raise FetchError(f"invalid URL: {url!r}")
    return parsed


def make_session(limits: FetchLimits, *, resolver: AbstractResolver | None = None) -> aiohttp.ClientSession:
    """A session sized for polling: enough connections for feeds and their pages, decompression on.

    `fetch` counts the decompressed bytes, so `auto_decompress` must stay on for the gzip-bomb cap.
    `resolver` decides where host names lead (tests keep every lookup on loopback); the address
    guards use the same one (`session_resolver`), so a check and a connection see the same answers.
    """
    resolver = resolver or ThreadedResolver()
    connections = limits.concurrency * (1 + limits.page_concurrency)
    # No DNS cache: each connection's own answer goes through the guard of the fetch making it.
    connector = aiohttp.TCPConnector(limit=connections, use_dns_cache=False, resolver=GuardedResolver(resolver))
    session = aiohttp.ClientSession(connector=connector, headers={"User-Agent": USER_AGENT}, auto_decompress=True)
    _RESOLVERS[session] = resolver
    return session


def session_resolver(session: aiohttp.ClientSession) -> AbstractResolver:
    """The resolver `make_session` gave `session` (a session made elsewhere: the system's)."""
    return _RESOLVERS.get(session) or ThreadedResolver()


async def fetch(
    session: aiohttp.ClientSession,
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    limits: FetchLimits,
    accept: str = FEED_ACCEPT,
    guard: AddressGuard | None = None,
) -> FetchResponse:
    """GET `url` within `limits`; a 304 to the validators gives `not_modified=True` and no body.

    With a `guard`, every hop's host is checked before connecting (see addresses.py). Raises
    `FetchError` for every failure: HTTP status >= 400, timeouts, oversize bodies, bad redirects,
    refused addresses and network errors.
    """
    guarded = CURRENT_GUARD.set(guard)  # for the connection's own lookup (GuardedResolver)
    try:
        async with asyncio.timeout(limits.timeout_s):
            return await _fetch(session, url, etag, last_modified, limits, accept, guard)
    except FetchError:
        raise
    except AddressRefused as exc:
        raise FetchError(exc.reason) from exc
    except aiohttp.ServerTimeoutError as exc:
        raise FetchError(f"no data for {_seconds(limits.read_timeout_s)}") from exc
    except TimeoutError as exc:
        raise FetchError(f"timed out after {_seconds(limits.timeout_s)}") from exc
    except aiohttp.ServerDisconnectedError as exc:
        raise FetchError("server closed the connection") from exc
    except aiohttp.ClientConnectorError as exc:
        raise FetchError(f"cannot connect: {exc.os_error.strerror or exc.os_error}") from exc
    except aiohttp.ClientPayloadError as exc:
        raise FetchError("broken response body") from exc
    except aiohttp.ClientResponseError as exc:
        raise FetchError(f"bad HTTP response: {exc.message}") from exc
    except aiohttp.InvalidURL as exc:
        raise FetchError(f"invalid URL: {exc}") from exc
    except aiohttp.ClientError as exc:
        raise FetchError(f"request failed: {type(exc).__name__}") from exc
    except OSError as exc:
        raise FetchError(f"network error: {exc.strerror or exc}") from exc
    finally:
        CURRENT_GUARD.reset(guarded)


async def _fetch(
    session: aiohttp.ClientSession,
    url: str,
    etag: str | None,
    last_modified: str | None,
    limits: FetchLimits,
    accept: str,
    guard: AddressGuard | None,
) -> FetchResponse:
    headers = {"User-Agent": USER_AGENT, "Accept": accept}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    timeout = aiohttp.ClientTimeout(total=None, sock_connect=limits.timeout_s, sock_read=limits.read_timeout_s)
    current = check_url(url)
    seen = {str(current)}
    for _hop in range(limits.max_redirects + 1):
        if guard is not None:
            await guard.check(current)
        async with session.get(current, headers=headers, allow_redirects=False, timeout=timeout) as resp:
            if resp.status in _REDIRECTS:
                location = resp.headers.get("Location")
                if not location:
                    raise FetchError(f"HTTP {resp.status} without a Location")
                try:
                    target = current.join(URL(location))
                except ValueError as exc:
                    raise FetchError(f"invalid redirect target: {location!r}") from exc
                current = check_url(str(target))
                if str(current) in seen:
                    raise FetchError("redirect loop")
                seen.add(str(current))
                continue
            return await _read(resp, limits)
    raise FetchError(f"too many redirects (more than {limits.max_redirects})")


async def _read(resp: aiohttp.ClientResponse, limits: FetchLimits) -> FetchResponse:
    """Turn a final response into a FetchResponse, streaming the body under the byte cap."""
    etag = resp.headers.get("ETag")
    last_modified = resp.headers.get("Last-Modified")
    if resp.status == 304:
        return FetchResponse(str(resp.url), 304, b"", etag=etag, last_modified=last_modified, not_modified=True)
    if resp.status >= 400:
        raise FetchError(f"HTTP {resp.status}")
    too_big = f"body larger than {human_size(limits.max_bytes)}"
    if resp.content_length is not None and resp.content_length > limits.max_bytes:
        resp.close()
        raise FetchError(too_big)
    chunks: list[bytes] = []
    total = 0
    started = asyncio.get_running_loop().time()

    def pace(received: int) -> float:  # when the body is too slow unless more has arrived by then
        return started + limits.body_grace_s + (received + 1) / limits.min_rate

    try:
        async with asyncio.timeout_at(pace(0)) as watchdog:
            async for chunk in resp.content.iter_chunked(_CHUNK):
                total += len(chunk)
                if total > limits.max_bytes:
                    resp.close()  # never hand a half-read connection back to the pool
                    encoded = resp.headers.get("Content-Encoding", "identity") != "identity"
                    raise FetchError(too_big + (" once decompressed" if encoded else ""))
                chunks.append(chunk)
                watchdog.reschedule(pace(total))
    except TimeoutError:
        if not watchdog.expired():
            raise
        resp.close()
        elapsed = asyncio.get_running_loop().time() - started
        raise FetchError(f"too slow: {human_size(total)} in {elapsed:.0f} s (under {human_size(limits.min_rate)}/s)"
                         ) from None
    return FetchResponse(
        url=str(resp.url),
        status=resp.status,
        body=b"".join(chunks),
        content_type=resp.content_type,
        charset=resp.charset,
        etag=etag,
        last_modified=last_modified,
    )
