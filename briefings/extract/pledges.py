"""Pledges of new aid: who gives what to whom, priced or counted, with the sentence that says so.

A figure in a news sentence is a pledge only when three things hold: a word of giving governs it
("s'engager à fournir", "pledged", "un nouveau paquet"), nothing marks it as something else (a past
or cumulative total, a spending target, a typical size, a part of a package already counted, a
conversion, a figure inside a condition), and a donor can be named. This module makes the
clause-level decisions — which figures and counts are new aid, to whom, for what, on what
condition and over what period; the donor is found by `donors`, the word lists are compiled by
`pledge_grammar`, and restatements of one pledge are merged by `restatements`.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from functools import cache

from briefings.extract.amounts import Amount, Quantity, find_amounts, find_quantities, names_a_model, phrase_end
from briefings.extract.context import ArticleContext
from briefings.extract.donors import (
    UKRAINE,
    Actor,
    ArticleMemory,
    country_of,
    donor_code,
    elided_donor,
    find_actors,
    find_donor,
    ranked_countries,
    remember,
    share_respectively,
)
from briefings.extract.gazetteer import COUNTRY, PLACE, Gazetteer, Mention
from briefings.extract.pledge_grammar import PledgeGrammar, clause_span, last_verb, pledge_grammar
from briefings.extract.restatements import Statement, merge_restatements
from briefings.extract.text import DATA, Sentence, fold
from briefings.models import Evidence, Pledge

TITLE_PARAGRAPH = -1  # sentences of the title: they confirm pledges of the body, never add their own


def extract_pledges(
    sentences: Sequence[Sentence], ctx: ArticleContext, mentions: Sequence[list[Mention]] | None = None
) -> list[Pledge]:
    """Pledges of new aid announced in an article's sentences, one per (donor, figure).

    `mentions` (the gazetteer's mentions per sentence) may be passed when the caller has them
    already; otherwise they are computed here.
    """
    g = pledge_grammar()
    gazetteer = Gazetteer.load()
    folded_all = [fold(s.text) for s in sentences]
    ukraine_hits = sum(1 for f in folded_all if g.ukraine.search(f))
    story = ArticleMemory(
        ukraine_topic=ukraine_hits >= 2 or bool(g.ukraine.search(fold(ctx.title))),
        contact_group=any(g.contact_group.search(f) for f in folded_all),
    )
    known = mentions if mentions is not None else [gazetteer.mentions(s.text) for s in sentences]
    story.countries = ranked_countries(m for ms in known for m in ms)

    @cache
    def groups() -> list[tuple[str, ...]]:
        """Joint groups of countries named anywhere in the article, read only when a counted group
        ("cinq pays") needs them."""
        out = []
        for index, folded in enumerate(folded_all):
            out += [a.codes for a in find_actors(folded, known[index], g, anaphors=False) if len(a.codes) > 1]
        return out

    story.groups = groups
    found: list[Statement] = []
    for index, sentence in enumerate(sentences):
        folded = folded_all[index]
        sentence_mentions = known[index]
        has_trigger = bool(g.trigger.search(folded) or g.follow.search(folded))
        if not has_trigger:
            remember(story, sentence.text, folded, sentence_mentions, g)
            continue
        story.ukraine_near = any(g.ukraine.search(f) for f in folded_all[max(0, index - 2) : index + 1])
        new = _sentence_pledges(sentence, folded, sentence_mentions, ctx, story, g)
        following = folded_all[index + 1] if index + 1 < len(sentences) else ""
        if new and following:
            _give_to_contributors(new, sentences[index + 1].text, following, known[index + 1], ctx, g)
        if new and following and g.following_condition.search(following[:120]):
            condition = sentences[index + 1].text
            for pledge in new:
                pledge.condition = pledge.condition or condition
        title_only = sentence.paragraph == TITLE_PARAGRAPH
        found.extend(Statement(p, title_only, story.last_currency, id(p) in story.anaphoric) for p in new)
        remember(story, sentence.text, folded, sentence_mentions, g)
    return merge_restatements(found)


def _give_to_contributors(
    new: list[Pledge], text: str, folded: str, mentions: list[Mention], ctx: ArticleContext, g: PledgeGrammar
) -> None:
    """A group's pledge whose contributing countries the next sentence names, with no figure of its
    own ("Allies pledged €1bn. Norway, Sweden and Finland will contribute."), is given by them."""
    if not g.contributors.search(folded) or find_amounts(text, ctx.language):
        return
    countries = sorted({m.code for m in mentions if m.kind == COUNTRY and m.code != UKRAINE})
    if len(countries) < 2:
        return
    for pledge in new:
        if pledge.donor in _GROUPS:
            pledge.donor = "+".join(countries)
            pledge.evidence.append(Evidence(text, ctx.url))


_GROUPS = frozenset({"ALLIES", "NATO", "UDCG"})


def _sentence_pledges(
    sentence: Sentence,
    folded: str,
    mentions: list[Mention],
    ctx: ArticleContext,
    story: ArticleMemory,
    g: PledgeGrammar,
) -> list[Pledge]:
    text = sentence.text
    named_here = tuple(c for c in (country_of(m) for m in mentions) if c)
    amounts = find_amounts(text, ctx.language, (*named_here, *story.countries))
    giving = g.verb.search(folded) or g.follow.search(folded)
    quantities = find_quantities(text, ctx.language, amounts) if giving else []
    for amount in amounts:
        story.last_currency = amount.currency or story.last_currency
    if not amounts and not quantities:
        return []
    actors = find_actors(folded, mentions, g)
    recipient = _recipient(folded, mentions, story, g)
    if recipient is None:
        return []
    condition_at = _condition_start(folded, g)
    out: list[Pledge] = []
    kept = _keep_amounts(amounts, folded, actors, condition_at, ctx, g)
    previous_end = None
    for amount in kept:
        story.resolved_by_anaphor = False
        clause_start = clause_span(folded, amount.start, g)[0]
        after_figure = previous_end if previous_end is not None and previous_end > clause_start else None
        donor = elided_donor(previous_end, amount.start, folded, actors, g) or find_donor(
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
        sure = _confidence(donor, actors, folded, story, named_only=False)
        made = [
            Pledge(
                donor=donor_code(each, story),
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
                confidence=sure,
            )
            for each in ([(code,) for code in donor] if shared_out else [donor])
        ]
        out.extend(made)
        if story.resolved_by_anaphor:
            story.anaphoric.update(id(p) for p in made)
    out = share_respectively(out, folded, mentions, g)
    priced = [(clause_span(folded, amount.start, g), amount) for amount in kept]
    previous_end = None
    previous_donor: tuple[str, ...] | None = None
    for quantity in quantities:
        if any(span == clause_span(folded, quantity.start, g) and not _own_verb(quantity, amount, folded, g)
               for span, amount in priced):
            continue  # "£1.6bn to supply 5,000 missiles": the count describes the priced pledge
        elided = elided_donor(previous_end, quantity.start, folded, actors, g)
        listed = previous_donor if _listed_after(previous_end, quantity.start, folded, g) else None
        if not (elided or listed) and not _counted_pledge(quantity, folded, amounts, condition_at, g):
            continue
        if quantity.count is None and not names_a_model(quantity.item) and not _names_recipient(folded):
            continue  # a class of weapons named without a figure needs the sentence to say it goes to Ukraine
        if _sent_elsewhere(quantity, folded, mentions):
            continue
        donor = elided or listed or find_donor(quantity.start, quantity.end, folded, actors, story, g)
        previous_end, previous_donor = quantity.end, donor
        if not donor or donor == (recipient,):
            continue
        out.append(
            Pledge(
                donor=donor_code(donor, story),
                recipient=recipient,
                quantity=quantity.count,
                item=quantity.item,
                condition=_condition_text(text, condition_at, quantity.end),
                qualifier=quantity.qualifier,
                period=_period(text, folded, quantity.end, clause_span(folded, quantity.start, g)[1], g),
                language=ctx.language,
                evidence=[Evidence(text, ctx.url)],
                confidence=_confidence(donor, actors, folded, story, named_only=quantity.count is None),
            )
        )
    out += _follow_ups(out, text, folded, ctx, g)
    return [p for p in out if p.confidence >= _weights()["keep"]]




def _follow_ups(out: list[Pledge], text: str, folded: str, ctx: ArticleContext, g: PledgeGrammar) -> list[Pledge]:
    """ "14 tanks, with eight more to follow", "quatre chars …, et huit autres devraient suivre": the
    items to follow are a pledge of their own, from the same giver, of the same items."""
    counted = [p for p in out if p.quantity is not None and p.amount is None]
    if not counted:
        return []
    found = []
    for m in _recipient_words()[3].finditer(folded):
        count = int(m.group("n")) if m.group("n").isdigit() else g.cardinals.get(m.group("n"))
        if not count or not g.follow.match(folded, m.end()):
            continue
        before = counted[-1]
        found.append(Pledge(donor=before.donor, recipient=before.recipient, quantity=count, item=before.item,
                            language=ctx.language, evidence=[Evidence(text, ctx.url)], confidence=before.confidence))
    return found


@cache
def _recipient_words() -> tuple[re.Pattern, re.Pattern, re.Pattern, re.Pattern]:
    """The recipient, passive and follow-up vocabulary of data/pledge_lexicon.toml, compiled."""
    with (DATA / "pledge_lexicon.toml").open("rb") as fh:
        words = tomllib.load(fh)["recipient"]
    passive = "|".join(re.escape(w) for w in words["passive"])
    adverbs = "|".join(re.escape(w) for w in words["passive_adverbs"])
    more = "|".join(re.escape(w) for w in words["more"])
    return (
        re.compile("(?:" + "|".join(words["named"]) + ")"),
        re.compile(words["mentioned"]),
        re.compile(rf"\s*(?:[\w'-]+\s+){{0,3}}?(?:{passive})\s+(?:(?:{adverbs})\s+)?"),
        re.compile(rf"(?<![\w])(?P<n>\d{{1,3}}|[a-z]+)\s+(?:{more})(?![\w])"),
    )


def _names_recipient(folded: str) -> bool:
    """Whether a sentence names Ukraine as the one receiving ("à l'Ukraine", "provide Kyiv with")."""
    return bool(_recipient_words()[0].search(folded))


@cache
def _weights() -> dict[str, float]:
    """How much each thing left to the context costs a pledge's confidence (data/precision.toml)."""
    with (DATA / "precision.toml").open("rb") as fh:
        return tomllib.load(fh)["pledges"]


def _confidence(donor: tuple[str, ...], actors: list[Actor], folded: str, story: ArticleMemory,
                named_only: bool) -> float:
    """How sure a pledge is: a giver named in its sentence, Ukraine named as recipient there, and a
    figure each keep it whole; each one left to the context lowers it."""
    weights = _weights()
    sure = 1.0
    if story.resolved_by_anaphor or not any(a.codes == donor and a.how == "name" for a in actors):
        sure *= weights["donor_from_context"]
    if not (_names_recipient(folded) or _recipient_words()[1].search(folded)):
        sure *= weights["recipient_from_context"]
    if named_only:
        sure *= weights["named_without_figure"]
    return round(sure, 3)


def _own_verb(quantity: Quantity, amount: Amount, folded: str, g: PledgeGrammar) -> bool:
    """Whether a verb of giving stands between counted items and a figure of their clause: then
    each has its own ("remettra des bateaux de combat …, et fournira 30 millions d'euros")."""
    return quantity.end <= amount.start and bool(g.verb.search(folded, quantity.end, amount.start))


# Ukraine named as the one who receives: "à l'Ukraine", "to Kyiv", "provide Ukraine with", "l'armée ukrainienne".

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


_LIST_BETWEEN = re.compile(r"[^.;:()]{0,80}?(?:,|\bet\b|\band\b|\bainsi que\b|\bas well as\b|\balong with\b)\s*")


def _listed_after(previous_end: int | None, start: int, folded: str, g: PledgeGrammar) -> bool:
    """The next item of a list the verb already governs: "des obus, des drones d'observation et de
    nouveaux radars" — no verb and no clause break in between."""
    if previous_end is None or not _LIST_BETWEEN.fullmatch(folded, previous_end, start):
        return False
    return not g.verb.search(folded, previous_end, start) and clause_span(folded, previous_end, g) == clause_span(
        folded, start, g
    )


_TO_BEFORE = re.compile(r"(?:\ba|\bau|\baux|\bto|\bfor|\bpour)\s+(?:la |le |l'|les |the )?$")


def _recipient(folded: str, mentions: list[Mention], story: ArticleMemory, g: PledgeGrammar) -> str | None:
    """Ukraine when the article or the sentences around are about it; else a country the aid goes "to"."""
    if story.ukraine_near or story.ukraine_topic or _names_recipient(folded):
        return UKRAINE
    for m in mentions:
        if m.kind == COUNTRY and _TO_BEFORE.search(folded, max(0, m.start - 12), m.start):
            return m.code
    return None


def _keep_amounts(
    amounts: list[Amount],
    folded: str,
    actors: list[Actor],
    condition_at: int | None,
    ctx: ArticleContext,
    g: PledgeGrammar,
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


def _scope(amounts: list[Amount], index: int, folded: str, g: PledgeGrammar) -> tuple[int, int]:
    """The words that speak about one figure: its clause, cut at the figures before and after it,
    and starting at the verb that governs it when another figure comes first ("Canada, which has
    provided C$4 billion since 2022, pledged another C$200 million")."""
    amount = amounts[index]
    lo, hi = clause_span(folded, amount.start, g)
    if index > 0 and amounts[index - 1].end > lo:
        lo = amounts[index - 1].end
        verb = last_verb(folded, lo, amount.start, g)
        lo = verb if verb is not None else lo
    if index + 1 < len(amounts) and amounts[index + 1].start < hi:
        hi = amounts[index + 1].start
    return lo, hi


def _is_new_aid(
    amount: Amount,
    scope: tuple[int, int],
    folded: str,
    actors: list[Actor],
    condition_at: int | None,
    ctx: ArticleContext,
    g: PledgeGrammar,
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
    quantity: Quantity, folded: str, amounts: list[Amount], condition_at: int | None, g: PledgeGrammar
) -> bool:
    """Counted or named items are pledged when a verb of giving governs them closely."""
    if condition_at is not None and quantity.start > condition_at:
        return False
    if any(a.start <= quantity.start < a.end for a in amounts):
        return False
    if g.follow.match(folded, quantity.end):
        return True  # "Around 30 AS90 guns are expected to follow" what was just given
    start, _end = clause_span(folded, quantity.start, g)
    before = folded[start : quantity.start]
    verbs = list(g.verb.finditer(before))
    if not verbs:
        return _given_in_passive(quantity, folded, g)
    if g.purpose.search(before, 0, verbs[-1].start()):
        return False  # "des efforts visant à fournir des F-16": what a coalition is for
    gap = g.adverbials.sub(" ", before[verbs[-1].end() :])
    limit = 4 if quantity.count is not None else 2
    if len(re.findall(r"[\w'-]+", gap)) > limit + (3 if g.ukraine.search(gap) or _names_recipient(gap) else 0):
        return False
    includes = [m.end() for m in g.includes.finditer(before)]
    if includes and includes[-1] > verbs[-1].start():
        return False  # "le paquet comprend 10 000 obus" (but "which includes the delivery of 30 jets")
    if g.past_verbs.search(before) or g.past_time.search(folded[start:_end]) or _reported_past(folded, start, g):
        return False
    if g.sales.search(before) or g.elsewhere.search(folded, quantity.start, quantity.end + 40):
        return False
    if g.requests.search(before) or g.own_use.search(folded[start:_end]):
        return False  # asked for, a goal, or a budget line for another purpose: not given
    return not g.restated.search(folded[quantity.end : quantity.end + 60])




def _given_in_passive(quantity: Quantity, folded: str, g: PledgeGrammar) -> bool:
    """Items that open their clause with a verb of giving after them in the passive, future or
    conditional ("Des obusiers Caesar vont être livrés à Kiev", "Light tanks will be sent")."""
    m = _recipient_words()[2].match(folded, quantity.end)
    return bool(m) and bool(g.verb.match(folded, m.end())) and not g.sales.search(folded, quantity.end, m.end() + 20)


def _reported_past(folded: str, clause_start: int, g: PledgeGrammar) -> bool:
    """A clause reported from an earlier time: "La semaine dernière, X avait expliqué que …"."""
    head = folded[:clause_start]
    return bool(g.reported.search(head)) and bool(g.past_time.search(head))


def _condition_start(folded: str, g: PledgeGrammar) -> int | None:
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


def _period(text: str, folded: str, end: int, clause_end: int, g: PledgeGrammar) -> str | None:
    m = g.period.search(folded, end, min(clause_end, end + 80))
    return text[m.start() : m.end()] if m else None


def _money_item(text: str, folded: str, amount: Amount, g: PledgeGrammar) -> str | None:
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
    clause_start, _ = clause_span(folded, amount.start, g)
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
