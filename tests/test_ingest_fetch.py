"""fetch(): conditional GET, limits and clear errors, against a real loopback server."""

from __future__ import annotations

import time

import pytest

from briefings.ingest.fetch import USER_AGENT, FetchError, FetchLimits, fetch, make_session
from tests.support.feedserver import FeedEntry, FeedServer, LoopbackResolver, rss

FAST = FetchLimits(timeout_s=1.0, read_timeout_s=0.8, max_bytes=1_000_000, max_redirects=3)


@pytest.fixture
async def server():
    async with FeedServer() as srv:
        yield srv


@pytest.fixture
async def session():
    async with make_session(FAST, resolver=LoopbackResolver()) as sess:
        yield sess


async def failure(session, url: str, limits: FetchLimits = FAST) -> tuple[str, float]:
    started = time.monotonic()
    with pytest.raises(FetchError) as info:
        await fetch(session, url, limits=limits)
    return info.value.reason, time.monotonic() - started


async def test_conditional_get_answers_304_until_the_feed_changes(server, session):
    server.set_feed("/feed.xml", rss([FeedEntry("Talks resume", "http://127.0.0.1/a/1")]))
    first = await fetch(session, server.url("/feed.xml"), limits=FAST)
    assert first.status == 200 and b"Talks resume" in first.body
    assert first.etag and first.last_modified

    second = await fetch(
        session, server.url("/feed.xml"), etag=first.etag, last_modified=first.last_modified, limits=FAST
    )
    assert second.not_modified and second.body == b""
    assert server.not_modified["/feed.xml"] == 1

    server.set_feed("/feed.xml", rss([FeedEntry("Talks end", "http://127.0.0.1/a/2")]))
    third = await fetch(
        session, server.url("/feed.xml"), etag=first.etag, last_modified=first.last_modified, limits=FAST
    )
    assert not third.not_modified and b"Talks end" in third.body
    assert third.etag != first.etag


async def test_last_modified_alone_is_enough_for_304(server, session):
    server.set_feed("/feed.xml", rss([]))
    first = await fetch(session, server.url("/feed.xml"), limits=FAST)
    again = await fetch(session, server.url("/feed.xml"), last_modified=first.last_modified, limits=FAST)
    assert again.not_modified


async def test_sends_a_user_agent_naming_briefbot(server, session):
    server.set_feed("/feed.xml", rss([]))
    await fetch(session, server.url("/feed.xml"), limits=FAST)
    assert server.request_headers["/feed.xml"][0]["User-Agent"] == USER_AGENT
    assert "briefbot" in USER_AGENT


async def test_http_errors_are_named_by_status(server, session):
    server.fail("/broken.xml", 500)
    assert (await failure(session, server.url("/broken.xml")))[0] == "HTTP 500"
    assert (await failure(session, server.url("/missing.xml")))[0] == "HTTP 404"


async def test_redirects_are_followed_to_the_final_url(server, session):
    server.set_feed("/new.xml", rss([FeedEntry("Moved", "http://127.0.0.1/a/1")]))
    server.redirect("/old.xml", "/new.xml", status=301)
    response = await fetch(session, server.url("/old.xml"), limits=FAST)
    assert response.url == server.url("/new.xml") and b"Moved" in response.body


async def test_redirect_loop_and_long_chains_fail_fast(server, session):
    server.redirect("/loop.xml", "/loop.xml")
    reason, elapsed = await failure(session, server.url("/loop.xml"))
    assert reason == "redirect loop" and elapsed < 0.5
    for i in range(6):
        server.redirect(f"/hop{i}", f"/hop{i + 1}")
    reason, _ = await failure(session, server.url("/hop0"))
    assert reason == "too many redirects (more than 3)"


async def test_redirect_to_another_scheme_is_refused(server, session):
    server.redirect("/sneaky.xml", "file:///etc/passwd")
    assert (await failure(session, server.url("/sneaky.xml")))[0] == "unsupported URL scheme 'file'"
    assert (await failure(session, "ftp://127.0.0.1/feed.xml"))[0] == "unsupported URL scheme 'ftp'"


async def test_declared_oversize_body_is_refused_before_reading(server, session):
    server.oversize("/huge.xml", 50_000_000)
    reason, elapsed = await failure(session, server.url("/huge.xml"))
    assert reason == "body larger than 1 MB" and elapsed < 0.5
    assert server.hits["/huge.xml"] == 1


async def test_undeclared_oversize_body_is_cut_off_while_streaming(server, session):
    server.oversize("/huge.xml", 50_000_000, declare_length=False)
    reason, elapsed = await failure(session, server.url("/huge.xml"))
    assert reason == "body larger than 1 MB" and elapsed < 0.8


async def test_gzip_bomb_is_cut_off_by_decompressed_size(server, session):
    server.gzip_bomb("/bomb.xml", inflated=50_000_000)
    server.bomb_body(50_000_000)  # built before timing: the server's compression is not measured
    reason, elapsed = await failure(session, server.url("/bomb.xml"))
    assert reason == "body larger than 1 MB once decompressed" and elapsed < 0.8


async def test_compressed_feed_is_decompressed(server, session):
    server.set_feed("/gz.xml", rss([FeedEntry("Compressed on the wire", "http://127.0.0.1/a/1")]))
    server.resources["/gz.xml"].compress = True
    response = await fetch(session, server.url("/gz.xml"), limits=FAST)
    assert b"Compressed on the wire" in response.body
    assert server.served_encodings["/gz.xml"] == ["gzip"]


async def test_slow_drip_times_out_at_the_total_deadline(server, session):
    server.drip("/slow.xml", interval=0.1, duration=10)
    reason, elapsed = await failure(session, server.url("/slow.xml"))
    assert reason == "timed out after 1 s" and elapsed < 1.5


async def test_silent_server_hits_the_read_timeout(server, session):
    server.drip("/silent.xml", interval=5, duration=10)
    limits = FetchLimits(timeout_s=3, read_timeout_s=0.3)
    reason, elapsed = await failure(session, server.url("/silent.xml"), limits)
    assert reason == "no data for 0.3 s" and elapsed < 1.0


async def test_hang_up_and_refused_connection_are_named(server, session):
    server.hangup("/hangup.xml")
    assert (await failure(session, server.url("/hangup.xml")))[0] == "server closed the connection"
    port = int(server.base.rsplit(":", 1)[1])
    await server.close()
    reason, _ = await failure(session, f"http://127.0.0.1:{port}/feed.xml")
    assert reason.startswith("cannot connect")


async def test_names_off_loopback_are_never_looked_up_in_tests(session):
    reason, _ = await failure(session, "http://news.invalid/feed.xml")
    assert reason.startswith("cannot connect") and "news.invalid" in reason
