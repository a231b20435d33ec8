"""Canonical URLs, near-duplicate fingerprints and edit detection."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from briefings.ingest.dedupe import article_keys, canonical_url, content_hash, fingerprint, hamming, near_duplicate
from briefings.models import Article

WIRE = (
    "Defence ministers from about fifty countries met on Tuesday to plan deliveries for the coming winter. "
    "Several governments said they would send more artillery shells and spare parts for air defence "
    "systems, while others warned that their own stocks were running low. The host minister said the "
    "group would meet again in the spring and that a joint fund for ammunition was under discussion. "
    "Officials expect the first new shipments to arrive within weeks, although no figures were published."
)
SAME_TOPIC = (
    "Meeting on Tuesday, the defence chiefs of the coalition discussed what could still be delivered before "
    "the cold season. A ministry spokesman in the host country described the talks as difficult, pointing "
    "to shortages of shells across Europe. Some delegations proposed pooling money to buy ammunition "
    "abroad, an idea that others rejected. No date was fixed for the next session of the group."
)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTP://News.Test/World/Story-1/?utm_source=rss&utm_medium=feed", "http://news.test/World/Story-1"),
        ("https://news.test:443/a/1.html#comments", "https://news.test/a/1.html"),
        ("http://news.test:8080/a?b=2&a=1&fbclid=xyz", "http://news.test:8080/a?a=1&b=2"),
        ("https://news.test/a?id=7&xtor=RSS-3&at_medium=feed", "https://news.test/a?id=7"),
        ("https://news.test", "https://news.test/"),
        ("https://news.test/", "https://news.test/"),
        ("http://127.0.0.1:8765/a/x.html", "http://127.0.0.1:8765/a/x.html"),
    ],
)
def test_canonical_url(url, expected):
    assert canonical_url(url) == expected


def test_the_same_wire_copy_at_two_urls_is_a_near_duplicate():
    copy = "By our correspondent. " + WIRE.replace("Tuesday", "Tuesday afternoon") + " (With agencies.)"
    assert near_duplicate(fingerprint(WIRE), fingerprint(copy))


def test_two_texts_on_the_same_topic_are_not_near_duplicates():
    assert hamming(fingerprint(WIRE), fingerprint(SAME_TOPIC)) > 16
    assert not near_duplicate(fingerprint(WIRE), fingerprint(SAME_TOPIC))


def test_fingerprint_ignores_case_accents_and_punctuation_and_is_hex():
    fp = fingerprint(WIRE)
    assert len(fp) == 16 and int(fp, 16) >= 0
    assert fingerprint(WIRE.upper().replace(",", "")) == fp


def test_too_short_texts_have_no_fingerprint_and_never_match():
    assert fingerprint("Talks resume today.") == ""
    assert not near_duplicate("", "")


def test_an_edit_changes_the_content_hash_but_not_the_keys():
    when = datetime(2026, 1, 5, tzinfo=UTC)
    first = Article(
        url="https://news.test/a/1?utm_campaign=x",
        title="Talks",
        text=WIRE,
        language="en",
        published=when,
        feed="wire",
        guid="id-1",
    )
    edited = Article(
        url="https://news.test/a/1",
        title="Talks",
        text=WIRE + " Updated at noon.",
        language="en",
        published=when,
        feed="wire",
        guid="id-1",
    )
    assert article_keys(first) == article_keys(edited) == ["url:https://news.test/a/1", "guid:wire:id-1"]
    assert content_hash(first.title, first.text) != content_hash(edited.title, edited.text)
    assert content_hash("Talks", WIRE) == content_hash(" Talks ", WIRE.replace(". ", ".  "))
