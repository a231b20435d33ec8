"""Story clustering on short articles written for these tests, in French and English.

ArticleFacts are written by hand here, as the extractor would fill them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from briefings.cluster import Clusterer, story_id_for
from briefings.cluster.features import article_features, event_day, token_features
from briefings.cluster.settings import default_settings
from briefings.models import Article, ArticleFacts, Mission, Pledge
from briefings.store import Store


def at(day: str, hour: int = 9) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


def art(slug: str, lang: str, when: datetime, title: str, text: str, fingerprint: str = "") -> Article:
    return Article(url=f"https://{slug}.example/{when:%Y%m%d}/{lang}", title=title, text=text, language=lang,
                   published=when, fingerprint=fingerprint)


# One event told four ways: Portugal gives drones to Ukraine at a Brussels meeting (invented details).
DRONES_FR = (
    art("matin", "fr", at("2025-05-14", 8), "Le Portugal promet 300 millions d'euros de drones à l'Ukraine",
        "Réunis à Bruxelles, les soutiens de Kiev ont entendu le ministre portugais Nuno Melo annoncer "
        "une enveloppe de 300 millions d'euros. Lisbonne financera des drones Hornet-7 livrés avant l'hiver."),
    ArticleFacts(pledges=[Pledge(donor="PT", recipient="UA", amount=300e6, currency="EUR", item="drones")],
                 actors={"PT", "UA", "UDCG"}, places={"Brussels", "Lisbon"}, names={"nuno melo"},
                 event_date="2025-05-14"),
)
DRONES_EN = (
    art("daily", "en", at("2025-05-14", 15), "Portugal to fund drones for Kyiv",
        "Lisbon will spend 300 million euros on Hornet-7 drones for Ukraine, Defence Minister Nuno Melo "
        "told allies gathered in Brussels on Wednesday. Deliveries are due before winter."),
    ArticleFacts(pledges=[Pledge(donor="PT", recipient="UA", amount=300e6, currency="EUR", item="drones",
                                 converted=[(340e6, "USD")])],
                 actors={"PT", "UA"}, places={"Brussels", "Lisbon"}, names={"nuno melo"},
                 event_date="2025-05-14"),
)
DRONES_EN_LATE = (
    art("weekly", "en", at("2025-05-16"), "What the Brussels drone pledge means",
        "Two days after Nuno Melo spoke, analysts say the Hornet-7 order will take months to fill."),
    ArticleFacts(actors={"PT", "UA"}, places={"Brussels"}, names={"nuno melo"}, event_date="2025-05-14"),
)
DRONES_FR_LATE = (
    art("soir", "fr", at("2025-05-15"), "Drones : l'aide portugaise détaillée",
        "Le lendemain de la réunion de Bruxelles, Lisbonne a précisé le calendrier des Hornet-7 promis par "
        "Nuno Melo."),
    ArticleFacts(actors={"PT", "UA"}, places={"Brussels", "Lisbon"}, names={"nuno melo"}),
)

# The same day, something else entirely: a mountain stage of a bike race.
CYCLING_FR = (
    art("sport", "fr", at("2025-05-14", 18), "Giro : Luca Bertoni s'impose au sommet du Blockhaus",
        "Le coureur italien Luca Bertoni a remporté mercredi la dixième étape, devant Jonas Aalto."),
    ArticleFacts(actors={"IT", "FI"}, places={"Blockhaus"}, names={"luca bertoni", "jonas aalto"},
                 event_date="2025-05-14"),
)
CYCLING_EN = (
    art("velo", "en", at("2025-05-14", 19), "Bertoni takes Blockhaus stage",
        "Italian rider Luca Bertoni won Wednesday's climb to the Blockhaus ahead of Jonas Aalto of Finland."),
    ArticleFacts(actors={"IT", "FI"}, places={"Blockhaus"}, names={"luca bertoni", "jonas aalto"},
                 event_date="2025-05-14"),
)
# ... and a NATO meeting about something else, same day, sharing the generic actors.
NATO_SAME_DAY = (
    art("wire", "en", at("2025-05-14", 11), "NATO ministers discuss spending",
        "NATO foreign ministers met in Antalya to argue over how fast allies should raise military budgets. "
        "Mark Rutte urged Canada and Spain to move faster."),
    ArticleFacts(actors={"NATO", "CA", "ES", "TR"}, places={"Antalya"}, names={"mark rutte"},
                 event_date="2025-05-14"),
)

# Same organisation, months apart: two sea-and-air missions with similar wording.
LOOKOUT_JAN = (
    art("navy", "en", at("2025-01-15"), "NATO starts Northern Lookout to guard undersea cables",
        "NATO said on Wednesday it would send frigates and patrol aircraft to the North Sea under a new "
        "mission called Northern Lookout, Mark Rutte announced in Helsinki."),
    ArticleFacts(missions=[Mission(name="Northern Lookout", organisation="NATO", launched="2025-01-15")],
                 actors={"NATO", "FI"}, places={"Helsinki", "North Sea"}, names={"mark rutte"},
                 event_date="2025-01-15"),
)
LOOKOUT_JAN_FR = (
    art("marine", "fr", at("2025-01-16"), "L'OTAN lance « Guet du Nord » pour protéger les câbles",
        "Mark Rutte a présenté à Helsinki la mission Northern Lookout : frégates et avions de patrouille "
        "iront en mer du Nord."),
    ArticleFacts(missions=[Mission(name="Northern Lookout", organisation="NATO", aliases=["Guet du Nord"])],
                 actors={"NATO", "FI"}, places={"Helsinki", "North Sea"}, names={"mark rutte"},
                 event_date="2025-01-15"),
)
WATCH_SEPT = (
    art("navy", "en", at("2025-09-10"), "NATO starts Southern Watch after airspace violations",
        "NATO said on Wednesday it would send fighter jets and air defence to its southern members under a "
        "new mission called Southern Watch, Mark Rutte announced in Brussels."),
    ArticleFacts(missions=[Mission(name="Southern Watch", organisation="NATO", launched="2025-09-10")],
                 actors={"NATO"}, places={"Brussels"}, names={"mark rutte"}, event_date="2025-09-10"),
)


def test_one_event_in_french_and_english_is_one_story() -> None:
    clusterer = Clusterer()
    ids = [clusterer.assign(a, f) for a, f in (DRONES_FR, DRONES_EN, DRONES_FR_LATE, DRONES_EN_LATE)]
    assert ids == [story_id_for(DRONES_FR[0])] * 4


def test_unrelated_events_on_the_same_day_stay_apart() -> None:
    clusterer = Clusterer()
    ids = {name: clusterer.assign(*pair) for name, pair in [
        ("drones_fr", DRONES_FR), ("cycling_fr", CYCLING_FR), ("nato", NATO_SAME_DAY),
        ("drones_en", DRONES_EN), ("cycling_en", CYCLING_EN),
    ]}
    assert ids["drones_fr"] == ids["drones_en"]
    assert ids["cycling_fr"] == ids["cycling_en"]
    assert len({ids["drones_fr"], ids["cycling_fr"], ids["nato"]}) == 3


def test_the_same_organisation_months_apart_is_two_stories() -> None:
    clusterer = Clusterer()
    january = [clusterer.assign(*LOOKOUT_JAN), clusterer.assign(*LOOKOUT_JAN_FR)]
    september = clusterer.assign(*WATCH_SEPT)
    assert january[0] == january[1]
    assert september != january[0]


def test_the_same_mission_wording_within_the_window_but_other_names_is_another_story() -> None:
    """The time window alone does not merge: a look-alike mission a week later has other names."""
    clusterer = Clusterer()
    first = clusterer.assign(*LOOKOUT_JAN)
    lookalike_article, lookalike_facts = WATCH_SEPT
    moved = Article(**{**lookalike_article.__dict__, "url": "https://navy.example/moved",
                       "published": at("2025-01-19")})
    facts = ArticleFacts(**{**lookalike_facts.__dict__, "event_date": "2025-01-19"})
    assert clusterer.assign(moved, facts) != first


def test_wire_copies_join_whatever_their_features() -> None:
    clusterer = Clusterer()
    original, facts = DRONES_EN
    original = Article(**{**original.__dict__, "fingerprint": "f0f0f0f0f0f0f0f0"})
    copy = art("reprint", "en", at("2025-05-14", 16), "Lisbon funds drones", "Short credit line only.",
               fingerprint="f0f0f0f0f0f0f0f3")  # two bits away
    stranger = art("other", "en", at("2025-05-14", 17), "Rain delays the harvest", "Short weather note only.",
                   fingerprint="0f0f0f0f0f0f0f0f")  # shares only the day, which is no story
    first = clusterer.assign(original, facts)
    assert clusterer.assign(copy, ArticleFacts()) == first
    assert clusterer.last.fingerprints == 1
    assert clusterer.assign(stranger, ArticleFacts()) != first


def test_assigning_an_article_again_gives_its_story() -> None:
    clusterer = Clusterer()
    first = clusterer.assign(*DRONES_FR)
    clusterer.assign(*CYCLING_FR)
    assert clusterer.assign(*DRONES_FR) == first
    assert len(clusterer) == 2


def test_ids_are_stable_across_a_restart(tmp_path: Path) -> None:
    stream = [DRONES_FR, CYCLING_FR, NATO_SAME_DAY, DRONES_EN, CYCLING_EN, DRONES_FR_LATE, DRONES_EN_LATE]
    uninterrupted = Clusterer()
    expected = [uninterrupted.assign(a, f) for a, f in stream]

    store = Store(f"sqlite:///{tmp_path / 'b.db'}")
    before = Clusterer()
    for article, facts in stream[:4]:
        store.add_article(article, facts)
        store.set_story(article.id, before.assign(article, facts))
    store.close()

    store = Store(f"sqlite:///{tmp_path / 'b.db'}")
    pairs = store.articles_in_window(at("2025-05-01"), at("2025-05-31"))
    restarted = Clusterer()
    restarted.load(pairs, store.story_ids(a.id for a, _ in pairs))
    store.close()
    assert [restarted.assign(a, f) for a, f in stream] == expected


def test_a_loader_fills_the_index_from_the_store_when_a_stretch_of_time_is_first_needed(tmp_path: Path) -> None:
    stream = [LOOKOUT_JAN, DRONES_FR, CYCLING_FR, NATO_SAME_DAY, DRONES_EN, CYCLING_EN, LOOKOUT_JAN_FR]
    uninterrupted = Clusterer()
    expected = [uninterrupted.assign(a, f) for a, f in stream]

    store = Store(f"sqlite:///{tmp_path / 'c.db'}")
    before = Clusterer()
    for article, facts in stream[:4]:
        store.add_article(article, facts)
        store.set_story(article.id, before.assign(article, facts))

    calls: list[tuple[datetime, datetime]] = []

    def loader(start: datetime, end: datetime) -> list:
        calls.append((start, end))
        return store.clustered_between(start, end)

    restarted = Clusterer(loader=loader)
    got = []
    for article, facts in stream[4:]:
        store.add_article(article, facts)  # stored before it is clustered, as the pipeline does
        got.append(restarted.assign(article, facts))
        store.set_story(article.id, got[-1])
    store.close()
    assert got == expected[4:]  # the January copy found its story, stored months before in "time"
    assert len(calls) == 2  # once around May, once around January: not once per article


def test_load_keeps_stored_story_ids_even_where_clustering_would_differ() -> None:
    """A story id once given is never renumbered, whatever the index would decide today."""
    clusterer = Clusterer()
    article, facts = DRONES_EN
    article = Article(**{**article.__dict__, "id": 5})
    clusterer.load([(article, facts)], {5: "s-kept-from-last-week"})
    assert clusterer.assign(*DRONES_FR) == "s-kept-from-last-week"


def test_prune_forgets_old_stories_and_keeps_working() -> None:
    clusterer = Clusterer()
    clusterer.assign(*LOOKOUT_JAN)
    clusterer.assign(art("old", "en", at("2025-01-20"), "Lisbon visit", "Nuno Melo visited Kyiv."),
                     ArticleFacts(actors={"PT", "UA"}, names={"nuno melo"}))
    clusterer.assign(*DRONES_FR)
    assert clusterer.prune(at("2025-05-01")) == 2
    assert len(clusterer) == 1
    assert clusterer.assign(*DRONES_EN) == story_id_for(DRONES_FR[0])
    fresh = Clusterer()  # pruning forgets exactly: the same scores as an index that never saw January
    fresh.assign(*DRONES_FR)
    fresh.assign(*DRONES_EN)
    assert fresh.last.best_score == clusterer.last.best_score
    assert clusterer.assign(*LOOKOUT_JAN_FR) == story_id_for(LOOKOUT_JAN_FR[0])  # a new story now


def test_event_day_trusts_a_plausible_event_date_only() -> None:
    settings = default_settings()
    article = DRONES_EN_LATE[0]
    assert event_day(article, ArticleFacts(event_date="2025-05-14"), settings).isoformat() == "2025-05-14"
    assert event_day(article, ArticleFacts(event_date="2024-02-24"), settings).isoformat() == "2025-05-16"
    assert event_day(article, ArticleFacts(event_date="2025-05"), settings).isoformat() == "2025-05-16"
    # a preview two days ahead sits on the day it previews, next to that day's reports; weeks ahead, not
    assert event_day(article, ArticleFacts(event_date="2025-05-18"), settings).isoformat() == "2025-05-18"
    assert event_day(article, ArticleFacts(event_date="2025-06-02"), settings).isoformat() == "2025-05-16"


def test_tokens_are_names_codes_and_numbers_not_sentence_openers() -> None:
    article = art("x", "en", at("2025-05-14"), "Allies Send More Jets To Kyiv",
                  "Yesterday the IRIS-T batteries and 2,5 F-16 jets left. The minister Boris Pistorius "
                  "spoke in Berlin on Friday (AFP).")
    tokens = token_features(article, default_settings())
    assert {"t:iris-t", "t:f-16", "t:25", "t:boris", "t:pistorius", "t:Berlin"} <= tokens
    assert not tokens & {"t:yesterday", "t:the", "t:friday", "t:afp", "t:allies", "t:send", "t:jets"}


def test_french_words_for_organisations_and_places_count_as_their_english_ones() -> None:
    french = art("x", "fr", at("2025-06-24"), "Sommet de l'OTAN à La Haye",
                 "Les alliés visent 5 % du PIB, a dit Mark Rutte à Bruxelles.")
    english = art("y", "en", at("2025-06-24"), "NATO summit in The Hague",
                  "Allies aim for 5% of GDP, Mark Rutte said in Brussels.")
    settings = default_settings()
    shared = token_features(french, settings) & token_features(english, settings)
    assert {"t:NATO", "t:The Hague", "t:gdp", "t:Brussels", "t:rutte", "t:5"} <= shared


def test_countries_count_as_their_code_in_either_language_and_form() -> None:
    french = art("x", "fr", at("2025-12-03"), "Des obus américains achetés pour Kyiv",
                 "Selon l'Otan, l'Australie ainsi que la Nouvelle-Zélande contribueront aussi.")
    english = art("y", "en", at("2025-12-03"), "American shells bought for Kyiv",
                  "Per NATO, Australia and New Zealand will contribute too.")
    settings = default_settings()
    shared = token_features(french, settings) & token_features(english, settings)
    assert {"t:US", "t:NZ", "t:AU", "t:Kyiv", "t:NATO"} <= shared
    assert not {"t:zealand", "t:australie", "t:nouvelle-zelande"} & token_features(french, settings)


def test_a_report_that_states_no_day_shares_the_day_it_appeared_with_one_that_does() -> None:
    settings = default_settings()
    stated = art("x", "fr", at("2025-12-03"), "Fonds PURL", "Les ministres ont promis mercredi 2 milliards.")
    unstated = art("y", "en", at("2025-12-03", 18), "PURL fund", "Ministers pledged $2bn.")
    assert "d:2025-12-03" in article_features(stated, ArticleFacts(event_date="2025-12-03"), settings)
    assert "d:2025-12-03" in article_features(unstated, ArticleFacts(), settings)


def test_a_word_opening_several_sentences_is_a_name() -> None:
    french = art("x", "fr", at("2024-03-01"), "Volantis dépasse les attentes",
                 "Volantis a publié jeudi ses comptes. Volantis vend surtout des puces pour l'IA. Hier les "
                 "marchés ont salué les chiffres.")
    tokens = token_features(french, default_settings())
    assert {"t:volantis", "t:ai"} <= tokens
    assert "t:hier" not in tokens


# A preview of a ministers' meeting the day after a mission launch: much in common, two events.
LAUNCH_EN = (
    art("wire", "en", at("2026-03-04", 10), "Alliance starts Polar Sentry",
        "The alliance launched Polar Sentry on Wednesday in Brussels to watch the far north, Mark Rutte said."),
    ArticleFacts(missions=[Mission("Polar Sentry", "NATO", "2026-03-04")], actors={"NATO", "BE"},
                 places={"Brussels"}, names={"mark rutte", "polar sentry"}, event_date="2026-03-04"),
)
LAUNCH_FR = (
    art("agence", "fr", at("2026-03-04", 12), "L'OTAN lance Polar Sentry",
        "L'OTAN a lancé mercredi à Bruxelles la mission Polar Sentry pour surveiller le Grand Nord, a dit Mark Rutte."),
    ArticleFacts(missions=[Mission("Polar Sentry", "NATO", "2026-03-04")], actors={"NATO", "BE"},
                 places={"Brussels"}, names={"mark rutte", "polar sentry"}, event_date="2026-03-04"),
)
PREVIEW_EN = (
    art("radio", "en", at("2026-03-04", 16), "Defence ministers to meet on spending",
        "Defence ministers meet in Brussels on Thursday to discuss spending before the Ankara summit, "
        "a day after the launch of Polar Sentry. Pete Hegseth will not attend."),
    ArticleFacts(missions=[Mission("Polar Sentry", "NATO", None)], actors={"NATO", "BE", "TR", "US"},
                 places={"Brussels", "Ankara"}, names={"pete hegseth", "polar sentry"}, event_date="2026-03-05"),
)


def test_a_preview_of_another_day_stays_apart_from_a_launch_story() -> None:
    clusterer = Clusterer()
    launch = clusterer.assign(*LAUNCH_EN)
    assert clusterer.assign(*LAUNCH_FR) == launch
    assert clusterer.assign(*PREVIEW_EN) != launch


def test_reports_that_disagree_on_the_day_still_join_when_neither_is_a_preview() -> None:
    clusterer = Clusterer()
    launch = clusterer.assign(*LAUNCH_EN)
    late = art("weekly", "fr", at("2026-03-06"), "Polar Sentry, deux jours après",
               "Mark Rutte a défendu la mission Polar Sentry, lancée à Bruxelles.")
    facts = ArticleFacts(missions=[Mission("Polar Sentry", "NATO", None)], actors={"NATO", "BE"},
                         places={"Brussels"}, names={"mark rutte", "polar sentry"}, event_date="2026-03-03")
    assert clusterer.assign(late, facts) == launch
