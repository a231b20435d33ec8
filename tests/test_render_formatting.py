"""Exact strings of the Babel-based formatting, in both locales.

French output from Babel carries narrow no-break spaces (U+202F) in numbers: the expected strings
spell them out so a change of spacing is caught.
"""

from __future__ import annotations

import pytest

from briefings.render.formatting import (
    actor_name,
    actors_name,
    format_money,
    format_number,
    format_partial_date,
    join_elided,
    opens_condition,
    place_name,
    qualifier_text,
)

NNBSP = "\u202f"


@pytest.mark.parametrize(
    ("amount", "currency", "fr", "en"),
    [
        (35e9, "USD", "35 milliards de dollars", "$35 billion"),
        (500e6, "GBP", "500 millions de livres sterling", "£500 million"),
        (11.5e9, "EUR", "11,5 milliards d'euros", "€11.5 billion"),
        (150_000_000, "GBP", "150 millions de livres sterling", "£150 million"),
        (1.25e9, "USD", "1,25 milliard de dollars", "$1.25 billion"),
        (5e9, "NOK", "5 milliards de couronnes norvégiennes", "NOK 5 billion"),
        (2e9, "UAH", "2 milliards de hryvnias", "UAH 2 billion"),
        (3e6, "CHF", "3 millions de francs suisses", "CHF 3 million"),
        (5000, "EUR", f"5{NNBSP}000 euros", "€5,000"),
        (1, "EUR", "1 euro", "€1"),
    ],
)
def test_money_reads_like_a_news_brief(amount: float, currency: str, fr: str, en: str) -> None:
    assert format_money(amount, currency, "fr") == fr
    assert format_money(amount, currency, "en") == en


def test_exactly_one_million_or_billion_is_singular_in_french() -> None:
    # Babel 2.18 alone gives "1 millions" / "1 milliards".
    assert format_money(1e6, "USD", "fr") == "1 million de dollars"
    assert format_money(1e9, "EUR", "fr") == "1 milliard d'euros"
    assert format_money(1e9, "EUR", "en") == "€1 billion"


@pytest.mark.parametrize(
    ("qualifier", "fr", "en"),
    [
        ("more than", "plus de", "more than"),
        ("about", "environ", "about"),
        ("up to", "jusqu'à", "up to"),
        ("jusqu’à", "jusqu'à", "up to"),
        ("Plus de", "plus de", "more than"),
        ("at least", "au moins", "at least"),
    ],
)
def test_qualifiers_are_shown_in_the_brief_language(qualifier: str, fr: str, en: str) -> None:
    assert qualifier_text(qualifier, "fr") == fr
    assert qualifier_text(qualifier, "en") == en


def test_qualified_amounts() -> None:
    assert format_money(35e9, "USD", "fr", "more than") == "plus de 35 milliards de dollars"
    assert format_money(35e9, "USD", "en", "plus de") == "more than $35 billion"
    assert format_money(11.5e9, "EUR", "fr", "about") == "environ 11,5 milliards d'euros"
    assert format_money(500e6, "GBP", "en", "up to") == "up to £500 million"


def test_unknown_qualifier_is_kept_as_written() -> None:
    assert format_money(2e9, "USD", "en", "roughly twice") == "roughly twice $2 billion"


def test_numbers_below_a_million_are_written_in_full() -> None:
    assert format_number(30, "fr") == "30"
    assert format_number(30000, "fr") == f"30{NNBSP}000"
    assert format_number(30000, "en") == "30,000"
    assert format_number(2_500_000, "fr") == "2,5 millions"


@pytest.mark.parametrize(
    ("iso", "fr", "en"),
    [
        ("2026-07", "juillet 2026", "July 2026"),
        ("2035", "2035", "2035"),
        ("2026-02-11", "11 février 2026", "11 February 2026"),
        ("2025-12-01", "1 décembre 2025", "1 December 2025"),
        ("next spring", "next spring", "next spring"),
    ],
)
def test_dates_at_their_precision(iso: str, fr: str, en: str) -> None:
    assert format_partial_date(iso, "fr") == fr
    assert format_partial_date(iso, "en") == en


@pytest.mark.parametrize(
    ("code", "fr", "en"),
    [
        ("GB", "Royaume-Uni", "United Kingdom"),
        ("UA", "Ukraine", "Ukraine"),
        ("US", "États-Unis", "United States"),
        ("NATO", "OTAN", "NATO"),
        ("UDCG", "Groupe de contact pour la défense de l'Ukraine", "Ukraine Defence Contact Group"),
        ("EU", "UE", "EU"),
        ("ZZZ", "ZZZ", "ZZZ"),
    ],
)
def test_country_and_organisation_names(code: str, fr: str, en: str) -> None:
    assert actor_name(code, "fr") == fr
    assert actor_name(code, "en") == en


def test_joint_donors_are_listed_the_locale_way() -> None:
    assert actors_name("DK+NO+SE", "fr") == "Danemark, Norvège et Suède"
    assert actors_name("DK+NO+SE", "en") == "Denmark, Norway, and Sweden"
    assert actors_name("GB+NO", "fr") == "Royaume-Uni et Norvège"
    assert actors_name("DE", "en") == "Germany"


def test_places_use_the_locale_exonym() -> None:
    assert place_name("The Hague", "fr") == "La Haye"
    assert place_name("The Hague", "en") == "The Hague"
    assert place_name("Ankara", "fr") == "Ankara"


def test_french_elision() -> None:
    assert join_elided("de", "euros") == "d'euros"
    assert join_elided("de", "dollars") == "de dollars"
    assert join_elided("que", "elles livrent") == "qu'elles livrent"
    assert join_elided("de", "hryvnias", aspirated=True) == "de hryvnias"


def test_conditions_that_already_carry_their_conjunction() -> None:
    assert opens_condition("provided that others follow")
    assert opens_condition("À condition que d'autres suivent")
    assert not opens_condition("others send thirty more")
