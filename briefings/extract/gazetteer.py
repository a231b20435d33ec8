"""Bilingual gazetteer: finds countries, organisations, people and places in a sentence.

Facts are stored as codes (ISO 3166 for countries, short codes for organisations, English names
for places) so that a French and an English report of one event share the same values. Country
names come from CLDR through Babel, so every ISO code is covered in both languages; the data files
add other names, demonyms ("britannique", "German"), capitals standing for governments,
organisations with their aliases, and the people who speak for them.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel import Locale

from briefings.extract.text import fold

DATA = Path(__file__).resolve().parent.parent / "data"

COUNTRY, DEMONYM, ORGANISATION, PERSON, PLACE = "country", "demonym", "organisation", "person", "place"


@dataclass(frozen=True)
class Mention:
    """A name found in a text: what it refers to, what kind of name it is, and where it stands.

    `code` is an ISO country code, an organisation code, or a place's English name (for places,
    `country` holds the place's country so a capital can stand for its government).
    """

    code: str
    kind: str
    start: int
    end: int
    text: str
    country: str | None = None


def _demonym_forms(masculine: str, lang: str) -> set[str]:
    """French demonyms agree in gender and number; English ones only take a plural as nouns."""
    if lang == "en":
        return {masculine, masculine + "s"} if not masculine.endswith(("sh", "ch", "ese", "ss")) else {masculine}
    if masculine.endswith("e"):
        feminine = masculine
    elif masculine.endswith(("ien", "éen")):
        feminine = masculine + "ne"
    elif masculine.endswith("c"):
        feminine = masculine[:-1] + "que"
    else:
        feminine = masculine + "e"
    plural = masculine if masculine.endswith(("s", "x")) else masculine + "s"
    return {masculine, feminine, plural, feminine + "s"}


def _trie_pattern(words: Iterable[str]) -> str:
    """One regular expression for many words, factored by common prefixes.

    A plain alternation of hundreds of names makes the engine try each name at each position; a
    prefix tree tries one branch per character. Longer names are tried before their prefixes, so the
    longest name still wins, as with an alternation sorted longest first.
    """
    trie: dict = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def pattern(node: dict) -> str:
        branches = [re.escape(char) + pattern(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if "" in node:
            return "(?:" + body + ")?"
        return body

    return pattern(trie)


class Gazetteer:
    """All surface forms compiled into one alternation, longest first, so matching is one pass."""

    def __init__(self, forms: dict[str, tuple[str, str, str | None]], demonyms: dict[str, str]):
        self._forms = forms  # surface form -> (code, kind, country)
        self._demonyms = demonyms  # folded demonym -> country code
        self._names = re.compile(r"(?<![\w-])" + _trie_pattern(forms) + r"(?![\w-])")
        self._demonym_re = re.compile(r"(?<![\w-])" + _trie_pattern(demonyms) + r"(?![\w-])")

    @classmethod
    @cache
    def load(cls) -> Gazetteer:
        """The gazetteer built from the data files (once per process)."""
        with (DATA / "actors.toml").open("rb") as fh:
            actors = tomllib.load(fh)
        with (DATA / "places.toml").open("rb") as fh:
            places = tomllib.load(fh)["places"]
        countries = actors["countries"]
        ambiguous = set(countries.get("ambiguous", []))
        forms: dict[str, tuple[str, str, str | None]] = {}
        for lang in ("en", "fr"):
            for code, name in Locale(lang).territories.items():
                if len(code) == 2 and code.isalpha() and name not in ambiguous:
                    forms.setdefault(name.replace("’", "'"), (code, COUNTRY, code))
        for english, place in places.items():
            for name in place["names"]:
                forms[name] = (english, PLACE, place.get("country"))
        demonyms: dict[str, str] = {}
        for code, entry in countries.items():
            if code == "ambiguous":
                continue
            for name in entry.get("names", []):
                if name in {p for place in places.values() for p in place["names"]}:
                    continue  # a capital is a place first; rules decide when it stands for a country
                forms[name] = (code, COUNTRY, code)
            for lang, words in entry.get("demonyms", {}).items():
                for word in words:
                    for form in _demonym_forms(word, lang):
                        demonyms[fold(form)] = code
        for code, entry in actors["organisations"].items():
            for name in entry["names"]:
                forms[name] = (code, ORGANISATION, None)
        for surname, code in actors["people"].items():
            forms[surname] = (code, PERSON, code if len(code) == 2 else None)
        return cls(forms, demonyms)

    def mentions(self, text: str) -> list[Mention]:
        """Every name in `text`, in order, without overlaps (the longest name wins)."""
        found = [
            Mention(*self._forms[m.group()][:2], m.start(), m.end(), m.group(), self._forms[m.group()][2])
            for m in self._names.finditer(text)
        ]
        taken = [(m.start, m.end) for m in found]
        for m in self._demonym_re.finditer(fold(text)):
            if not any(s < m.end() and m.start() < e for s, e in taken):
                code = self._demonyms[m.group()]
                found.append(Mention(code, DEMONYM, m.start(), m.end(), text[m.start():m.end()], code))
        return sorted(found, key=lambda m: m.start)

    def actors(self, text: str) -> set[str]:
        """Codes of the countries and organisations a text names (places count for their country)."""
        return {m.country if m.kind == PLACE else m.code for m in self.mentions(text) if m.country or m.kind != PLACE}

    def places(self, text: str) -> set[str]:
        """English names of the places a text names."""
        return {m.code for m in self.mentions(text) if m.kind == PLACE}

    def kind_of(self, code: str) -> str | None:
        """Whether a code is a country or an organisation code (None when unknown)."""
        if len(code) == 2 and code.isupper():
            return COUNTRY
        return ORGANISATION if any(c == code and k == ORGANISATION for c, k, _ in self._forms.values()) else None
