"""poll_feed() / poll_feeds(): whole feeds polled over loopback, faults and all."""

from __future__ import annotations

import dataclasses
import time
from datetime import UTC, datetime, timedelta

import pytest

from briefings.ingest.dedupe import content_hash
from briefings.ingest.fetch import FetchLimits, make_session
from briefings.ingest.poll import backoff, poll_feed, poll_feeds
from briefings.models import FeedState
from tests.support.feedserver import FeedEntry, FeedServer, LoopbackResolver, article_page, rss

LIMITS = FetchLimits(timeout_s=1.0, read_timeout_s=0.8, max_bytes=1_000_000)
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
EN = [
    "Defence ministers met on Tuesday to plan what can still be delivered before the winter sets in.",
    "Several governments promised more artillery shells, while others said their own stocks were empty.",
    "The host minister added that a shared fund for buying ammunition abroad was being discussed.",
]
FR = [
    "Les ministres de la défense se sont retrouvés mardi pour organiser les livraisons avant l'hiver.",
    "Plusieurs gouvernements ont promis davantage d'obus, d'autres ont reconnu des stocks épuisés.",
    "Le ministre hôte a évoqué un fonds commun pour acheter des munitions hors d'Europe.",
]
FULL_EN = "".join(f"<p>{p}</p>" for p in EN + [p.replace("Tuesday", "Monday") for p in EN])


@pytest.fixture
async def server():
    async with FeedServer() as srv:
        yield srv


@pytest.fixture
async def session():
    async with make_session(LIMITS, resolver=LoopbackResolver()) as sess:
        yield sess


def state(server: FeedServer, path: str, name: str = "outlet", **kwargs) -> FeedState:
    return FeedState(name=name, url=server.url(path), **kwargs)


async def test_summary_only_feed_gets_the_page_text_without_navigation(server, session):
    server.set_feed(
        "/feed.xml",
        rss(
            [
                FeedEntry(
                    "Réunion des ministres",
                    server.url("/a/1.html?utm_source=rss"),
                    summary="Les ministres se sont réunis.",
                    guid="fr-1",
                    published=datetime(2026, 3, 9, 8, tzinfo=UTC),
                ),
            ],
            language="fr",
        ),
    )
    server.set_page(
        "/a/1.html",
        article_page(
            "Réunion des ministres", FR, lang="fr", nav="Accueil · Monde · Se connecter", footer="© Journal fictif"
        ),
    )
    outcome = await poll_feed(session, state(server, "/feed.xml"), limits=LIMITS, now=NOW)
    assert outcome.error is None and outcome.page_errors == []
    [article] = outcome.articles
    assert article.text == "\n".join(FR)
    assert "Accueil" not in article.text and "Journal fictif" not in article.text
    assert article.url == server.url("/a/1.html")
    assert article.summary == "Les ministres se sont réunis."
    assert article.language == "fr" and article.feed == "outlet" and article.guid == "fr-1"
    assert article.published == datetime(2026, 3, 9, 8, tzinfo=UTC)
    assert len(article.fingerprint) == 16
    assert server.hits["/a/1.html"] == 1


async def test_full_content_feed_fetches_no_page(server, session):
    server.set_feed(
        "/feed.xml",
        rss(
            [
                FeedEntry("Ministers meet", server.url("/a/2.html"), summary="Ministers met.", content_html=FULL_EN),
            ]
        ),
    )
    outcome = await poll_feed(session, state(server, "/feed.xml"), limits=LIMITS, now=NOW)
    [article] = outcome.articles
    assert article.text.split("\n")[:3] == EN and article.language == "en"
    assert server.hits["/a/2.html"] == 0


async def test_second_poll_is_not_modified_and_a_change_comes_through(server, session):
    server.set_feed("/feed.xml", rss([FeedEntry("Ministers meet", server.url("/a/2.html"), content_html=FULL_EN)]))
    first = await poll_feed(session, state(server, "/feed.xml"), limits=LIMITS, now=NOW)
    assert first.state.etag and first.state.seeded and len(first.articles) == 1
    assert first.articles[0].backlog  # the first poll seeds: stored, not announced

    second = await poll_feed(session, first.state, limits=LIMITS, now=NOW + timedelta(minutes=5))
    assert second.not_modified and second.articles == [] and second.error is None
    assert server.not_modified["/feed.xml"] == 1

    edited = FULL_EN.replace("Tuesday", "Wednesday")
    server.set_feed("/feed.xml", rss([FeedEntry("Ministers meet", server.url("/a/2.html"), content_html=edited)]))
    third = await poll_feed(session, second.state, limits=LIMITS, now=NOW + timedelta(minutes=10))
    [article] = third.articles
    assert not article.backlog
    assert article.url == first.articles[0].url  # same article, edited: an update for the store
    old, new = first.articles[0], article
    assert content_hash(old.title, old.text) != content_hash(new.title, new.text)


async def test_broken_feed_beside_a_good_one(server):
    server.set_feed("/good.xml", rss([FeedEntry("Ministers meet", server.url("/a/2.html"), content_html=FULL_EN)]))
    server.fail("/bad.xml", 500)
    server.set("/page.xml", "<!doctype html><html><body>Welcome</body></html>", "text/html")
    outcomes = await poll_feeds(
        [state(server, "/bad.xml", "bad"), state(server, "/good.xml", "good"), state(server, "/page.xml", "html")],
        LIMITS,
        NOW,
    )
    bad, good, html_feed = outcomes
    assert [o.feed for o in outcomes] == ["bad", "good", "html"]
    assert len(good.articles) == 1 and good.error is None and good.state.failures == 0
    assert bad.error == "HTTP 500" and bad.articles == []
    assert bad.state.failures == 1 and bad.state.last_error == "HTTP 500"
    assert bad.state.next_attempt == NOW + timedelta(minutes=1)
    assert html_feed.error == "not a feed: HTML page"


async def test_failures_back_off_exponentially_and_success_resets(server):
    server.fail("/bad.xml", 503)
    current = state(server, "/bad.xml", "bad")
    now = NOW
    for expected in (1, 2, 4, 8):
        [outcome] = await poll_feeds([current], LIMITS, now)
        assert outcome.state.next_attempt == now + timedelta(minutes=expected)
        current, now = outcome.state, outcome.state.next_attempt

    [skipped] = await poll_feeds([current], LIMITS, now - timedelta(seconds=1))
    assert skipped.skipped and skipped.state == current
    naive = dataclasses.replace(current, next_attempt=current.next_attempt.replace(tzinfo=None))  # as SQLite gives
    [skipped_naive] = await poll_feeds([naive], LIMITS, now - timedelta(seconds=1))
    assert skipped_naive.skipped
    hits = server.hits["/bad.xml"]
    [forced] = await poll_feeds([current], LIMITS, now - timedelta(seconds=1), force=True)
    assert not forced.skipped and server.hits["/bad.xml"] == hits + 1

    server.set_feed("/bad.xml", rss([]))
    [recovered] = await poll_feeds([current], LIMITS, now, force=True)
    assert recovered.error is None and recovered.state.failures == 0 and recovered.state.next_attempt is None
    assert backoff(20) == timedelta(hours=6)


async def test_hostile_feeds_fail_fast_with_clear_errors(server):
    server.redirect("/loop.xml", "/loop.xml")
    server.oversize("/huge.xml", 20_000_000, declare_length=False)
    server.gzip_bomb("/bomb.xml", inflated=50_000_000)
    server.bomb_body(50_000_000)
    server.drip("/slow.xml", interval=0.1, duration=10)
    server.hangup("/hangup.xml")
    server.set_feed("/good.xml", rss([FeedEntry("Ministers meet", server.url("/a/2.html"), content_html=FULL_EN)]))
    paths = ["/loop.xml", "/huge.xml", "/bomb.xml", "/slow.xml", "/hangup.xml", "/good.xml"]
    started = time.monotonic()
    outcomes = await poll_feeds([state(server, p, p) for p in paths], LIMITS, NOW)
    assert time.monotonic() - started < 2.0
    assert [o.error for o in outcomes] == [
        "redirect loop",
        "body larger than 1 MB",
        "body larger than 1 MB once decompressed",
        "timed out after 1 s",
        "server closed the connection",
        None,
    ]
    assert len(outcomes[-1].articles) == 1


async def test_a_failing_page_keeps_the_item_on_its_summary(server, session):
    server.set_feed(
        "/feed.xml",
        rss(
            [
                FeedEntry("Allies meet", server.url("/a/missing.html"), summary="Allies met in the capital on Monday."),
                FeedEntry(
                    "Allies pledge", server.url("/a/slow.html"), summary="Allies pledged more shells on Tuesday."
                ),
                FeedEntry("Allies report", server.url("/a/report.pdf"), summary="Allies published a report on stocks."),
            ],
            language="en",
        ),
    )
    server.drip("/a/slow.html", interval=0.1, duration=10)
    server.set("/a/report.pdf", b"%PDF-1.7 binary", "application/pdf", conditional=False)
    outcome = await poll_feed(session, state(server, "/feed.xml"), limits=LIMITS, now=NOW)
    assert [a.text for a in outcome.articles] == [
        "Allies met in the capital on Monday.",
        "Allies pledged more shells on Tuesday.",
        "Allies published a report on stocks.",
    ]
    assert sorted(outcome.page_errors) == [
        f"{server.url('/a/missing.html')}: HTTP 404",
        f"{server.url('/a/report.pdf')}: not an HTML page (application/pdf)",
        f"{server.url('/a/slow.html')}: timed out after 1 s",
    ]
    assert outcome.error is None


async def test_published_falls_back_from_feed_to_page_to_fetch_time(server, session):
    page_date = datetime(2026, 3, 1, 7, 15, tzinfo=UTC)
    feed_date = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    server.set_feed(
        "/feed.xml",
        rss(
            [
                FeedEntry("Dated by feed", server.url("/a/1.html"), summary="One.", published=feed_date),
                FeedEntry("Dated by page", server.url("/a/2.html"), summary="Two."),
                FeedEntry("Undated", server.url("/a/3.html"), summary="Three."),
                FeedEntry(
                    "Dated in the future", server.url("/a/4.html"), summary="Four.", published=NOW + timedelta(days=30)
                ),
            ]
        ),
    )
    for i in (1, 2, 4):
        server.set_page(f"/a/{i}.html", article_page(f"Page {i}", EN, published=page_date))
    server.set_page("/a/3.html", article_page("Page 3", EN))
    outcome = await poll_feed(session, state(server, "/feed.xml"), limits=LIMITS, now=NOW)
    assert [a.published for a in outcome.articles] == [feed_date, page_date, NOW, page_date]
    assert all(a.published.tzinfo is not None and a.published.utcoffset() == timedelta(0) for a in outcome.articles)


async def test_page_canonical_link_on_the_same_site_is_the_article_url(server, session):
    server.set_feed(
        "/feed.xml",
        rss(
            [
                FeedEntry("Same site", server.url("/a/1.html?from=rss"), summary="One."),
                FeedEntry("Other site", server.url("/a/2.html"), summary="Two."),
            ]
        ),
    )
    server.set_page("/a/1.html", article_page("Same site", EN, canonical="/story/1"))
    server.set_page("/a/2.html", article_page("Other site", EN, canonical="https://elsewhere.test/x"))
    outcome = await poll_feed(session, state(server, "/feed.xml"), limits=LIMITS, now=NOW)
    assert [a.url for a in outcome.articles] == [server.url("/story/1"), server.url("/a/2.html")]


async def test_language_per_article_with_feed_language_for_short_texts(server, session):
    server.set_feed(
        "/feed.xml",
        rss(
            [
                FeedEntry("Réunion", server.url("/a/fr"), content_html="".join(f"<p>{p}</p>" for p in FR * 2)),
                FeedEntry("Meeting", server.url("/a/en"), content_html=FULL_EN),
                FeedEntry("OTAN", "javascript:alert(1)"),
                FeedEntry("Kyiv", server.url("/a/short")),
            ],
            language="fr",
        ),
    )
    outcome = await poll_feed(session, state(server, "/feed.xml"), limits=LIMITS, now=NOW)
    assert [(a.title, a.language) for a in outcome.articles] == [("Réunion", "fr"), ("Meeting", "en"), ("Kyiv", "fr")]


async def test_items_are_capped_and_skip_spares_known_items(server, session):
    entries = [FeedEntry(f"Item {i}", server.url(f"/a/{i}.html"), summary=f"Item number {i}.") for i in range(12)]
    server.set_feed("/feed.xml", rss(entries))
    for i in range(12):
        server.set_page(f"/a/{i}.html", article_page(f"Item {i}", EN))
    limits = FetchLimits(timeout_s=1.0, max_items=10, page_concurrency=2)
    known = {server.url(f"/a/{i}.html") for i in range(5)}
    outcome = await poll_feed(
        session, state(server, "/feed.xml"), limits=limits, now=NOW, skip=lambda item: item.link in known
    )
    assert [a.title for a in outcome.articles] == [f"Item {i}" for i in range(5, 10)]
    assert sum(server.hits[f"/a/{i}.html"] for i in range(12)) == 5


async def test_an_unexpected_error_in_one_feed_spares_the_others(server):
    server.set_feed("/a.xml", rss([FeedEntry("Alpha", server.url("/x"), content_html=FULL_EN)]))
    server.set_feed("/b.xml", rss([FeedEntry("Beta", server.url("/y"), content_html=FULL_EN)]))

    def skip(item):
        if item.title == "Alpha":
            raise RuntimeError("caller bug")
        return False

    first, second = await poll_feeds(
        [state(server, "/a.xml", "a"), state(server, "/b.xml", "b")], LIMITS, NOW, skip=skip
    )
    assert first.error == "internal error: RuntimeError: caller bug" and first.state.failures == 1
    assert [a.title for a in second.articles] == ["Beta"]


async def test_max_age_marks_old_articles_as_backlog(server, session):
    server.set_feed(
        "/feed.xml",
        rss(
            [
                FeedEntry("Fresh", server.url("/a/1"), content_html=FULL_EN, published=NOW - timedelta(hours=2)),
                FeedEntry("Stale", server.url("/a/2"), content_html=FULL_EN, published=NOW - timedelta(days=9)),
            ]
        ),
    )
    seeded = state(server, "/feed.xml", seeded=True)
    outcome = await poll_feed(session, seeded, limits=LIMITS, now=NOW, max_age=timedelta(days=2))
    assert [(a.title, a.backlog) for a in outcome.articles] == [("Fresh", False), ("Stale", True)]
