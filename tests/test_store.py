"""The store on a real SQLite file: round trips of articles and facts, stories, feeds, outbox, jobs.

Set BRIEFBOT_TEST_POSTGRES_URL (e.g. postgresql+psycopg://user@127.0.0.1/briefbot_test, a database
these tests may wipe) to run the same tests on PostgreSQL as well.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import text

from briefings.models import Article, ArticleFacts, Evidence, FeedState, KeyDate, Mission, Pledge
from briefings.store import Store

T0 = datetime(2025, 3, 10, 9, 30, tzinfo=UTC)


def article(n: int, published: datetime = T0, **kw) -> Article:
    values = {
        "url": f"https://news.example/{n}",
        "title": f"Headline {n}",
        "text": f"Body of article {n}.",
        "language": "en",
        "published": published,
        "feed": "wire",
    }
    values.update(kw)
    return Article(**values)


def rich_facts(url: str) -> ArticleFacts:
    """Every kind of fact with every field filled, tuples and evidence included."""
    said = Evidence(sentence="Oslo will give two hundred million crowns.", url=url)
    return ArticleFacts(
        pledges=[
            Pledge(donor="NO", recipient="UA", amount=200_000_000.0, currency="NOK", quantity=None,
                   item="artillery shells", condition="if parliament agrees", qualifier="about",
                   converted=[(17_500_000.0, "EUR"), (19_000_000.5, "USD")], period="2025-2026",
                   language="en", evidence=[said]),
            Pledge(donor="DK+SE", recipient="UA", quantity=12, item="howitzers", language="fr"),
        ],
        missions=[Mission(name="Northern Lookout", organisation="NATO", launched="2025-03",
                          purpose="guard the sea cables", aliases=["Guet du Nord"],
                          evidence=[said, Evidence(sentence="Second.", url=url)])],
        dates=[KeyDate(date="2025-06-24", event="summit", place="The Hague", language="en")],
        actors={"NO", "UA", "NATO"},
        places={"Oslo"},
        names={"store", "northern lookout"},
        event_date="2025-03-10",
    )


def test_article_and_facts_round_trip_faithfully(store: Store) -> None:
    a = article(1, guid="tag:wire,1", summary="short", fingerprint="abcd", backlog=True)
    facts = rich_facts(a.url)
    new_id = store.add_article(a, facts)
    assert a.id == new_id

    found = store.find_article(url=a.url)
    assert found == a
    [(stored, stored_facts)] = store.articles_in_window(T0 - timedelta(hours=1), T0 + timedelta(hours=1))
    assert stored == a
    assert stored_facts == facts
    assert isinstance(stored_facts.pledges[0].converted[0], tuple)
    assert stored.published.tzinfo is not None and stored.published == T0


def test_datetimes_come_back_in_utc_and_naive_ones_are_refused(store: Store) -> None:
    paris = timezone(timedelta(hours=1))
    a = article(1, published=datetime(2025, 3, 10, 10, 30, tzinfo=paris))
    store.add_article(a, ArticleFacts())
    assert store.find_article(url=a.url).published == T0
    assert store.find_article(url=a.url).published.utcoffset() == timedelta(0)
    with pytest.raises(ValueError, match="naive"):
        store.add_article(article(2, published=datetime(2025, 3, 10)), ArticleFacts())


def test_find_article_by_url_then_guid_then_fingerprint(store: Store) -> None:
    first = article(1, guid="g-1", fingerprint="ff00")
    second = article(2, guid="g-2", fingerprint="00ff")
    elsewhere = article(3, guid="g-1", feed="blog")
    for a in (first, second, elsewhere):
        store.add_article(a, ArticleFacts())

    assert store.find_article(url=second.url, guid="g-1").id == second.id
    assert store.find_article(url="https://news.example/none", guid="g-1").id == first.id
    assert store.find_article(guid="g-1", feed="blog").id == elsewhere.id
    assert store.find_article(guid="g-2", feed="blog") is None
    assert store.find_article(guid="missing", fingerprint="00ff").id == second.id
    assert store.find_article(url="https://news.example/none", guid="nope", fingerprint="1234") is None
    assert store.find_article() is None


def test_an_article_stored_twice_is_already_had_not_an_error(store: Store) -> None:
    """Another worker storing the same article a moment earlier is "already have it": nothing is
    written, the caller's transaction goes on, the first copy and its story stay."""
    first_id = store.add_article(article(1), ArticleFacts(), "s-first")
    with store.transaction():
        assert store.add_article(article(1, title="Other"), ArticleFacts(), "s-other") is None
        store.add_article(article(2), ArticleFacts())  # the same transaction still writes
    [(kept, _), _second] = store.articles_in_window(T0, T0 + timedelta(hours=2))
    assert (kept.id, kept.title) == (first_id, article(1).title)
    assert store.story_ids([first_id]) == {first_id: "s-first"}
    assert store.story("s-other") is None


def test_update_article_replaces_text_and_facts_but_keeps_id_and_story(store: Store) -> None:
    a = article(1)
    store.add_article(a, rich_facts(a.url))
    store.set_story(a.id, "s-1")

    edited = article(1, title="Corrected headline", text="Corrected body.")
    fewer = ArticleFacts(actors={"FR"}, event_date="2025-03-09")
    store.update_article(edited, fewer)

    assert edited.id == a.id
    story = store.story("s-1")
    [(stored, stored_facts)] = story.articles
    assert stored.title == "Corrected headline" and stored.text == "Corrected body."
    assert stored_facts == fewer


def test_deleting_an_article_cascades_to_its_facts(store: Store) -> None:
    a = article(1)
    store.add_article(a, rich_facts(a.url))
    with store.engine.begin() as connection:
        assert connection.execute(text("SELECT count(*) FROM facts")).scalar() == 4
        connection.execute(text("DELETE FROM articles WHERE id = :id"), {"id": a.id})
        assert connection.execute(text("SELECT count(*) FROM facts")).scalar() == 0
        assert connection.execute(text("SELECT count(*) FROM article_features")).scalar() == 0


def test_sqlite_runs_in_wal_mode_with_foreign_keys(db_path: Path) -> None:
    store = Store(f"sqlite:///{db_path}")
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    store.close()


def test_stories_group_their_articles_oldest_first_and_filter_by_since(store: Store) -> None:
    late, early = article(1, T0 + timedelta(hours=5)), article(2, T0)
    other = article(3, T0 - timedelta(days=3))
    for a in (late, early, other):
        store.add_article(a, ArticleFacts(actors={"UA"}))
    store.upsert_story("s-summit", {"en": "Summit opens"})
    store.upsert_story("s-summit", {"en": "Ignored: the first title stays", "fr": "Le sommet s'ouvre"})
    store.set_story(late.id, "s-summit")
    store.set_story(early.id, "s-summit")
    store.set_story(other.id, "s-old")

    stories = store.stories()
    assert [s.id for s in stories] == ["s-old", "s-summit"]
    summit = stories[1]
    assert [a.url for a, _ in summit.articles] == [early.url, late.url]
    assert summit.articles[0][1].actors == {"UA"}
    assert summit.title == {"en": "Summit opens", "fr": "Le sommet s'ouvre"}
    assert [s.id for s in store.stories(since=T0 - timedelta(days=1))] == ["s-summit"]

    store.upsert_story("s-summit", {"en": "Summit closes"}, replace=True)
    assert store.story("s-summit").title["en"] == "Summit closes"
    assert store.story("s-missing") is None
    assert store.story_ids([late.id, other.id, 999]) == {late.id: "s-summit", other.id: "s-old"}


def test_articles_in_window_and_recent_fingerprints(store: Store) -> None:
    days = [article(n, T0 + timedelta(days=n), fingerprint=f"{n:04x}" if n % 2 else "") for n in range(5)]
    for a in days:
        store.add_article(a, ArticleFacts())
    window = store.articles_in_window(T0 + timedelta(days=1), T0 + timedelta(days=3))
    assert [a.url for a, _ in window] == [days[1].url, days[2].url, days[3].url]
    assert store.recent_fingerprints(T0 + timedelta(days=2)) == [(days[3].id, "0003")]
    store.set_story(days[2].id, "s-2")
    clustered = store.clustered_between(T0 + timedelta(days=1), T0 + timedelta(days=3))
    assert [(a.id, s) for a, _, s in clustered] == [(days[1].id, None), (days[2].id, "s-2"), (days[3].id, None)]


def test_feed_state_is_created_saved_and_follows_the_configured_url(store: Store) -> None:
    state = store.feed_state("wire", "http://127.0.0.1/old.xml")
    assert state == FeedState(name="wire", url="http://127.0.0.1/old.xml")
    state.etag, state.last_modified, state.seeded, state.failures = '"v2"', "Mon, 10 Mar 2025", True, 3
    state.last_error, state.next_attempt, state.last_success = "timeout", T0, T0 - timedelta(hours=2)
    store.save_feed_state(state)

    again = store.feed_state("wire", "http://127.0.0.1/new.xml")
    assert again == FeedState(**{**state.__dict__, "url": "http://127.0.0.1/new.xml"})
    store.save_feed_state(FeedState(name="blog", url="http://127.0.0.1/blog.xml"))
    assert [s.name for s in store.feed_states()] == ["blog", "wire"]

    assert store.feed_health_reported("wire") is False
    store.set_feed_health_reported("wire", True)
    assert store.feed_health_reported("wire") is True
    assert store.feed_health_reported("blog") is False


def test_delivery_outbox_claims_once_and_completes(store: Store) -> None:
    first = store.claim_delivery("slack:C1", "daily:2025-03-10")
    assert first is not None and first.status == "pending" and first.attempts == 0
    assert store.claim_delivery("slack:C1", "daily:2025-03-10").id == first.id
    other = store.claim_delivery("discord:42", "daily:2025-03-10")
    assert other.id != first.id

    store.record_delivery_error(first.id, "rate limited")
    store.record_delivery_error(first.id, "rate limited again")
    [pending_first, pending_other] = store.pending_deliveries()
    assert (pending_first.attempts, pending_first.last_error) == (2, "rate limited again")

    store.complete_delivery(first.id, "1700000000.000100")
    assert store.claim_delivery("slack:C1", "daily:2025-03-10") is None
    assert [d.id for d in store.pending_deliveries()] == [pending_other.id]


def test_concurrent_claims_make_one_row(store: Store) -> None:
    with ThreadPoolExecutor(max_workers=8) as pool:
        claims = list(pool.map(lambda _: store.claim_delivery("slack:C9", "weekly:12"), range(16)))
    assert len({c.id for c in claims}) == 1


def test_job_runs_are_remembered(store: Store) -> None:
    assert store.last_run("brief:slack:C1") is None
    store.record_run("brief:slack:C1", T0)
    store.record_run("brief:slack:C1", T0 + timedelta(days=1))
    assert store.last_run("brief:slack:C1") == T0 + timedelta(days=1)


def test_state_survives_closing_and_reopening(db_path: Path) -> None:
    store = Store(f"sqlite:///{db_path}")
    a = article(1)
    store.add_article(a, rich_facts(a.url))
    store.set_story(a.id, "s-1")
    store.close()

    reopened = Store(f"sqlite:///{db_path}")
    [(stored, facts)] = reopened.story("s-1").articles
    assert stored == a and facts == rich_facts(a.url)
    reopened.close()


def test_only_sqlite_and_postgresql_urls_are_taken() -> None:
    with pytest.raises(ValueError, match="unsupported database 'mysql'"):
        Store("mysql://user@127.0.0.1/briefbot")


def test_an_article_stored_with_its_story_lands_in_it(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'one.db'}")
    first, second = article(1), article(2)
    store.add_article(first, ArticleFacts(), "s-joint")
    store.add_article(second, ArticleFacts(), "s-joint")
    [story] = store.stories()
    assert story.id == "s-joint" and [a.url for a, _ in story.articles] == [first.url, second.url]
    store.close()


def test_history_for_the_story_index_carries_leads_not_whole_texts(store: Store) -> None:
    store.add_article(article(1, text="Leading words. " + "More body text. " * 500, summary="Teaser " * 50),
                      ArticleFacts(actors={"UA"}), "s-1")
    [(full, facts, story)] = store.clustered_between(T0 - timedelta(days=1), T0 + timedelta(days=1))
    [(lead, lead_facts, lead_story)] = store.clustered_between(T0 - timedelta(days=1), T0 + timedelta(days=1),
                                                               lead_chars=40)
    assert lead.text == full.text[:40] and lead.summary == full.summary[:40] and len(full.text) > 8000
    assert (lead_facts, lead_story, lead.title, lead.url) == (facts, story, full.title, full.url) == (
        lead_facts, "s-1", "Headline 1", "https://news.example/1")
