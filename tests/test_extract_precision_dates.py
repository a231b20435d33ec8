"""Precision first for dates (issue #8): every key date says what happens then, and the error classes
seen on unseen articles stay fixed. Sentences are our own."""

from __future__ import annotations

from datetime import datetime

import pytest

from briefings.extract.context import ArticleContext
from briefings.extract.dates import extract_dates
from briefings.extract.text import normalise, sentences


def _found(text: str, lang: str, published: str):
    ctx = ArticleContext(lang, datetime.fromisoformat(published + "T12:00:00+00:00"), "http://127.0.0.1/a")
    return extract_dates(sentences(normalise(text)), ctx)


def _dates(text: str, lang: str, published: str) -> list[tuple[str, str | None]]:
    return sorted((d.date, d.place) for d in _found(text, lang, published))


NONE = [
    # a year of a forecast is no event
    ("Prices should come back to 2 % by 2026 in most economies, the fund expects.", "en", "2024-10-02"),
    ("Le chômage reculerait à 7 % d'ici 2027, selon la banque centrale.", "fr", "2025-12-15"),
    ("Growth is forecast at 1.1% in 2026 and 1.4% in 2027.", "en", "2025-10-14"),
    # a day that bounds something is not when it happens
    ("We will keep this group going beyond today, the minister told reporters.", "en", "2024-04-26"),
    # a day and month in a past clause is past, whatever "days later" follows
    ("The brigade pulled out of the town on Feb. 12 and from two villages days later.", "en", "2024-03-07"),
    ("Les troupes ont quitté la ville le 12 février, puis deux villages quelques jours plus tard.", "fr",
     "2024-03-07"),
    # a date with nothing said to happen on it
    ("Quant à 2026, personne ne sait encore.", "fr", "2025-05-05"),
]


@pytest.mark.parametrize(("text", "lang", "published"), NONE)
def test_no_key_date_without_an_event(text, lang, published):
    assert _found(text, lang, published) == []


KEPT = [
    # a span of days is dated by its first day
    ("The ministers gather in Rome from Thursday to Saturday.", "en", "2024-05-06", [("2024-05-09", "Rome")]),
    ("Les ministres se réunissent à Rome du jeudi au samedi.", "fr", "2024-05-06", [("2024-05-09", "Rome")]),
    # taking office is an event
    ("The new president takes office on January 20.", "en", "2024-11-10", [("2025-01-20", None)]),
    ("Le nouveau président prendra ses fonctions le 20 janvier.", "fr", "2024-11-10", [("2025-01-20", None)]),
    # the place an event phrase names, across the comma that separates it from the day
    ("Leaders will settle the matter at the Lisbon summit, on Thursday 4 June.", "en", "2026-06-01",
     [("2026-06-04", "Lisbon")]),
    ("Les chefs d'État trancheront lors du sommet de Lisbonne, jeudi 4 juin.", "fr", "2026-06-01",
     [("2026-06-04", "Lisbon")]),
    ("Defence chiefs meeting in Oslo over the two days (3-4 March 2026) will agree a plan.", "en", "2026-03-02",
     [("2026-03-03", "Oslo")]),
    # an event noun after the day's comma ("jeudi, lors de la rencontre")
    ("Les ministres en reparleront mardi, lors de la rencontre d'Oslo.", "fr", "2026-03-02",
     [("2026-03-03", "Oslo")]),
    # the end of the year is its last month; a schedule listed by commas keeps every year
    ("About forty vehicles should arrive by the end of the year.", "en", "2026-02-12", [("2026-12", None)]),
    ("Oslo livrera douze hélicoptères selon ce calendrier : quatre vers la fin de l'année, cinq en 2027 et "
     "trois en 2028.", "fr", "2026-02-12", [("2026-12", None), ("2027", None), ("2028", None)]),
    # a verb says what happens when no event noun does
    ("The donors will meet again next month.", "en", "2026-02-12", [("2026-03", None)]),
    ("Les livraisons devraient commencer cette année et s'achever en 2027.", "fr", "2026-02-12", [("2027", None)]),
    ("Les anciens appareils seront retirés d'ici le milieu de l'année 2027.", "fr", "2026-02-12", [("2027", None)]),
    # a deadline in a present clause is not dated back by a past verb of another clause
    ("As we wrote earlier, because the bloc is not sending its share of shells by June, Prague looks "
     "elsewhere.", "en", "2026-05-20", [("2026-06", None)]),
]


@pytest.mark.parametrize(("text", "lang", "published", "expected"), KEPT)
def test_dated_events(text, lang, published, expected):
    assert _dates(text, lang, published) == expected


def test_every_date_carries_its_event_evidence_and_confidence():
    for text, lang, published, _ in KEPT:
        for found in _found(text, lang, published):
            assert found.event and found.evidence and found.evidence[0].sentence
            assert 0.5 <= found.confidence <= 1.0


def test_a_verb_reading_is_less_sure_than_an_event_noun():
    (noun,) = _found("The summit will be held on 9 July in Rome.", "en", "2026-02-12")
    (verb,) = _found("The donors will meet again next month.", "en", "2026-02-12")
    assert noun.event == "summit" and verb.event.startswith("meet")
    assert verb.confidence < noun.confidence


DISTANCES = [
    ("Three days before the vote, the candidates held their last rallies.", "en", "2025-05-15", [("2025-05-18", None)]),
    ("À trois jours du scrutin, les candidats ont tenu leurs derniers meetings.", "fr", "2025-05-15",
     [("2025-05-18", None)]),
    ("Four months before the election, the party leads the polls.", "en", "2025-05-15", [("2025-09", None)]),
    ("À deux semaines du sommet de Rome, les ministres se sont parlé.", "fr", "2025-05-15", [("2025-05", "Rome")]),
]


@pytest.mark.parametrize(("text", "lang", "published", "expected"), DISTANCES)
def test_an_event_dated_by_its_distance(text, lang, published, expected):
    assert _dates(text, lang, published) == expected


def test_a_distance_to_an_event_already_past_is_no_key_date():
    assert _dates("Three days after the vote, the count goes on.", "en", "2025-05-15") == []


SAME_DAY_PAST = [
    ("Defence ministers met in Rome on Tuesday for their summit.", "en", "2023-07-11"),
    ("Les ministres se sont réunis mardi à Rome pour leur sommet.", "fr", "2023-07-11"),
    ("Closing the Rome meeting on Wednesday (12 July 2023), the chair praised the decisions.", "en", "2023-07-12"),
    ("La réunion de Rome s'est achevée mercredi 12 juillet.", "fr", "2023-07-12"),
]


@pytest.mark.parametrize(("text", "lang", "published"), SAME_DAY_PAST)
def test_an_event_reported_in_the_past_on_its_day_is_not_upcoming(text, lang, published):
    assert _found(text, lang, published) == []


MORE_KEPT = [
    # taking office is scheduled, whatever past verb follows in another clause
    ("The senator, who takes office on January 20, has vowed to cut the aid.", "en", "2024-12-10",
     [("2025-01-20", None)]),
    ("Le 24 février marquera le deuxième anniversaire de l'attaque.", "fr", "2024-02-10", [("2024-02-24", None)]),
    ("Shipments of the last howitzers are planned for the first half of 2027.", "en", "2026-02-12", [("2027", None)]),
    ("Les livraisons sont prévues au premier semestre 2027.", "fr", "2026-02-12", [("2027", None)]),
    ("Chisinau hopes to join the bloc by 2030.", "en", "2026-02-12", [("2030", None)]),
]


@pytest.mark.parametrize(("text", "lang", "published", "expected"), MORE_KEPT)
def test_more_dated_events(text, lang, published, expected):
    assert _dates(text, lang, published) == expected


def test_a_spending_level_in_a_year_is_no_event():
    assert _found("Le budget des armées atteindra 70 milliards d'euros en 2031.", "fr", "2026-02-12") == []
    assert _found("Germany's defence outlays will reach 3.5% of output in 2029.", "en", "2026-02-12") == []
