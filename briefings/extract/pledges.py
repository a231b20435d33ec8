"""Pledges of new aid: who gives what to whom, priced or counted, with the sentence that says so.

A figure in a news sentence is a pledge only when three things hold: a word of giving governs it
("s'engager à fournir", "pledged", "un nouveau paquet"), nothing marks it as something else (a past
or cumulative total, a spending target, a typical size, a part of a package already counted, a
conversion, a figure inside a condition), and a donor can be named. The grammar is shallow on
purpose — clauses, the subject at a clause's start, coordination, a few anaphors — because it must
hold for two languages and for outlets it has never seen; the word lists live in
`data/pledge_lexicon.toml`.

Within one article the same pledge is often restated (title, lead, quote): restatements are merged
into the first statement, never listed twice. A figure and its conversion ("500 millions de livres
(570 millions d'euros)" and later "570 millions d'euros") are one pledge.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache

from briefings.extract.amounts import Amount, Quantity, find_amounts, find_quantities, phrase_end
from briefings.extract.context import ArticleContext
from briefings.extract.gazetteer import COUNTRY, DEMONYM, ORGANISATION, PERSON, PLACE, Gazetteer, Mention
from briefings.extract.text import DATA, Sentence, fold
from briefings.models import Evidence, Pledge

ALLIES = "ALLIES"
UKRAINE = "UA"
TITLE_PARAGRAPH = -1  # sentences of the title: they confirm pledges of the body, never add their own


def _words(forms: Iterable[str]) -> str:
    """A whole-word alternation of plain phrases (longest first)."""
    alternatives = "|".join(re.escape(fold(f)) for f in sorted(set(forms), key=len, reverse=True))
    return r"(?<![\w'])(?:" + alternatives + r")(?![\w])"


@dataclass(frozen=True)
class _Grammar:
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


@cache
def _grammar() -> _Grammar:
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
    return _Grammar(
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
        not_donors=frozenset(donors["not_donors"] + donors["not_donor_countries"]),
    )


@dataclass(frozen=True)
class _Actor:
    """Someone who may be a sentence's donor: codes (several when joint), where it stands, and how
    it refers ("name", or "previous"/"speaker"/"counted" for phrases resolved from context)."""

    codes: tuple[str, ...]
    start: int
    end: int
    how: str = "name"
    count: int = 0  # for a counted group ("cinq pays"): how many
    demonym: bool = False  # named by its adjective ("belge", "Belgian"), which can qualify an aid noun


@dataclass
class _Story:
    """What earlier sentences of the article tell about later ones."""

    ukraine_topic: bool
    contact_group: bool
    ukraine_near: bool = False  # Ukraine named in this sentence or the two before it
    subject: tuple[str, ...] | None = None  # last subject named in full
    speaker: tuple[str, ...] | None = None  # last person or minister's country
    last_currency: str | None = None
    countries: tuple[str, ...] = ()  # the article's countries, most named first: whose "couronnes"
    groups: Callable[[], list[tuple[str, ...]]] = list  # the article's joint groups of countries
    resolved_by_anaphor: bool = False  # the last donor came from a pronoun, a speaker or a counted group
    anaphoric: set[int] = field(default_factory=set)  # ids of the pledges whose donor did


@dataclass
class _Found:
    pledge: Pledge
    title_only: bool
    currency_before: str | None  # the currency of the article's figures so far: "146 millions" after dollars
    anaphoric: bool = False  # its donor was read from a pronoun or a speaker, not a name


def extract_pledges(
    sentences: Sequence[Sentence], ctx: ArticleContext, mentions: Sequence[list[Mention]] | None = None
) -> list[Pledge]:
    """Pledges of new aid announced in an article's sentences, one per (donor, figure).

    `mentions` (the gazetteer's mentions per sentence) may be passed when the caller has them
    already; otherwise they are computed here.
    """
    g = _grammar()
    gazetteer = Gazetteer.load()
    folded_all = [fold(s.text) for s in sentences]
    ukraine_hits = sum(1 for f in folded_all if g.ukraine.search(f))
    story = _Story(
        ukraine_topic=ukraine_hits >= 2 or bool(g.ukraine.search(fold(ctx.title))),
        contact_group=any(g.contact_group.search(f) for f in folded_all),
    )
    known = mentions if mentions is not None else [gazetteer.mentions(s.text) for s in sentences]
    story.countries = _ranked_countries(m for ms in known for m in ms)

    @cache
    def groups() -> list[tuple[str, ...]]:
        """Joint groups of countries named anywhere in the article, read only when a counted group
        ("cinq pays") needs them."""
        out = []
        for index, folded in enumerate(folded_all):
            out += [a.codes for a in _actors(folded, known[index], g, anaphors=False) if len(a.codes) > 1]
        return out

    story.groups = groups
    found: list[_Found] = []
    for index, sentence in enumerate(sentences):
        folded = folded_all[index]
        sentence_mentions = known[index]
        has_trigger = bool(g.trigger.search(folded))
        if not has_trigger:
            _remember(story, sentence.text, folded, sentence_mentions, g)
            continue
        story.ukraine_near = any(g.ukraine.search(f) for f in folded_all[max(0, index - 2) : index + 1])
        new = _sentence_pledges(sentence, folded, sentence_mentions, ctx, story, g)
        following = folded_all[index + 1] if index + 1 < len(sentences) else ""
        if new and following and g.following_condition.search(following[:120]):
            condition = sentences[index + 1].text
            for pledge in new:
                pledge.condition = pledge.condition or condition
        title_only = sentence.paragraph == TITLE_PARAGRAPH
        found.extend(_Found(p, title_only, story.last_currency, id(p) in story.anaphoric) for p in new)
        _remember(story, sentence.text, folded, sentence_mentions, g)
    return _merge(found)


def _country_of(m: Mention) -> str | None:
    if m.kind in (COUNTRY, DEMONYM):
        return m.code
    return m.country if m.kind in (PERSON, PLACE) else None


def _ranked_countries(mentions: Iterable[Mention]) -> tuple[str, ...]:
    """Countries by how often they are named (first named first among equals)."""
    counts: dict[str, int] = {}
    for m in mentions:
        code = _country_of(m)
        if code and code != UKRAINE:
            counts[code] = counts.get(code, 0) + 1
    return tuple(sorted(counts, key=lambda c: -counts[c]))


def _remember(story: _Story, text: str, folded: str, mentions: list[Mention], g: _Grammar) -> None:
    """Keep the sentence's subject and speaker for the sentences after it ("les trois pays", "son pays")."""
    for actor in _actors(folded, mentions, g, anaphors=False):
        free = not _after_preposition(folded, actor.start, g) or g.group_head.search(folded, 0, actor.start)
        if actor.how == "name" and actor.codes != (UKRAINE,) and free:
            story.subject = actor.codes
            break
    for m in mentions:
        if m.kind == PERSON or (m.kind == DEMONYM and g.office.search(folded, max(0, m.start - 25), m.end + 25)):
            story.speaker = (m.country or m.code,)


def _actors(folded: str, mentions: list[Mention], g: _Grammar, anaphors: bool = True) -> list[_Actor]:
    """Every phrase of the sentence that may name a donor, joint donors grouped, in text order
    (pronouns and other anaphors left out when `anaphors` is false: they only matter in pledges)."""
    singles: list[_Actor] = []
    taken: list[tuple[int, int]] = []
    for m in mentions:
        codes = _codes_of(m, folded, g)
        if codes:
            singles.append(_Actor(codes, m.start, m.end, demonym=m.kind == DEMONYM))
        taken.append((m.start, m.end))
    patterns = ((g.counted, "counted"), (g.allies, "allies"), (g.previous, "previous"), (g.speaker, "speaker"))
    for pattern, how in patterns if anaphors else patterns[1:2]:
        for m in pattern.finditer(folded):
            if not any(s < m.end() and m.start() < e for s, e in taken):
                codes = (ALLIES,) if how == "allies" else ()
                count = int(m.group("n")) if how == "counted" and m.group("n").isdigit() else 0
                count = g.cardinals.get(m.group("n"), count) if how == "counted" else 0
                singles.append(_Actor(codes, m.start(), m.end(), "name" if how == "allies" else how, count))
                taken.append((m.start(), m.end()))
    singles.sort(key=lambda a: a.start)
    grouped: list[_Actor] = []
    for actor in singles:
        last = grouped[-1] if grouped else None
        if (
            last
            and last.how == "name"
            and actor.how == "name"
            and _is_country_group(last.codes)
            and _is_country_group(actor.codes)
            and UKRAINE not in (*last.codes, *actor.codes)
            and g.joiner.match(folded[last.end : actor.start])
            and not _after_preposition(folded, last.start, g)
        ):
            grouped[-1] = _Actor(tuple(sorted({*last.codes, *actor.codes})), last.start, actor.end)
        else:
            grouped.append(actor)
    return grouped


def _is_country_group(codes: tuple[str, ...]) -> bool:
    return bool(codes) and all(len(c) == 2 for c in codes)


def _codes_of(m: Mention, folded: str, g: _Grammar) -> tuple[str, ...]:
    """The donor code a gazetteer mention stands for, or () when it cannot give."""
    if m.kind == ORGANISATION:
        return () if m.code in g.not_donors else (m.code,)
    if (m.country or m.code) in g.not_donors:
        return ()
    if m.kind in (COUNTRY, DEMONYM):
        return (m.code,)
    if m.kind == PERSON:
        return (m.country or m.code,)
    if m.kind == PLACE and m.country:
        # A capital stands for its government only as a subject: "Berlin enverrait", not "à Bruxelles,".
        after = folded[m.end : m.end + 2]
        if not after.startswith((",", ":", " (")) and not _after_preposition(folded, m.start, g):
            return (m.country,)
    return ()


def _after_preposition(folded: str, start: int, g: _Grammar) -> bool:
    return bool(g.preposition_before.search(folded[max(0, start - 14) : start]))


def _clause(folded: str, pos: int, g: _Grammar) -> tuple[int, int]:
    """The clause around `pos`: between the nearest clause breaks ("que", "; ", ", while")."""
    start, end = 0, len(folded)
    for m in g.breaks.finditer(folded):
        if m.end() <= pos:
            start = m.end()
        elif m.start() >= pos:
            end = m.start()
            break
    return start, end


def _sentence_pledges(
    sentence: Sentence, folded: str, mentions: list[Mention], ctx: ArticleContext, story: _Story, g: _Grammar
) -> list[Pledge]:
    text = sentence.text
    named_here = tuple(c for c in (_country_of(m) for m in mentions) if c)
    amounts = find_amounts(text, ctx.language, (*named_here, *story.countries))
    quantities = find_quantities(text, ctx.language, amounts) if g.verb.search(folded) else []
    for amount in amounts:
        story.last_currency = amount.currency or story.last_currency
    if not amounts and not quantities:
        return []
    actors = _actors(folded, mentions, g)
    recipient = _recipient(folded, mentions, story, g)
    if recipient is None:
        return []
    condition_at = _condition_start(folded, g)
    out: list[Pledge] = []
    kept = _keep_amounts(amounts, folded, actors, condition_at, ctx, g)
    previous_end = None
    for amount in kept:
        story.resolved_by_anaphor = False
        clause_start = _clause(folded, amount.start, g)[0]
        after_figure = previous_end if previous_end is not None and previous_end > clause_start else None
        donor = _elided(previous_end, amount.start, folded, actors, g) or _donor(
            amount.start, amount.end, folded, actors, story, g, after_figure
        )
        previous_end = amount.end
        if not donor or donor == (recipient,):
            continue
        # "l'Allemagne 500 millions d'euros, les Pays-Bas 300 millions": the currency said last before
        currency = amount.currency or next(
            (a.currency for a in reversed(amounts[: amounts.index(amount)]) if a.currency), None
        )
        shared_out = g.distributive.search(folded, _scope(amounts, amounts.index(amount), folded, g)[0], amount.start)
        made = [
            Pledge(
                donor=_donor_code(each, story),
                recipient=recipient,
                amount=amount.value,
                currency=currency,
                item=_money_item(text, folded, amount, g),
                condition=_condition_text(text, condition_at, amount.end),
                qualifier=amount.qualifier,
                converted=list(amount.converted),
                period=_period(text, folded, amount.end, _scope(amounts, amounts.index(amount), folded, g)[1], g),
                language=ctx.language,
                evidence=[Evidence(text, ctx.url)],
            )
            for each in ([(code,) for code in donor] if shared_out else [donor])
        ]
        out.extend(made)
        if story.resolved_by_anaphor:
            story.anaphoric.update(id(p) for p in made)
    out = _respectively(out, folded, mentions, g)
    priced_clauses = {_clause(folded, amount.start, g) for amount in kept}
    previous_end = None
    previous_donor: tuple[str, ...] | None = None
    for quantity in quantities:
        if _clause(folded, quantity.start, g) in priced_clauses:
            continue  # "£1.6bn to supply 5,000 missiles": the count describes the priced pledge
        elided = _elided(previous_end, quantity.start, folded, actors, g)
        listed = previous_donor if _listed_after(previous_end, quantity.start, folded, g) else None
        if not (elided or listed) and not _counted_pledge(quantity, folded, amounts, condition_at, g):
            continue
        if _sent_elsewhere(quantity, folded, mentions):
            continue
        donor = elided or listed or _donor(quantity.start, quantity.end, folded, actors, story, g)
        previous_end, previous_donor = quantity.end, donor
        if not donor or donor == (recipient,):
            continue
        out.append(
            Pledge(
                donor=_donor_code(donor, story),
                recipient=recipient,
                quantity=quantity.count,
                item=quantity.item,
                condition=_condition_text(text, condition_at, quantity.end),
                qualifier=quantity.qualifier,
                period=_period(text, folded, quantity.end, _clause(folded, quantity.start, g)[1], g),
                language=ctx.language,
                evidence=[Evidence(text, ctx.url)],
            )
        )
    return out


_TO_PLACE = re.compile(r"(?:\bto|\ben|\bau|\baux|\bin|\bvers|\btowards?)\s+(?:the\s+|la\s+|le\s+|l')?$")


def _sent_elsewhere(quantity: Quantity, folded: str, mentions: list[Mention]) -> bool:
    """Counted items sent "to" a country or city other than Ukraine: a deployment ("deux Rafale en
    Pologne"), not aid. Only the words right after the count are read."""
    for m in mentions:
        code = m.country if m.kind == PLACE else m.code if m.kind == COUNTRY else None
        near = quantity.start < m.start <= quantity.end + 40
        if code and near and _TO_PLACE.search(folded, max(0, m.start - 12), m.start):
            return code != UKRAINE
    return False


_LIST_BETWEEN = re.compile(r"[^.;:()]{0,80}?(?:,|\bet\b|\band\b)\s*")


def _listed_after(previous_end: int | None, start: int, folded: str, g: _Grammar) -> bool:
    """The next item of a list the verb already governs: "des obus, des drones d'observation et de
    nouveaux radars" — no verb and no clause break in between."""
    if previous_end is None or not _LIST_BETWEEN.fullmatch(folded, previous_end, start):
        return False
    return not g.verb.search(folded, previous_end, start) and _clause(folded, previous_end, g) == _clause(
        folded, start, g
    )


def _respectively(out: list[Pledge], folded: str, mentions: list[Mention], g: _Grammar) -> list[Pledge]:
    """ "La Suède et la Finlande verseront respectivement 200 et 100 millions": as many joint donors as
    figures, shared out in the order the donors are named."""
    donors = {p.donor for p in out}
    if len(out) < 2 or len(donors) != 1 or not g.respectively.search(folded):
        return out
    codes = (next(iter(donors)) or "").split("+")
    if len(codes) != len(out):
        return out
    order = [c for c in dict.fromkeys(_country_of(m) or m.code for m in mentions) if c in codes]
    if len(order) != len(codes):
        return out
    for pledge, code in zip(out, order, strict=True):
        pledge.donor = code
    return out


def _elided(
    previous_end: int | None, start: int, folded: str, actors: list[_Actor], g: _Grammar
) -> tuple[str, ...] | None:
    """A list that leaves its verb out: "l'Allemagne 500 millions, la France 200 millions" — the
    actor standing alone between two figures gives the second one."""
    if previous_end is None:
        return None
    between = [a for a in actors if previous_end <= a.start and a.end <= start and a.how == "name"]
    between = [a for a in between if a.codes != (UKRAINE,)]
    if len(between) != 1:
        return None
    actor = between[0]
    if _ELLIPSIS_BEFORE.fullmatch(folded, previous_end, actor.start) and _ELLIPSIS_AFTER.fullmatch(
        folded, actor.end, start
    ):
        return actor.codes
    return None


_ELLIPSIS_BEFORE = re.compile(r"[^,;]{0,40}?(?:,|;|\bet|\band)\s*(?:(?:le|la|les|l'|the)\s*)?")
_ELLIPSIS_AFTER = re.compile(r"\s*(?:,\s*)?(?:(?:a|has|have|will|va|vont|de son cote|pour sa part)\s+)?")
_TO_BEFORE = re.compile(r"(?:\ba|\bau|\baux|\bto|\bfor|\bpour)\s+(?:la |le |l'|les |the )?$")
_AND_FROM = re.compile(r"\s*(?:,|et|and)\s*(?:du|de la|de l'|des|de|from)?\s*(?:the\s+)?")


def _recipient(folded: str, mentions: list[Mention], story: _Story, g: _Grammar) -> str | None:
    """Ukraine when the article or the sentences around are about it; else a country the aid goes "to"."""
    if story.ukraine_near or story.ukraine_topic:
        return UKRAINE
    for m in mentions:
        if m.kind == COUNTRY and _TO_BEFORE.search(folded, max(0, m.start - 12), m.start):
            return m.code
    return None


def _keep_amounts(
    amounts: list[Amount], folded: str, actors: list[_Actor], condition_at: int | None, ctx: ArticleContext, g: _Grammar
) -> list[Amount]:
    """The figures that may be new aid: cues of totals, targets, parts and conditions removed, and
    parts of a sum stated in the same sentence ("3 + 8, i.e. 11 billion") folded into the sum."""
    kept: list[Amount] = []
    for index, amount in enumerate(amounts):
        scope = _scope(amounts, index, folded, g)
        if amount.restates:
            parts = [a for a in kept if a.currency == amount.currency]
            if parts and abs(sum(a.value for a in parts) - amount.value) <= 0.01 * amount.value:
                kept = [a for a in kept if a not in parts]
            elif parts:
                continue  # the same figure said again
        if not _is_new_aid(amount, scope, folded, actors, condition_at, ctx, g):
            continue
        kept.append(amount)
    return kept


def _scope(amounts: list[Amount], index: int, folded: str, g: _Grammar) -> tuple[int, int]:
    """The words that speak about one figure: its clause, cut at the figures before and after it,
    and starting at the verb that governs it when another figure comes first ("Canada, which has
    provided C$4 billion since 2022, pledged another C$200 million")."""
    amount = amounts[index]
    lo, hi = _clause(folded, amount.start, g)
    if index > 0 and amounts[index - 1].end > lo:
        lo = amounts[index - 1].end
        verb = _last_verb(folded, lo, amount.start, g)
        lo = verb if verb is not None else lo
    if index + 1 < len(amounts) and amounts[index + 1].start < hi:
        hi = amounts[index + 1].start
    return lo, hi


def _is_new_aid(
    amount: Amount,
    scope: tuple[int, int],
    folded: str,
    actors: list[_Actor],
    condition_at: int | None,
    ctx: ArticleContext,
    g: _Grammar,
) -> bool:
    start, end = scope
    clause = folded[start:end]
    before = folded[start : amount.start]
    if condition_at is not None and amount.start > condition_at:
        return False
    if g.past_verbs.search(before) or g.past_time.search(clause) or g.requests.search(before):
        return False
    if g.own_use.search(clause) or g.sales.search(before):
        return False
    year = g.past_year.search(before)
    for found in (year, g.past_year.search(folded, amount.end, end)):  # "40 millions en 2024" too
        if found and int(found.group(1)) < ctx.published.year:
            return False
    month = g.past_month.search(clause)
    if (
        month
        and g.months[month.group(1)] < ctx.published.month
        and not (year and year.group(1) > str(ctx.published.year))
    ):
        return False
    if g.restated.search(folded[amount.end : amount.end + 60]):
        return False
    if g.targets.search(clause) and not g.ukraine.search(folded):
        return False
    if (g.typical.search(before) and not g.distributive.search(before)) or g.typical_after.match(folded, amount.end):
        return False
    if g.adjacent_part.search(folded[max(0, amount.start - 30) : amount.start]) or g.opening_part.search(folded):
        return False
    if g.includes.search(before):
        named = [a for a in actors if a.how == "name" and start <= a.start < end]
        if not named:
            return False  # "ce paquet comprend 92 millions pour …": a part of a package already counted
    return True


def _counted_pledge(
    quantity: Quantity, folded: str, amounts: list[Amount], condition_at: int | None, g: _Grammar
) -> bool:
    """Counted or named items are pledged when a verb of giving governs them closely."""
    if condition_at is not None and quantity.start > condition_at:
        return False
    if any(a.start <= quantity.start < a.end for a in amounts):
        return False
    start, _end = _clause(folded, quantity.start, g)
    before = folded[start : quantity.start]
    verbs = list(g.verb.finditer(before))
    if not verbs:
        return False
    if g.purpose.search(before, 0, verbs[-1].start()):
        return False  # "des efforts visant à fournir des F-16": what a coalition is for
    gap = g.adverbials.sub(" ", before[verbs[-1].end() :])
    limit = 4 if quantity.count is not None else 2
    if len(re.findall(r"[\w'-]+", gap)) > limit + (2 if g.ukraine.search(gap) else 0):
        return False
    includes = [m.end() for m in g.includes.finditer(before)]
    if includes and includes[-1] > verbs[-1].start():
        return False  # "le paquet comprend 10 000 obus" (but "which includes the delivery of 30 jets")
    if g.past_verbs.search(before) or g.past_time.search(folded[start:_end]) or _reported_past(folded, start, g):
        return False
    if g.sales.search(before) or g.elsewhere.search(folded, quantity.start, quantity.end + 40):
        return False
    return not g.restated.search(folded[quantity.end : quantity.end + 60])


def _reported_past(folded: str, clause_start: int, g: _Grammar) -> bool:
    """A clause reported from an earlier time: "La semaine dernière, X avait expliqué que …"."""
    head = folded[:clause_start]
    return bool(g.reported.search(head)) and bool(g.past_time.search(head))


def _donor(
    start: int,
    end: int,
    folded: str,
    actors: list[_Actor],
    story: _Story,
    g: _Grammar,
    after_figure: int | None = None,
) -> tuple[str, ...] | None:
    """Who gives the figure at [start, end): a donor named on the aid noun ("paquet britannique",
    "… du Royaume-Uni"), else the subject of its clause, else the sentence's, else the story's.
    `after_figure` is the end of an earlier figure of the same clause: a giver named between it and
    this figure's verb is this figure's ("le Canada a alloué 19 millions, et un groupe d'alliés fournira …")."""
    clause_start, _ = _clause(folded, start, g)
    attached = _attached_donor(start, end, folded, actors, g)
    if attached:
        return attached
    trigger = _last_verb(folded, clause_start, start, g)
    if trigger is None:  # a passive after the figure: "… 400 millions … a été annoncé par le Pentagone"
        after = g.verb.search(folded, end, _clause(folded, start, g)[1])
        trigger = after.start() if after else None
    if trigger is not None:
        before = [a for a in actors if a.end <= trigger and a.codes != (UKRAINE,)]
        if before and before[-1].how == "name" and g.relative_before.search(folded[before[-1].end : trigger]):
            return before[-1].codes  # "… les Pays-Bas, qui ont engagé …"
        agent = _agent(trigger, folded, actors, g)
        if agent:
            return agent
        if after_figure is not None:
            own = [a for a in before if a.start >= after_figure and a.how in ("name", "counted")]
            own = [a for a in own if a.codes == (ALLIES,) or not _after_preposition(folded, a.start, g)]
            if own:
                return _resolve(own[-1], actors, story, folded, g)
    for lo, hi, last in ((clause_start, start, False), (0, clause_start, True)):
        subject = _first_subject(folded, actors, lo, hi, g, last=last)
        if subject is not None and subject.codes == (UKRAINE,):
            # Ukraine is the subject: it receives ("… from Norway") or asks; it does not give. But
            # "Kiev et Paris concluent un accord où la France promet de livrer …": the
            # giver is the subject right before the verb of giving.
            giver = _giver_of_receipt(subject.end, clause_start, folded, actors, g)
            return giver or (_verb_subject(trigger, folded, actors, g) if trigger is not None else None)
        if subject is not None:
            return _resolve(subject, actors, story, folded, g)
    return story.subject


def _verb_subject(trigger: int, folded: str, actors: list[_Actor], g: _Grammar) -> tuple[str, ...] | None:
    """The giver written right before the verb of giving, with only auxiliaries and other verbs of
    the same chain between ("la France s'engage à fournir")."""
    for actor in reversed(actors):
        if actor.end > trigger or actor.how != "name" or actor.codes == (UKRAINE,):
            continue
        gap = folded[actor.end : trigger]
        words = [w for w in re.findall(r"[\w']+", g.verb.sub(" ", gap)) if w not in g.auxiliaries]
        if len(re.findall(r"[\w']+", gap)) <= 5 and not words and not _after_preposition(folded, actor.start, g):
            return actor.codes
        return None
    return None


def _giver_of_receipt(
    after: int, clause_start: int, folded: str, actors: list[_Actor], g: _Grammar
) -> tuple[str, ...] | None:
    """ "Ukraine will receive €1bn from the EU" / "Kiev recevra … de la part de la Norvège"."""
    clause_end = _clause(folded, after, g)[1]
    if not g.receive.search(folded, after, clause_end):
        return None
    for actor in actors:
        named = after < actor.start < clause_end and actor.how == "name" and actor.codes != (UKRAINE,)
        if named and _FROM_BEFORE.search(folded, max(clause_start, actor.start - 20), actor.start):
            return actor.codes
    return None


_QUOTE_OPEN = re.compile(r"[«“\"]")
_QUOTE_CLOSE = re.compile(r"[»”\"]")
_BY_BEFORE = re.compile(r"(?:\bpar|\bby)\s+(?:(?:le|la|les|l'|the)\s*)?$")
_FROM_BEFORE = re.compile(r"(?:\bfrom|de la part d[eu']|\bde la part des|\bdu|\bde l'|\bde la|\bdes)\s*(?:the\s+)?$")


def _last_verb(folded: str, lo: int, hi: int, g: _Grammar) -> int | None:
    last = None
    for m in g.verb.finditer(folded, lo, hi):
        last = m.start()
    return last


def _agent(trigger: int, folded: str, actors: list[_Actor], g: _Grammar) -> tuple[str, ...] | None:
    """A passive's agent: "… dévoilée lundi par les Pays-Bas"."""
    verb_end = re.match(r"[\w'-]+", folded[trigger:])
    if not verb_end:
        return None
    after = trigger + verb_end.end()
    for actor in actors:
        if actor.start >= after and actor.how == "name":
            return actor.codes if g.agent_after.match(folded[after : actor.start]) else None
    return None


def _attached_donor(start: int, end: int, folded: str, actors: list[_Actor], g: _Grammar) -> tuple[str, ...] | None:
    """A donor written on the package itself: an adjective next to the aid noun ("un nouveau paquet
    britannique", "a British package"), or "du Royaume-Uni et de la Norvège" right after the figure."""
    # After the figure (and its conversion in parentheses): "… de livres sterling du Royaume-Uni".
    tail = end
    paren = re.match(r"\s*\([^)]*\)", folded[end:])
    if paren:
        tail = end + paren.end()
    for actor in actors:
        if actor.start >= tail and actor.how == "name" and actor.codes != (UKRAINE,):
            if g.source_after.match(folded[tail : actor.start]):
                return _joined_after(actor, actors, folded, g)
            # "€977 million in Belgian military aid" / "500 millions d'euros d'aide militaire belge"
            if actor.demonym and (
                (g.aid_adjective_en.fullmatch(folded, tail, actor.start) and g.aid_noun_after.match(folded, actor.end))
                or g.aid_adjective_fr.fullmatch(folded, tail, actor.start)
            ):
                return actor.codes
            break
    # An agent or a thanked giver just before the aid noun: "la validation par l'UE d'une aide de 50 milliards",
    # "remercier l'UE d'avoir validé une aide de …".
    for actor in reversed(actors):
        if actor.end > start or actor.how != "name" or actor.codes == (UKRAINE,):
            continue
        if start - actor.end > 60:
            break
        by_before = _BY_BEFORE.search(folded, max(0, actor.start - 12), actor.start)
        if by_before and g.nominal_agent.match(folded[actor.end : start]):
            return actor.codes
        if g.thanked.search(folded, max(0, actor.start - 25), actor.start):
            return actor.codes
        break
    # The giver after the aid noun: "l'aide de la Suède … s'élève à", "du 20e paquet d'aide de la Suède, d'un montant".
    for noun in g.package_or_aid.finditer(folded, max(0, start - 80), start):
        for actor in actors:
            if actor.start < noun.end() or actor.start > start:
                continue
            named = actor.how == "name" and actor.codes != (UKRAINE,)
            of_giver = g.of_giver.fullmatch(folded, noun.end(), actor.start)
            if named and of_giver and _governs(actor, start, folded, actors, g):
                return actor.codes
            break
    # On the noun before the figure: "un nouveau paquet britannique de défense … de 500 millions".
    nouns = [m for m in g.package.finditer(folded, max(0, start - 80), start)]
    if nouns:
        noun = nouns[-1]
        for actor in actors:
            near_after = 0 <= actor.start - noun.end() <= 2
            near_before = 0 <= noun.start() - actor.end <= 12 and actor.end > max(0, start - 100)
            if actor.how == "name" and actor.codes != (UKRAINE,) and (near_after or near_before):
                gap = folded[actor.end : noun.start()] if near_before else ""
                if near_before and not re.fullmatch(r"\s*(?:'s\s+|new\s+|nouveau\s+|additional\s+)*", gap):
                    continue
                return actor.codes
    return None


def _governs(actor: _Actor, start: int, folded: str, actors: list[_Actor], g: _Grammar) -> bool:
    """Whether the noun phrase naming `actor` still speaks of the figure at `start`: no verb of giving
    and no other giver between them ("face au retrait du soutien des États-Unis, l'Allemagne débloque …")."""
    if g.verb.search(folded, actor.end, start):
        return False
    return not any(actor.end <= a.start < start and a.codes != (UKRAINE,) for a in actors)


def _joined_after(first: _Actor, actors: list[_Actor], folded: str, g: _Grammar) -> tuple[str, ...]:
    """ "du Royaume-Uni et de la Norvège": the coordination after a figure repeats "de"."""
    codes = set(first.codes)
    last = first
    for actor in actors:
        if actor.start <= last.start or actor.how != "name":
            continue
        if _AND_FROM.fullmatch(folded, last.end, actor.start):
            codes.update(actor.codes)
            last = actor
        else:
            break
    return tuple(sorted(codes))


def _first_subject(
    folded: str, actors: list[_Actor], lo: int, hi: int, g: _Grammar, last: bool = False
) -> _Actor | None:
    """The first actor of [lo, hi) that is not inside a prepositional phrase or an example list
    (the last one when `last`: the subject nearest to a clause that names none, as in
    "…, while Sweden said it would give …")."""
    for actor in reversed(actors) if last else actors:
        if not (lo <= actor.start < hi):
            continue
        window = folded[max(lo, actor.start - 25) : actor.start]
        prepositional = _after_preposition(folded, actor.start, g) and not g.group_head.search(folded, lo, actor.start)
        if actor.how == "name" and prepositional and actor.codes != (ALLIES,):
            continue
        if g.example_before.search(window):
            continue
        if actor.codes == (UKRAINE,) and folded.startswith("'s", actor.end):
            continue  # "Ukraine's allies pledged …"
        return actor
    return None


def _resolve(
    actor: _Actor, actors: list[_Actor], story: _Story, folded: str, g: _Grammar
) -> tuple[str, ...] | None:
    """Anaphors: "son pays"/"we" → the speaker named earlier; "les trois pays"/"they" → the last subject."""
    if actor.how == "name":
        return actor.codes
    story.resolved_by_anaphor = True
    if actor.how == "counted":
        return next((c for c in story.groups() if len(c) == actor.count), (ALLIES,))
    earlier = [a for a in actors if a.how == "name" and a.end <= actor.start and a.codes != (UKRAINE,)]
    if actor.how == "speaker":
        if earlier:
            return earlier[-1].codes
        # « Nous fournirons … », a déclaré le ministre néerlandais: the speaker is named after the quote.
        close = _QUOTE_CLOSE.search(folded, actor.end)
        if close and _QUOTE_OPEN.search(folded, 0, actor.start):
            after = [a for a in actors if a.start >= close.end() and a.how == "name" and a.codes != (UKRAINE,)]
            if after:
                return after[0].codes
        return story.speaker or story.subject
    # "Poland, Norway and Germany announced that they will finance …": the subject of the clause
    # before, in the same sentence, before the subject of the sentence before.
    subjects = [a for a in earlier if not _after_preposition(folded, a.start, g)]
    return subjects[-1].codes if subjects else story.subject


def _donor_code(codes: tuple[str, ...], story: _Story) -> str:
    """Joint donors joined with '+'; the allies as a group are the contact group in its stories."""
    named = [c for c in codes if c != ALLIES]
    if named:
        return "+".join(sorted(set(named)))
    return "UDCG" if story.contact_group else "NATO"


def _condition_start(folded: str, g: _Grammar) -> int | None:
    m = g.condition.search(folded)
    if m:
        return m.start()
    for m in g.if_word.finditer(folded):
        if not g.not_if.search(folded[max(0, m.start() - 6) : m.end()]):
            return m.start()
    return None


def _condition_text(text: str, condition_at: int | None, after: int) -> str | None:
    if condition_at is None or condition_at < after:
        return None
    return text[condition_at:].rstrip(" .;").strip() or None


def _period(text: str, folded: str, end: int, clause_end: int, g: _Grammar) -> str | None:
    m = g.period.search(folded, end, min(clause_end, end + 80))
    return text[m.start() : m.end()] if m else None


def _money_item(text: str, folded: str, amount: Amount, g: _Grammar) -> str | None:
    """What the money is for, in the article's words: "… de dollars d'aide militaire", else the
    object between the verb and the figure, else the purpose after it, else the aid noun."""
    tail = amount.end
    paren = re.match(r"\s*\([^)]*\)", folded[tail:])
    if paren:
        tail += paren.end()
    noun = g.package.match(folded, tail + 1) if folded[tail : tail + 1] == " " else None
    if noun:  # "£300 million package of drones and radars"
        return text[noun.start() : phrase_end(text, noun.start())].strip(" ,")
    m = _OF_AFTER.match(folded, tail)
    if m:
        item = text[m.end() : phrase_end(text, m.end())].strip(" ,")
        if item:
            return item
    clause_start, _ = _clause(folded, amount.start, g)
    verbs = list(g.verb.finditer(folded, clause_start, amount.start))
    if verbs:
        start = verbs[-1].end()
        nouns = list(g.package.finditer(folded, start, amount.start))
        lead = _OBJECT_LEAD.match(folded, start)
        start = nouns[0].start() if nouns else lead.end() if lead else start
        end = min(phrase_end(text, start), amount.start)
        item = text[start:end].strip(" ,")
        if any(len(w) >= 4 and fold(w) not in _NOT_NOUNS for w in re.findall(r"[\w'-]+", item)):
            return item
    m = _PURPOSE_AFTER.match(folded, tail)
    if m:
        item = text[m.end() : phrase_end(text, m.end())].strip(" ,")
        if item:
            return item
    nouns = list(g.package.finditer(folded, clause_start, amount.start)) or list(
        g.aid.finditer(folded, clause_start, amount.start)
    )
    return text[nouns[-1].start() : nouns[-1].end()] if nouns else None


_NOT_NOUNS = frozenset(
    {"additional", "another", "further", "extra", "more", "full", "nouvelle", "nouvelles", "nouveau", "nouveaux"}
    | {"supplementaire", "supplementaires", "autre", "autres", "ensemble", "jointly", "together", "also", "aussi"}
    | {"egalement", "encore", "respectivement", "respectively"}
)
_OF_AFTER = re.compile(r"\s*(?:d'|de |of |in |en )(?!l'|la |le |les |the |ukrain|kiev|kyiv)")
_OBJECT_LEAD = re.compile(
    r"\s*(?:(?:a|de|d'|to)\s+(?!hauteur))?(?:(?:l'|the\s+)?(?:ukraine|kyiv|kiev)\b\s*(?:(?:a|de|d'|to)\s+)?)?"
)  # "give Ukraine £2bn": Ukraine is the indirect object, not the item
_PURPOSE_AFTER = re.compile(r"\s*(?:pour|afin de|afin d'|to|for|in order to)\s+(?!(?:l'|the\s+)?(?:ukrain|kiev|kyiv))")


# ---- merging restatements ------------------------------------------------------------------


def _group(donor: str | None) -> str:
    parts = sorted({ALLIES if p in ("NATO", "UDCG", "OTAN", ALLIES) else p for p in (donor or "").split("+")})
    return "+".join(parts)


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 0.01 * max(a, b)


def _same(a: Pledge, b: Pledge, any_donor: bool = False) -> bool:
    """Two statements of one pledge: same donor group (unless `any_donor`) and the same figure (a
    conversion counts, a missing currency matches any), or the same count of the same items."""
    if not any_donor and _group(a.donor) != _group(b.donor):
        return False
    if a.amount is not None and b.amount is not None:
        if _close(a.amount, b.amount) and (a.currency == b.currency or not a.currency or not b.currency):
            return True
        for x, y in ((a, b), (b, a)):
            if y.currency and any(_close(v, y.amount) and c == y.currency for v, c in x.converted):
                return True
        return False
    if a.amount is None and b.amount is None:
        # "30 avions F-16" and later "livrer des F-16": the count is said once, the items twice.
        counts_agree = a.quantity == b.quantity or a.quantity is None or b.quantity is None
        return counts_agree and bool(_tokens(a.item) & _tokens(b.item))
    return False


def _tokens(text: str | None) -> set[str]:
    """Item words as the scorer compares them: folded, three letters or more, or with a digit."""
    words = re.findall(r"[a-z0-9]+(?:-[a-z0-9]+)*", fold(text or ""))
    return {t for t in words if len(t) >= 3 or any(c.isdigit() for c in t)}


def _richness(p: Pledge) -> int:
    """Which statement of a pledge to keep: the one with its currency and conversions stated."""
    return (2 if p.currency else 0) + len(p.converted) + (1 if p.quantity else 0)


def _merge(found: list[_Found]) -> list[Pledge]:
    out: list[_Found] = []
    for f in found:
        twin = next((o for o in out if _same(o.pledge, f.pledge)), None)
        if twin is None and f.anaphoric:
            # « ce sont 50 milliards », a déclaré un responsable américain: a figure restated by a speaker
            # (or "they") is the pledge already named, whoever the anaphor resolves to.
            twin = next((o for o in out if o.pledge.currency and _same(o.pledge, f.pledge, any_donor=True)), None)
        if twin is None:
            out.append(f)
            continue
        base, other = (twin.pledge, f.pledge)
        # The body's wording is the better quote: a title's evidence goes after it.
        first, then = (other, base) if twin.title_only and not f.title_only else (base, other)
        evidence = [*first.evidence, *then.evidence]
        if _richness(other) > _richness(base):
            base, other = other, base
            twin.pledge = base
        for field_name in ("item", "condition", "qualifier", "period", "quantity"):
            if getattr(base, field_name) is None and getattr(other, field_name) is not None:
                setattr(base, field_name, getattr(other, field_name))
        if base.recipient is None:
            base.recipient = other.recipient
        base.evidence = [e for i, e in enumerate(evidence) if e.sentence not in {x.sentence for x in evidence[:i]}]
        twin.title_only = twin.title_only and f.title_only
    kept = [f for f in out if not f.title_only]
    for f in kept:
        if f.pledge.amount is not None and f.pledge.currency is None:
            f.pledge.currency = f.currency_before
    return [f.pledge for f in kept]
