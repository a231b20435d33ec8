"""The story view's tables and look-ups on SQLite and PostgreSQL (with BRIEFBOT_TEST_POSTGRES_URL):
views read back as written, each look-up (topic, donor and recipient, upcoming date, words, newest
first, bounded) answers from its index, and what a channel was told is remembered per fact."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from briefings.models import Article, Evidence, KeyDate, Mission, Pledge, Story
from briefings.reads import StoryReads
from briefings.store import Store
from briefings.view import build_view

T0 = datetime(2026, 3, 5, 15, tzinfo=UTC)


def story(n: int, *, donor: str = "NO", topics: tuple[str, ...] = ("ukraine-aid",), day: str | None = None,
          title: str = "Ministers meet") -> Story:
    published = T0 + timedelta(hours=n)
    url = f"https://wire.example/{n}"
    evidence = [Evidence(f"Sentence {n}.", url)]
    return Story(
        id=f"s-{n}", title={"en": f"{title} {n}", "fr": f"Réunion {n}"}, topics=list(topics),
        articles=[Article(url=url, title=f"Headline {n}", text="", language="en", published=published, feed="wire")],
        pledges=[Pledge(donor=donor, recipient="UA", amount=1e9 + n, currency="EUR", item="air defence",
                        evidence=evidence)],
        missions=[Mission(name="Baltic Sentry", organisation="NATO", evidence=evidence)] if n % 2 else [],
        dates=[KeyDate(date=day, event="summit", place="Ankara", evidence=evidence)] if day else [],
    )


def write(store: Store, *stories: Story) -> None:
    store.write_views([build_view(s, [], s.articles[-1].published) for s in stories])


def test_views_read_back_as_written_and_newest_first(store: Store) -> None:
    write(store, story(1), story(2, topics=("nato",)), story(3, topics=("ukraine-aid", "nato")))
    assert [v.story.id for v in store.views()] == ["s-3", "s-2", "s-1"]
    assert [v.story.id for v in store.views(topics=["ukraine-aid"])] == ["s-3", "s-1"]
    assert [v.story.id for v in store.views(topics=["nato"], limit=1)] == ["s-3"]
    [one] = store.views(story_ids=["s-1"])
    assert one.story.pledges[0].amount == 1e9 + 1 and one.story.pledges[0].evidence[0].url.endswith("/1")
    assert one.story.title["fr"] == "Réunion 1" and one.story.topics == ["ukraine-aid"]
    assert store.views(published_since=T0 + timedelta(hours=2, minutes=30))[0].story.id == "s-3"


def test_look_ups_by_donor_recipient_date_and_words(store: Store) -> None:
    write(store, story(1, donor="DE"), story(2, donor="DK+NO+SE", day="2026-07"), story(3, day="2026-03-01"),
          story(4, title="Arctic Sentry launched", day="2027"))
    reads = StoryReads(store)
    assert [s.id for s in reads.with_pledges(donor="NO")] == ["s-4", "s-3", "s-2"]
    assert [s.id for s in reads.with_pledges(donor="SE", recipient="UA")] == ["s-2"]
    assert reads.with_pledges(donor="SE", recipient="PL") == []
    assert reads.actors("donor") >= {"DE", "DK", "NO", "SE"} and reads.actors("recipient") == {"UA"}
    # On 10 March 2026, "2026-07" and "2027" are ahead and "2026-03-01" has passed.
    assert [s.id for s in reads.with_dates(datetime(2026, 3, 10, tzinfo=UTC))] == ["s-2", "s-4"]
    assert [s.id for s in reads.with_missions()] == ["s-3", "s-1"]
    assert [s.id for s in reads.matching("arctic sent")] == ["s-4"]  # the last word may be cut short
    assert [s.id for s in reads.matching("Arctic")] == ["s-4"]
    assert reads.matching("sentry arctic zzz") == []
    assert [s.id for s in reads.matching("s-2")] == ["s-2"]


def test_a_channel_remembers_what_it_was_told(store: Store) -> None:
    write(store, story(1))
    assert not store.channel_was_sent_anything("slack:C1")
    store.record_sent("slack:C1", "brief:1", [("s-1", "pledge|NO|UA|EUR", "sig-a"), ("s-1", "story", "told")])
    store.record_sent("slack:C1", "brief:2", [("s-1", "pledge|NO|UA|EUR", "sig-b")])
    assert store.channel_sent("slack:C1", ["s-1"]) == {("s-1", "pledge|NO|UA|EUR"): "sig-b", ("s-1", "story"): "told"}
    assert store.channel_sent("slack:C2", ["s-1"]) == {}
    assert store.channel_was_sent_anything("slack:C1")


def test_rewriting_a_view_replaces_its_rows(store: Store) -> None:
    write(store, story(1, donor="DE"))
    write(store, story(1, donor="FR"))
    reads = StoryReads(store)
    assert reads.with_pledges(donor="DE") == [] and [s.id for s in reads.with_pledges(donor="FR")] == ["s-1"]
    assert len(store.views()) == 1
