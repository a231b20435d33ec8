"""Story-level merging: one fact with several sources; disagreeing figures kept and flagged."""

from __future__ import annotations

from briefings.merge import find_conflicts, merge_dates, merge_pledges
from briefings.models import Evidence, KeyDate, Pledge


def ev(url: str, sentence: str = "s") -> list[Evidence]:
    return [Evidence(sentence, url)]


def test_one_pledge_stated_by_three_outlets_is_one_fact_with_three_sources():
    pledges = [
        Pledge("NATO", "UA", 35e9, "USD", item="aide militaire", evidence=ev("a")),
        Pledge("UDCG", "UA", 35e9, "USD", item="military aid package", evidence=ev("b")),
        Pledge("NATO", "UA", 35.0e9, "USD", qualifier="about", evidence=ev("c")),
        Pledge("GB", "UA", 500e6, "GBP", item="air defence", evidence=ev("b")),
    ]
    merged = merge_pledges(pledges)
    assert len(merged) == 2
    big = merged[0]
    assert [e.url for e in big.evidence] == ["a", "b", "c"]
    assert big.donor == "NATO" and big.qualifier == "about" and big.item == "aide militaire"


def test_counted_pledges_merge_on_quantity_and_item_and_keep_a_condition():
    pledges = [
        Pledge("DE", "UA", quantity=5, item="PAC-3 interceptors", evidence=ev("a")),
        Pledge("DE", "UA", quantity=5, item="intercepteurs PAC-3", condition="others send thirty", evidence=ev("b")),
        Pledge("DE", "UA", quantity=4, item="IRIS-T systems", evidence=ev("b")),
    ]
    merged = merge_pledges(pledges)
    assert [(p.quantity, len(p.evidence)) for p in merged] == [(5, 2), (4, 1)]
    assert merged[0].condition == "others send thirty"


def test_different_donors_or_values_stay_apart():
    pledges = [Pledge("GB", "UA", 500e6, "GBP", evidence=ev("a")), Pledge("GB", "UA", 150e6, "GBP", evidence=ev("a")),
               Pledge("NL", "UA", 500e6, "GBP", evidence=ev("b"))]
    assert len(merge_pledges(pledges)) == 3


def test_disagreeing_figures_from_different_sources_are_flagged():
    euro = Pledge("NL", "UA", 500e6, "EUR", item="PURL weapons purchase", evidence=ev("a"))
    dollar = Pledge("NL", "UA", 500e6, "USD", item="PURL artillery", qualifier="more than", evidence=ev("b"))
    other = Pledge("NL", "UA", 20e6, "EUR", item="demining boats", evidence=ev("b"))
    assert find_conflicts([euro, dollar, other]) == [[euro, dollar]]


def test_an_unspecified_item_can_conflict_but_a_different_one_cannot():
    vague = Pledge("NO", "UA", 2e9, "NOK", item="military aid", evidence=ev("a"))
    edited = Pledge("NO", "UA", 3e9, "NOK", item="aide militaire", evidence=ev("b"))
    other = Pledge("NO", "UA", 1e9, "NOK", item="Patriot missiles", evidence=ev("c"))
    assert find_conflicts([vague, edited]) == [[vague, edited]]
    assert find_conflicts([Pledge("NO", "UA", 2e9, "NOK", item="drones", evidence=ev("a")), other]) == []


def test_two_figures_one_source_states_together_are_not_a_conflict():
    first = Pledge("GB", "UA", 500e6, "GBP", item="air defence missiles", evidence=ev("a"))
    second = Pledge("GB", "UA", 150e6, "GBP", item="air defence via PURL", evidence=ev("a"))
    assert find_conflicts([first, second]) == []


def test_dates_merge_on_date_and_a_missing_place_joins_a_named_one():
    dates = [KeyDate("2026-07", "prochain sommet", "Ankara", "fr", ev("a")),
             KeyDate("2026-07", None, None, "en", ev("b")),
             KeyDate("2035", "deadline", None, "en", ev("a")),
             KeyDate("2026-07", "summit", "Vilnius", "en", ev("c"))]
    merged = merge_dates(dates)
    assert [(d.date, d.place, len(d.evidence)) for d in merged] == [("2026-07", "Ankara", 2), ("2035", None, 1),
                                                                    ("2026-07", "Vilnius", 1)]
