"""Precision first for missions (issue #8): a mission is a name or a named force with the
organisation that runs it; coalition forces and launch days are found. Sentences are our own."""

from __future__ import annotations

from datetime import UTC, datetime

from briefings.extract.context import ArticleContext
from briefings.extract.missions import extract_missions
from briefings.extract.text import normalise, sentences


def missions(text: str, language: str, published: datetime = datetime(2025, 4, 10, 12, tzinfo=UTC)):
    ctx = ArticleContext(language, published, "http://127.0.0.1/a")
    return [(m.name, m.organisation, m.launched) for m in extract_missions(sentences(normalise(text)), ctx)]


def test_a_coalition_force_named_by_what_it_is_for():
    text = ("Defence ministers of the coalition of the willing gathered at NATO headquarters to plan the "
            "reassurance force that would deploy in Ukraine after a truce.")
    assert missions(text, "en") == [("Multinational Force Ukraine", "Coalition of the Willing", None)]
    text = "La coalition des volontaires prépare une force de réassurance pour l'Ukraine, selon Paris."
    assert missions(text, "fr") == [("Multinational Force Ukraine", "Coalition of the Willing", None)]
    text = "Leaders of the coalition of the willing said the Multinational Force Ukraine would help secure its skies."
    assert missions(text, "en") == [("Multinational Force Ukraine", "Coalition of the Willing", None)]


def test_a_name_spelt_with_a_space_is_the_same_mission():
    text = "L'Union européenne a approuvé la mission d'aide militaire aux forces de Kiev (EU MAM Ukraine)."
    assert [m[:2] for m in missions(text, "fr")] == [("EUMAM", "EU")]


def test_the_launch_day_is_kept():
    text = "NATO's Arctic Sentry mission, launched on April 7, sends frigates north of Norway."
    assert missions(text, "en") == [("Arctic Sentry", "NATO", "2025-04-07")]


def test_no_mission_without_the_organisation_that_runs_it():
    # a named force with no operator named, nor known, is not yet a fact
    assert missions("The Northern Shield exercise tested the ships of several navies.", "en") == []


def test_an_operator_only_our_reference_list_gives_is_less_sure():
    ctx = ArticleContext("en", datetime(2025, 1, 15, 12, tzinfo=UTC), "http://127.0.0.1/a")
    (named,) = extract_missions(sentences("NATO's Baltic Sentry mission watches undersea cables."), ctx)
    (known,) = extract_missions(sentences("The Baltic Sentry mission watches undersea cables."), ctx)
    assert named.organisation == known.organisation == "NATO"
    assert named.confidence == 1.0 and known.confidence < 1.0


def test_a_force_in_common_words_is_the_coalitions_only_when_the_coalition_is_named():
    text = "A multinational force led by Paris and London would deploy after a truce, the coalition of the willing said"
    assert missions(text, "en") == [("Multinational Force Ukraine", "Coalition of the Willing", None)]
    assert missions("NATO's multinational force in Latvia took in Spanish troops on Monday.", "en") == []
    assert missions("La force multinationale de l'Otan en Bulgarie compte 3 000 soldats.", "fr") == []
    assert missions("A reassurance force would help keep the skies safe once the guns fall silent.", "en") == []
