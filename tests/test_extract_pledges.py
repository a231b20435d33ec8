"""Pledge grammar on short French and English texts written for these tests."""

from __future__ import annotations

from datetime import UTC, datetime

from briefings.extract.context import ArticleContext
from briefings.extract.pledges import TITLE_PARAGRAPH, extract_pledges
from briefings.extract.text import Sentence, normalise, sentences
from briefings.models import Pledge

URL = "http://127.0.0.1/article.html"


def pledges(text: str, language: str, title: str = "", published: datetime | None = None) -> list[Pledge]:
    body = sentences(normalise(text))
    if title:
        body = [Sentence(normalise(title), 0, TITLE_PARAGRAPH), *body]
    ctx = ArticleContext(language, published or datetime(2026, 3, 5, 12, tzinfo=UTC), URL, title)
    return extract_pledges(body, ctx)


def summary(found: list[Pledge]) -> list[tuple]:
    return [(p.donor, p.recipient, p.amount, p.currency, p.quantity) for p in found]


# ---- donors -------------------------------------------------------------------------------


def test_country_subject_french_and_english() -> None:
    assert summary(pledges("La Suède va débloquer 2 milliards de couronnes suédoises pour l'Ukraine.", "fr")) == [
        ("SE", "UA", 2e9, "SEK", None)
    ]
    assert summary(pledges("Japan pledged $4.5 billion to Ukraine on Tuesday.", "en")) == [
        ("JP", "UA", 4.5e9, "USD", None)
    ]


def test_capital_stands_for_its_government_only_as_subject() -> None:
    assert summary(pledges("Berlin a annoncé 500 millions d'euros supplémentaires pour Kiev.", "fr")) == [
        ("DE", "UA", 500e6, "EUR", None)
    ]
    found = pledges("Réunis à Bruxelles, les Pays-Bas ont promis 90 millions d'euros à l'Ukraine.", "fr")
    assert summary(found) == [("NL", "UA", 90e6, "EUR", None)]


def test_minister_speaking_for_his_country() -> None:
    text = (
        "Le ministre danois de la Défense a annoncé que son pays débloquerait "
        "1,5 milliard de couronnes danoises pour l'Ukraine."
    )
    assert summary(pledges(text, "fr")) == [("DK", "UA", 1.5e9, "DKK", None)]
    text = "Defence Minister Pistorius said his country would send €300 million to Ukraine."
    assert summary(pledges(text, "en")) == [("DE", "UA", 300e6, "EUR", None)]


def test_demonym_on_the_package() -> None:
    text = "Le secrétaire général a salué un nouveau paquet norvégien de 400 millions d'euros pour l'Ukraine."
    assert summary(pledges(text, "fr")) == [("NO", "UA", 400e6, "EUR", None)]
    text = "Rutte welcomed a new Canadian package of C$200 million for Ukraine."
    assert summary(pledges(text, "en")) == [("CA", "UA", 200e6, "CAD", None)]


def test_donor_named_after_the_figure() -> None:
    text = "L'annonce comprend aussi un paquet de 120 millions d'euros de la Belgique et des Pays-Bas pour l'Ukraine."
    assert summary(pledges(text, "fr")) == [("BE+NL", "UA", 120e6, "EUR", None)]


def test_joint_donors_are_sorted_and_joined() -> None:
    text = (
        "La Finlande, l'Estonie et la Lettonie ont annoncé un engagement commun de 300 millions d'euros pour l'Ukraine."
    )
    assert summary(pledges(text, "fr"))[0][0] == "EE+FI+LV"
    text = "The U.K. and Poland have committed an additional £200 million to Ukraine."
    assert summary(pledges(text, "en"))[0][0] == "GB+PL"


def test_example_list_is_not_the_subject() -> None:
    text = "Plusieurs alliés, dont la France et l'Italie, ont promis 8 milliards d'euros à l'Ukraine."
    assert summary(pledges(text, "fr")) == [("NATO", "UA", 8e9, "EUR", None)]
    text = "Several allies, including Spain and Portugal, pledged €2 billion for Ukraine."
    assert summary(pledges(text, "en")) == [("NATO", "UA", 2e9, "EUR", None)]


def test_allies_are_the_contact_group_in_its_stories() -> None:
    text = (
        "Le Groupe de contact pour la défense de l'Ukraine s'est réuni mardi. "
        "Les alliés ont promis 25 milliards d'euros d'aide militaire à l'Ukraine."
    )
    assert summary(pledges(text, "fr")) == [("UDCG", "UA", 25e9, "EUR", None)]
    text = "Allied nations promised €9 billion of new aid for Ukraine at the summit."
    assert summary(pledges(text, "en")) == [("NATO", "UA", 9e9, "EUR", None)]


def test_anaphor_takes_the_previous_subject() -> None:
    text = (
        "La Belgique, les Pays-Bas et le Luxembourg ont annoncé une initiative commune pour l'Ukraine. "
        "Les trois pays verseront 600 millions d'euros."
    )
    assert summary(pledges(text, "fr")) == [("BE+LU+NL", "UA", 600e6, "EUR", None)]
    text = "Sweden and Finland met in Helsinki to discuss Ukraine. They will give €150 million to Kyiv."
    assert summary(pledges(text, "en")) == [("FI+SE", "UA", 150e6, "EUR", None)]


def test_relative_clause_and_passive_agent() -> None:
    text = "Le plan suit la contribution annoncée par l'Espagne, qui a engagé 70 millions d'euros pour l'Ukraine."
    assert summary(pledges(text, "fr")) == [("ES", "UA", 70e6, "EUR", None)]


def test_lists_that_leave_the_verb_out() -> None:
    text = "Germany pledged €500m for Ukraine, France €200m and Italy €100m."
    assert summary(pledges(text, "en")) == [
        ("DE", "UA", 500e6, "EUR", None),
        ("FR", "UA", 200e6, "EUR", None),
        ("IT", "UA", 100e6, "EUR", None),
    ]
    text = "Le Danemark enverra deux F-16 à l'Ukraine, la France trois Rafale."
    assert summary(pledges(text, "fr")) == [("DK", "UA", None, None, 2), ("FR", "UA", None, None, 3)]


# ---- recipients, items, qualifiers, conversions, periods --------------------------------


def test_recipient_defaults_to_ukraine_when_the_article_is_about_it() -> None:
    text = (
        "L'Ukraine demande plus de défense aérienne. "
        "Face aux frappes sur l'Ukraine, la Grèce fournira 40 millions d'euros."
    )
    assert summary(pledges(text, "fr")) == [("GR", "UA", 40e6, "EUR", None)]


def test_no_recipient_no_pledge() -> None:
    text = "La Norvège fournira deux frégates à la mission de l'OTAN en mer du Nord."
    assert pledges(text, "fr") == []


def test_counted_items_with_their_names() -> None:
    (pledge,) = pledges("La Norvège va livrer vingt véhicules blindés, de type M113, à l'Ukraine.", "fr")
    assert (pledge.donor, pledge.quantity, pledge.item) == ("NO", 20, "véhicules blindés M113")
    (pledge,) = pledges("Lithuania will send a dozen armoured vehicles to Ukraine.", "en")
    assert (pledge.quantity, pledge.item, pledge.qualifier) == (12, "armoured vehicles", "about")


def test_named_items_without_a_number() -> None:
    (pledge,) = pledges("Le Portugal a promis des F-16 à l'Ukraine.", "fr")
    assert (pledge.donor, pledge.quantity, pledge.item, pledge.amount) == ("PT", None, "F-16", None)


def test_item_of_a_priced_pledge() -> None:
    (pledge,) = pledges("Canada will provide C$500 million in military aid to Ukraine.", "en")
    assert pledge.item == "military aid"
    (pledge,) = pledges(
        "La Suisse fournira une nouvelle aide humanitaire d'un montant de 50 millions de francs suisses à l'Ukraine.",
        "fr",
    )
    assert pledge.item == "une nouvelle aide humanitaire"


def test_qualifier_and_conversion_are_kept_on_the_pledge() -> None:
    (pledge,) = pledges(
        "Le Royaume-Uni fournira des drones d'une valeur de plus de 200 millions de livres sterling "
        "(230 millions d'euros) à l'Ukraine.",
        "fr",
    )
    assert (pledge.amount, pledge.currency, pledge.qualifier) == (200e6, "GBP", "more than")
    assert pledge.converted == [(230e6, "EUR")]
    assert pledge.language == "fr"
    assert pledge.evidence[0].url == URL
    assert pledge.evidence[0].sentence.startswith("Le Royaume-Uni fournira")


def test_funding_period_stays_on_the_pledge() -> None:
    (pledge,) = pledges("Berlin enverra 6 milliards d'euros d'aide à Kiev sur quatre ans.", "fr")
    assert (pledge.amount, pledge.period) == (6e9, "sur quatre ans")
    (pledge,) = pledges("The EU will allocate €5 billion for 2027-2030 to help Ukraine.", "en")
    assert (pledge.amount, pledge.period) == (5e9, "for 2027-2030")


def test_sum_of_parts_is_one_pledge() -> None:
    text = (
        "Austria will release another EUR 1 billion this year and another EUR 2 billion until 2028, "
        "i.e. EUR 3 billion in aid to Ukraine."
    )
    assert summary(pledges(text, "en")) == [("AT", "UA", 3e9, "EUR", None)]


# ---- conditions ---------------------------------------------------------------------------


def test_inline_conditions_in_both_languages() -> None:
    (fr,) = pledges(
        "L'Italie est prête à livrer six canons à l'Ukraine, à condition que d'autres pays en livrent aussi.", "fr"
    )
    assert fr.condition == "à condition que d'autres pays en livrent aussi"
    (en,) = pledges("Poland will send 10 Leopard tanks to Ukraine, provided that Berlin approves the transfer.", "en")
    assert en.condition == "provided that Berlin approves the transfer"
    (si,) = pledges("La Grèce fournira 30 millions d'euros à l'Ukraine si les autres alliés suivent.", "fr")
    assert si.condition == "si les autres alliés suivent"
    (long,) = pledges("Norway will give €80 million to Ukraine as long as the fund stays open.", "en")
    assert long.condition == "as long as the fund stays open"


def test_figures_inside_a_condition_are_not_pledges() -> None:
    found = pledges("L'Espagne livrera cinq lanceurs à l'Ukraine, pourvu que les autres en livrent au moins dix.", "fr")
    assert summary(found) == [("ES", "UA", None, None, 5)]


def test_condition_stated_in_the_next_sentence() -> None:
    text = "Germany will deliver four IRIS-T systems to Ukraine. The delivery is conditional on parliament's approval."
    (pledge,) = pledges(text, "en")
    assert pledge.condition == "The delivery is conditional on parliament's approval."
    text = "La France livrera trois radars à l'Ukraine. Cette livraison est conditionnée à un vote du Parlement."
    (pledge,) = pledges(text, "fr")
    assert pledge.condition == "Cette livraison est conditionnée à un vote du Parlement."


def test_even_if_is_not_a_condition() -> None:
    (pledge,) = pledges("Even if talks stall, Norway will give €80 million to Ukraine.", "en")
    assert pledge.condition is None


# ---- what is not a pledge -------------------------------------------------------------------


def test_past_and_cumulative_totals() -> None:
    assert pledges("Since 2022, Germany has provided more than €40 billion to Ukraine.", "en") == []
    assert (
        pledges("Depuis le début de la guerre, la France a fourni 6 milliards d'euros d'aide à l'Ukraine.", "fr") == []
    )
    assert pledges("Last year the coalition raised $20bn for Kyiv.", "en") == []
    assert pledges("L'année dernière, le groupe a levé 30 milliards de dollars pour l'Ukraine.", "fr") == []
    assert pledges("En 2025, les alliés ont rassemblé 40 milliards de dollars d'aide à l'Ukraine.", "fr") == []
    assert pledges("Ces deux volets totalisent plus d'un milliard d'euros pour l'Ukraine.", "fr") == []
    assert pledges("In total, the allies have committed $50bn to Ukraine so far.", "en") == []


def test_figures_announced_before_are_only_recalled() -> None:
    assert pledges("Ce chiffre inclut les 3 milliards d'euros déjà annoncés par Berlin pour l'Ukraine.", "fr") == []
    assert pledges("The figure adds to the €2 billion already announced by Paris for Ukraine.", "en") == []


def test_spending_targets_and_typical_sizes() -> None:
    assert pledges("Les alliés se sont engagés à consacrer 5 % de leur PIB à la défense.", "fr") == []
    assert pledges("Allies must spend 3.5% of GDP, or about $1 trillion a year, on defence by 2035.", "en") == []
    text = "Aid for Ukraine will come in packages, each worth around $400 million, allies said."
    assert pledges(text, "en") == []


def test_parts_of_a_package_already_counted() -> None:
    text = (
        "La Finlande a annoncé un nouveau paquet d'aide militaire de 90 millions d'euros pour l'Ukraine. "
        "Ce paquet comprend 30 millions d'euros pour des munitions."
    )
    assert summary(pledges(text, "fr")) == [("FI", "UA", 90e6, "EUR", None)]
    text = (
        "Denmark and Norway will give €400 million to Ukraine. Of this amount, Denmark will pay €250 million "
        "and Norway €150 million."
    )
    assert summary(pledges(text, "en")) == [("DK+NO", "UA", 400e6, "EUR", None)]


def test_vague_support_without_figure_or_item() -> None:
    assert pledges("La France continuera à soutenir l'Ukraine aussi longtemps qu'il le faudra.", "fr") == []
    assert pledges("Today we will pledge billions more for Ukraine, the minister said.", "en") == []


# ---- one pledge per article ---------------------------------------------------------------


def test_restatements_are_merged_with_their_evidence() -> None:
    text = (
        "L'Irlande a promis 100 millions d'euros à l'Ukraine. "
        "Le gouvernement irlandais a confirmé ces 100 millions d'euros d'aide pour l'Ukraine."
    )
    (pledge,) = pledges(text, "fr")
    assert pledge.donor == "IE"
    assert len(pledge.evidence) == 2


def test_conversion_restated_later_is_the_same_pledge() -> None:
    text = (
        "Oslo will give NOK 2 billion (about $190 million) to Ukraine. "
        "Norway's $190 million contribution will buy air defence for Ukraine."
    )
    (pledge,) = pledges(text, "en")
    assert (pledge.amount, pledge.currency) == (2e9, "NOK")


def test_title_confirms_the_body_but_adds_nothing_alone() -> None:
    found = pledges(
        "Le Portugal versera 60 millions d'euros à l'Ukraine, a annoncé le gouvernement.",
        "fr",
        title="Le Portugal promet 60 millions à l'Ukraine et 3 milliards à ses armées",
    )
    assert summary(found) == [("PT", "UA", 60e6, "EUR", None)]
    assert found[0].evidence[0].sentence.startswith("Le Portugal versera")
    assert len(found[0].evidence) == 2


def test_figure_without_currency_takes_the_article_currency() -> None:
    text = (
        "Les pays nordiques verseront 500 millions de dollars à l'Ukraine. "
        "L'Islande a de son côté promis 20 millions supplémentaires à l'Ukraine."
    )
    found = pledges(text, "fr")
    assert ("IS", "UA", 20e6, "USD", None) in summary(found)


def test_needs_and_requests_are_not_pledges() -> None:
    assert pledges("Ukraine needs $12bn more in aid to rebuild its air defence next year.", "en") == []
    assert pledges("Kiev a besoin de 5 milliards d'euros d'aide supplémentaire, selon le ministre.", "fr") == []


def test_ukraine_as_subject_gives_nothing() -> None:
    assert pledges("L'Ukraine va consacrer 3 milliards d'euros à la production de drones.", "fr") == []
    found = pledges("Ukraine's partners pledged $6 billion in new aid for Ukraine.", "en")
    assert summary(found) == [("NATO", "UA", 6e9, "USD", None)]


def test_count_inside_a_priced_pledge_is_not_a_second_pledge() -> None:
    text = "The UK will spend £1.6 billion to supply more than 5,000 air defence missiles to Ukraine."
    assert summary(pledges(text, "en")) == [("GB", "UA", 1.6e9, "GBP", None)]


def test_institutions_stand_for_their_country() -> None:
    text = "Un nouveau paquet de 400 millions de dollars pour l'Ukraine a été annoncé par le Pentagone."
    assert summary(pledges(text, "fr")) == [("US", "UA", 400e6, "USD", None)]


def test_an_earlier_month_places_the_figure_in_the_past() -> None:
    text = "In January, the allies committed almost $3 billion to Ukraine."
    assert pledges(text, "en", published=datetime(2026, 4, 10, tzinfo=UTC)) == []
    text = "En juillet, la Belgique versera 100 millions d'euros à l'Ukraine."
    assert summary(pledges(text, "fr", published=datetime(2026, 4, 10, tzinfo=UTC))) == [
        ("BE", "UA", 100e6, "EUR", None)
    ]


def test_running_totals_and_relative_clauses_about_the_past() -> None:
    text = "Healey announced a £300 million package of drones, bringing UK aid to Ukraine this year to £4.5 billion."
    (pledge,) = pledges(text, "en")
    assert (pledge.donor, pledge.amount, pledge.item) == ("GB", 300e6, "package of drones")
    text = "Canada, which has provided more than C$4 billion since 2022, pledged another C$200 million for Ukraine."
    assert summary(pledges(text, "en")) == [("CA", "UA", 200e6, "CAD", None)]
    text = (
        "Le Canada, qui a fourni 4 milliards de dollars canadiens depuis 2022, "
        "a promis 200 millions de dollars canadiens à l'Ukraine."
    )
    assert summary(pledges(text, "fr")) == [("CA", "UA", 200e6, "CAD", None)]


def test_pronoun_subject_after_a_reporting_verb() -> None:
    text = "Latvia committed €25 million to Ukraine, while Sweden said it would give SEK 900 million."
    assert summary(pledges(text, "en")) == [("LV", "UA", 25e6, "EUR", None), ("SE", "UA", 900e6, "SEK", None)]


def test_size_of_each_package_is_not_a_pledge() -> None:
    assert pledges("Officials said each package for Ukraine is worth about $400 million.", "en") == []
    assert pledges("Chaque paquet destiné à l'Ukraine vaut environ 400 millions de dollars.", "fr") == []


def test_ukraine_receiving_from_a_donor() -> None:
    assert summary(pledges("Ukraine will receive €1 billion from the EU for air defence.", "en")) == [
        ("EU", "UA", 1e9, "EUR", None)
    ]
    assert summary(pledges("L'Ukraine recevra 80 millions d'euros de la part de la Slovénie.", "fr")) == [
        ("SI", "UA", 80e6, "EUR", None)
    ]


# ---- held-out sweep: shared currency names, anaphors, counted groups ---------------------------


def test_crowns_take_the_currency_of_the_country_spoken_of() -> None:
    text = "Le Danemark a promis jeudi 2 milliards de couronnes à l'Ukraine pour des munitions."
    assert summary(pledges(text, "fr")) == [("DK", "UA", 2e9, "DKK", None)]
    text = "Oslo said on Monday it would give Ukraine a further 3 billion kroner ($280 million) for drones."
    (pledge,) = pledges(text, "en")
    assert (pledge.donor, pledge.amount, pledge.currency, pledge.converted) == ("NO", 3e9, "NOK", [(280e6, "USD")])
    text = "Sweden is a close partner of Kyiv. The government pledged 6 billion crowns to Ukraine."
    assert summary(pledges(text, "en")) == [("SE", "UA", 6e9, "SEK", None)]


def test_they_after_a_named_subject_in_the_same_sentence() -> None:
    text = (
        "Canada will also send trainers. According to officials, Spain, Italy and Greece said "
        "that they will fund a $300 million package for Ukraine."
    )
    assert summary(pledges(text, "en")) == [("ES+GR+IT", "UA", 300e6, "USD", None)]


def test_counted_group_of_countries_named_elsewhere_in_the_article() -> None:
    text = (
        "Trois pays baltes financeront un paquet de 120 millions de dollars pour l'Ukraine. "
        "L'Estonie, la Lettonie et la Lituanie ont fait l'annonce lundi."
    )
    assert summary(pledges(text, "fr")) == [("EE+LT+LV", "UA", 120e6, "USD", None)]
    text = "Four countries have committed an additional $800 million for Ukraine's air defence."
    assert summary(pledges(text, "en")) == [("NATO", "UA", 800e6, "USD", None)]


def test_demonym_on_the_aid_noun_after_the_figure() -> None:
    text = 'The pact, the president said, "includes at least €400 million in Danish military aid to Ukraine."'
    assert summary(pledges(text, "en")) == [("DK", "UA", 400e6, "EUR", None)]
    text = "L'accord, selon Kiev, comprend 300 millions d'euros d'aide militaire portugaise à l'Ukraine."
    assert summary(pledges(text, "fr")) == [("PT", "UA", 300e6, "EUR", None)]


def test_each_before_a_verb_shares_the_figure_out() -> None:
    text = "Rome ainsi que Madrid s'engageront chacun à verser 150 millions d'euros à l'Ukraine."
    assert sorted(summary(pledges(text, "fr"))) == [("ES", "UA", 150e6, "EUR", None), ("IT", "UA", 150e6, "EUR", None)]
    text = "Austria and Croatia will each give €20 million to Ukraine for demining."
    assert sorted(summary(pledges(text, "en"))) == [("AT", "UA", 20e6, "EUR", None), ("HR", "UA", 20e6, "EUR", None)]


def test_each_after_the_figure_is_a_typical_size() -> None:
    assert pledges("Ukraine gets packages worth roughly $250 million each under the scheme.", "en") == []
    text = "Norway will also give 200 million kroner each year to the NATO fund for Ukraine."
    assert summary(pledges(text, "en")) == [("NO", "UA", 200e6, "NOK", None)]


def test_a_verb_of_giving_after_includes_governs_the_count() -> None:
    text = "Portugal signed a pact with Ukraine which includes the delivery of 12 U.S.-made helicopters."
    (pledge,) = pledges(text, "en")
    assert (pledge.donor, pledge.quantity, pledge.item) == ("PT", 12, "U.S.-made helicopters")
    assert pledges("The Portuguese package for Ukraine includes 12 helicopters.", "en") == []


def test_a_count_reported_from_last_week_is_not_new() -> None:
    text = "La semaine dernière, Lisbonne avait expliqué que l'envoi à Kiev dépendait de deux conditions."
    assert pledges(text, "fr") == []


def test_named_items_restate_the_counted_pledge() -> None:
    text = (
        "Le Portugal s'engage à livrer 12 hélicoptères Alouette à l'Ukraine. "
        "Lisbonne veut livrer des Alouette à l'Ukraine dès cette année."
    )
    assert summary(pledges(text, "fr")) == [("PT", "UA", None, None, 12)]


def test_named_items_after_a_time_adverb_and_in_a_list() -> None:
    text = (
        "L'Italie a déclaré : « Nous livrerons dans les prochaines semaines des missiles Aster, "
        "de nouveaux radars et de nouveaux Mirage à l'Ukraine »."
    )
    found = pledges(text, "fr")
    assert [(p.donor, p.item) for p in found] == [("IT", "missiles Aster"), ("IT", "Mirage")]


def test_named_item_behind_a_longer_noun() -> None:
    text = "Le chef du gouvernement grec s'engage à expédier vers l'Ukraine des avions de combat Mirage."
    (pledge,) = pledges(text, "fr")
    assert (pledge.donor, pledge.item) == ("GR", "avions de combat Mirage")


def test_a_purpose_is_not_a_promise() -> None:
    text = "Athènes et Nicosie pilotent un projet visant à fournir à Kiev des chasseurs Mirage."
    assert pledges(text, "fr") == []
    assert pledges("Greece leads an effort aimed at supplying Ukraine with more Patriots.", "en") == []


def test_giver_named_as_agent_or_thanked_before_the_aid_noun() -> None:
    text = "Le vote intervient après l'adoption par le Japon d'une aide de 3 milliards de dollars à l'Ukraine."
    assert summary(pledges(text, "fr")) == [("JP", "UA", 3e9, "USD", None)]
    text = (
        "Le président a téléphoné au Premier ministre pour remercier le Japon d'avoir validé "
        "une aide de 3 milliards de dollars à Kiev."
    )
    assert summary(pledges(text, "fr")) == [("JP", "UA", 3e9, "USD", None)]


def test_a_vote_by_a_chamber_names_its_country() -> None:
    text = "Un programme de 20 milliards de dollars pour l'Ukraine a été voté par le Parlement japonais samedi."
    assert summary(pledges(text, "fr")) == [("JP", "UA", 20e9, "USD", None)]


def test_another_named_system_transferred() -> None:
    text = "Berlin promet en outre le transfert vers l'Ukraine d'un autre système de défense aérienne Patriot."
    (pledge,) = pledges(text, "fr")
    assert (pledge.donor, pledge.amount, pledge.item) == ("DE", None, "système de défense aérienne Patriot")


def test_a_pluperfect_pledge_is_old() -> None:
    text = "Spain had already pledged €2 billion to Ukraine for 2026; it also sends 4 radars."
    assert [(p.donor, p.amount, p.quantity) for p in pledges(text, "en")] == [("ES", None, 4)]
    text = "L'Espagne avait promis 2 milliards d'euros à l'Ukraine en janvier."
    assert pledges(text, "fr", published=datetime(2026, 1, 20, tzinfo=UTC)) == []


def test_giver_named_after_the_aid_noun() -> None:
    text = "L'aide de la Croatie à l'Ukraine s'élève à 30 millions d'euros cette année."
    assert summary(pledges(text, "fr")) == [("HR", "UA", 30e6, "EUR", None)]
    text = "Face au retrait du soutien des États-Unis, l'Allemagne débloque 500 millions d'euros pour l'Ukraine."
    assert summary(pledges(text, "fr")) == [("DE", "UA", 500e6, "EUR", None)]


def test_loans_and_the_members_of_an_organisation() -> None:
    text = "Les membres du G7 ont convenu d'un prêt de 20 milliards de dollars à l'Ukraine."
    assert summary(pledges(text, "fr")) == [("G7", "UA", 20e9, "USD", None)]


def test_approximate_count_after_de() -> None:
    text = "Le Portugal a annoncé l'envoi d'une vingtaine de drones à l'Ukraine."
    (pledge,) = pledges(text, "fr")
    assert (pledge.donor, pledge.quantity, pledge.item, pledge.qualifier) == ("PT", 20, "drones", "about")


def test_we_in_a_quote_is_the_speaker_named_after_it() -> None:
    text = "« Nous enverrons 80 millions d'euros à l'Ukraine », a affirmé la ministre croate de la Défense."
    assert summary(pledges(text, "fr")) == [("HR", "UA", 80e6, "EUR", None)]
    text = '"We will send €80 million to Ukraine," the Croatian defence minister said.'
    assert summary(pledges(text, "en")) == [("HR", "UA", 80e6, "EUR", None)]


def test_spending_on_oneself_and_sales_are_not_aid() -> None:
    lead = "La guerre en Ukraine domine le sommet. Kiev a salué la réunion. "
    assert pledges(lead + "L'Autriche va consacrer 9 milliards d'euros à sa propre défense.", "fr") == []
    lead_en = "The war in Ukraine dominated the summit. Kyiv welcomed the meeting. "
    assert pledges(lead_en + "Austria will spend €9 billion on its own armed forces.", "en") == []
    assert pledges(lead_en + "Washington will sell $400 million of radars to Ukraine.", "en") == []


def test_items_deployed_elsewhere_are_not_aid() -> None:
    lead = "La guerre en Ukraine domine le sommet. Kiev a salué la réunion. "
    assert pledges(lead + "La Belgique enverra quatre F-16 en Roumanie pour la mission de l'OTAN.", "fr") == []
    lead_en = "The war in Ukraine dominated the summit. Kyiv welcomed the meeting. "
    assert pledges(lead_en + "Finland will send three minehunters to the Baltic Sea.", "en") == []
    (pledge,) = pledges(lead_en + "Finland will send three minehunters to Ukraine.", "en")
    assert (pledge.donor, pledge.quantity) == ("FI", 3)


def test_figures_shared_out_respectively() -> None:
    text = "La Croatie et la Slovénie verseront respectivement 40 et 20 millions d'euros à l'Ukraine."
    assert summary(pledges(text, "fr")) == [("HR", "UA", 40e6, "EUR", None), ("SI", "UA", 20e6, "EUR", None)]
    text = "Croatia and Slovenia will give €40 million and €20 million to Ukraine respectively."
    assert summary(pledges(text, "en")) == [("HR", "UA", 40e6, "EUR", None), ("SI", "UA", 20e6, "EUR", None)]


def test_a_list_keeps_the_currency_said_before() -> None:
    text = (
        "Lors de la réunion, la Croatie a promis 40 millions d'euros à l'Ukraine, "
        "la Slovénie 20 millions et le Canada 10 millions de dollars canadiens."
    )
    assert summary(pledges(text, "fr")) == [
        ("HR", "UA", 40e6, "EUR", None),
        ("SI", "UA", 20e6, "EUR", None),
        ("CA", "UA", 10e6, "CAD", None),
    ]


def test_figure_after_d_apostrophe() -> None:
    text = "Le paquet slovène d'une valeur d'un milliard d'euros sera livré à l'Ukraine."
    assert summary(pledges(text, "fr")) == [("SI", "UA", 1e9, "EUR", None)]


def test_frozen_russian_assets_do_not_make_russia_a_giver() -> None:
    text = (
        "Les membres du G7 ont scellé un accord sur les avoirs russes gelés. "
        "Ils vont débloquer un prêt de 20 milliards de dollars destiné à l'Ukraine, garanti par les actifs russes."
    )
    assert summary(pledges(text, "fr")) == [("G7", "UA", 20e9, "USD", None)]


def test_a_proposal_is_not_a_pledge() -> None:
    assert pledges("Les Pays-Bas proposent d'accorder un prêt de 5 milliards d'euros à l'Ukraine.", "fr") == []
    assert pledges("Denmark proposed a €2 billion fund for Ukraine's air defence.", "en") == []


def test_a_figure_restated_by_a_speaker_stays_one_pledge() -> None:
    text = (
        "Les membres du G7 ont promis 9 milliards de dollars à l'Ukraine. "
        "« Ce sont 9 milliards de dollars que nous allons verser à l'Ukraine », a déclaré un diplomate croate."
    )
    assert summary(pledges(text, "fr")) == [("G7", "UA", 9e9, "USD", None)]


def test_future_receipt_of_counted_items_names_the_giver() -> None:
    (pledge,) = pledges("Ukraine will receive 12 more Leopard tanks from Portugal.", "en")
    assert (pledge.donor, pledge.quantity) == ("PT", 12)
    (pledge,) = pledges("L'Ukraine recevra 12 chars Leopard de la part du Portugal.", "fr")
    assert (pledge.donor, pledge.quantity) == ("PT", 12)


def test_leader_names_stand_for_their_country_and_ukraine_is_no_item() -> None:
    (pledge,) = pledges("The Kishida government announced $3 billion in new aid for Ukraine.", "en")
    assert (pledge.donor, pledge.item) == ("JP", "new aid")
    (pledge,) = pledges("Portugal will give Ukraine €90 million, officials said.", "en")
    assert (pledge.donor, pledge.amount, pledge.item) == ("PT", 90e6, None)


def test_more_ways_of_giving() -> None:
    croatia = [("HR", "UA", 40e6, "EUR", None)]
    assert summary(pledges("La Croatie met sur la table 40 millions d'euros pour l'Ukraine.", "fr")) == croatia
    text = "La Croatie participera à hauteur de 40 millions d'euros à l'achat d'obus pour Kiev."
    assert summary(pledges(text, "fr")) == croatia
    assert summary(pledges("Croatia is chipping in another €40 million for Ukraine.", "en")) == croatia
    assert summary(pledges("Congress signed off on $9 billion for Ukraine.", "en")) == [("US", "UA", 9e9, "USD", None)]


def test_years_do_not_share_a_scale() -> None:
    text = (
        "La Croatie s'engage à fournir 90 millions d'euros à Kiev en 2026, "
        "après 40 millions en 2024 et 60 millions en 2025."
    )
    found = pledges(text, "fr", published=datetime(2026, 2, 1, tzinfo=UTC))
    assert summary(found) == [("HR", "UA", 90e6, "EUR", None)]


def test_the_giver_right_before_the_verb_when_ukraine_leads_the_sentence() -> None:
    text = (
        "Zelensky et le Premier ministre croate ont signé un accord par lequel la Croatie s'engage à fournir "
        "40 millions d'euros à Kiev."
    )
    assert summary(pledges(text, "fr")) == [("HR", "UA", 40e6, "EUR", None)]


def test_a_new_giver_after_an_earlier_figure_of_the_clause() -> None:
    text = "La Croatie a alloué 10 millions d'euros à l'Ukraine, et un groupe d'alliés fournira 50 millions d'euros."
    assert summary(pledges(text, "fr")) == [("HR", "UA", 10e6, "EUR", None), ("NATO", "UA", 50e6, "EUR", None)]


def test_several_named_items_and_people_are_not_items() -> None:
    (pledge,) = pledges("La Croatie enverra plusieurs hélicoptères Mi-8 Hawk à l'Ukraine.", "fr")
    assert (pledge.donor, pledge.item) == ("HR", "hélicoptères Mi-8 Hawk")
    text = "Quant aux armes, dont les deux présidents n'ont rien dit, l'entente reste valable."
    assert pledges(text, "fr") == []


def test_supporters_of_ukraine_pledge_as_the_allies() -> None:
    expected = [("NATO", "UA", 2e9, "USD", None)]
    english = "Ukraine's backers promised $2bn in new military aid to Ukraine on Friday."
    assert summary(pledges(english, "en")) == expected
    french = "Les soutiens de Kiev ont promis vendredi 2 milliards de dollars d'aide à l'Ukraine."
    assert summary(pledges(french, "fr")) == expected
    (found,) = pledges("Les pays qui soutiennent l'Ukraine lui apporteront 4 milliards d'euros.", "fr")
    assert (found.donor, found.recipient, found.amount, found.currency) == ("NATO", "UA", 4e9, "EUR")
