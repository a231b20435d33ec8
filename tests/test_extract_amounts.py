"""Money amounts and counted items, French and English, in sentences written for these tests."""

from __future__ import annotations

import pytest

from briefings.extract.amounts import find_amounts, find_quantities, parse_number


def _money(text: str, language: str) -> list[tuple[float, str | None]]:
    return [(a.value, a.currency) for a in find_amounts(text, language)]


@pytest.mark.parametrize(
    ("language", "text", "value", "currency"),
    [
        ("fr", "Le pays versera 42 milliards de dollars.", 42e9, "USD"),
        ("fr", "Une enveloppe de 7,5 milliards d'euros est prévue.", 7.5e9, "EUR"),
        ("fr", "Il s'agit de 300 millions de livres sterling.", 300e6, "GBP"),
        ("fr", "Londres ajoute 80 millions de livres.", 80e6, "GBP"),
        ("fr", "Un effort de 2,4 Md€ est annoncé.", 2.4e9, "EUR"),
        ("fr", "Un budget de 650 M€ est voté.", 650e6, "EUR"),
        ("fr", "Oslo paiera trois milliards de couronnes norvégiennes.", 3e9, "NOK"),
        ("fr", "Stockholm offre 900 millions de couronnes suédoises.", 900e6, "SEK"),
        ("fr", "Copenhague donne 4 milliards de couronnes danoises.", 4e9, "DKK"),
        ("fr", "Ottawa promet 60 millions de dollars canadiens.", 60e6, "CAD"),
        ("fr", "Varsovie annonce 700 millions de zlotys.", 700e6, "PLN"),
        ("fr", "Kiev recevra 12 milliards de hryvnias.", 12e9, "UAH"),
        ("fr", "Berne débloque 50 millions de francs suisses.", 50e6, "CHF"),
        ("fr", "Tokyo accorde 90 milliards de yens.", 90e9, "JPY"),
        ("fr", "Le plan atteint un milliard d'euros.", 1e9, "EUR"),
        ("en", "The fund holds $12bn.", 12e9, "USD"),
        ("en", "A package of £750m was agreed.", 750e6, "GBP"),
        ("en", "They set aside €1.8 billion.", 1.8e9, "EUR"),
        ("en", "It is worth EUR 2.25 billion.", 2.25e9, "EUR"),
        ("en", "Spending of 320 million pounds is planned.", 320e6, "GBP"),
        ("en", "Canberra adds A$100 million.", 100e6, "AUD"),
        ("en", "Oslo gives 7 billion Norwegian kroner.", 7e9, "NOK"),
        ("en", "The programme totals NOK 3 billion.", 3e9, "NOK"),
        ("en", "A grant of one billion dollars was signed.", 1e9, "USD"),
        ("en", "Officials mentioned 2,500 euros per soldier.", 2500.0, "EUR"),
    ],
)
def test_amount_forms(language: str, text: str, value: float, currency: str) -> None:
    assert _money(text, language) == [(value, currency)]


def test_amount_without_currency_is_kept_with_none() -> None:
    assert _money("Le premier pays donne 180 millions, le second 75 millions.", "fr") == [(180e6, None), (75e6, None)]


def test_counts_of_things_are_not_money() -> None:
    assert _money("Un million d'obus seront produits en 2026.", "fr") == []
    assert _money("Le 3 mars 2026, 40 pays et 155 mm, soit 5 % du PIB.", "fr") == []
    assert _money("About 5 m of cable and 30 countries.", "en") == []


@pytest.mark.parametrize(
    ("language", "text", "qualifier"),
    [
        ("fr", "plus de 400 millions d'euros", "more than"),
        ("fr", "plus d'un milliard de dollars", "more than"),
        ("fr", "au moins 20 millions d'euros", "at least"),
        ("fr", "environ 60 millions de dollars", "about"),
        ("fr", "quelque 15 milliards de dollars", "about"),
        ("fr", "près de 2 milliards d'euros", "nearly"),
        ("fr", "jusqu'à 300 millions d'euros", "up to"),
        ("en", "more than $3bn", "more than"),
        ("en", "over £90m", "more than"),
        ("en", "at least €40 million", "at least"),
        ("en", "about $1.1 billion", "about"),
        ("en", "around €200m", "about"),
        ("en", "some $6 billion", "about"),
        ("en", "nearly $2 billion", "nearly"),
        ("en", "almost £1bn", "nearly"),
        ("en", "up to €500 million", "up to"),
    ],
)
def test_qualifiers(language: str, text: str, qualifier: str) -> None:
    (amount,) = find_amounts(text, language)
    assert amount.qualifier == qualifier
    assert text.endswith(amount.text)


def test_conversion_in_parentheses_is_not_a_second_amount() -> None:
    (amount,) = find_amounts(
        "un effort de plus de 300 millions de livres sterling (345 millions d'euros) cette année", "fr"
    )
    assert (amount.value, amount.currency, amount.qualifier) == (300e6, "GBP", "more than")
    assert amount.converted == ((345e6, "EUR"),)


def test_several_conversions_after_a_slash() -> None:
    (amount,) = find_amounts("a €400 million ($460m/£345m) contract", "en")
    assert (amount.value, amount.currency) == (400e6, "EUR")
    assert amount.converted == ((460e6, "USD"), (345e6, "GBP"))


def test_conversion_after_soit_and_after_a_comma() -> None:
    (fr,) = find_amounts("deux milliards de couronnes suédoises, soit environ 190 millions de dollars", "fr")
    assert (fr.value, fr.currency, fr.converted) == (2e9, "SEK", ((190e6, "USD"),))
    (en,) = find_amounts("NOK 2 billion for the fund, roughly $190 million", "en")
    assert (en.value, en.currency, en.converted) == (2e9, "NOK", ((190e6, "USD"),))


def test_same_currency_after_ie_is_marked_as_restating() -> None:
    amounts = find_amounts("EUR 1 billion now and EUR 2 billion later, i.e. EUR 3 billion in all", "en")
    assert [(a.value, a.restates) for a in amounts] == [(1e9, False), (2e9, False), (3e9, True)]


def test_offsets_point_into_the_original_text() -> None:
    text = "Le Québec et l'État versent 12,5 millions d'€uros… non : 12,5 millions d'euros."
    amounts = find_amounts(text, "fr")
    assert [text[a.start : a.end] for a in amounts] == [a.text for a in amounts]
    assert amounts[-1].text == "12,5 millions d'euros"


@pytest.mark.parametrize(
    ("text", "value"),
    [("11,5", 11.5), ("1.25", 1.25), ("1 200", 1200.0), ("1,200", 1200.0), ("2.500.000", 2500000.0), ("7", 7.0)],
)
def test_parse_number_separators(text: str, value: float) -> None:
    assert parse_number(text) == value


def _counted(text: str, language: str) -> list[tuple[int | None, str, str | None]]:
    return [(q.count, q.item, q.qualifier) for q in find_quantities(text, language)]


def test_counted_items_in_french() -> None:
    assert _counted("Paris enverra six canons automoteurs à Kiev.", "fr") == [(6, "canons automoteurs", None)]
    assert _counted("Rome livrera une trentaine de blindés.", "fr") == [(30, "blindés", "about")]
    assert _counted("Madrid cède vingt-quatre véhicules.", "fr") == [(24, "véhicules", None)]
    assert _counted("Berlin fournit 10 000 obus.", "fr") == [(10000, "obus", None)]


def test_counted_items_keep_the_name_given_after_them() -> None:
    assert _counted("Ils livreront trois lanceurs supplémentaires, appelés NASAMS, au pays.", "fr") == [
        (3, "lanceurs supplémentaires NASAMS", None)
    ]
    assert _counted("They will ship two launchers (HIMARS) next week.", "en") == [(2, "launchers HIMARS", None)]


def test_counted_items_in_english_keep_a_list() -> None:
    assert _counted("Oslo pledged five new radars, trucks, spare parts, and training.", "en") == [
        (5, "new radars, trucks, spare parts, and training", None)
    ]
    assert _counted("Vilnius adds a dozen drones.", "en") == [(12, "drones", "about")]
    assert _counted("Riga will send four Gepard systems.", "en") == [(4, "Gepard systems", None)]


def test_named_items_without_a_number() -> None:
    assert _counted("Lisbonne a promis des F-16 et 2 000 obus.", "fr") == [(None, "F-16", None), (2000, "obus", None)]
    assert _counted("The Dutch will deliver more Patriots soon.", "en") == [(None, "Patriots", None)]


def test_durations_dates_and_people_are_not_items() -> None:
    assert _counted("Pendant cinq ans, 40 pays et 300 soldats ; le 4 mars.", "fr") == []
    assert _counted("Over three years, 12 countries and 200 troops.", "en") == []


def test_shared_crown_names_need_a_country() -> None:
    assert _money("Le gouvernement versera 4 milliards de couronnes.", "fr") == [(4e9, None)]
    found = find_amounts("Le gouvernement versera 4 milliards de couronnes.", "fr", ("UA", "SE", "NO"))
    assert [(a.value, a.currency) for a in found] == [(4e9, "SEK")]
    found = find_amounts("It adds 900 million kroner.", "en", ("DK",))
    assert [(a.value, a.currency) for a in found] == [(900e6, "DKK")]


@pytest.mark.parametrize(
    ("language", "text", "value", "currency"),
    [
        ("fr", "Oslo fournira un demi-milliard de dollars.", 500e6, "USD"),
        ("en", "Ottawa will add half a billion dollars.", 500e6, "USD"),
        ("fr", "Une aide avoisinant le milliard d'euros.", 1e9, "EUR"),
        ("en", "It granted NOK3 billion last week.", 3e9, "NOK"),
        ("en", "Packages of US $250 million were funded.", 250e6, "USD"),
    ],
)
def test_halves_articles_and_glued_codes(language: str, text: str, value: float, currency: str) -> None:
    assert _money(text, language) == [(value, currency)]


def test_a_date_before_a_comma_is_not_a_count() -> None:
    assert find_quantities("Ils ont signé le jeudi 14 mars, qu'ils financeront un programme.", "fr") == []


def test_model_numbers_stay_in_the_item() -> None:
    found = find_quantities("Rome will send 8 Centauro 2 vehicles and 10 Leopard 1A5 tanks.", "en")
    assert [(q.count, q.item) for q in found] == [(8, "Centauro 2 vehicles"), (10, "Leopard 1A5 tanks")]
    found = find_quantities("Madrid enverra 6 Leopard 2 à Kiev et 4 radars.", "fr")
    assert [(q.count, q.item) for q in found] == [(6, "Leopard 2"), (4, "radars")]


def test_first_figure_shares_the_scale_of_the_second() -> None:
    assert _money("Elles verseront 40 et 20 millions d'euros.", "fr") == [(40e6, "EUR"), (20e6, "EUR")]
    assert _money("Une aide d'un milliard d'euros.", "fr") == [(1e9, "EUR")]


def test_currency_after_a_closing_quote() -> None:
    assert _money("Un accord « sur le versement de 9 milliards » de dollars a été trouvé.", "fr") == [(9e9, "USD")]


def test_hyphenated_and_quebec_scales() -> None:
    assert _money("Ottawa unveiled a $750-million package.", "en") == [(750e6, "USD")]
    assert _money("Québec annonce 3 G$ pour les routes.", "fr") == [(3e9, "USD")]
