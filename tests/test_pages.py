"""The web pages over loopback HTTP, from a store the demo feeds were polled into: what the story,
topic and front pages show in each language, how the language is chosen, that feed text stays text,
the security headers, GET only, and that `bot web` starts without any chat token."""

from __future__ import annotations

import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import lxml.html
import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.cli import parser
from bot.config import Secrets, Settings
from bot.pages import choose_locale
from briefings.models import Article, Evidence, KeyDate, Pledge, Story
from briefings.store import Store
from briefings.view import build_view
from tests.support.chat_stories import HOSTILE_URL
from tests.support.pages_site import DemoSite, bot_web, build_demo_store, serve_pages

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> DemoSite:
    return build_demo_store(tmp_path_factory.mktemp("pages"))


async def _get(url: str, **headers: str) -> tuple[int, dict[str, str], str]:
    async with aiohttp.ClientSession() as session, session.get(url, headers=headers) as response:
        return response.status, dict(response.headers), await response.text()


def _pledges(html: str) -> list[lxml.html.HtmlElement]:
    return lxml.html.fromstring(html).xpath("//section[@class='pledges']/ul/li")


async def test_story_page_shows_the_pledge_once_with_its_sentences_in_both_languages(site: DemoSite) -> None:
    async with serve_pages(site) as base:
        for lang, figure in (("en", "$35 billion"), ("fr", "35 milliards de dollars")):
            status, _, html = await _get(f"{base}/story/{site.pledge_story}?lang={lang}")
            assert status == 200
            items = [li for li in _pledges(html) if figure in li.xpath(".//p[@class='fact']")[0].text_content()]
            assert len(items) == 1, f"the $35bn pledge is listed once in {lang}"
            quoted = {q.get("lang") for q in items[0].xpath(".//blockquote")}
            assert quoted == {"fr", "en"}, "its sentences come from French and English articles"
            cited = [a.get("href") for a in items[0].xpath(".//cite/a")]
            assert all(href.startswith("http://127.0.0.1:") for href in cited) and len(set(cited)) >= 3
            page = lxml.html.fromstring(html)
            assert [ul.get("lang") for ul in page.xpath("//section[@class='articles']/ul")] == ["fr", "en"]
            assert page.get("lang") == lang


async def test_topic_and_front_pages_link_to_story_pages_and_calendars(site: DemoSite) -> None:
    async with serve_pages(site) as base:
        status, _, html = await _get(f"{base}/?lang=fr")
        assert status == 200
        page = lxml.html.fromstring(html)
        links = [a.get("href") for a in page.xpath("//a")]
        assert f"/story/{site.pledge_story}?lang=fr" in links
        assert "/topic/ukraine-aid?lang=fr" in links and "/calendar/ukraine-aid.ics" in links
        status, _, html = await _get(f"{base}/topic/ukraine-aid?lang=fr")
        assert status == 200
        page = lxml.html.fromstring(html)
        assert page.xpath("//h1")[0].text_content() == "Aide à l'Ukraine"
        assert f"/story/{site.pledge_story}?lang=fr" in [a.get("href") for a in page.xpath("//article/h2/a")]
        assert "35 milliards de dollars" in page.text_content()


async def test_language_comes_from_the_query_then_accept_language(site: DemoSite) -> None:
    async with serve_pages(site) as base:
        _, headers, html = await _get(f"{base}/", **{"Accept-Language": "de-DE,fr-CA;q=0.8,en;q=0.5"})
        assert lxml.html.fromstring(html).get("lang") == "fr" and headers["Content-Language"] == "fr"
        assert "Accept-Language" in headers["Vary"]
        _, _, html = await _get(f"{base}/?lang=en", **{"Accept-Language": "fr"})
        assert lxml.html.fromstring(html).get("lang") == "en"
    assert choose_locale(None, "en;q=0.4, fr;q=0.9") == "fr"
    assert choose_locale(None, "fr;q=0, en-GB") == "en"
    assert choose_locale("de", "de, it;q=bad") == "en"


async def test_hostile_feed_text_is_shown_as_text(site: DemoSite) -> None:
    async with serve_pages(site) as base:
        status, _, html = await _get(f"{base}/story/{site.hostile_story}?lang=en")
        assert status == 200
        page = lxml.html.fromstring(html)
        assert page.xpath("//script") == [] and page.xpath("//b") == []
        assert "<script>x</script>" in page.xpath("//h1")[0].text_content()
        hrefs = {a.get("href") for a in page.xpath("//a")}
        assert not any(h.startswith("javascript:") or "evil.example" in h for h in hrefs)
        assert HOSTILE_URL in hrefs


async def test_security_headers_get_only_and_not_found(site: DemoSite) -> None:
    async with serve_pages(site) as base, aiohttp.ClientSession() as session:
        for path in ("/", "/topic/nato", f"/story/{site.pledge_story}", "/story/no-such-story", "/topic/nope"):
            async with session.get(base + path) as response:
                assert response.status == (404 if "no" in path.rsplit("/", 1)[-1][:2] else 200), path
                csp = response.headers["Content-Security-Policy"]
                assert "default-src 'none'" in csp and "script-src" not in csp
                assert response.headers["X-Content-Type-Options"] == "nosniff"
                assert response.headers["X-Frame-Options"] == "DENY"
                assert response.headers["Referrer-Policy"] == "no-referrer"
        for method in ("POST", "PUT", "DELETE"):
            async with session.request(method, f"{base}/story/{site.pledge_story}") as response:
                assert response.status == 405, method
        async with session.get(f"{base}/page.css") as response:
            assert response.status == 200 and response.content_type == "text/css"


async def test_pages_beside_slack_when_its_secrets_are_set(site: DemoSite) -> None:
    settings = Settings(path=None, secrets=Secrets(slack_bot_token="xoxb-test", slack_signing_secret="s3cret"))
    async with serve_pages(site, settings) as base, aiohttp.ClientSession() as session:
        async with session.get(f"{base}/") as response:
            assert response.status == 200
        async with session.post(f"{base}/slack/commands", data="command=%2Fsummary") as response:
            assert response.status == 401, "unsigned Slack requests are refused"
    async with (serve_pages(site) as base, aiohttp.ClientSession() as session,
                session.post(f"{base}/slack/commands", data="command=%2Fsummary") as response):
        assert response.status == 404, "no Slack endpoint without its secrets"


def test_bot_web_starts_without_chat_tokens_on_loopback(site: DemoSite, tmp_path: Path) -> None:
    assert parser().parse_args(["web"]).host == "127.0.0.1"
    with bot_web(site, tmp_path) as base, \
            urllib.request.urlopen(f"{base}/story/{site.pledge_story}?lang=en", timeout=10) as response:
        assert "$35 billion" in response.read().decode()


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_every_message_of_the_pages_is_in_the_catalog(locale: str) -> None:
    found = extract_from_dir(
        str(ROOT / "bot"),
        [("page*.py", "python"), ("templates/web/**.j2", "jinja2.ext:babel_extract")],
        options_map={"templates/web/**.j2": {"extensions": "jinja2.ext.i18n"}},
        keywords={"gettext": None, "ngettext": (1, 2), "_": None},
    )
    used = {msg if isinstance(msg, str) else msg[0] for _, _, msg, _, _ in found}
    assert {"Latest stories", "Page not found", "Pledges"} <= used
    with (ROOT / "briefings" / "locales" / locale / "LC_MESSAGES" / "messages.po").open("rb") as fp:
        catalog = read_po(fp, locale=locale)
    assert {m for m in used if not (catalog.get(m) and catalog.get(m).string)} == set()


def _disputed_story(as_of: datetime) -> Story:
    """Two outlets give different figures for one pledge; the story also names a date now passed."""
    first = Article(url="https://one.example/a", title="Le Danemark annonce une aide", text="", language="fr",
                    published=as_of - timedelta(hours=5), feed="un-journal")
    second = Article(url="https://two.example/b", title="Denmark sets out its aid", text="", language="en",
                     published=as_of - timedelta(hours=4), feed="another-paper")
    low = Pledge(donor="DK", recipient="UA", amount=1e9, currency="EUR", language="fr",
                 evidence=[Evidence("Copenhague mettra un milliard d'euros sur la table.", first.url)])
    high = Pledge(donor="DK", recipient="UA", amount=1.5e9, currency="EUR",
                  evidence=[Evidence("Copenhagen put the figure at 1.5 billion euros.", second.url)])
    passed = KeyDate(date=(as_of - timedelta(days=20)).date().isoformat(), event="donors' call", place="Oslo",
                     evidence=[Evidence("The donors held a call in Oslo.", second.url)])
    return Story(id="story-disputed", title={"en": "Denmark's aid figure", "fr": "Le chiffre de l'aide danoise"},
                 articles=[first, second], topics=["ukraine-aid"], pledges=[low, high], conflicts=[[low, high]],
                 dates=[passed])


async def test_figures_that_differ_are_shown_side_by_side_with_each_sentence(site: DemoSite) -> None:
    store = Store(site.url)
    try:
        store.write_views([build_view(_disputed_story(site.as_of), [], datetime.now(UTC))])
    finally:
        store.close()
    async with serve_pages(site) as base:
        _, _, html = await _get(f"{base}/story/story-disputed?lang=en")
    items = _pledges(html)
    assert len(items) == 1, "one pledge, its figures side by side"
    conflict = items[0].xpath(".//p[@class='conflict']")[0].text_content()
    assert "€1 billion" in conflict and "€1.5 billion" in conflict
    assert {q.text_content() for q in items[0].xpath(".//blockquote")} == {
        "Copenhague mettra un milliard d'euros sur la table.", "Copenhagen put the figure at 1.5 billion euros."}
    dates = lxml.html.fromstring(html).xpath("//section[@class='dates']//p[@class='fact']")
    assert len(dates) == 1 and "Oslo" in dates[0].text_content(), "a passed date is still part of the story"


async def test_ledger_page_lists_pledges_with_totals_and_serves_its_charts(site: DemoSite) -> None:
    async with serve_pages(site) as base:
        status, headers, html = await _get(f"{base}/ledger?lang=fr")
        assert status == 200 and "img-src 'self'" in headers["Content-Security-Policy"]
        page = lxml.html.fromstring(html)
        assert page.xpath("//h1")[0].text_content() == "Registre des engagements"
        assert "35 milliards de dollars" in page.text_content()
        charts = [img.get("src") for img in page.xpath("//figure/img")]
        assert charts and all(src.startswith("/ledger/") for src in charts)
        async with aiohttp.ClientSession() as session, session.get(base + charts[0]) as response:
            png = await response.read()
            assert response.status == 200 and response.content_type == "image/png"
        assert png.startswith(b"\x89PNG\r\n\x1a\n")
        donor_links = [a.get("href") for a in page.xpath("//nav[@class='donors']/a")]
        assert donor_links and all(href.startswith("/ledger?donor=") for href in donor_links)
        status, _, html = await _get(base + donor_links[0])
        assert status == 200 and lxml.html.fromstring(html).xpath("//nav[@class='donors']/strong")
        assert (await _get(f"{base}/ledger/XYZ.png"))[0] == 404  # no pledge in that currency
