"""Building language-neutral briefs: upcoming dates, merged pledges and conflicts, topics."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from briefings.brief import (
    build_story_brief,
    build_topic_brief,
    is_upcoming,
    load_topics,
    topics_for,
)
from briefings.models import Article, Evidence, KeyDate, Mission, Pledge, Story


def at(iso: str) -> datetime:
    return datetime.fromisoformat(iso).replace(tzinfo=UTC)


def article(url: str, title: str, language: str = "en", published: str = "2026-02-12T10:00", **kw) -> Article:
    return Article(url=url, title=title, text=kw.pop("text", ""), language=language, published=at(published), **kw)


def evidence(*urls: str) -> list[Evidence]:
    return [Evidence("a sentence we wrote for the test", u) for u in urls]


def story(**kw) -> Story:
    defaults = {"id": "s", "title": {"en": "A headline", "fr": "Un titre"}, "articles": [article("http://a/1", "One")]}
    return Story(**{**defaults, **kw})


@pytest.mark.parametrize(
    ("iso", "as_of", "upcoming"),
    [
        ("2026-07", "2026-02-12T12:00", True),
        ("2026-07", "2026-07-05T12:00", True),  # still July: the day is not known
        ("2026-07", "2026-08-01T00:00", False),
        ("2035", "2035-12-31T23:00", True),
        ("2035", "2036-01-01T00:00", False),
        ("2026-02-11", "2026-02-12T08:00", False),
        ("2026-02-12", "2026-02-12T08:00", True),  # an event later on the as-of day
        ("2026-02-13", "2026-02-12T23:59", True),
        ("soon", "2026-02-12T08:00", False),
    ],
)
def test_upcoming_is_judged_at_the_date_precision(iso: str, as_of: str, upcoming: bool) -> None:
    assert is_upcoming(iso, at(as_of)) is upcoming


def test_only_upcoming_dates_are_kept_soonest_first() -> None:
    dates = [
        KeyDate("2035", "spending target", evidence=evidence("http://a/1")),
        KeyDate("2026-02-01", "a meeting already held", evidence=evidence("http://a/1")),
        KeyDate("2026-07", "summit", "Ankara", evidence=evidence("http://a/1", "http://a/2")),
    ]
    brief = build_story_brief(story(dates=dates), as_of=at("2026-02-13T09:00"))
    shown = brief.stories[0].dates
    assert [d.date.date for d in shown] == ["2026-07", "2035"]
    assert [d.sources for d in shown] == [2, 1]


def test_pledge_sources_count_distinct_articles() -> None:
    pledge = Pledge(
        "ALLIES", "UA", 35e9, "USD", evidence=evidence("http://a/1", "http://a/2", "http://a/2", "http://a/3")
    )
    brief = build_story_brief(story(pledges=[pledge]), as_of=at("2026-02-13T00:00"))
    (entry,) = brief.stories[0].pledges
    assert entry.pledge is pledge
    assert entry.sources == 3
    assert entry.conflicting == []


def test_conflicting_figures_become_one_entry_led_by_the_best_sourced() -> None:
    a = Pledge("GB", "UA", 150e6, "GBP", item="PURL", evidence=evidence("http://a/1", "http://a/2"))
    b = Pledge("GB", "UA", 140e6, "GBP", item="PURL", evidence=evidence("http://a/3"))
    c = Pledge("GB", "UA", 160e6, "GBP", item="PURL", evidence=evidence("http://a/4"))
    other = Pledge("DE", "UA", quantity=5, item="PAC-3 interceptors", evidence=evidence("http://a/1"))
    # pairs as the merging stage reports them: b–a and b–c are one disagreement about one pledge
    s = story(pledges=[b, other, a, c], conflicts=[[b, a], [b, c]])
    entries = build_story_brief(s, as_of=at("2026-02-13T00:00")).stories[0].pledges
    assert len(entries) == 2
    conflict, plain = entries
    assert conflict.pledge is a and conflict.sources == 2
    assert sorted(p.amount for p, _ in conflict.conflicting) == [140e6, 160e6]
    assert plain.pledge is other and plain.conflicting == []


def test_conflict_members_missing_from_the_pledge_list_are_still_shown() -> None:
    a = Pledge("GB", "UA", 150e6, "GBP", evidence=evidence("http://a/1"))
    b = Pledge("GB", "UA", 140e6, "GBP", evidence=evidence("http://a/2"))
    entries = build_story_brief(story(conflicts=[[a, b]]), as_of=at("2026-02-13T00:00")).stories[0].pledges
    assert len(entries) == 1
    assert len(entries[0].conflicting) == 1


def test_headline_falls_back_to_the_first_article_title() -> None:
    s = story(
        title={},
        articles=[
            article("http://a/2", "Later piece", published="2026-02-13T10:00"),
            article("http://a/1", "Premier article", language="fr", published="2026-02-12T10:00"),
        ],
    )
    sb = build_story_brief(s, as_of=at("2026-02-14T00:00")).stories[0]
    assert sb.titles == {"fr": "Premier article"}
    assert sb.published == at("2026-02-13T10:00")


def test_sources_list_each_article_once_oldest_first_with_its_outlet() -> None:
    s = story(
        articles=[
            article("http://wire.example/b", "B", published="2026-02-13T10:00", feed="Alliance Wire"),
            article("http://paper.example/a", "A", language="fr", published="2026-02-12T10:00"),
            article("http://wire.example/b", "B", published="2026-02-13T10:00", feed="Alliance Wire"),
        ]
    )
    sources = build_story_brief(s, as_of=at("2026-02-14T00:00")).stories[0].sources
    assert [(x.outlet, x.title, x.language) for x in sources] == [
        ("paper.example", "A", "fr"),
        ("Alliance Wire", "B", "en"),
    ]


def test_mission_sources() -> None:
    mission = Mission("Arctic Sentry", "NATO", "2026-02-11", evidence=evidence("http://a/1", "http://a/2"))
    (entry,) = build_story_brief(story(missions=[mission]), as_of=at("2026-02-13T00:00")).stories[0].missions
    assert entry.mission is mission and entry.sources == 2


# --- topics -----------------------------------------------------------------------------------


def test_default_topics() -> None:
    topics = load_topics()
    assert {"ukraine-aid", "nato", "arctic", "defence-spending"} <= set(topics)
    assert topics["nato"].names == {"fr": "OTAN", "en": "NATO"}
    assert "UA" in topics["ukraine-aid"].actors


def test_config_overrides_replace_given_fields_and_add_topics() -> None:
    topics = load_topics(
        {
            "arctic": {"fr": ["banquise"]},
            "baltic": {"names": {"fr": "Baltique", "en": "Baltic"}, "en": ["Baltic Sea"], "actors": ["EE"]},
        }
    )
    assert topics["arctic"].keywords["fr"] == ("banquise",)
    assert "High North" in topics["arctic"].keywords["en"]  # untouched
    assert topics["arctic"].names["en"] == "Arctic"
    assert topics["baltic"].actors == ("EE",)
    assert "baltic" not in load_topics()  # defaults are not modified


def test_topics_match_whole_words_ignoring_case_and_accents() -> None:
    arctic = story(title={"fr": "Patrouilles renforcées au GROENLAND"})
    spending = story(
        title={"en": "x"},
        articles=[article("http://a/1", "Budget", "fr", text="Les DEPENSES DE DEFENSE vont augmenter.")],
    )
    antarctic = story(title={"en": "An Antarctic expedition sets sail"})
    assert "arctic" in topics_for(arctic)
    assert "defence-spending" in topics_for(spending)
    assert topics_for(antarctic) == []


def test_topics_match_actors_of_the_facts() -> None:
    s = story(
        title={"en": "Quiet day"},
        pledges=[Pledge("DK+NO+SE", "UA", 5e8, "USD")],
        missions=[Mission("Eastern Sentry", "NATO")],
    )
    assert topics_for(s) == ["ukraine-aid", "nato"]


def test_wildcard_keywords_match_any_ending() -> None:
    topics = load_topics({"ukraine": {"names": {"fr": "Ukraine", "en": "Ukraine"}, "fr": ["ukrain*"]}})
    s = story(title={"fr": "Les forces ukrainiennes avancent"})
    assert "ukraine" in topics_for(s, topics)
    assert "ukraine" not in topics_for(story(title={"fr": "Rien à voir"}), topics)


def test_topic_brief_keeps_matching_stories_newest_first_since_a_time() -> None:
    nato_old = story(
        id="old",
        title={"en": "NATO ministers meet"},
        articles=[article("http://a/1", "x", published="2026-02-01T10:00")],
    )
    nato_new = story(
        id="new",
        title={"en": "NATO launches a mission"},
        articles=[article("http://a/2", "y", published="2026-02-12T10:00")],
    )
    sport = story(
        id="sport",
        title={"en": "Cup final tonight"},
        articles=[article("http://a/3", "z", published="2026-02-12T11:00")],
    )
    tagged = story(
        id="tagged",
        title={"en": "Quiet"},
        topics=["nato"],
        articles=[article("http://a/4", "w", published="2026-02-10T10:00")],
    )
    nato = load_topics()["nato"]
    brief = build_topic_brief(nato, [nato_old, sport, nato_new, tagged], as_of=at("2026-02-13T00:00"))
    assert [s.story_id for s in brief.stories] == ["new", "tagged", "old"]
    assert brief.topic is nato
    recent = build_topic_brief(
        nato, [nato_old, sport, nato_new], as_of=at("2026-02-13T00:00"), since=at("2026-02-05T00:00")
    )
    assert [s.story_id for s in recent.stories] == ["new"]
