"""Rendering a hand-built brief in French and English, as terminal text and Markdown."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from briefings.brief import build_story_brief, build_topic_brief, load_topics
from briefings.models import Article, Evidence, KeyDate, Mission, Pledge, Story
from briefings.render import context, render, render_bilingual
from briefings.render.i18n import translations

NBSP = "\u00a0"
ROOT = Path(__file__).resolve().parents[1] / "briefings"


def at(iso: str) -> datetime:
    return datetime.fromisoformat(iso).replace(tzinfo=UTC)


def ev(*urls: str) -> list[Evidence]:
    return [Evidence("a sentence of our own", u) for u in urls]


A1, A2, A3 = "https://veilleur.example/a1", "https://wire.example/a2", "https://ledger.example/a3"


def ministers_story() -> Story:
    """A story like the demo's: one pledge stated three times, a condition, a conflict, a mission, dates."""
    articles = [
        Article(A1, "Les alliés promettent 35 milliards", "", "fr", at("2026-02-12T18:40"), feed="Le Veilleur"),
        Article(A2, "Allies pledge [$35bn] for Ukraine", "", "en", at("2026-02-12T17:30"), feed="Alliance Wire"),
        Article(A3, "Germany offers five interceptors", "", "en", at("2026-02-13T09:00"), feed="Northern Ledger"),
    ]
    total = Pledge("ALLIES", "UA", 35e9, "USD", evidence=ev(A1, A2, A3))
    interceptors = Pledge(
        "DE",
        "UA",
        quantity=5,
        item="PAC-3 interceptors",
        condition="other allies supply about thirty more",
        evidence=ev(A1, A3),
    )
    purl = Pledge("GB", "NATO", 150e6, "GBP", item="PURL", evidence=ev(A1, A2))
    purl_other = Pledge("GB", "NATO", 140e6, "GBP", item="PURL", evidence=ev(A3))
    mission = Mission(
        "Arctic Sentry",
        "NATO",
        "2026-02-11",
        purpose="renforcer la sécurité du Grand Nord",
        language="fr",
        evidence=ev(A1, A2),
    )
    dates = [
        KeyDate("2026-07", "NATO summit", "Ankara", evidence=ev(A3)),
        KeyDate("2026-02-10", "a meeting already held", evidence=ev(A2)),
    ]
    return Story(
        id="ministers",
        title={
            "fr": "Les alliés promettent 35 milliards de dollars à l'Ukraine",
            "en": "Allies pledge $35bn to Ukraine",
        },
        articles=articles,
        pledges=[total, interceptors, purl, purl_other],
        missions=[mission],
        dates=dates,
        conflicts=[[purl, purl_other]],
    )


AS_OF = at("2026-02-13T12:00")


def test_english_text_brief_exactly() -> None:
    brief = build_story_brief(ministers_story(), as_of=AS_OF)
    assert render(brief, locale="en", fmt="text") == (
        "▸ Allies pledge $35bn to Ukraine\n"
        "  13 February 2026 · 3 articles\n"
        "  Pledges\n"
        "    • Allies → Ukraine: $35 billion · 3 sources\n"
        "    • Germany → Ukraine: 5 PAC-3 interceptors, provided that other allies supply about thirty more"
        " · 2 sources\n"
        "    • United Kingdom → NATO: £150 million — PURL · 2 sources\n"
        "      ⚠ figures differ: £150 million (2 sources) / £140 million (1 source)\n"
        "  Missions\n"
        "    • Arctic Sentry (NATO), launched on 11 February 2026: renforcer la sécurité du Grand Nord (fr)"
        " · 2 sources\n"
        "  Upcoming dates\n"
        "    • July 2026 — NATO summit, Ankara · 1 source\n"
        "  Sources\n"
        "    • Alliance Wire — Allies pledge [$35bn] for Ukraine <https://wire.example/a2>\n"
        "    • Le Veilleur — Les alliés promettent 35 milliards (fr) <https://veilleur.example/a1>\n"
        "    • Northern Ledger — Germany offers five interceptors <https://ledger.example/a3>\n"
    )


def test_french_text_brief() -> None:
    out = render(build_story_brief(ministers_story(), as_of=AS_OF), locale="fr", fmt="text")
    assert out.startswith(
        "▸ Les alliés promettent 35 milliards de dollars à l'Ukraine\n  13 février 2026 · 3 articles\n"
    )
    assert f"• Alliés → Ukraine{NBSP}: 35 milliards de dollars · 3 sources\n" in out
    assert out.count("35 milliards de dollars · ") == 1  # the pledge stated thrice is listed once
    assert (
        f"• Allemagne → Ukraine{NBSP}: 5 intercepteurs PAC-3"  # composed from the lexicon
        f" (condition{NBSP}: other allies supply about thirty more (en)) · 2 sources\n"  # which cannot say this
    ) in out
    assert (
        f"⚠ chiffres divergents{NBSP}: 150 millions de livres sterling (2 sources)"
        " / 140 millions de livres sterling (1 source)\n"
    ) in out
    assert (
        f"• Arctic Sentry (OTAN), lancée le 11 février 2026{NBSP}: renforcer la sécurité du Grand Nord · 2 sources"
        in out
    )
    assert "  À venir\n    • juillet 2026 — sommet de l'OTAN, Ankara · 1 source\n" in out
    assert "meeting already held" not in out
    for label in ("Engagements", "Missions", "Sources"):
        assert f"\n  {label}\n" in out


def test_french_condition_in_french_gets_the_french_conjunction_with_elision() -> None:
    pledge = Pledge("DE", "UA", quantity=5, item="intercepteurs PAC-3", condition="elles soient livrées", language="fr")
    s = Story("s", {"fr": "Titre"}, [Article(A1, "t", "", "fr", at("2026-02-12T10:00"))], pledges=[pledge])
    out = render(build_story_brief(s, as_of=AS_OF), locale="fr", fmt="text")
    assert "5 intercepteurs PAC-3, à condition qu'elles soient livrées\n" in out


def test_upcoming_dates_depend_on_as_of() -> None:
    later = render(build_story_brief(ministers_story(), as_of=at("2026-08-01T00:00")), locale="en", fmt="text")
    assert "Upcoming dates" not in later and "July 2026" not in later
    during = render(build_story_brief(ministers_story(), as_of=at("2026-07-05T00:00")), locale="en", fmt="text")
    assert "• July 2026 — NATO summit, Ankara" in during


def test_markdown_marks_foreign_text_links_sources_and_escapes_feed_text() -> None:
    out = render(build_story_brief(ministers_story(), as_of=AS_OF), locale="en", fmt="markdown")
    assert out.startswith("## Allies pledge $35bn to Ukraine\n*13 February 2026 · 3 articles*\n\n**Pledges**\n")
    assert "- Allies → Ukraine: $35 billion · 3 sources\n" in out
    assert "  - ⚠ figures differ: £150 million (2 sources) / £140 million (1 source)\n" in out
    assert "renforcer la sécurité du Grand Nord *(fr)* · 2 sources" in out
    assert "- Alliance Wire — [Allies pledge \\[$35bn\\] for Ukraine](https://wire.example/a2)\n" in out
    assert "[Les alliés promettent 35 milliards](https://veilleur.example/a1) *(fr)*" in out
    assert "**Upcoming dates**\n- July 2026 — NATO summit, Ankara · 1 source\n" in out


def test_markdown_in_french() -> None:
    out = render(build_story_brief(ministers_story(), as_of=AS_OF), locale="fr", fmt="markdown")
    assert "**Engagements**\n" in out and "**À venir**\n" in out
    assert "- Allemagne → Ukraine\u00a0: 5 intercepteurs PAC-3 (condition\u00a0: other allies supply" in out


def test_feed_text_cannot_inject_markup_or_unsafe_links() -> None:
    s = Story(
        "x",
        {"en": "*Breaking* <b>news</b>\n# not a heading"},
        [
            Article(
                "javascript:alert(1)", "[click](http://evil.example)", "", "en", at("2026-02-12T10:00"), feed="Feed_1"
            )
        ],
    )
    out = render(build_story_brief(s, as_of=AS_OF), locale="en", fmt="markdown")
    assert out.startswith("## \\*Breaking\\* \\<b\\>news\\</b\\> \\# not a heading\n")
    assert "javascript:" not in out
    assert "- Feed\\_1 — \\[click\\](http://evil.example)\n" in out


def test_bilingual_render_has_both_languages_french_first() -> None:
    brief = build_story_brief(ministers_story(), as_of=AS_OF)
    out = render_bilingual(brief, "markdown")
    fr_at, en_at = out.index("**Engagements**"), out.index("**Pledges**")
    assert fr_at < en_at and "\n---\n" not in out  # one story: its two languages, no rule between them
    assert render_bilingual(brief, "text", langs=("en",)) == render(brief, locale="en", fmt="text")


def test_bilingual_render_gives_each_storys_two_languages_together() -> None:
    """A brief in both languages reads as one brief: story 1 in French and English, then story 2."""
    topic = load_topics()["ukraine-aid"]
    first, second = ministers_story(), ministers_story()
    second.id = "second"
    second.title = {"fr": "Deuxième sujet", "en": "Second story"}
    out = render_bilingual(build_topic_brief(topic, [first, second], as_of=AS_OF), "text")
    assert out.startswith("Aide à l'Ukraine — au 13 février 2026\nAid to Ukraine — as of 13 February 2026\n")
    order = [out.index(s) for s in ("▸ Les alliés promettent", "▸ Allies pledge", "─" * 40, "▸ Deuxième sujet",
                                    "▸ Second story")]
    assert order == sorted(order) and out.count("─" * 40) == 1


def test_topic_brief_has_a_title_and_says_when_nothing_is_new() -> None:
    topic = load_topics()["ukraine-aid"]
    brief = build_topic_brief(topic, [ministers_story()], as_of=AS_OF)
    out = render(brief, locale="fr", fmt="markdown")
    assert out.startswith("# Aide à l'Ukraine\n*au 13 février 2026*\n\n## Les alliés promettent")
    empty = build_topic_brief(topic, [], as_of=AS_OF, since=at("2026-02-12T00:00"))
    assert render(empty, locale="en", fmt="text") == (
        "Aid to Ukraine — as of 13 February 2026\nsince 12 February 2026\n\nNothing new.\n"
    )
    assert "Rien de nouveau." in render(empty, locale="fr", fmt="markdown")


def test_context_gives_chat_formats_ready_lines() -> None:
    ctx = context(build_story_brief(ministers_story(), as_of=AS_OF), "fr")
    story = ctx["stories"][0]
    assert ctx["as_of"] == "13 février 2026" and ctx["title"] is None
    assert story["pledges"][0]["line"].plain == f"Alliés → Ukraine{NBSP}: 35 milliards de dollars · 3 sources"
    assert story["pledges"][2]["conflict"] is not None
    sources = story["sources"]
    assert sources[0].plain == "Alliance Wire — Allies pledge [$35bn] for Ukraine (en) <https://wire.example/a2>"
    link = sources[0].segments[-1]
    assert (link.url, link.foreign) == ("https://wire.example/a2", "en")


def test_unknown_locale_or_format_is_refused() -> None:
    brief = build_story_brief(ministers_story(), as_of=AS_OF)
    with pytest.raises(ValueError):
        render(brief, locale="de", fmt="text")
    with pytest.raises(ValueError):
        render(brief, locale="fr", fmt="html")


def _used_messages() -> set[str]:
    method_map = [("render/**.py", "python"), ("templates/**.j2", "jinja2.ext:babel_extract")]
    found = extract_from_dir(
        str(ROOT),
        method_map,
        options_map={"templates/**.j2": {"extensions": "jinja2.ext.i18n"}},
        keywords={"gettext": None, "ngettext": (1, 2), "_": None},
    )
    return {msg if isinstance(msg, str) else msg[0] for _, _, msg, _, _ in found}


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_every_message_in_code_and_templates_is_in_the_catalog(locale: str) -> None:
    used = _used_messages()
    assert {"Pledges", "Upcoming dates", "%(num)d source"} <= used
    path = ROOT / "locales" / locale / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as fp:
        catalog = read_po(fp, locale=locale)
    missing = {m for m in used if not (catalog.get(m) and catalog.get(m).string)}
    assert missing == set()


def test_french_catalog_translates_the_labels() -> None:
    fr = translations("fr")
    assert fr.gettext("Upcoming dates") == "À venir"
    assert fr.ngettext("%(num)d source", "%(num)d sources", 1) % {"num": 1} == "1 source"
    assert fr.ngettext("%(num)d source", "%(num)d sources", 3) % {"num": 3} == "3 sources"


def test_a_funding_period_reads_once_in_each_language() -> None:
    from briefings.render.context import _Wording

    worded = Pledge(donor="DE", recipient="UA", amount=11e9, currency="EUR", period="sur quatre ans", language="fr")
    ranged = Pledge(donor="DE", recipient="UA", amount=5e9, currency="EUR", period="for 2027-2030", language="en")
    assert _Wording("fr").amount(worded) == "11 milliards d'euros sur quatre ans"
    assert _Wording("en").amount(worded) == "€11 billion"  # a French phrase is not glued into English
    assert _Wording("fr").amount(ranged) == "5 milliards d'euros sur 2027-2030"
    assert _Wording("en").amount(ranged) == "€5 billion over 2027-2030"
