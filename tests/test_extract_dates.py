"""Upcoming dates and the event day, in French and English, on short sentences of our own."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime

import pytest

from briefings.extract.context import ArticleContext
from briefings.extract.dates import event_date, extract_dates
from briefings.extract.missions import extract_missions
from briefings.extract.temporal import grammar, resolve, tense_markers, tense_near
from briefings.extract.text import normalise, sentences


def _dates(text: str, lang: str, published: str) -> list[tuple[str, str | None]]:
    ctx = ArticleContext(lang, datetime.fromisoformat(published + "T12:00:00+00:00"), "http://127.0.0.1/a")
    return sorted((d.date, d.place) for d in extract_dates(sentences(normalise(text)), ctx))


def _event(text: str, lang: str, published: str) -> str | None:
    ctx = ArticleContext(lang, datetime.fromisoformat(published + "T12:00:00+00:00"), "http://127.0.0.1/a")
    return event_date(sentences(normalise(text)), ctx)


# Thursday 12 February 2026 unless a case says otherwise.
PUB = "2026-02-12"

FRENCH = [
    ("Les ministres se retrouveront le 7 juillet pour un sommet.", PUB, [("2026-07-07", None)]),
    ("La prochaine réunion des alliés est prévue en juillet à Ankara.", PUB, [("2026-07", "Ankara")]),
    ("Les États membres doivent consacrer 3 % de leur PIB à la défense d'ici 2035.", PUB, [("2035", None)]),
    ("Le pays vise une armée de 100 000 soldats à l'horizon 2030.", PUB, [("2030", None)]),
    ("Un rapport complet sera publié le mois prochain.", PUB, [("2026-03", None)]),
    ("Les premières livraisons arriveront plus tard ce mois-ci.", PUB, [("2026-02", None)]),
    ("Une conférence sur la reconstruction se tiendra au printemps prochain.", PUB, [("2026", None)]),
    ("Les négociations reprendront à l'automne, selon Paris.", PUB, [("2026", None)]),
    ("Le nouveau centre de formation ouvrira dans deux ans.", PUB, [("2028", None)]),
    ("Le sommet aura lieu en juillet prochain à Vilnius.", "2025-09-20", [("2026-07", "Vilnius")]),
    ("Le forum aura lieu lundi 9 et mardi 10 mars 2026 à Varsovie.", PUB, [("2026-03-09", "Warsaw")]),
    ("Le prochain rendez-vous est fixé au 9 avril à la base aérienne de Ramstein.", PUB,
     [("2026-04-09", "Ramstein")]),
    ("Les ministres se retrouveront début avril à Bruxelles.", PUB, [("2026-04", "Brussels")]),
    ("Le 20 février prochain, les députés voteront le budget.", PUB, [("2026-02-20", None)]),
    ("Les dirigeants se réunissent aujourd'hui et demain à Oslo pour leur sommet.", PUB, [(PUB, "Oslo")]),
    ("Les chefs d'état-major se réuniront jeudi à Bruxelles.", "2026-02-13", [("2026-02-19", "Brussels")]),
    ("La réunion des ministres se tiendra aujourd'hui à Bruxelles.", PUB, [(PUB, "Brussels")]),
    ("Un examen des progrès est programmé pour 2029.", PUB, [("2029", None)]),
    ("Le sommet de l'an prochain se tiendra en Turquie.", PUB, [("2027", None)]),
    ("La prochaine conférence de l'alliance se tiendra à Rome en 2027, puis en Pologne en 2028.", PUB,
     [("2027", "Rome"), ("2028", "Poland")]),
    # a base between the date and the place; a place named by its event ("le sommet de Madrid")
    ("Les donateurs se réunissent vendredi sur la base aérienne américaine de Ramstein.", PUB,
     [("2026-02-13", "Ramstein")]),
    ("Les ministres se verront le mois prochain, avant le sommet de Madrid prévu fin juin.", PUB,
     [("2026-03", None), ("2026-06", "Madrid")]),
]

ENGLISH = [
    ("Defence chiefs will meet in Warsaw on March 3.", "2026-03-01", [("2026-03-03", "Warsaw")]),
    ("The ministers' meeting in Rome on March 1 will bring together 30 countries.", "2026-03-01",
     [("2026-03-01", "Rome")]),
    ("Members pledged to lift military spending to 4% of GDP by 2032.", PUB, [("2032", None)]),
    ("A full report on stockpiles is due next month.", PUB, [("2026-03", None)]),
    ("The first convoys are expected to reach the border later this month.", PUB, [("2026-02", None)]),
    ("Leaders will hold a summit in Madrid next July.", "2025-09-20", [("2026-07", "Madrid")]),
    ("Leaders will hold a summit in Madrid next July.", "2026-03-20", [("2026-07", "Madrid")]),
    ("The new plant should be running in two years.", PUB, [("2028", None)]),
    ("A donors' conference is planned for next spring.", PUB, [("2026", None)]),
    ("The talks will resume on Friday in Geneva.", PUB, [("2026-02-13", "Geneva")]),
    ("Ministers will gather in Oslo on June 24-25, 2026.", PUB, [("2026-06-24", "Oslo")]),
    ("The two-day summit opens on Tuesday in Madrid.", "2026-02-16", [("2026-02-17", "Madrid")]),
    ("Leaders gather today and tomorrow in Oslo for their yearly summit.", PUB, [(PUB, "Oslo")]),
    ("The envoy will fly to Ankara on Monday for talks.", PUB, [("2026-02-16", "Ankara")]),
    ("Allies agreed to double their stocks within five years.", PUB, [("2031", None)]),
    ("The allies agreed on a progress review scheduled for 2030.", PUB, [("2030", None)]),
    # a present progressive schedules; "their last talks before" looks ahead, not back
    ("Envoys are meeting in Oslo on February 20 for their last talks before the summit in Rome in late June.",
     PUB, [("2026-02-20", "Oslo"), ("2026-06", "Rome")]),
    # "will be hosted" is one future verb; a year coordinated with a kept one is a date too; a country
    # after "in" is a place
    ("The next forum of the alliance will be hosted in Madrid in 2027, and in Poland in 2028.", PUB,
     [("2027", "Madrid"), ("2028", "Poland")]),
    # an attribution after the date dates the speaking, not the meeting
    ("Leaders will gather in Rome on 7-8 July, the alliance said.", PUB, [("2026-07-07", "Rome")]),
    ("All eyes are on the Oslo summit on June 30.", PUB, [("2026-06-30", "Oslo")]),
]

NOT_UPCOMING = [
    ("fr", "L'Alliance, fondée en 1949, compte désormais 32 membres.", PUB),
    ("fr", "En juillet 2025, lors d'une réunion à Rome, les alliés ont promis davantage.", PUB),
    ("fr", "Les ministres ont signé l'accord jeudi à Bruxelles.", "2026-02-13"),
    ("fr", "Les 32 alliés se sont mis d'accord dimanche 22 février sur un texte.", "2026-02-22"),
    ("fr", "Berlin versera encore 4 milliards d'euros jusqu'en 2029.", PUB),
    ("fr", "Le Danemark consacrera 2 milliards de couronnes à l'Ukraine cette année.", PUB),
    ("fr", "Le Royaume-Uni veut accroître son soutien à l'Ukraine en 2027.", PUB),
    ("fr", "En 2026, nous devons faire davantage, a déclaré le ministre.", PUB),
    ("fr", "Un plan couvrant la période 2024-2027 a été adopté.", PUB),
    ("fr", "Bruxelles, 12 février (AFP) - Les ministres se sont réunis.", PUB),
    ("en", "Norway will provide another NOK 5 billion until 2029.", PUB),
    ("en", "The group met in February and raised $20bn last year.", "2026-04-02"),
    ("en", "Rome, February 12: ministers agreed a new package.", PUB),
    ("en", "The mission, which starts on Thursday evening, will involve warships.", PUB),
    ("en", "It was the first such raid in two years, officials said.", PUB),
    ("en", "Pogacar says he will race the Giro next year.", PUB),
    ("en", "He may announce more aid, though march organisers were doubtful.", PUB),
]


@pytest.mark.parametrize(("text", "published", "expected"), FRENCH)
def test_french_upcoming_dates(text, published, expected):
    assert _dates(text, "fr", published) == expected


@pytest.mark.parametrize(("text", "published", "expected"), ENGLISH)
def test_english_upcoming_dates(text, published, expected):
    assert _dates(text, "en", published) == expected


@pytest.mark.parametrize(("lang", "text", "published"), NOT_UPCOMING)
def test_past_dates_money_periods_and_bare_years_are_not_upcoming(lang, text, published):
    assert _dates(text, lang, published) == []


def test_same_date_and_place_once_and_placeless_copy_folds_in():
    text = ("Les alliés veulent atteindre 3 % de leur PIB d'ici 2035. "
            "L'objectif fixé d'ici 2035 reste ambitieux. "
            "Le sommet est prévu le 7 juillet à Ankara. Le sommet du 7 juillet sera décisif.")
    ctx = ArticleContext("fr", datetime(2026, 2, 12, 12, tzinfo=UTC), "http://127.0.0.1/a")
    found = extract_dates(sentences(normalise(text)), ctx)
    assert sorted((d.date, d.place) for d in found) == [("2026-07-07", "Ankara"), ("2035", None)]
    ankara = next(d for d in found if d.place == "Ankara")
    assert len(ankara.evidence) == 2 and ankara.evidence[0].url == "http://127.0.0.1/a"


def test_a_vaguer_statement_of_a_dated_event_folds_into_the_day():
    text = ("A meeting of the donor group will take place next week in Geneva. "
            "The Dutch minister will chair the meeting on Wednesday.")
    assert _dates(text, "en", "2026-02-12") == [("2026-02-18", "Geneva")]


def test_a_country_after_to_is_no_place():
    assert _dates("The first trucks will reach Poland on March 3.", "en", PUB) == [("2026-03-03", None)]


def test_event_phrase_and_language():
    ctx = ArticleContext("fr", datetime(2026, 2, 12, 12, tzinfo=UTC), "http://127.0.0.1/a")
    (found,) = extract_dates(sentences("Les alliés tiendront leur prochain sommet de l'OTAN en juillet à Ankara."), ctx)
    assert found.event == "prochain sommet de l'OTAN" and found.language == "fr"
    ctx = ArticleContext("en", datetime(2026, 2, 12, 12, tzinfo=UTC), "http://127.0.0.1/a")
    (found,) = extract_dates(sentences("Allies must spend 5% of GDP on defence by 2035."), ctx)
    assert found.event == "deadline for 5% of GDP" and found.language == "en"


def test_undated_announcement_takes_the_day_the_article_reports_as_today():
    text = ("A meeting of defence ministers will be held in Rome. "
            "Ministers said the meeting today would focus on air defence.")
    assert _dates(text, "en", "2026-03-04") == [("2026-03-04", "Rome")]
    # the next summit is another event: its day is unknown
    text = "The next summit will be held in Ankara. Ministers said the summit today went well."
    assert _dates(text, "en", "2026-03-04") == []


@pytest.mark.parametrize(("lang", "text", "published", "expected"), [
    ("fr", "Les ministres se sont réunis jeudi 12 février à Bruxelles.", "2026-02-13", "2026-02-12"),
    ("fr", "Le ministre a annoncé jeudi un nouveau paquet d'aide.", "2026-02-14", "2026-02-12"),
    ("en", "NATO ministers met on Thursday in Brussels.", "2026-02-13", "2026-02-12"),
    ("en", "The summit will open on Tuesday in Madrid.", "2026-02-16", "2026-02-17"),
    ("en", "Aid keeps flowing to the front.", "2026-02-16", None),
    # a report's day is what happened, not the meeting it announces for later in the week
    ("en", "Spain will send 300 million euros in aid, its premier said Tuesday. "
           "Allied leaders will hold a meeting online on Friday.", "2026-02-17", "2026-02-17"),
    ("fr", "La Suède versera 200 millions d'euros, a annoncé lundi sa ministre. "
           "Les alliés tiendront une réunion vendredi.", "2026-02-16", "2026-02-16"),
    # a preview has nothing reported yet: its day is the one ahead
    ("fr", "Les dirigeants tiendront une réunion vendredi à Rome.", "2026-02-16", "2026-02-20"),
])
def test_event_date(lang, text, published, expected):
    assert _event(text, lang, published) == expected


@pytest.mark.parametrize(("lang", "text", "tense", "expected"), [
    ("fr", "La veille, mercredi, l'Alliance a lancé une mission.", "past", "2026-02-11"),
    ("fr", "Le lendemain, les ministres voteront.", "future", "2026-02-13"),
    ("en", "The day before, ministers had met.", "past", "2026-02-11"),
])
def test_days_counted_from_the_event(lang, text, tense, expected):
    (expr,) = grammar(lang).find(text)
    markers = tense_markers(text, lang)
    assert tense_near(markers, expr.start, expr.end) == tense
    assert resolve(expr, date(2026, 2, 12), tense, event_day=date(2026, 2, 12)).iso == expected


def test_english_months_need_a_capital():
    assert grammar("en").find("they may go in may") == ()
    assert [e.text for e in grammar("en").find("talks on May 5")] == ["on May 5"]


def test_fast_enough_for_a_feed_burst():
    """Dates, event day and missions together keep up with 200 articles a second of CPU time (best
    of three runs; distinct sentences, so no cached answer helps)."""
    lines = [
        "Les dirigeants se retrouveront en juillet à Ankara pour leur sommet, a dit jeudi le ministre n°{n}.",
        "Les ministres ont discuté de la défense aérienne et de la production de munitions.",
        "Selon le ministre, {n} soldats participeront aux manœuvres dans la région nordique.",
        "Les alliés ont promis {n} milliards de dollars, soit davantage que l'an dernier.",
        "L'Alliance a lancé une opération baptisée « Sentinelle balte » pour protéger les câbles.",
        "Plusieurs délégations ont salué le rôle des Européens dans le soutien à Kiev.",
    ]
    ctx = ArticleContext("fr", datetime(2026, 2, 12, 12, tzinfo=UTC), "http://127.0.0.1/a")

    def articles(run: int) -> list:
        return [sentences(normalise(" ".join(line.format(n=run * 10_000 + i * 10 + k)
                                             for k in range(3) for line in lines)))
                for i in range(40)]

    best = float("inf")
    for run in range(3):
        batch = articles(run)
        start = time.process_time()
        for body in batch:
            extract_dates(body, ctx)
            event_date(body, ctx)
            extract_missions(body, ctx)
        best = min(best, (time.process_time() - start) / len(batch))
    assert best < 1 / 200
