"""Hostile feeds: a slow drip is cut long before the request deadline, a feed's whole poll has a
deadline, and no feed can make the bot fetch a private, loopback or link-local address unless its
own address is of that kind or the config allows it.

Names are resolved by a stub resolver; a tripwire on the session fails any request to a host other
than the loopback feed server, so no test here ever connects to a private or link-local address
(the guard refuses before connecting, or the tripwire stops the request before its connection)."""

from __future__ import annotations

import socket
from datetime import UTC, datetime
from ipaddress import ip_address

import aiohttp
import pytest
from aiohttp.abc import AbstractResolver, ResolveResult
from yarl import URL

from briefings.ingest.addresses import AddressRefused, guard_for_feed, kind_of
from briefings.ingest.fetch import FetchError, FetchLimits, fetch, make_session
from briefings.ingest.poll import poll_feed
from briefings.models import FeedState
from tests.support.feedserver import FeedEntry, FeedServer, article_page, rss

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
LIMITS = FetchLimits(timeout_s=5.0, read_timeout_s=4.0, body_grace_s=0.5, min_rate=1_000, feed_deadline_s=3.0)
NAMES = {
    "news.example": "93.184.216.34",  # public: only ever looked up, never connected to
    "intranet.example": "10.0.0.5",
    "metadata.example": "169.254.169.254",
    "rebound.example": "127.0.0.1",
    "mapped.example": "::ffff:10.1.2.3",
}


class StubResolver(AbstractResolver):
    """Answers from NAMES and records each lookup; anything else does not exist."""

    def __init__(self) -> None:
        self.lookups: list[str] = []

    async def resolve(self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
                      ) -> list[ResolveResult]:
        self.lookups.append(host)
        if host not in NAMES:
            raise OSError(f"{host} does not exist in tests")
        address = NAMES[host]
        fam = socket.AF_INET6 if ":" in address else socket.AF_INET
        return [ResolveResult(hostname=host, host=address, port=port, family=fam, proto=0,
                              flags=socket.AI_NUMERICHOST)]

    async def close(self) -> None:
        return None


def tripwire(session: aiohttp.ClientSession, allowed_host: str) -> list[str]:
    """Fail any request to a host other than `allowed_host` before it connects; returns the hosts seen."""
    seen: list[str] = []

    async def on_request_start(_session, _ctx, params: aiohttp.TraceRequestStartParams) -> None:
        seen.append(params.url.host or "")
        if params.url.host != allowed_host:
            raise AssertionError(f"a request to {params.url} was about to connect")

    trace = aiohttp.TraceConfig()
    trace.on_request_start.append(on_request_start)
    trace.freeze()
    session.trace_configs.append(trace)
    return seen


@pytest.mark.parametrize(("address", "kind"), [
    ("93.184.216.34", "public"), ("10.0.0.5", "private"), ("192.168.1.1", "private"), ("172.16.0.1", "private"),
    ("100.64.0.1", "private"), ("127.0.0.1", "loopback"), ("::1", "loopback"), ("169.254.169.254", "link-local"),
    ("fe80::1", "link-local"), ("fd00::1", "private"), ("::ffff:10.1.2.3", "private"), ("0.0.0.0", "private"),
    ("224.0.0.1", "private"), ("2606:4700::1111", "public"),
])
def test_address_kinds(address: str, kind: str) -> None:
    assert kind_of(ip_address(address)) == kind


async def test_a_public_feed_may_link_to_public_addresses_only() -> None:
    resolver = StubResolver()
    guard = await guard_for_feed("https://news.example/feed.xml", resolver, frozenset())
    assert guard.allowed == frozenset()
    await guard.check(URL("https://news.example/article"))
    for url, kind in [("http://intranet.example/wiki", "private"), ("http://169.254.169.254/latest/", "link-local"),
                      ("http://metadata.example/", "link-local"), ("http://127.0.0.1:8080/admin", "loopback"),
                      ("http://rebound.example/", "loopback"), ("http://[::1]/", "loopback"),
                      ("http://mapped.example/", "private")]:
        with pytest.raises(AddressRefused, match=f"is a {kind} address"):
            await guard.check(URL(url))


async def test_a_feed_reaches_its_own_kind_and_what_the_config_allows() -> None:
    resolver = StubResolver()
    intranet = await guard_for_feed("http://intranet.example/feed.xml", resolver, frozenset())
    await intranet.check(URL("http://10.9.9.9/page"))
    with pytest.raises(AddressRefused):
        await intranet.check(URL("http://127.0.0.1/page"))
    allowed = await guard_for_feed("https://news.example/feed.xml", resolver, frozenset({"private"}))
    await allowed.check(URL("http://intranet.example/page"))
    with pytest.raises(AddressRefused):
        await allowed.check(URL("http://metadata.example/"))


async def test_page_links_and_redirect_hops_into_a_private_network_are_refused_before_connecting() -> None:
    resolver = StubResolver()
    async with FeedServer() as server, make_session(LIMITS, resolver=resolver) as session:
        seen = tripwire(session, "127.0.0.1")
        server.redirect("/jump", "http://intranet.example/secret")
        server.set_page("/ok.html", article_page("Allowed page", ["A page on the feed's own loopback host. " * 5]))
        links = ["http://intranet.example/a", "http://169.254.169.254/latest/meta-data/", server.url("/jump"),
                 server.url("/ok.html")]
        server.set_feed("/feed.xml", rss([FeedEntry(f"Item {i}", link, summary=f"Teaser {i}.")
                                          for i, link in enumerate(links)]))
        outcome = await poll_feed(session, FeedState("loopback-feed", server.url("/feed.xml")), limits=LIMITS,
                                  now=NOW)
    errors = "\n".join(outcome.page_errors)
    assert "intranet.example is a private address" in errors
    assert "169.254.169.254 is a link-local address" in errors
    assert errors.count("intranet.example is a private address") == 2  # the link, and the redirect hop
    assert len(outcome.articles) == 4  # refused pages cost their items nothing but the page text
    assert set(seen) == {"127.0.0.1"}
    assert "intranet.example" in resolver.lookups  # refused after resolution, never connected


async def test_a_slow_drip_is_cut_after_the_grace_period_not_at_the_deadline() -> None:
    async with FeedServer() as server, make_session(LIMITS, resolver=StubResolver()) as session:
        server.drip("/drip.xml", interval=0.5, duration=10)
        with pytest.raises(FetchError, match="too slow"):  # not "timed out": cut by its pace, before the deadline
            await fetch(session, server.url("/drip.xml"), limits=LIMITS)


async def test_a_feed_whose_pages_outlast_its_deadline_keeps_its_items_on_their_summaries() -> None:
    limits = FetchLimits(timeout_s=5.0, read_timeout_s=4.0, body_grace_s=5.0, min_rate=1, feed_deadline_s=1.0,
                         page_concurrency=1)
    async with FeedServer() as server, make_session(limits, resolver=StubResolver()) as session:
        server.drip("/slow.html", interval=0.2, duration=10)
        server.set_feed("/feed.xml", rss([FeedEntry("Slow page", server.url("/slow.html"), summary="Teaser kept.")]))
        outcome = await poll_feed(session, FeedState("f", server.url("/feed.xml")), limits=limits, now=NOW)
    assert outcome.error is None
    assert [a.text for a in outcome.articles] == ["Teaser kept."]
    assert "deadline passed" in outcome.page_errors[0]



class RebindingResolver(StubResolver):
    """Answers `rebind.example` with a public address once (the check), then with 0.0.0.0 (this
    host; never a private network even if a broken guard let the connection through)."""

    async def resolve(self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
                      ) -> list[ResolveResult]:
        if host != "rebind.example":
            return await super().resolve(host, port, family)
        self.lookups.append(host)
        address = "93.184.216.34" if self.lookups.count(host) == 1 else "0.0.0.0"
        return [ResolveResult(hostname=host, host=address, port=port, family=socket.AF_INET, proto=0,
                              flags=socket.AI_NUMERICHOST)]


async def test_a_name_that_rebinds_between_the_check_and_the_connection_is_refused() -> None:
    resolver = RebindingResolver()
    async with make_session(LIMITS, resolver=resolver) as session:
        guard = await guard_for_feed("https://news.example/feed.xml", resolver, frozenset())
        with pytest.raises(FetchError, match=r"rebind\.example is a private address"):
            await fetch(session, "http://rebind.example/page", limits=LIMITS, guard=guard)
    assert resolver.lookups.count("rebind.example") == 2  # the check, then the connection's own lookup
