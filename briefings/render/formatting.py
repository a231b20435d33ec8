"""Locale-aware formatting of the Brief's normalised values, built on Babel.

Babel gives the locale data (compact number words, month names, list patterns, territory names);
the choices Babel does not make the way a news brief reads ("35 milliards de dollars", "$35 billion",
short currency names, organisation names) come from data files under `briefings/data/`.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from decimal import Decimal
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from babel import Locale
from babel.dates import format_date
from babel.lists import format_list
from babel.numbers import format_compact_decimal, format_decimal, get_currency_name

from briefings.brief import parse_partial_date

PACKAGE_DIR = Path(__file__).resolve().parents[1]  # briefings/
_COMPACT_FROM = 1_000_000  # below this, numbers are written in full ("5 000 dollars")
_VOWELS = frozenset("aeiouyàâäéèêëîïôöùûüœæh")


@cache
def _data(name: str) -> dict[str, Any]:
    text = (PACKAGE_DIR / "data" / name).read_text(encoding="utf-8")
    return tomllib.loads(text)


def elides(word: str) -> bool:
    """Whether French elides "de"/"que" before `word` (vowel or mute h)."""
    return bool(word) and word[0].casefold() in _VOWELS


def join_elided(particle: str, word: str, *, aspirated: bool = False) -> str:
    """ "de" + "euros" → "d'euros"; "que" + "elles" → "qu'elles"; other words keep a space."""
    if particle.endswith("e") and not aspirated and elides(word):
        return f"{particle[:-1]}'{word}"
    return f"{particle} {word}"


# Formatting goes through Babel's locale data on every call and a listing formats hundreds of
# figures and dates: they are pure functions of their arguments, so results are kept.
_FORMATTED = 8192


@lru_cache(maxsize=_FORMATTED)
def format_number(value: float, locale: str) -> str:
    """A figure as a brief writes it: "35 milliards" / "35 billion", or in full below a million."""
    if abs(value) < _COMPACT_FROM:
        return format_decimal(value, locale=locale)
    return _compact(value, locale)


def _compact(value: float, locale: str) -> str:
    number = Decimal(str(value))
    text = format_compact_decimal(number, format_type="long", fraction_digits=2, locale=locale)
    # Babel 2.18 takes French's explicit "1" form (only defined for "mille") and then falls back to
    # "other", giving "1 millions". For exactly one unit, use CLDR's "one" pattern instead.
    patterns = Locale.parse(locale).compact_decimal_formats["long"]
    magnitude = str(10 ** (len(str(int(abs(number)))) - 1))
    one = patterns.get("one", {}).get(magnitude)
    if abs(number) == Decimal(magnitude) and one is not None and one.pattern.count("0") == 1:
        return one.apply(1, locale)
    return text


@lru_cache(maxsize=_FORMATTED)
def format_money(amount: float, currency: str, locale: str, qualifier: str | None = None) -> str:
    """ "plus de 35 milliards de dollars" / "more than $35 billion" / "NOK 5 billion"."""
    figure = format_number(amount, locale)
    compact = abs(amount) >= _COMPACT_FROM
    if locale == "fr":
        text = f"{figure} {_french_currency(currency, amount, compact)}"
    else:
        symbol = _data("currency_names.toml").get(locale, {}).get(currency, {}).get("symbol")
        text = f"{symbol}{figure}" if symbol else f"{currency} {figure}"
    return f"{qualifier_text(qualifier, locale)} {text}" if qualifier else text


def _french_currency(code: str, amount: float, compact: bool) -> str:
    """The currency noun after a French figure, with "de" after number words ("millions de dollars")."""
    entry = _data("currency_names.toml").get("fr", {}).get(code)
    plural = compact or Locale.parse("fr").plural_form(amount) != "one"
    if entry:
        noun = entry["other" if plural else "one"]
    else:
        noun = get_currency_name(code, 2 if plural else 1, locale="fr")
        noun = noun[0].lower() + noun[1:] if noun != code else code
    if not compact:
        return noun
    return join_elided("de", noun, aspirated=bool(entry and entry.get("aspirated")))


def qualifier_text(qualifier: str, locale: str) -> str:
    """ "more than" / "plus de" in the brief's locale, whichever language the extractor used."""
    wanted = qualifier.strip().casefold().replace("’", "'")
    for entry in _data("render_phrases.toml")["qualifiers"].values():
        if wanted in (m.replace("’", "'") for m in entry["match"]):
            return entry[locale]
    return qualifier.strip()


@lru_cache(maxsize=_FORMATTED)
def format_partial_date(iso: str, locale: str) -> str:
    """An ISO date at its precision: "11 février 2026", "juillet 2026", "2035"; unparsed text as is."""
    parsed = parse_partial_date(iso)
    if parsed is None:
        return iso
    pattern = _data("render_phrases.toml")["date_patterns"][locale][parsed.precision]
    return format_date(parsed.value, pattern, locale=locale)


def date_precision(iso: str) -> str | None:
    """ "day", "month" or "year", for wording that depends on it ("le 11 février" / "en juillet")."""
    parsed = parse_partial_date(iso)
    return parsed.precision if parsed else None


def actor_name(code: str, locale: str) -> str:
    """A country (ISO alpha-2) or organisation code by its name in `locale`; unknown codes as is."""
    code = code.strip()
    org = _data("org_names.toml").get(code.upper())
    if org:
        return org.get(locale, code)
    territory = Locale.parse(locale).territories.get(code.upper()) if len(code) == 2 else None
    return territory or code


@lru_cache(maxsize=_FORMATTED)
def actors_name(codes: str, locale: str) -> str:
    """Joint donors "DK+NO+SE" → "Danemark, Norvège et Suède" / "Denmark, Norway, and Sweden"."""
    return join_list([actor_name(c, locale) for c in codes.split("+") if c.strip()], locale)


def join_list(items: Sequence[str], locale: str) -> str:
    """Items joined the locale's way ("a, b et c" / "a, b, and c")."""
    return format_list(list(items), locale=locale) if items else ""


def place_name(place: str, locale: str) -> str:
    """A place stored by its English exonym, as `locale` names it ("The Hague" → "La Haye")."""
    return _data("render_phrases.toml").get("places", {}).get(locale, {}).get(place, place)


def opens_condition(text: str) -> bool:
    """Whether a condition already starts with its conjunction ("provided that…", "à condition…")."""
    folded = text.strip().casefold().replace("’", "'")
    openers = _data("render_phrases.toml")["condition_openers"]
    return any(folded.startswith(o) for words in openers.values() for o in words)
