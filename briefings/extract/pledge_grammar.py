"""The pledge grammar: the lexicon of `data/pledge_lexicon.toml` compiled once into patterns.

Kept apart from the decisions that use it because it is data turned into regular expressions, read
by two readers of a sentence — the donor finder (`donors`) and the pledge extractor (`pledges`) —
together with the two shallow cuts both rely on: the clause around a position and the last verb of
giving in a span. The grammar is shallow on purpose: it must hold for French and English and for
outlets it has never seen, so the word lists live in data, not here.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from briefings.extract.text import DATA, fold


def _words(forms: Iterable[str]) -> str:
    """A whole-word alternation of plain phrases (longest first)."""
    alternatives = "|".join(re.escape(fold(f)) for f in sorted(set(forms), key=len, reverse=True))
    return r"(?<![\w'])(?:" + alternatives + r")(?![\w])"


@dataclass(frozen=True)
class PledgeGrammar:
    """Every pattern the pledge and donor readers match against a folded sentence."""

    verb: re.Pattern[str]
    trigger: re.Pattern[str]
    package: re.Pattern[str]
    aid: re.Pattern[str]
    past_verbs: re.Pattern[str]
    requests: re.Pattern[str]
    receive: re.Pattern[str]
    past_time: re.Pattern[str]
    past_year: re.Pattern[str]
    past_month: re.Pattern[str]
    months: dict[str, int]
    restated: re.Pattern[str]
    targets: re.Pattern[str]
    respectively: re.Pattern[str]
    own_use: re.Pattern[str]
    sales: re.Pattern[str]
    elsewhere: re.Pattern[str]
    typical: re.Pattern[str]
    typical_after: re.Pattern[str]
    distributive: re.Pattern[str]
    adjacent_part: re.Pattern[str]
    opening_part: re.Pattern[str]
    includes: re.Pattern[str]
    reported: re.Pattern[str]
    condition: re.Pattern[str]
    if_word: re.Pattern[str]
    not_if: re.Pattern[str]
    following_condition: re.Pattern[str]
    period: re.Pattern[str]
    allies: re.Pattern[str]
    counted: re.Pattern[str]
    cardinals: dict[str, int]
    previous: re.Pattern[str]
    speaker: re.Pattern[str]
    breaks: re.Pattern[str]
    preposition_before: re.Pattern[str]
    joiner: re.Pattern[str]
    example_before: re.Pattern[str]
    adverbials: re.Pattern[str]
    auxiliaries: frozenset[str]
    purpose: re.Pattern[str]
    relative_before: re.Pattern[str]
    agent_after: re.Pattern[str]
    thanked: re.Pattern[str]
    group_head: re.Pattern[str]
    package_or_aid: re.Pattern[str]
    of_giver: re.Pattern[str]
    nominal_agent: re.Pattern[str]
    source_after: re.Pattern[str]
    aid_adjective_en: re.Pattern[str]
    aid_adjective_fr: re.Pattern[str]
    aid_noun_after: re.Pattern[str]
    ukraine: re.Pattern[str]
    office: re.Pattern[str]
    contact_group: re.Pattern[str]
    not_donors: frozenset[str]
    contributors: re.Pattern[str]  # "Germany, France and Italy will contribute": who gives a group's pledge
    follow: re.Pattern[str]  # "eight more to follow": items given after the ones just given


@cache
def pledge_grammar() -> PledgeGrammar:
    """Compile the lexicon once per process."""
    with (DATA / "pledge_lexicon.toml").open("rb") as fh:
        lex = tomllib.load(fh)
    with (DATA / "numbers.toml").open("rb") as fh:
        cardinals = {fold(k): int(v) for k, v in tomllib.load(fh)["cardinals"].items() if v < 100}
    verbs = lex["verbs"]["fr"] + lex["verbs"]["en"] + lex["verbs"]["receive_future"]
    conditions = lex["conditions"]
    clauses = lex["clauses"]
    donors = lex["donors"]
    prepositions = "|".join(re.escape(p) for p in clauses["prepositions"])
    determiners = "|".join(re.escape(d) for d in clauses["determiners"])
    aid_or_package = "|".join(lex["nouns"]["aid"] + lex["nouns"]["package"])
    joiners = "|".join(re.escape(j) for j in sorted(clauses["joiners"], key=len, reverse=True))
    return PledgeGrammar(
        verb=re.compile(r"(?<![\w])(?:" + "|".join(verbs) + ")"),
        trigger=re.compile(
            r"(?<![\w])(?:"
            + "|".join(verbs + lex["verbs"]["receive"] + lex["nouns"]["package"] + lex["nouns"]["aid"])
            + ")"
        ),
        package=re.compile(r"(?<![\w])(?:" + "|".join(lex["nouns"]["package"]) + ")"),
        aid=re.compile(r"(?<![\w])(?:" + "|".join(lex["nouns"]["aid"]) + ")"),
        past_verbs=re.compile(_words(lex["past_total"]["verbs"])),
        past_time=re.compile(_words(lex["past_total"]["time"])),
        requests=re.compile(_words(lex["past_total"]["requests"])),
        receive=re.compile(r"(?<![\w])(?:" + "|".join(lex["verbs"]["receive"]) + ")"),
        past_month=re.compile(
            r"(?<![\w])(?:en|in|au mois d'|au mois de|depuis|since)\s+("
            + "|".join(lex["past_total"]["months"])
            + r")(?![\w])"
        ),
        months={m: i % 12 + 1 for i, m in enumerate(lex["past_total"]["months"])},
        past_year=re.compile(r"(?<![\w])(?:en|in|during|durant|pendant)\s+((?:19|20)\d\d)(?![\d-])"),
        restated=re.compile(r"^[^.;]{0,25}?" + _words(lex["past_total"]["restated"])),
        targets=re.compile(_words(lex["past_total"]["targets"])),
        respectively=re.compile(_words(["respectivement", "respectively"])),
        own_use=re.compile(_words(lex["past_total"]["own_use"])),
        sales=re.compile(_words(lex["past_total"]["sales"])),
        elsewhere=re.compile(_words(clauses["elsewhere"])),
        typical=re.compile(_words(lex["past_total"]["typical"])),
        typical_after=re.compile(
            r"\s*" + _words(lex["past_total"]["typical_after"]) + r"(?!\s+(?:year|month|week|annee|an|mois|semaine))"
        ),
        distributive=re.compile(_words(lex["past_total"]["distributive"]) + r"\s*(?:" + "|".join(verbs) + ")"),
        adjacent_part=re.compile(_words(lex["components"]["adjacent"]) + r"\s*(?:\w+\s+)?$"),
        opening_part=re.compile(r"^\W*" + _words(lex["components"]["opening"])),
        includes=re.compile(_words(lex["components"]["includes"])),
        reported=re.compile(r"(?:\bque|\bqu'|\bthat)\s*$"),
        condition=re.compile(_words(conditions["inline"])),
        if_word=re.compile(
            r"(?<![\w'])(?:si|if)\s+(?=" + _words(conditions["si_subjects"]).removeprefix(r"(?<![\w'])") + ")"
            r"|(?<![\w])s'ils?(?![\w])"
        ),
        not_if=re.compile(_words(conditions["not_si"])),
        following_condition=re.compile(_words(conditions["following"])),
        period=re.compile(r"(?<![\w])(?:" + "|".join(lex["periods"]["patterns"]) + r")(?![\w])"),
        allies=re.compile(_words(donors["allies"])),
        counted=re.compile(
            r"(?<![\w'])(?P<n>\d{1,2}|" + "|".join(sorted(cardinals, key=len, reverse=True)) + r")\s+"
            r"(?:[a-z-]+\s+(?:(?:et|and)\s+[a-z-]+\s+)?)?" + _words(donors["counted"]).removeprefix(r"(?<![\w'])")
            + r"(?:\s+(?:[a-z-]+\s+(?:et|and)\s+)?[a-z-]+)?"
        ),
        cardinals=cardinals,
        previous=re.compile(_words(donors["previous"])),
        speaker=re.compile(_words(donors["speaker"])),
        breaks=re.compile("|".join(re.escape(fold(b)) for b in clauses["breaks"])),
        preposition_before=re.compile(rf"(?<![\w])(?:{prepositions})\s*(?:(?:{determiners})\s*)?$|(?<![\w])d'$"),
        joiner=re.compile(rf"^\s*(?:{joiners})\s*(?:(?:{determiners})\s*)?$"),
        adverbials=re.compile(_words(clauses["adverbials"])),
        auxiliaries=frozenset(clauses["auxiliaries"]),
        purpose=re.compile(_words(clauses["purpose"]) + r"\s*$"),
        example_before=re.compile(_words(lex["clauses"]["examples"]) + rf"\s*(?:(?:{determiners})\s*)?$"),
        relative_before=re.compile(r"(?:,\s*)?(?<![\w])(?:qui|who|which|that)\s+(?:\w+\s+){0,2}$"),
        agent_after=re.compile(
            r"^\s*(?:\w+\s+){0,2}?(?:par|by)\s+(?:(?:" + determiners + r")\s*)?(?:[a-z-]+\s+)?$"
        ),
        package_or_aid=re.compile(r"(?<![\w])(?:" + aid_or_package + ")"),
        of_giver=re.compile(
            r"\s*(?:(?:d'|de\s+)[a-z]+\s+)?(?:[a-z]+\s+)?(?:de\s+la|de\s+l'|du|des|of|from)\s*(?:the\s+)?"
        ),
        group_head=re.compile(
            r"(?:(?:" + determiners + r")\s*)?"
            + _words(donors["group_heads"])
            + r"\s+(?:du|de la|de l'|des|of the|of)\s*$"
        ),
        thanked=re.compile(_words(clauses["thanks"]) + r"\s+(?:(?:" + determiners + r")\s*)?$"),
        nominal_agent=re.compile(
            r"^\s*(?:d'|de |of )(?:une? |an? |la |le |the )?(?:" + aid_or_package + r")[\w-]*(?:\s+[a-z-]+)?"
            r"\s+(?:de |d'|of |worth )?$"
        ),
        aid_adjective_en=re.compile(r"\s*(?:in|of)\s+(?:(?:new|additional|further|extra)\s+)?"),
        aid_adjective_fr=re.compile(r"\s*(?:d'|de\s+)(?:" + aid_or_package + r")(?:\s+[a-z-]+)?\s+"),
        aid_noun_after=re.compile(r"\s+(?:[a-z-]+\s+)?(?:" + aid_or_package + ")"),
        source_after=re.compile(rf"^\s*(?:du|de la|de l'|des|de|from|by)\s*(?:(?:{determiners})\s*)?$"),
        ukraine=re.compile(r"(?<![\w])(?:ukrain\w*|kiev|kyiv|kyiv's|kiev's)(?![\w])"),
        office=re.compile(r"ministr|minister|chancel|president|premier|secretar|gouvernement|government"),
        contact_group=re.compile(r"groupe de contact|contact group|udcg|ramstein"),
        contributors=re.compile(_words(donors["contributors"])),
        follow=re.compile(r"\s*(?:" + "|".join(lex["verbs"]["follow"]) + ")"),
        not_donors=frozenset(donors["not_donors"] + donors["not_donor_countries"]),
    )


def clause_span(folded: str, pos: int, g: PledgeGrammar) -> tuple[int, int]:
    """The clause around `pos`: between the nearest clause breaks ("que", "; ", ", while")."""
    start, end = 0, len(folded)
    for m in g.breaks.finditer(folded):
        if m.end() <= pos:
            start = m.end()
        elif m.start() >= pos:
            end = m.start()
            break
    return start, end


def last_verb(folded: str, lo: int, hi: int, g: PledgeGrammar) -> int | None:
    """Where the last verb of giving of [lo, hi) starts: the verb that governs a figure after it."""
    last = None
    for m in g.verb.finditer(folded, lo, hi):
        last = m.start()
    return last
