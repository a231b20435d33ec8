"""extract_page(): the article's text without the page's furniture, and the page's metadata."""

from __future__ import annotations

from datetime import UTC, datetime

from briefings.ingest.pages import extract_page
from tests.support.feedserver import article_page

PARAGRAPHS = [
    "Les ministres de la défense se sont retrouvés mardi pour organiser les livraisons de l'hiver.",
    "Plusieurs gouvernements ont promis davantage d'obus, tandis que d'autres ont évoqué des stocks épuisés.",
    "Une nouvelle rencontre doit avoir lieu au printemps, sans que la ville ait encore été choisie.",
]
NAV = "Accueil · Monde · Europe · Newsletter · Se connecter"
ASIDE = "À lire aussi : les autres titres du jour. Partager · Commentaires"
FOOTER = "© Le Quotidien Imaginaire, tous droits réservés"


def page(**kwargs) -> str:
    defaults = {"lang": "fr", "nav": NAV, "aside": ASIDE, "footer": FOOTER}
    return article_page("Réunion des ministres à Bruxelles", PARAGRAPHS, **(defaults | kwargs))


def test_main_text_keeps_paragraphs_and_leaves_out_navigation_aside_and_footer():
    content = extract_page(page(), "http://news.test/a/1.html")
    assert content.text.split("\n") == PARAGRAPHS
    for furniture in ("Accueil", "Newsletter", "À lire aussi", "Partager", "droits réservés", "Le Quotidien"):
        assert furniture not in content.text


def test_page_metadata_is_read():
    when = datetime(2026, 2, 12, 9, 30, tzinfo=UTC)
    content = extract_page(page(published=when, canonical="http://news.test/a/1.html"), "http://news.test/a/1.html?x=1")
    assert content.title == "Réunion des ministres à Bruxelles"
    assert content.canonical_url == "http://news.test/a/1.html"
    assert content.published == when
    assert content.language == "fr"


def test_published_time_with_offset_is_converted_to_utc():
    markup = page().replace(
        "<head>", '<head><meta property="article:published_time" content="2026-02-12T11:00:00+02:00">'
    )
    assert extract_page(markup, "http://news.test/a/2").published == datetime(2026, 2, 12, 9, 0, tzinfo=UTC)


def test_page_without_metadata_gives_none():
    content = extract_page(page(lang=None), "http://news.test/a/3")
    assert content.language is None and content.canonical_url is None and content.published is None


def test_page_with_no_article_gives_empty_text():
    assert extract_page("<html><body><img src='x.png'></body></html>", "http://news.test/").text == ""
    assert extract_page("", "http://news.test/").text == ""
