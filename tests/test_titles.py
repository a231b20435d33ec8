"""Bilingual story titles for hand-built stories: event, place and date in both languages."""

from __future__ import annotations

from datetime import UTC, datetime

from briefings.models import Article, ArticleFacts, Evidence, KeyDate, Mission, Pledge, Story
from briefings.titles import story_title


def _article(n: int, lang: str, title: str, text: str) -> Article:
    return Article(url=f"http://127.0.0.1/a/{n}", title=title, text=text, language=lang,
                   published=datetime(2026, 2, 12, 9, tzinfo=UTC))


def _facts(places: set[str], actors: set[str], day: str | None) -> ArticleFacts:
    return ArticleFacts(places=places, actors=actors, event_date=day)


def test_defence_ministers_meeting_in_both_languages():
    articles = [
        _article(1, "fr", "Les ministres de la Défense de l'OTAN se retrouvent",
                 "Les ministres de la Défense de l'OTAN se retrouvent jeudi à Bruxelles."),
        _article(2, "en", "Allied defence ministers gather",
                 "NATO defence ministers gather in Brussels on Thursday to talk about spending."),
    ]
    story = Story("s1", {}, articles)
    facts = [_facts({"Brussels"}, {"NATO", "BE"}, "2026-02-12")] * 2
    assert story_title(story, facts) == {
        "en": "NATO defence ministers meet, Brussels, 12 February 2026",
        "fr": "Réunion des ministres de la Défense de l'OTAN, Bruxelles, 12 février 2026",
    }


def test_a_mission_is_launched_by_its_own_organisation():
    """Articles about an EU naval operation mention a NATO base: the title still says the EU."""
    articles = [
        _article(1, "en", "Europe starts a naval operation",
                 "The EU launched a naval operation in Brussels on Monday, run from a NATO base in Greece."),
        _article(2, "fr", "L'Europe lance une opération navale",
                 "L'UE a lancé lundi à Bruxelles une opération navale, dirigée depuis une base de l'OTAN."),
    ]
    mission = Mission("Aspides", "EU", "2024-02-19",
                      evidence=[Evidence("…", articles[0].url), Evidence("…", articles[1].url)])
    other = Mission("Atalanta", "EU", None, evidence=[Evidence("…", articles[1].url)])
    story = Story("s2", {}, articles, missions=[other, mission])
    facts = [_facts({"Brussels"}, {"EU", "NATO"}, "2024-02-19")] * 2
    assert story_title(story, facts) == {
        "en": "EU launches Aspides, Brussels, 19 February 2024",
        "fr": "L'UE lance la mission Aspides, Bruxelles, 19 février 2024",
    }


def test_the_next_host_is_not_where_the_summit_happened():
    articles = [
        _article(1, "en", "Allies close their summit",
                 "Leaders ended the summit in Vilnius; the next summit will be held in Washington in 2024."),
        _article(2, "fr", "Fin du sommet",
                 "Les dirigeants ont clos le sommet de Vilnius ; le prochain aura lieu à Washington en 2024."),
    ]
    dates = [KeyDate("2024", "summit", "Washington")]
    story = Story("s3", {}, articles, dates=dates)
    facts = [_facts({"Vilnius", "Washington"}, {"NATO", "LT", "US"}, "2023-07-11")] * 2
    title = story_title(story, facts)
    assert title["en"] == "NATO summit, Vilnius, 11 July 2023"
    assert title["fr"] == "Sommet de l'OTAN, Vilnius, 11 juillet 2023"


def test_a_tie_between_places_goes_to_where_the_day_is_dated():
    articles = [
        _article(1, "en", "Contact group to meet",
                 "The Ukraine contact group, known as the Ramstein format, meets in Brussels on 12 February."),
    ]
    dates = [KeyDate("2025-02-12", "meeting", "Brussels")]
    story = Story("s4", {}, articles, dates=dates)
    for places in ({"Ramstein", "Brussels"}, {"Brussels", "Ramstein"}):
        title = story_title(story, [_facts(places, {"UDCG"}, "2025-02-12")])
        assert title["en"] == "Ukraine Defence Contact Group meets, Brussels, 12 February 2025"


def test_a_story_with_no_known_event_keeps_each_language_headline():
    articles = [
        _article(1, "en", "Chipmaker beats forecasts", "The chipmaker sold more than analysts thought."),
        _article(2, "fr", "Le fabricant de puces bat les prévisions", "Les ventes dépassent les attentes."),
    ]
    story = Story("s5", {}, articles)
    assert story_title(story, [_facts(set(), set(), None)] * 2) == {
        "en": "Chipmaker beats forecasts", "fr": "Le fabricant de puces bat les prévisions",
    }


def test_a_pledge_story_names_every_donor_and_not_the_recipient_capital():
    articles = [
        _article(1, "fr", "Aide nordique", "Les Pays-Bas et trois pays nordiques financent des missiles pour Kyiv."),
        _article(2, "en", "Nordic aid", "The Netherlands and three Nordic states fund missiles for Kyiv."),
    ]
    pledges = [Pledge("NL", "UA", 5e8, "EUR"), Pledge("DK+NO+SE", "UA", 5e8, "USD"), Pledge("NO", "UA", 1e8, "USD")]
    story = Story("s6", {}, articles, pledges=pledges)
    facts = [_facts({"Kyiv"}, {"NL", "DK", "NO", "SE", "UA"}, "2025-08-04")] * 2
    assert story_title(story, facts) == {
        "en": "Netherlands, Denmark, Norway and Sweden: new aid to Ukraine, 4 August 2025",
        "fr": "Pays-Bas, Danemark, Norvège et Suède : nouvelle aide à l'Ukraine, 4 août 2025",
    }


def _sourced(donor: str, amount: float, articles: list[Article]) -> Pledge:
    return Pledge(donor, "UA", amount, "USD", evidence=[Evidence("…", a.url) for a in articles])


def test_a_pledge_story_names_its_most_sourced_donors_and_where_it_happened():
    """US weapons bought by others are no US pledge, and "Berlin" paying is Germany, not a place."""
    articles = [
        _article(1, "fr", "Des missiles américains payés par les alliés",
                 "Le Canada et Berlin paieront des missiles de fabrication américaine, a précisé mercredi "
                 "la ministre à Bruxelles."),
        _article(2, "en", "Allies buy American missiles", "Ministers gathered in Brussels on Wednesday and "
                 "promised more money."),
        _article(3, "en", "A Patriot order", "Warsaw, Oslo and Berlin will jointly fund a Patriot order."),
    ]
    pledges = [_sourced("US", 4e9, articles[:1]), _sourced("DE+NO+PL", 5e8, articles),
               _sourced("CA", 2e8, articles[:2])]
    story = Story("s7", {}, articles, pledges=pledges)
    facts = [_facts({"Berlin", "Brussels"}, {"DE", "CA", "US"}, "2025-12-03")] * 3
    assert story_title(story, facts) == {
        "en": "Germany, Norway, Poland and Canada: new aid to Ukraine, Brussels, 3 December 2025",
        "fr": "Allemagne, Norvège, Pologne et Canada : nouvelle aide à l'Ukraine, Bruxelles, 3 décembre 2025",
    }


def test_a_capital_standing_for_its_government_is_no_place_and_organisations_are_localised():
    articles = [_article(1, "en", "Alliance pays", "NATO will pay $1 billion, and Berlin promised more.")]
    story = Story("s8", {}, articles, pledges=[_sourced("NATO", 1e9, articles)])
    assert story_title(story, [_facts({"Berlin"}, {"NATO", "DE"}, None)]) == {
        "en": "NATO: new aid to Ukraine", "fr": "OTAN : nouvelle aide à l'Ukraine",
    }


def test_a_place_the_news_is_sent_to_is_not_where_it_happened():
    articles = [
        _article(1, "fr", "Prêt du G7", "Le G7 avance 50 milliards de dollars, un « avertissement net » à Moscou."),
        _article(2, "en", "G7 loan", "The G7 advances $50 billion, a warning to Moscow."),
    ]
    story = Story("s9", {}, articles, pledges=[_sourced("G7", 5e10, articles)])
    title = story_title(story, [_facts({"Moscow"}, {"G7", "RU"}, "2024-06-13")] * 2)
    assert title["en"] == "G7: new aid to Ukraine, 13 June 2024"
    articles[0].text += " Les chefs d'État se trouvaient à Rome."
    assert story_title(story, [_facts({"Moscow"}, {"G7", "RU"}, "2024-06-13")] * 2)["fr"] == (
        "G7 : nouvelle aide à l'Ukraine, Rome, 13 juin 2024")


def test_a_story_with_no_known_event_in_one_language_has_no_title_in_the_other():
    """The French brief then shows the English headline marked as English, not passed off as French."""
    articles = [_article(1, "en", "Chipmaker beats forecasts", "The chipmaker sold more than analysts thought.")]
    story = Story("s6", {}, articles)
    assert story_title(story, [_facts(set(), set(), None)]) == {"en": "Chipmaker beats forecasts"}
