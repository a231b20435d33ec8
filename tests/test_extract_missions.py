"""Named missions: names in both languages, organisation, launch date, purpose, merging reports."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from briefings.extract.context import ArticleContext
from briefings.extract.missions import (
    canonical_mission,
    extract_missions,
    find_names,
    same_mission,
    translate,
    unnamed_launch,
)
from briefings.extract.text import normalise, sentences
from briefings.models import Evidence, Mission


def _missions(text: str, lang: str, published: str) -> list[Mission]:
    ctx = ArticleContext(lang, datetime.fromisoformat(published + "T12:00:00+00:00"), "http://127.0.0.1/m")
    return extract_missions(sentences(normalise(text)), ctx)


def _facts(text: str, lang: str, published: str) -> list[tuple]:
    return [(m.name, m.organisation, m.launched) for m in _missions(text, lang, published)]


def test_french_name_translates_to_the_english_one_and_keeps_the_original():
    (mission,) = _missions(
        "L'OTAN a lancé vendredi une opération baptisée « Sentinelle orientale » "
        "afin de protéger son flanc est.",
        "fr", "2025-09-13",
    )
    assert (mission.name, mission.organisation, mission.launched) == ("Eastern Sentry", "NATO", "2025-09-12")
    assert mission.aliases == ["Sentinelle orientale"]
    assert mission.purpose == "protéger son flanc est" and mission.language == "fr"
    assert mission.evidence and mission.evidence[0].url == "http://127.0.0.1/m"


def test_la_veille_counts_from_the_reported_event():
    text = ("Les ministres de la Défense se sont réunis jeudi 12 mars à Bruxelles. "
            "La veille, mercredi, l'Alliance a lancé une mission baptisée Sentinelle balte pour surveiller "
            "les câbles sous-marins.")
    assert _facts(text, "fr", "2026-03-13") == [("Baltic Sentry", "NATO", "2026-03-11")]


def test_english_launch_stated_without_the_name_then_named():
    text = ("NATO launched on Monday a new mission to protect undersea cables in the North Sea. "
            'The operation, called "Northern Sentry", will use frigates and drones.')
    (mission,) = _missions(text, "en", "2026-03-03")
    assert (mission.name, mission.organisation, mission.launched) == ("Northern Sentry", "NATO", "2026-03-02")
    assert mission.purpose.startswith("protect undersea cables")


def test_full_date_and_weekday_and_today():
    assert _facts("L'Alliance a annoncé, mardi 3 mars, le lancement de l'opération Bouclier arctique.",
                  "fr", "2026-03-04") == [("Arctic Shield", "NATO", "2026-03-03")]
    assert _facts('"Today we launch Arctic Sentry to watch the High North," the NATO chief said.',
                  "en", "2026-02-11") == [("Arctic Sentry", "NATO", "2026-02-11")]
    assert _facts("NATO is launching Baltic Sentry, its chief told reporters on Thursday in Brussels.",
                  "en", "2026-01-16") == [("Baltic Sentry", "NATO", "2026-01-15")]


def test_deployment_month_in_french():
    text = "L'OTAN a déployé l'opération « Sentinelle de la Baltique » en janvier."
    assert _facts(text, "fr", "2025-06-01") == [("Baltic Sentry", "NATO", "2025-01")]


def test_a_mission_cited_as_a_model_has_no_launch_date_and_anaphora_skips_it():
    text = ("L'OTAN déploie l'opération Sentinelle orientale dans le ciel polonais. "
            "Elle s'inspire de la mission Baltic Sentry, déjà active en mer Baltique. "
            "Cette nouvelle opération a été annoncée vendredi 12 septembre 2025 à Bruxelles.")
    facts = sorted(_facts(text, "fr", "2025-09-12"))
    assert facts == [("Baltic Sentry", "NATO", None), ("Eastern Sentry", "NATO", "2025-09-12")]


def test_launch_date_must_be_this_missions_launch():
    # an announcement about a running mission is not its launch
    assert _facts("Le ministre a annoncé mardi que la mission Baltic Sentry serait prolongée.",
                  "fr", "2026-03-04") == [("Baltic Sentry", "NATO", None)]
    # the date of the incident that prompted it is not its launch either
    assert _facts("Après les incursions du 10 septembre, l'OTAN a lancé l'opération Eastern Sentry.",
                  "fr", "2025-09-15") == [("Eastern Sentry", "NATO", None)]
    # a stated past launch at month precision is kept at that precision
    assert _facts("The Baltic Sentry mission, launched in January 2025, now counts ten ships.",
                  "en", "2026-03-04") == [("Baltic Sentry", "NATO", "2025-01")]


def test_organisation_from_the_text_else_known_operator():
    assert _facts("L'Union européenne a prolongé l'opération Aspides en mer Rouge.", "fr", "2026-02-01") == [
        ("Aspides", "EU", None)]
    assert _facts("Warships of the Aspides operation escort cargo ships.", "en", "2026-02-01") == [
        ("Aspides", "EU", None)]


@pytest.mark.parametrize(("lang", "text"), [
    ("en", "NATO launched a new mission on Friday to protect the Baltic."),
    ("fr", "Moscou poursuit son opération militaire spéciale lancée en février 2022."),
    ("en", "The initiative, known as the Priority List, was launched on July 14."),
    ("fr", "Une sentinelle garde l'entrée du quartier général."),
    ("en", "Sky Shield and Iron Dome were discussed, as was the European Sky Shield Initiative."),
    ("fr", "La mission de l'OTAN au Kosovo reste stable, selon Rutte."),
])
def test_no_named_mission(lang, text):
    assert _missions(text, lang, "2026-02-12") == []


@pytest.mark.parametrize(("text", "names"), [
    ("Launching Eastern Sentry was a signal.", ["Eastern Sentry"]),
    ("Les navires de l'opération Irini et ceux d'Atalanta patrouillent.", ["Irini", "Atalanta"]),
    ("l'opération baptisée « Bouclier d'Europe » commence.", ["Bouclier d'Europe"]),
    ("Le lancement d'Arctic Sentry répond aux inquiétudes.", ["Arctic Sentry"]),
    ("la nouvelle mission Sentinelle de l'Arctique", ["Sentinelle de l'Arctique"]),
    ("Les soldats de l'opération Barkhane ont quitté la région.", ["Barkhane"]),
    ("Rutte a qualifié la mission de « Signal fort ».", []),
    ("Les forces de Territorial Defence et Human Rights Watch ont réagi.", []),
])
def test_names_found(text, names):
    assert [m.name for m in find_names(text, "fr")] == names


@pytest.mark.parametrize(("text", "names"), [
    ("Operation Interflex has trained thousands of recruits.", ["Interflex"]),
    ("NATO launched the operation Friday in the Baltic.", []),
    ('Rutte called the mission "A strong signal to Moscow".', []),
    ("The Ukraine Defense Contact Group and the German Defense Minister met.", []),
])
def test_english_names_found(text, names):
    assert [m.name for m in find_names(text, "en")] == names


def test_translate():
    assert translate("Sentinelle orientale") == "Eastern Sentry"
    assert translate("Sentinelle de l'Arctique") == "Arctic Sentry"
    assert translate("Eastern Sentry") == "Eastern Sentry"
    assert translate("Sentinelle") is None


def test_same_mission_across_languages_and_canonical_merge():
    fr = Mission("Eastern Sentry", "NATO", "2025-09-12", "renforcer le flanc est", ["Sentinelle orientale"],
                 "fr", [Evidence("phrase fr", "http://127.0.0.1/fr")])
    fr_only = Mission("Sentinelle orientale", None, None, None, [], "fr", [Evidence("autre", "http://127.0.0.1/f2")])
    en = Mission("Eastern Sentry", "NATO", "2025-09-12", "bolster the eastern flank", [], "en",
                 [Evidence("english", "http://127.0.0.1/en")])
    other = Mission("Baltic Sentry", "NATO", None, None, [], "en")
    assert same_mission(fr, en) and same_mission(fr_only, en)
    assert same_mission(Mission("Operation Eastern Sentry"), en)
    assert not same_mission(en, other)
    merged = canonical_mission([fr_only, en, fr])
    assert merged.name == "Eastern Sentry" and merged.aliases == ["Sentinelle orientale"]
    assert (merged.organisation, merged.launched) == ("NATO", "2025-09-12")
    assert merged.purpose == "bolster the eastern flank" and merged.language == "en"
    assert [e.url for e in merged.evidence] == ["http://127.0.0.1/f2", "http://127.0.0.1/en", "http://127.0.0.1/fr"]


def test_launch_dates_disagreeing_keep_the_most_reported_then_the_most_precise():
    a = Mission("Baltic Sentry", "NATO", "2025-01")
    b = Mission("Baltic Sentry", "NATO", "2025-01-14")
    assert canonical_mission([a, b]).launched == "2025-01-14"
    assert canonical_mission([a, a, b]).launched == "2025-01"


def test_an_unnamed_launch_waits_for_a_name_from_the_story():
    ctx = ArticleContext("en", datetime(2026, 3, 3, 12, tzinfo=UTC), "http://127.0.0.1/u")
    body = sentences("Allies met in Oslo. NATO launched on Monday a new mission to protect undersea cables.")
    assert extract_missions(body, ctx) == []
    launch = unnamed_launch(body, ctx)
    assert (launch.organisation, launch.launched, launch.language) == ("NATO", "2026-03-02", "en")
    assert launch.purpose == "protect undersea cables"
    mission = launch.named("Northern Sentry")
    assert (mission.name, mission.launched, mission.evidence[0].url) == ("Northern Sentry", "2026-03-02",
                                                                          "http://127.0.0.1/u")
    named = sentences("NATO launched on Monday a new mission called Northern Sentry.")
    assert unnamed_launch(named, ctx) is None
    assert unnamed_launch(sentences("NATO ministers met on Monday in Oslo."), ctx) is None


def test_french_forms_of_single_word_operation_names_take_the_english_name():
    found = _facts(
        "L'Union européenne a mis sur pied lundi une nouvelle force navale. "
        "Elle rejoint les missions Agénor et Atalante, déjà présentes dans la région.",
        "fr", "2024-03-04",
    )
    assert sorted(name for name, _, _ in found) == ["Agenor", "Atalanta"]
    assert all(launched is None for _, _, launched in found)
    assert translate("Atalante") == "Atalanta"


def test_a_spelt_out_name_is_the_acronym_and_a_deadline_is_no_launch_day():
    found = _facts(
        "The EU Military Assistance Mission is being launched while the bloc wants a reaction force ready by 2027.",
        "en", "2026-02-12",
    )
    assert found == [("EUMAM", "EU", None)]
