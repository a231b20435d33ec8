"""The bundled demo feeds: valid RSS, the facts the demo is meant to show, and text of our own."""

from __future__ import annotations

import html
import json
import re
import unicodedata
from pathlib import Path

import feedparser
import pytest

from briefings.demo import DEMO_DIR, feed_files, page_files, render_with_base

BASE = "http://127.0.0.1:8765"
SHARED = Path(__file__).resolve().parents[2] / "shared"


def _parsed() -> dict[str, feedparser.FeedParserDict]:
    return {path.stem: feedparser.parse(render_with_base(path, BASE)) for path in feed_files()}


def _strip_tags(markup: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", markup))


def _page_text(path: Path) -> str:
    """The article body of a demo page (navigation and footer left out)."""
    body = re.search(r"<article>(.*?)</article>", path.read_text(encoding="utf-8"), re.S)
    assert body, f"{path.name} has no <article>"
    return _strip_tags(body.group(1))


def _all_demo_text() -> str:
    """Every article text and title of the demo, feeds and pages together."""
    parts = []
    for feed in _parsed().values():
        for entry in feed.entries:
            parts += [entry.title, entry.get("summary", "")]
            parts += [_strip_tags(c.value) for c in entry.get("content", [])]
    parts += [_page_text(p) for p in page_files()]
    return "\n".join(parts)


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).replace("’", "'").casefold()
    return " ".join(re.findall(r"\w+", text))


def test_feeds_parse_as_rss_with_a_language_and_dated_items() -> None:
    feeds = _parsed()
    assert set(feeds) == {"le-veilleur", "alliance-wire", "northern-ledger"}
    for name, feed in feeds.items():
        assert not feed.bozo, (name, feed.get("bozo_exception"))
        assert feed.version == "rss20"
        assert feed.feed.language in {"fr", "en"}
        for entry in feed.entries:
            assert entry.published_parsed, entry.title
            assert entry.link.startswith(BASE + "/"), entry.link
            assert "{{BASE}}" not in entry.link


def test_main_story_has_two_french_and_two_english_articles_on_12_and_13_february() -> None:
    main = []
    for feed in _parsed().values():
        for entry in feed.entries:
            day = entry.published_parsed[:3]
            if day in {(2026, 2, 12), (2026, 2, 13)}:
                main.append(feed.feed.language)
    assert sorted(main) == ["en", "en", "fr", "fr"]


def test_summary_only_items_link_to_a_served_page() -> None:
    pages = {p.name for p in page_files()}
    summary_only = [e for feed in _parsed().values() for e in feed.entries if not e.get("content")]
    assert len(summary_only) == 2
    for entry in summary_only:
        name = entry.link.rsplit("/", 1)[-1]
        assert name in pages
        assert entry.link == f"{BASE}/pages/{name}"


def test_items_with_full_text_carry_much_more_than_their_summary() -> None:
    """So ingest keeps the feed's text instead of fetching a page the demo does not serve."""
    for feed in _parsed().values():
        for entry in feed.entries:
            if entry.get("content"):
                text = _strip_tags(entry.content[0].value).strip()
                assert len(text) >= 400 and len(text) >= 2 * len(entry.summary), entry.title


def test_pages_wrap_the_article_in_navigation_and_footer() -> None:
    for page in page_files():
        served = render_with_base(page.relative_to(DEMO_DIR), BASE).decode()
        assert "<nav>" in served and "<footer>" in served
        assert "{{BASE}}" not in served
        assert f'href="{BASE}/' in served


@pytest.mark.parametrize(
    "phrase",
    [
        # $35bn, stated by several articles in both languages
        "35 milliards de dollars d'aide militaire",
        "pledged $35bn in new military aid for 2026",
        "pledged a total of $35bn in military aid for 2026",
        # the UK's packages
        "£500m package of missiles and air defence systems",
        "500 millions de livres sterling",
        "contribute £150m to PURL, the NATO scheme that buys American weapons",
        "150 millions de livres sterling au dispositif PURL",
        # Germany's conditional offer
        "livrerait cinq intercepteurs PAC-3 à l'Ukraine, à condition que d'autres alliés en fournissent une trentaine",
        "deliver five PAC-3 interceptors to Ukraine, provided that other allies supply about thirty more",
        # Arctic Sentry, launched the day before
        "lancé mercredi 11 février une nouvelle mission baptisée Arctic Sentry",
        "On Wednesday, NATO launched Arctic Sentry, a new mission to strengthen security in the High North",
        # upcoming dates
        "prochain sommet de l'OTAN, prévu en juillet à Ankara",
        "next NATO summit, which will be held in Ankara in July",
        "5 % de leur produit intérieur brut à la défense et à la sécurité d'ici 2035",
        "By 2035, every ally is expected to spend 5% of its GDP",
        # a past total, context only
        "Last year the contact group raised $45bn",
        # the other stories
        "NATO on Friday launched Eastern Sentry",
        "l'opération Sentinelle orientale (Eastern Sentry)",
        "Winter Olympics were declared open on Friday night",
    ],
)
def test_demo_states_the_facts_it_is_meant_to_show(phrase: str) -> None:
    assert phrase in _all_demo_text()


def test_demo_text_has_no_mass_mentions_or_chat_markup() -> None:
    text = "\n".join(p.read_text(encoding="utf-8") for p in [*feed_files(), *page_files()])
    for marker in ("@everyone", "@here", "<!channel>", "<!here>", "<@"):
        assert marker not in text


def test_render_with_base_refuses_paths_outside_the_demo_folder() -> None:
    with pytest.raises(FileNotFoundError):
        render_with_base("../models.py", BASE)
    with pytest.raises(FileNotFoundError):
        render_with_base("feeds/missing.xml", BASE)


def _shared_article_texts() -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in sorted((SHARED / "seeds").glob("*.txt"))]
    for path in sorted((SHARED / "eval").glob("*/articles/*.json")):
        article = json.loads(path.read_text(encoding="utf-8"))
        texts += [article.get("title") or "", article.get("text") or ""]
    return texts


@pytest.mark.skipif(not (SHARED / "seeds").is_dir(), reason="/work/shared is not available")
def test_no_demo_sentence_or_long_passage_comes_from_the_seed_or_eval_articles() -> None:
    shared = " | ".join(_normalise(t) for t in _shared_article_texts())
    sentences = [s for s in re.split(r"(?<=[.!?])\s+|\n+", _all_demo_text()) if len(s.split()) >= 5]
    assert len(sentences) > 40
    for sentence in sentences:
        assert _normalise(sentence) not in shared, sentence
    # No run of twelve words either, so a copied clause cannot hide inside a reworded sentence.
    words = _normalise(_all_demo_text()).split()
    for i in range(len(words) - 11):
        run = " ".join(words[i : i + 12])
        assert run not in shared, run
