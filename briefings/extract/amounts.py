"""Money amounts and counted quantities in one sentence, French and English.

Pledge extraction needs more than numbers: which currency ("couronnes norvégiennes" is NOK, "£" is
GBP), how the figure is hedged ("plus de" → "more than"), and which figures only restate another
one — a conversion in parentheses ("(570 millions d'euros)") or after "soit" belongs to the figure
before it and must never become a second pledge. Counted items ("cinq missiles intercepteurs
PAC-3", "four IRIS-T SLM") and named items without a number ("des F-16") are found here too, as
spans with offsets into the sentence, so the pledge grammar can see where each one stands.

All matching runs on folded text (same length as the sentence), so offsets point into the original.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from briefings.extract.temporal import load_toml
from briefings.extract.text import DATA, fold


@dataclass(frozen=True)
class Amount:
    """A sum of money as the sentence states it.

    `restates` marks a figure introduced by "soit" / "i.e." in the same currency as the figure
    before it: a sum or a restatement, which the pledge grammar weighs against the figures before.
    """

    value: float
    currency: str | None
    start: int
    end: int
    text: str
    qualifier: str | None = None
    converted: tuple[tuple[float, str], ...] = ()
    restates: bool = False


@dataclass(frozen=True)
class Quantity:
    """Items counted ("cinq missiles", count 5) or named without a number ("des F-16", count None)."""

    count: int | None
    item: str
    start: int
    end: int
    qualifier: str | None = None


@dataclass(frozen=True)
class _Lexicon:
    amount_re: re.Pattern[str]
    quantity_re: re.Pattern[str]
    named_re: re.Pattern[str]
    name_after_re: re.Pattern[str]
    restate_re: re.Pattern[str]
    restate_any_re: re.Pattern[str]
    stop_re: re.Pattern[str]
    chunk_stops: frozenset[str]
    money_followers: frozenset[str]
    model_re: re.Pattern[str]
    people: frozenset[str]
    not_whole_items: frozenset[str]
    qualifiers: dict[str, str]
    symbols: dict[str, str]
    codes: dict[str, str]
    words: dict[str, str]
    shared: dict[str, dict[str, str]]  # folded name -> {country: currency}
    cardinals: dict[str, int]
    articles: dict[str, float]
    approximate: dict[str, int]
    scales: dict[str, dict[str, float]]
    short_scales: dict[str, float]
    not_items: frozenset[str]
    aid_nouns: re.Pattern[str]


def _alternation(forms: list[str]) -> str:
    return "|".join(re.escape(f) for f in sorted(set(forms), key=len, reverse=True))


def _load_toml(name: str) -> dict:
    with (DATA / name).open("rb") as fh:
        return tomllib.load(fh)


@cache
def _lexicon() -> _Lexicon:
    """Compile every pattern once per process from the data files."""
    numbers = _load_toml("numbers.toml")
    currencies = _load_toml("currencies.toml")
    lexicon = _load_toml("pledge_lexicon.toml")

    qualifiers = {fold(form): label for label, forms in lexicon["qualifiers"].items() for form in forms}
    symbols = {fold(k): v for k, v in currencies["symbols"].items()}
    codes = {k.lower(): v for k, v in currencies["codes"].items()}
    words = {fold(form): code for code, forms in currencies["words"].items() for form in forms}
    shared = {fold(w): dict(group["countries"]) for group in currencies["shared"].values() for w in group["words"]}
    cardinals = {fold(k): int(v) for k, v in numbers["cardinals"].items()}
    articles = {fold(k): float(v) for k, v in numbers["articles"].items()}
    approximate = {fold(k): int(v) for k, v in numbers["approximate"].items()}
    scales = {lang: {fold(k): float(v) for k, v in table.items()} for lang, table in numbers["scales"].items()}
    short_scales = scales.pop("short")

    qual = "|".join(
        re.escape(q) + ("" if q.endswith("'") else r"\s+") for q in sorted(qualifiers, key=len, reverse=True)
    )
    cardinal = _alternation(list(cardinals))
    number_word = rf"(?:{cardinal})(?:[- ](?:et-)?(?:{cardinal}))*"
    digits = r"\d{1,3}(?:[ ]\d{3})+(?:[.,]\d+)?(?![\d])|\d+(?:[.,]\d+)*"
    word_scales = _alternation([w for table in scales.values() for w in table])
    amount = (
        rf"(?:(?<![\w'])|(?<=\bd'))(?P<qual>{qual})?"
        rf"(?:(?P<pre>{_alternation(list(symbols))})\s?|(?P<precode>{_alternation(list(codes))})(?:\s|(?=\d)))?"
        rf"(?:(?<![\w.,-])|(?<=\b(?:{_alternation(list(codes))})))(?P<num>{digits}|(?:{_alternation(list(articles))})(?=\s+(?:{word_scales})(?![\w]))|{number_word})"
        rf"(?:\s?(?P<short>{_alternation(list(short_scales))})(?![\w])|(?:\s+|-)(?P<scale>{word_scales})(?![\w]))?"
        rf"(?:\s?(?P<sym>€|\$|£)|(?:\s*[»”\"])?\s+(?:de\s+|d'|of\s+)?"
        rf"(?P<cur>{_alternation([*words, *codes, *shared])})(?![\w]))?"
    )
    quantity = (
        rf"(?:(?<![\w'-])|(?<=\bd'))(?P<qual>{qual})?"
        rf"(?P<num>{_alternation(list(approximate))}|(?<![\w.,-]){digits}(?![\w-])|{number_word}(?![\w-]))"
        r"(?:\s+(?:d'|de\s+)?)"
    )
    q = lexicon["quantities"]
    named = _alternation([*q["named_items"], *q["generic_items"]])
    restate = _alternation([fold(w) for w in lexicon["restatement"]["words"]])
    stops = [_alternation([fold(w) for w in q["item_stops"]]), *lexicon["periods"]["patterns"]]
    return _Lexicon(
        amount_re=re.compile(amount),
        quantity_re=re.compile(quantity),
        named_re=re.compile(
            rf"(?<![\w-])(?:des|de nouveaux|de nouvelles|d'autres|un autre|une autre|un nouveau|une nouvelle|"
            rf"plusieurs|quelques|more|new|additional|further|another|several|some)\s+"
            rf"(?P<item>(?:(?!(?:et|and|ou|or)\s)[\w-]+\s+){{0,4}}?(?:{named})(?![\w]))"
            # English names bare plurals ("provide Ukraine with F-16 fighter jets", "send Bradleys")
            rf"|(?<![\w-])(?P<bare>(?:{named})(?![\w]))"
        ),
        name_after_re=re.compile(
            r",?\s*(?:appel[eé]e?s?|de type|du type|baptis[eé]e?s?|dits?|known as|called|dubbed|type)\s+"
            r"(?P<name>[A-Z0-9][\w-]*(?:\s[A-Z0-9][\w-]*)*)|\s*\((?P<paren>[A-Z0-9][\w-]*(?:\s[A-Z0-9][\w-]*)*)\)"
        ),
        restate_re=re.compile(rf"^\s*,?\s*(?:{restate})(?![\w])"),
        restate_any_re=re.compile(rf"(?<![\w])(?:{restate})(?![\w])"),
        stop_re=re.compile("(?:" + "|".join(stops) + r")(?![\w])"),
        chunk_stops=frozenset(fold(w) for w in [*q["chunk_stops"], *lexicon["clauses"]["prepositions"]]),
        people=frozenset(fold(w) for w in q["people"]),
        not_whole_items=frozenset(fold(w) for w in q["not_whole_items"]),
        model_re=re.compile(rf"(?<![\w-]){_alternation(q['named_items'])}(?![\w])"),
        money_followers=frozenset(fold(w) for w in [*q["money_followers"], *lexicon["clauses"]["prepositions"]]),
        qualifiers=qualifiers,
        symbols=symbols,
        codes=codes,
        words=words,
        shared=shared,
        cardinals=cardinals,
        articles=articles,
        approximate=approximate,
        scales=scales,
        short_scales=short_scales,
        not_items=frozenset(fold(w) for w in q["not_items"]),
        aid_nouns=re.compile(r"(?:" + "|".join(lexicon["nouns"]["aid"]) + r")"),
    )


def parse_number(text: str) -> float | None:
    """Digits with French or English separators: "11,5" and "1.2" are decimals, "1 200" and
    "1,200" thousands (a separator before exactly three final digits groups thousands)."""
    text = text.replace(" ", "")
    if not text or not text[0].isdigit():
        return None
    parts = re.split(r"[.,]", text)
    if len(parts) == 1:
        return float(text)
    if all(len(p) == 3 for p in parts[1:]):
        return float("".join(parts))
    return float("".join(parts[:-1]) + "." + parts[-1])


def _word_value(words: str, lex: _Lexicon) -> float | None:
    """ "cinq" → 5, "vingt-cinq" → 25, "quatre-vingt-dix" → 90, "two hundred" → 200."""
    if words in lex.cardinals:
        return lex.cardinals[words]
    if words in lex.articles:
        return lex.articles[words]
    if words in lex.approximate:
        return lex.approximate[words]
    total = current = 0
    for part in re.split(r"[- ]", words):
        if part == "et":
            continue
        value = lex.cardinals.get(part)
        if value is None:
            return None
        if value == 100:
            current = max(current, 1) * 100
        elif value == 1000:
            total += max(current, 1) * 1000
            current = 0
        else:
            current += value
    return total + current


def _value(num: str, lex: _Lexicon) -> float | None:
    return parse_number(num) if num[0].isdigit() else _word_value(num, lex)


def _raw_amounts(text: str, folded: str, language: str, lex: _Lexicon, countries: Sequence[str]) -> list[Amount]:
    found = []
    scales = lex.scales.get(language, lex.scales["en"])
    for m in lex.amount_re.finditer(folded):
        num, short, scale = m.group("num"), m.group("short"), m.group("scale")
        currency = None
        if m.group("pre"):
            currency = lex.symbols[m.group("pre")]
        elif m.group("precode"):
            currency = lex.codes[m.group("precode")]
        if m.group("sym"):
            currency = currency or lex.symbols[m.group("sym")]
        elif m.group("cur"):
            cur = m.group("cur")
            currency = currency or lex.words.get(cur) or lex.codes.get(cur) or _shared(cur, countries, lex)
        if short and not currency:
            continue  # "5 m", "2 k": units, not money
        if not (short or scale or currency):
            continue  # a bare number: a count or a date, not money
        if not num[0].isdigit() and not (short or scale):
            continue  # "cinq euros" is rare; "cinq" alone is a count
        if num in lex.articles and not scale:
            continue
        if not currency and scale and _counts_things(folded, m.end(), lex):
            continue  # "un million d'obus" counts shells
        value = _value(num, lex)
        if value is None:
            continue
        factor = lex.short_scales[short] if short else scales.get(scale, 1.0) if scale else 1.0
        qual = m.group("qual")
        qualifier = lex.qualifiers[qual.strip()] if qual else None
        shared = _SHARED_SCALE.search(folded, max(0, m.start() - 24), m.start()) if (short or scale) else None
        if shared:  # "200 et 100 millions d'euros": the first figure shares the scale and currency
            first = parse_number(shared.group(1))
            if first is not None:
                end = shared.start() + len(shared.group(1))
                found.append(Amount(first * factor, currency, shared.start(), end, text[shared.start() : end]))
        found.append(Amount(value * factor, currency, m.start(), m.end(), text[m.start() : m.end()], qualifier))
    return found


_SHARED_SCALE = re.compile(r"(?<![\w.,])(?!(?:19|20)\d\d\b)(\d+(?:[.,]\d+)?)\s+(?:et|and)\s+$")  # not years


def _shared(name: str, countries: Sequence[str], lex: _Lexicon) -> str | None:
    """The currency a shared name ("couronnes") stands for: that of the first country given that has one."""
    by_country = lex.shared.get(name, {})
    return next((by_country[c] for c in countries if c in by_country), None)


def _counts_things(folded: str, end: int, lex: _Lexicon) -> bool:
    """After "N millions de …": an aid noun ("d'aide") keeps it money, any other noun makes it a count."""
    m = re.match(r"\s+(?:de\s+|d'|of\s+)([a-z][\w-]*)", folded[end:])
    return bool(m) and not lex.aid_nouns.match(m.group(1))


def find_amounts(text: str, language: str = "en", countries: Sequence[str] = ()) -> list[Amount]:
    """Money amounts in `text`, conversions folded into the figure they convert.

    "500 millions de livres (570 millions d'euros)" gives one amount, 500e6 GBP, converted
    ((570e6, "EUR"),); "5 milliards de couronnes, soit 500 millions de dollars" likewise.
    `countries` (ISO codes, most likely first) name the currency of words several countries share:
    "couronnes" is NOK when Norway comes first, SEK for Sweden; with none of them it stays unknown.
    """
    lex = _lexicon()
    folded = fold(text)
    raw = _raw_amounts(text, folded, language, lex, countries)
    out: list[Amount] = []
    in_parens = False
    last_end = 0  # end of the last figure read, converted or not
    for amount in raw:
        prev = out[-1] if out else None
        between = folded[last_end : amount.start]
        last_end = amount.end
        if prev and in_parens and re.fullmatch(r"\s*(?:[/,;]|ou|or)\s*", between):
            out[-1] = _convert(prev, amount)
            continue
        in_parens = False
        if prev and re.fullmatch(r"\s*\(\s*", between) and ")" in folded[amount.end : amount.end + 60]:
            out[-1] = _convert(prev, amount)
            in_parens = True
            continue
        restated_in_other_currency = prev and prev.currency and amount.currency and prev.currency != amount.currency
        if restated_in_other_currency and lex.restate_re.match(between) and len(between) < 40:
            out[-1] = _convert(prev, amount)
            continue
        if restated_in_other_currency and amount.qualifier in _ROUGHLY and _AFTER_COMMA.fullmatch(between):
            out[-1] = _convert(prev, amount)  # "NOK 5 billion to Ukraine, roughly $500 million"
            continue
        if amount.currency is None and _counts_items(folded, amount.end, lex):
            continue  # "a million artillery shells": a count, not money
        if prev and lex.restate_any_re.search(folded[max(prev.end, amount.start - 40) : amount.start]):
            amount = Amount(**{**amount.__dict__, "restates": True})
        out.append(amount)
    return out


_ROUGHLY = frozenset({"about", "nearly"})
_NEXT_WORD = re.compile(r"\s+([a-z][\w'-]*)")


def _counts_items(folded: str, end: int, lex: _Lexicon) -> bool:
    """Whether a figure with no currency counts the noun right after it ("a million artillery
    shells", "un million d'obus" is read by the quantity finder) rather than standing for money
    whose currency the article said before ("500 million to Kyiv", "146 millions supplémentaires")."""
    m = _NEXT_WORD.match(folded, end)
    return bool(m) and m.group(1) not in lex.money_followers and len(m.group(1)) > 2
_AFTER_COMMA = re.compile(r"[^.;:()\d]{0,30},\s*")


def _convert(base: Amount, conversion: Amount) -> Amount:
    if not conversion.currency:
        return base
    return Amount(**{**base.__dict__, "converted": (*base.converted, (conversion.value, conversion.currency))})


def find_quantities(text: str, language: str = "en", amounts: list[Amount] | None = None) -> list[Quantity]:
    """Counted items and named items without a number, with the noun phrase of what is counted.

    Figures that are money (see `find_amounts`), dates, durations and counts of people or
    countries are left out: only what follows the number decides, so "cinq missiles" counts and
    "cinq ans" does not. `amounts` (the sentence's money, when the caller has it) is not recounted.
    """
    lex = _lexicon()
    folded = fold(text)
    if amounts is None:
        amounts = find_amounts(text, language)
    money = [(a.start, a.end) for a in amounts]
    out: list[Quantity] = []
    for m in lex.quantity_re.finditer(folded):
        if any(s <= m.start("num") < e for s, e in money) or (out and m.start() < out[-1].end):
            continue  # money, or a model number inside the item before ("14 Leopard 2 tanks")
        num = m.group("num")
        count = _value(num, lex)
        if count is None or count != int(count) or _names_a_model(text, m.start("num"), m.end("num")):
            continue
        if _after_month(folded, m.start("num")):
            continue  # "on Aug. 21 Norway and Sweden would …": a day, not a count
        if num in lex.approximate:
            qualifier = "about"
        else:
            qual = m.group("qual")
            qualifier = lex.qualifiers[qual.strip()] if qual else None
        item_end = _item_end(text, folded, m.end(), lex)
        item = text[m.end() : item_end].strip(" ,")
        first = fold(item.split(" ")[0]).strip(",;:.") if item else ""
        if not item or first in lex.not_items or first[:1].isdigit() or len(item) > 160:
            continue
        if fold(item) in lex.not_whole_items:
            continue  # "eight more [to follow]": the pledge finder gives them the item they follow
        if lex.people.intersection(re.findall(r"[\w'-]+", fold(item))[:4]):
            continue  # people counted, not items given
        item, item_end = _with_name(text, item, item_end, lex)
        out.append(Quantity(int(count), item, m.start(), item_end, qualifier))
    counted = [(q.start, q.end) for q in out]
    named: list[Quantity] = []
    for m in lex.named_re.finditer(folded):
        if any(s <= m.start() < e or s < m.end() <= e for s, e in counted + money):
            continue
        group = "item" if m.group("item") else "bare"
        item_end = _item_end(text, folded, m.start(group), lex)
        item = text[m.start(group) : max(item_end, m.end(group))].strip(" ,")
        named.append(Quantity(None, item, m.start(), max(item_end, m.end(group))))
    return sorted(out + _split_lists(text, named), key=lambda q: q.start)


_LIST_TAIL = re.compile(
    r"(?:\s*,|\s+(?:et|and|ou|or|ainsi que|as well as|along with))(?:\s+(?:des|de|d'|les|the|more|new))?\s*$",
    re.IGNORECASE,
)


def _split_lists(text: str, named: list[Quantity]) -> list[Quantity]:
    """Named items of one list, each on its own: "des canons Caesar et des radars de tir"
    is two items, so the first stops where the second begins. A named item inside another with no
    list between ("Bastion armoured personnel carriers") is part of it."""
    out: list[Quantity] = []
    for item in named:
        last = out[-1] if out else None
        if last is None or item.start >= last.end:
            out.append(item)
            continue
        item_start = text.find(last.item, last.start)
        tail = _LIST_TAIL.search(text, item_start, item.start)
        if tail is None:
            continue
        out[-1] = Quantity(None, text[item_start:tail.start()].strip(" ,"), last.start, tail.start())
        out.append(item)
    return out


def names_a_model(item: str) -> bool:
    """Whether an item names a weapon model ("F-16", "Leopard") rather than only a class of them."""
    return bool(_lexicon().model_re.search(fold(item)))


def phrase_end(text: str, start: int) -> int:
    """Where the noun phrase (or list of them) starting at `start` ends; see `_item_end`."""
    return _item_end(text, fold(text), start, _lexicon())


_NEXT_CHUNK = re.compile(r"\s*((?:and|et)\s+)?([\w'-]+(?:\s+[\w'-]+){0,3})")
_WORD = re.compile(r"(?:[A-Z]\.){2,}(?:-[\w-]+)?|[\w'-]+|[^\w\s]")  # "U.S.-made" is one word


def _item_end(text: str, folded: str, start: int, lex: _Lexicon) -> int:
    """Where the noun phrase starting at `start` ends: at punctuation, a stop phrase, a verb-like
    break, or after a list ("missiles, shells, and other support") that stays lower case."""
    end = start
    words = 0
    pos = start
    while pos < len(text):
        if lex.stop_re.match(folded, pos):
            break
        m = _WORD.match(text, pos) if not text[pos].isspace() else None
        if m is None:
            pos += 1
            continue
        token = m.group()
        if token == ",":
            nxt = _NEXT_CHUNK.match(text, m.end())
            if not nxt or words >= 12 or not nxt.group(2)[:1].islower():
                break
            chunk = folded[nxt.start(2) : nxt.end(2)]
            if chunk.split()[0] in lex.chunk_stops or _has_number(chunk, lex) or lex.stop_re.match(chunk):
                break
            pos = m.end()
            continue
        if not (token[0].isalnum() or token in {"-", "'"}):
            break
        if _has_number(folded[m.start() : m.end()], lex) and not _model_number(text, pos, m.end()):
            break
        words += 1
        end = m.end()
        pos = m.end()
        if words >= 16:
            break
    trailing = re.search(r"(?:\s+(?:et|and|ou|or|de|of|d'|des|the|les|la|le|a|to))+$", text[start:end], re.IGNORECASE)
    return start + trailing.start() if trailing else end


_NAMED_BEFORE = re.compile(r"[A-Z][\w-]*\s$")
_WORD_AFTER = re.compile(r"\s+[^\W\dA-Z]|\s*(?:[,.;:)]|$)")


@cache
def _month_before() -> re.Pattern[str]:
    """A month name or abbreviation right before a number: the number is its day."""
    months = {fold(m) for table in load_toml("calendar.toml")["months"].values() for m in table}
    alternation = "|".join(re.escape(m) for m in sorted(months, key=len, reverse=True))
    return re.compile(rf"(?<![\w])(?:{alternation})\.?\s+$")


def _after_month(folded: str, start: int) -> bool:
    return bool(_month_before().search(folded, max(0, start - 15), start))


def _names_a_model(text: str, start: int, end: int) -> bool:
    """Whether a number that looks like a count is the model number of a name before it ("Sending
    Challenger 2 tanks", "several Leopard 2 tanks"). A country before a count ("la Pologne 14
    Leopard") names a giver in a verbless list, so a gazetteer name before it does not count."""
    if not _model_number(text, start, end):
        return False
    word = _NAMED_BEFORE.search(text, max(0, start - 30), start)
    from briefings.extract.gazetteer import Gazetteer  # imported here: the gazetteer loads after amounts

    return not Gazetteer.load().mentions(word.group().strip())


def _model_number(text: str, start: int, end: int) -> bool:
    """A short model number that belongs to a name ("Leopard 2 tanks", "Leopard 1A5"), not a new count:
    it follows a capitalised word and is followed by a lower-case noun or the end of the phrase."""
    return (
        bool(re.fullmatch(r"\d[\dA-Z]{0,3}", text[start:end]))
        and bool(_NAMED_BEFORE.search(text, max(0, start - 30), start))
        and bool(_WORD_AFTER.match(text, end))
    )


def _has_number(folded_chunk: str, lex: _Lexicon) -> bool:
    return any(w in lex.cardinals or w[:1].isdigit() for w in re.findall(r"[\w-]+", folded_chunk))


def _with_name(text: str, item: str, end: int, lex: _Lexicon) -> tuple[str, int]:
    """Keep a name given right after the item ("missiles, appelés PAC-3" / "interceptors (PAC-3)"):
    names are what a French and an English report of one delivery share."""
    m = lex.name_after_re.match(text, end)
    if not m:
        return item, end
    name = m.group("name") or m.group("paren")
    return (f"{item} {name}" if name not in item else item), m.end()
