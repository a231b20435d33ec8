"""extract_article: one article in, every fact and clustering signal out, fast enough for polling."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from briefings.extract import extract_article
from briefings.models import Article

BODY_FR = (
    "Les Pays-Bas vont verser 250 millions d'euros à l'Ukraine pour sa défense aérienne.\n"
    "Le ministre néerlandais Ruben Brekelmans l'a annoncé mardi à Bruxelles, en marge d'une réunion "
    "du Groupe de contact pour la défense de l'Ukraine.\n"
    "Cette somme servira à acheter des radars et des missiles IRIS-T, a-t-il précisé."
)
BODY_EN = (
    "NATO said on Monday that allies would widen the Baltic Sentry patrols.\n"
    "Secretary General Mark Rutte told reporters in Brussels that Finland will give €90 million to Ukraine.\n"
    "Last year the same allies raised $40 billion for Kyiv."
)


def article(title: str, text: str, language: str) -> Article:
    return Article(
        url=f"http://127.0.0.1/{language}.html",
        title=title,
        text=text,
        language=language,
        published=datetime(2026, 3, 3, 9, tzinfo=UTC),
    )


def test_french_article_facts() -> None:
    facts = extract_article(article("Les Pays-Bas promettent 250 millions d'euros à Kiev", BODY_FR, "fr"))
    assert [(p.donor, p.recipient, p.amount, p.currency) for p in facts.pledges] == [("NL", "UA", 250e6, "EUR")]
    (pledge,) = facts.pledges
    assert pledge.evidence[0].sentence.startswith("Les Pays-Bas vont verser")
    assert pledge.evidence[0].url == "http://127.0.0.1/fr.html"
    assert len(pledge.evidence) == 2  # the title restates it
    assert {"NL", "UA", "UDCG"} <= facts.actors
    assert "Brussels" in facts.places
    assert {"brekelmans", "iris-t"} <= facts.names


def test_english_article_facts_leave_past_totals_out() -> None:
    facts = extract_article(article("Finland adds €90m for Ukraine", BODY_EN, "en"))
    assert [(p.donor, p.amount, p.currency) for p in facts.pledges] == [("FI", 90e6, "EUR")]
    assert {"NATO", "FI", "UA"} <= facts.actors
    assert {"rutte", "baltic sentry"} <= facts.names


def test_title_repeated_as_first_line_is_read_once() -> None:
    title = "Les Pays-Bas vont verser 250 millions d'euros à l'Ukraine pour sa défense aérienne."
    facts = extract_article(article(title, BODY_FR, "fr"))
    (pledge,) = facts.pledges
    assert len(pledge.evidence) == 1


def test_empty_article() -> None:
    facts = extract_article(article("", "", "en"))
    assert (facts.pledges, facts.actors, facts.places, facts.names) == ([], set(), set(), set())


def test_speed_of_a_long_article() -> None:
    """About 600 words; the pipeline's budget is 50 articles/s end to end, extraction's far more."""
    paragraph = (
        BODY_FR
        + "\n"
        + (
            "Les discussions ont aussi porté sur la production de munitions en Europe, sur la formation des "
            "soldats ukrainiens et sur les besoins de l'hiver, alors que les frappes russes se poursuivent "
            "contre les réseaux d'énergie du pays.\n"
        )
    )
    long = article("Aide à l'Ukraine", "\n".join([paragraph] * 7), "fr")
    assert 550 <= len(long.text.split()) <= 700
    extract_article(long)  # data files loaded and patterns compiled once
    runs = 20
    start = time.process_time()
    for _ in range(runs):
        extract_article(long)
    per_second = runs / max(time.process_time() - start, 1e-9)
    assert per_second >= 50, f"{per_second:.0f} articles/s"
