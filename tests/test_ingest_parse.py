"""parse_feed(): items as plain text, broken feeds named, hostile XML refused quickly."""

from __future__ import annotations

import time
import tracemalloc
from datetime import UTC, datetime

import pytest

from briefings.ingest.html_text import html_to_text
from briefings.ingest.parse import FeedParseError, parse_feed
from tests.support.feedserver import FeedEntry, atom, rss

BASE = "http://news.test/feeds/world.xml"
LONG_FR = (
    "<p>Les ministres de la défense se sont réunis mardi pour coordonner les livraisons d'hiver.</p>"
    "<p>Plusieurs capitales ont promis des obus supplémentaires, d'autres ont parlé de stocks vides.</p>"
    "<p>La prochaine réunion est prévue au printemps dans une capitale du nord de l'Europe.</p>"
    "<p>Les diplomates espèrent un accord sur le financement commun avant la fin de l'année.</p>"
    "<p>Un haut fonctionnaire a reconnu que les usines tournaient déjà à plein régime depuis l'été.</p>"
)


def test_rss_items_carry_plain_text_absolute_links_and_utc_dates():
    when = datetime(2026, 3, 4, 10, 30, tzinfo=UTC)
    body = rss(
        [
            FeedEntry(
                "Réunion à Bruxelles",
                "/a/1.html",
                summary="<p>Les <b>ministres</b> &amp; experts.</p>",
                content_html=LONG_FR,
                guid="tag:news.test,1",
                published=when,
            )
        ],
        language="fr-FR",
    ).encode()
    feed = parse_feed(body, BASE)
    assert feed.language == "fr-FR"
    [item] = feed.items
    assert item.link == "http://news.test/a/1.html"
    assert item.guid == "tag:news.test,1"
    assert item.title == "Réunion à Bruxelles"
    assert item.summary == "Les ministres & experts."
    assert item.content.split("\n")[0].startswith("Les ministres de la défense")
    assert len(item.content.split("\n")) == 5
    assert item.published == when
    assert item.language == "fr-FR"
    assert item.has_full_text


def test_atom_feed_is_read_too():
    when = datetime(2026, 1, 2, 8, 0, tzinfo=UTC)
    body = atom(
        [FeedEntry("Allies meet", "http://news.test/a/2", summary="A short teaser.", published=when)], language="en"
    )
    [item] = parse_feed(body.encode(), BASE).items
    assert item.link == "http://news.test/a/2" and item.summary == "A short teaser."
    assert item.content == "" and not item.has_full_text
    assert item.published == when


def test_teaser_content_is_not_full_text():
    short = "<p>Only a couple of lines about the meeting.</p>"
    [item] = parse_feed(
        rss([FeedEntry("T", "http://n.test/a", summary="A teaser.", content_html=short)]).encode(), BASE
    ).items
    assert not item.has_full_text


def test_content_only_item_gets_its_first_paragraph_as_summary():
    [item] = parse_feed(rss([FeedEntry("T", "http://n.test/a", content_html=LONG_FR)]).encode(), BASE).items
    assert item.summary == item.content.split("\n")[0]
    assert item.has_full_text


def test_item_hash_changes_when_the_publisher_edits_the_item():
    before = parse_feed(rss([FeedEntry("T", "http://n.test/a", summary="Version one.")]).encode(), BASE)
    after = parse_feed(rss([FeedEntry("T", "http://n.test/a", summary="Version two.")]).encode(), BASE)
    assert before.items[0].item_hash != after.items[0].item_hash


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "not a feed: empty body"),
        (b"  \n ", "not a feed: empty body"),
        (b"<!doctype html><html><body><h1>Welcome</h1></body></html>", "not a feed: HTML page"),
        (b"<html><head><title>x</title></head><body>x</body></html>", "not a feed: HTML page"),
    ],
)
def test_bodies_that_are_not_feeds_are_named(body, reason):
    with pytest.raises(FeedParseError) as info:
        parse_feed(body, BASE)
    assert info.value.reason == reason


def test_broken_xml_without_entries_reports_the_line():
    body = b'<?xml version="1.0"?>\n<rss version="2.0">\n<channel><title>x</title>\n</chanel></rss>'
    with pytest.raises(FeedParseError) as info:
        parse_feed(body, BASE)
    assert info.value.reason.startswith("not a feed: XML error at line 4")


def test_broken_xml_with_entries_is_accepted_with_a_warning():
    body = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>'
        b"<item><title>First</title><link>http://n.test/1</link></item>"
        b"<item><title>Second</title><link>http://n.test/2</link></it></channel>"
    )
    feed = parse_feed(body, BASE)
    assert [i.title for i in feed.items] == ["First", "Second"]
    assert feed.warning and "XML error" in feed.warning


def test_wrong_declared_encoding_still_parses():
    body = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Défense</title>'
        "<item><title>Sécurité</title><link>http://n.test/a</link></item></channel></rss>"
    ).encode("latin-1")
    [item] = parse_feed(body, BASE).items
    assert item.title == "Sécurité"


def test_billion_laughs_is_refused_fast_and_small():
    entities = "".join(f'<!ENTITY l{i} "{("&l" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
    body = (
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY l0 "lol">{entities}]>'
        "<rss><channel><title>&l9;</title></channel></rss>"
    ).encode()
    tracemalloc.start()
    started = time.monotonic()
    with pytest.raises(FeedParseError) as info:
        parse_feed(body, BASE)
    elapsed = time.monotonic() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert info.value.reason == "not a feed: XML entity declarations are refused"
    assert elapsed < 0.5 and peak < 10_000_000


def test_a_string_that_looks_like_a_path_is_never_opened():
    with pytest.raises(FeedParseError):
        parse_feed(b"/etc/hostname", BASE)


def test_html_to_text_keeps_paragraphs_and_drops_scripts():
    text = html_to_text("<p>One <i>two</i></p><script>alert(1)</script><p>Three<br>four</p>")
    assert text == "One two\nThree\nfour"
