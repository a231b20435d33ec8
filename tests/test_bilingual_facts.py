"""Every fact in both languages: a merged fact quotes, in each language's brief, a source in that
language when one states it (issue #9, part 1a). Sentences are our own words."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from briefings.brief import build_story_brief
from briefings.export import story_json
from briefings.merge import merge_dates, merge_missions, merge_pledges
from briefings.models import Article, Evidence, KeyDate, Mission, Pledge, Story
from briefings.render import context
from briefings.render.lexicon import translate

FR, EN = "https://veilleur.example/fr", "https://wire.example/en"
AS_OF = datetime(2026, 2, 14, tzinfo=UTC)


def ev(url: str) -> list[Evidence]:
    return [Evidence("a sentence of our own", url)]


def story(pledges: list[Pledge], missions: list[Mission], dates: list[KeyDate]) -> Story:
    articles = [Article(FR, "Titre", "", "fr", datetime(2026, 2, 12, tzinfo=UTC)),
                Article(EN, "Title", "", "en", datetime(2026, 2, 12, 1, tzinfo=UTC))]
    return Story("s", {"fr": "Titre", "en": "Title"}, articles, pledges=merge_pledges(pledges),
                 missions=merge_missions(missions), dates=merge_dates(dates))


def lines(s: Story, locale: str) -> list[str]:
    ctx = context(build_story_brief(s, as_of=AS_OF), locale)["stories"][0]
    return ([p["line"].plain for p in ctx["pledges"]] + [m.plain for m in ctx["missions"]]
            + [d.plain for d in ctx["dates"]])


def bilingual_story() -> Story:
    return story(
        [Pledge("DE", "UA", quantity=4, item="lanceurs Zeta-9", condition="le Parlement vote", language="fr",
                evidence=ev(FR)),
         Pledge("DE", "UA", quantity=4, item="Zeta-9 launchers", condition="parliament votes for it", evidence=ev(EN))],
        [Mission("Polar Watchman", "NATO", purpose="surveiller les détroits", language="fr", evidence=ev(FR)),
         Mission("Polar Watchman", "NATO", purpose="watch over the straits", evidence=ev(EN))],
        [KeyDate("2026-09", "grande réunion des donateurs", "Oslo", language="fr", evidence=ev(FR)),
         KeyDate("2026-09", "big donors gathering", "Oslo", evidence=ev(EN))],
    )


def test_a_fact_stated_in_both_languages_keeps_each_languages_words() -> None:
    s = bilingual_story()
    [pledge], [mission], [when] = s.pledges, s.missions, s.dates
    assert pledge.item == "lanceurs Zeta-9" and pledge.language == "fr"  # the export's `item` is unchanged
    assert pledge.wordings == {"fr": {"item": "lanceurs Zeta-9", "condition": "le Parlement vote"},
                               "en": {"item": "Zeta-9 launchers", "condition": "parliament votes for it"}}
    assert mission.wordings["en"] == {"purpose": "watch over the straits"}
    assert when.wordings["en"] == {"event": "big donors gathering"}


def test_each_brief_quotes_the_source_in_its_own_language() -> None:
    s = bilingual_story()
    fr, en = lines(s, "fr"), lines(s, "en")
    assert "4 lanceurs Zeta-9, à condition que le Parlement vote" in fr[0]
    assert "4 Zeta-9 launchers, provided that parliament votes for it" in en[0]
    assert fr[1].endswith(": surveiller les détroits · 2 sources")
    assert en[1].endswith(": watch over the straits · 2 sources")
    assert "grande réunion des donateurs, Oslo" in fr[2] and "big donors gathering, Oslo" in en[2]
    assert not any("(fr)" in line or "(en)" in line for line in fr + en)


def test_a_fact_only_one_language_states_keeps_its_words_marked() -> None:
    s = story([Pledge("DE", "UA", quantity=4, item="Zeta-9 trebuchets", condition="parliament agrees",
                      evidence=ev(EN))], [], [])
    assert lines(s, "fr")[0].endswith("4 Zeta-9 trebuchets (en) (condition\u00a0: parliament agrees (en)) · 1 source")


def test_a_fact_one_language_states_is_composed_in_the_other_from_the_lexicon() -> None:
    s = story([Pledge("NO", "UA", quantity=6, item="Zeta-9 light tanks", evidence=ev(EN))], [],
              [KeyDate("2026-10", "prochaine réunion ministérielle de l'OTAN", "Oslo", language="fr", evidence=ev(FR))])
    assert lines(s, "fr")[0].endswith(": 6 chars légers Zeta-9 · 1 source")
    assert lines(s, "en")[1] == "October 2026 — next NATO ministerial meeting, Oslo · 1 source"


def test_own_words_the_lexicon_cannot_read_give_way_to_words_it_composes() -> None:
    s = story([], [], [KeyDate("2026-10", "prochain sommet du G7", "Oslo", language="fr", evidence=ev(FR)),
                       KeyDate("2026-10", "to be hosted by", "Oslo", evidence=ev(EN))])
    assert lines(s, "en")[0] == "October 2026 — next G7 summit, Oslo · 2 sources"


@pytest.mark.parametrize(("text", "source", "target", "expected"), [
    ("PAC-3 interceptors", "en", "fr", "intercepteurs PAC-3"),
    ("intercepteurs PAC-3", "fr", "en", "PAC-3 interceptors"),
    ("next NATO summit", "en", "fr", "prochain sommet de l'OTAN"),
    ("prochain sommet de l'OTAN", "fr", "en", "next NATO summit"),
    ("sommet de Madrid", "fr", "en", "Madrid summit"),
    ("Madrid summit", "en", "fr", "sommet de Madrid"),
    ("Missiles and Air-Defense Systems", "en", "fr", "missiles et systèmes de défense aérienne"),
    ("des systèmes d'artillerie et des munitions", "fr", "en", "artillery systems and ammunition"),
    ("avions de combat F-16", "fr", "en", "F-16 fighter jets"),
    ("F-16s", "en", "fr", "F-16"),
    ("Leopard 2 battle tanks", "en", "fr", "chars Leopard 2"),
    ("obus", "fr", "en", "shells"),
    ("light tanks", "en", "fr", "chars légers"),
    ("nouvelle aide militaire", "fr", "en", "new military aid"),
    ("shells, drones, and helicopters", "en", "fr", "obus, drones et hélicoptères"),
    ("Zeta, the alliance's scheme for buying arms", "en", "fr", "Zeta"),
    ("Zeta-9 recovery vehicles to help the front", "en", "fr", "véhicules de dépannage Zeta-9"),
    ("avions de combat sans en dire le nombre", "fr", "en", "fighter jets"),
    ("l'initiative de Zeta", "fr", "en", "Zeta initiative"),
    ("first two shipments", "en", "fr", "deux premières livraisons"),
    ("trois prochains sommets", "fr", "en", "next three summits"),
    ("three new tanks", "en", "fr", "trois nouveaux chars"),
    ("Zeta Initiative For Shells", "en", "fr", "Zeta Initiative For Shells"),
])
def test_the_lexicon_composes_noun_phrases_both_ways(text: str, source: str, target: str, expected: str) -> None:
    assert translate(text, source, target) == expected


@pytest.mark.parametrize("text", ["held in Ankara", "send tanks to the front", "tanks, missiles and other support",
                                  "tanks, reversing a long refusal", "summit of donors and friends"])
def test_the_lexicon_composes_nothing_it_cannot_say_whole(text: str) -> None:
    assert translate(text, "en", "fr") is None
    assert translate("sommet des donateurs", "fr", "en") is None  # a complement is never cut off


def test_export_gives_each_facts_line_in_every_language_that_says_all_of_it() -> None:
    s = bilingual_story()
    s.pledges += merge_pledges([Pledge("NO", "UA", quantity=2, item="Zeta-9 trebuchets", evidence=ev(EN))])
    [pledge, trebuchets] = story_json(s)["pledges"]
    assert pledge["item"] == "lanceurs Zeta-9"  # the evaluation contract's item, as before
    assert pledge["text"] == {"fr": "Allemagne → Ukraine\u00a0: 4 lanceurs Zeta-9, à condition que le Parlement vote",
                              "en": "Germany → Ukraine: 4 Zeta-9 launchers, provided that parliament votes for it"}
    assert trebuchets["text"] == {"en": "Norway → Ukraine: 2 Zeta-9 trebuchets"}  # French would keep English words
    assert story_json(s)["dates"][0]["text"]["en"] == "September 2026 — big donors gathering, Oslo"


def one_language_story(pledges: list[Pledge], dates: list[KeyDate]) -> Story:
    return story(pledges, [], dates)


def test_a_fragment_read_as_an_item_gives_the_phrase_it_holds_or_only_the_amount() -> None:
    """Extraction read words past the item; the other language's brief says what the lexicon finds
    in them, or the amount alone, never the fragment marked (issue #9: a shorter line is better)."""
    s = one_language_story([
        Pledge("CA", "UA", amount=30e6, currency="CAD", item="the purchase of ammunition", evidence=ev(EN)),
        Pledge("NL", "UA", amount=100e6, currency="EUR", item="this end as well", evidence=ev(EN)),
        Pledge("EU", "UA", amount=2e9, currency="EUR", language="fr", evidence=ev(FR),
               item="financer des achats communs de munitions d'artillerie dont le front a besoin"),
        Pledge("US", "UA", quantity=31, item="M1 Abrams tanks, reversing a long refusal", evidence=ev(EN)),
    ], [])
    fr, en = lines(s, "fr"), lines(s, "en")
    assert fr[0] == "Canada → Ukraine\u00a0: 30 millions de dollars canadiens — munitions · 1 source"
    assert en[0] == "Canada → Ukraine: CAD 30 million — the purchase of ammunition · 1 source"  # own words stay
    assert fr[1] == "Pays-Bas → Ukraine\u00a0: 100 millions d'euros · 1 source"
    assert en[2].startswith("EU → Ukraine: €2 billion — artillery ammunition")
    assert "31 chars M1 Abrams" in fr[3] and "(en)" not in fr[3]


@pytest.mark.parametrize(("event", "language", "fr", "en"), [
    ("send 12 Challenger 2 tanks to Ukraine", "en", "livraison de chars Challenger 2",
     "delivery of Challenger 2 tanks"),
    ("réunissent", "fr", "réunion", "meeting"),
    ("revealed", "en", "annonce", "announcement"),
    ("fournir et livrer", "fr", "livraison", "delivery"),
])
def test_a_verb_read_as_an_event_gives_the_kind_of_event_in_both_briefs(event: str, language: str, fr: str,
                                                                         en: str) -> None:
    s = one_language_story([], [KeyDate("2026-09", event, None, language=language,
                                        evidence=ev(FR if language == "fr" else EN))])
    assert lines(s, "fr")[0] == f"septembre 2026 — {fr} · 1 source"
    assert lines(s, "en")[0] == f"September 2026 — {en} · 1 source"


def test_a_fragment_the_lexicon_finds_nothing_in_keeps_its_words_marked() -> None:
    s = one_language_story([], [KeyDate("2026-09", "supprimés", None, language="fr", evidence=ev(FR))])
    assert lines(s, "en")[0] == "September 2026 — supprimés (fr) · 1 source"
    assert story_json(s)["dates"][0]["text"] == {"fr": "septembre 2026 — supprimés"}


def test_own_words_running_past_the_item_are_cut_to_the_phrase() -> None:
    """The demo's "… systèmes de défense aérienne destinés": the sentence went on past the item."""
    s = one_language_story([
        Pledge("GB", "UA", amount=5e8, currency="GBP", language="fr", evidence=ev(FR),
               item="des missiles et des systèmes de défense aérienne destinés"),
        Pledge("NO", "UA", quantity=2, item="Zeta-9 trebuchets", evidence=ev(EN)),
    ], [])
    assert lines(s, "fr")[0].endswith("— des missiles et des systèmes de défense aérienne · 1 source")
    assert lines(s, "en")[0].endswith("— missiles and air-defence systems · 1 source")
    assert lines(s, "en")[1] == "Norway → Ukraine: 2 Zeta-9 trebuchets · 1 source"  # a name alone is no cut


def test_words_an_article_broke_over_lines_stay_on_the_facts_line() -> None:
    s = story([Pledge("DE", "UA", amount=5e8, currency="EUR", item="air-defence\nsystems", evidence=ev(EN)),
               Pledge("DE", "UA", amount=5e8, currency="EUR", item="systèmes de\ndéfense aérienne", language="fr",
                      evidence=ev(FR))],
              [Mission("Polar Watchman", "NATO", purpose="watch over\n the straits", evidence=ev(EN))], [])
    for locale in ("fr", "en"):
        assert not any("\n" in line for line in lines(s, locale)), lines(s, locale)
    assert lines(s, "en")[0].split(" — ")[1].startswith("air-defence systems")
