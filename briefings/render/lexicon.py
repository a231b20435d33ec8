"""Compose a fact's words in the other language from a bilingual lexicon (data/fact_lexicon.toml).

A fact only one language's sources state still belongs in both briefs. Its free text is mostly a
noun phrase from a small vocabulary — an aid category, a weapon system, an event kind — with proper
names ("PAC-3", "Leopard 2") and a few modifiers ("next", "light"). Such a phrase is read into
language-neutral parts and written in the other language with that language's word order and
agreement ("next NATO summit" / "prochain sommet de l'OTAN", "5 PAC-3 interceptors" / "5
intercepteurs PAC-3"). A phrase with any word the lexicon does not know is not composed: guessing
would put words in a source's mouth, so the caller keeps the source's own words instead.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from briefings.extract.text import fold

DATA = Path(__file__).resolve().parents[1] / "data" / "fact_lexicon.toml"
LANGUAGES = ("en", "fr")
_TOKEN = re.compile(r"[A-Za-zÀ-ÿ]['’]|[\w.]+(?:-[\w.]+)*|,", re.UNICODE)
_NAME = re.compile(r"[A-Z0-9]")
_WORD = re.compile(r"[A-ZÀ-Ý]?[a-zß-ÿ]+")  # a common word, perhaps capitalised
_VOWEL = re.compile(r"^[aeiouyhàâéèêîôûAEIOUYHÀÂÉÈÊÎÔÛ]")


def other_language(language: str) -> str:
    """The brief's other language: what a fact's words are composed from or checked against."""
    return "fr" if language == "en" else "en"


def _key(word: str) -> str:
    """A word folded and without a plural ending, so "Systèmes" and "systeme" compare equal."""
    w = fold(word).replace("’", "'").strip(".")
    if len(w) > 3 and w.endswith(("s", "x")):
        w = w[:-1]
    return w


def _words(text: str) -> list[str]:
    """Words of a phrase as matched: elided articles ("d'", "l'") their own word, hyphenated
    words split ("Air-Defense") but not names ("PAC-3", "IRIS-T")."""
    out: list[str] = []
    for token in _TOKEN.findall(text):
        parts = token.split("-")
        out += parts if all(_WORD.fullmatch(p) for p in parts) else [token]
    return [w for w in out if w]


@dataclass(frozen=True)
class Term:
    """A head noun: [singular, plural] per language, the French gender, whether names are its
    complement ("sommet de Madrid") rather than standing beside it ("chars Leopard 2")."""

    forms: dict[str, tuple[str, str]]
    match: dict[str, list[tuple[str, ...]]]  # the word keys of every form, per language
    gender: str = "m"
    complement: bool = False
    gist: bool = True  # may stand alone for a fragment it was found in (not "support", "aid")


@dataclass(frozen=True)
class Modifier:
    """An adjective with its French agreement forms and place ("prochain sommet", "chars légers")."""

    en: str
    fr: tuple[str, str, str, str]  # m, f, m plural, f plural
    after: bool  # in French, after the noun
    ordinal: bool  # "first", "next": a count follows it in English, precedes it in French
    match: dict[str, list[tuple[str, ...]]]


@dataclass(frozen=True)
class Owner:
    """An organisation an event belongs to: "NATO summit", "sommet de l'OTAN"."""

    en: str
    fr: str
    match: list[tuple[str, ...]]


@dataclass
class Lexicon:
    """data/fact_lexicon.toml, read into matchable keys once."""

    terms: list[Term] = field(default_factory=list)
    modifiers: list[Modifier] = field(default_factory=list)
    owners: list[Owner] = field(default_factory=list)
    determiners: dict[str, set[str]] = field(default_factory=dict)
    joiners: dict[str, str] = field(default_factory=dict)
    complement: dict[str, set[str]] = field(default_factory=dict)
    numbers: dict[str, dict[str, str]] = field(default_factory=dict)  # per language: folded word → English word
    french_numbers: dict[str, str] = field(default_factory=dict)  # English word → French word
    event_verbs: dict[str, dict[str, Term]] = field(default_factory=dict)  # per language: folded verb → kind


def _keys(text: str) -> tuple[str, ...]:
    return tuple(_key(w) for w in _words(text))


@cache
def lexicon() -> Lexicon:
    """The lexicon, read once: every form of every entry as folded word keys."""
    raw = tomllib.loads(DATA.read_text(encoding="utf-8"))
    lex = Lexicon()
    for entry in raw["terms"]:
        match: dict[str, list[tuple[str, ...]]] = {}
        for lang in LANGUAGES:
            pairs = [entry[lang], *entry.get(f"{lang}_also", [])]
            match[lang] = [_keys(form) for pair in pairs for form in pair]
        lex.terms.append(Term({lang: tuple(entry[lang]) for lang in LANGUAGES}, match,
                              entry.get("fr_gender", "m"), entry.get("names") == "complement",
                              entry.get("gist", True)))
    for entry in raw["modifiers"]:
        match_mod = {"en": [_keys(f) for f in [entry["en"], *entry.get("en_also", [])]],
                     "fr": [_keys(f) for f in entry["fr"]]}
        lex.modifiers.append(Modifier(entry["en"], tuple(entry["fr"]), entry.get("fr_after", False),
                                      entry.get("ordinal", False), match_mod))
    for entry in raw["owners"]:
        lex.owners.append(Owner(entry["en"], entry["fr"], [_keys(f) for f in entry["match"]]))
    lex.determiners = {lang: {_key(w) for w in words} for lang, words in raw["determiners"].items()}
    lex.joiners = dict(raw["joiners"])
    lex.numbers = {"en": {_key(en): en for en in raw["numbers"]},
                   "fr": {_key(fr): en for en, fr in raw["numbers"].items()}}
    lex.french_numbers = dict(raw["numbers"])
    lex.complement = {lang: {_key(w) for w in words} for lang, words in raw["complement"].items()}
    kinds = {term.forms["en"][0]: term for term in lex.terms}
    lex.event_verbs = {lang: {fold(verb): kinds[entry["kind"]] for entry in raw["event_verbs"]
                              for verb in entry[lang]} for lang in LANGUAGES}
    return lex


@dataclass
class Phrase:
    """One noun phrase, language-neutral: its head, number, count, modifiers, names and owner."""

    head: Term | None = None
    plural: bool = False
    modifiers: list[Modifier] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    owner: Owner | None = None
    count: str | None = None  # a small number counting the head, as its English word


def _match_at(keys: list[str], i: int, candidates: list[tuple[str, ...]]) -> int:
    """Length of the longest candidate that the keys spell from position i (0 if none)."""
    best = 0
    for candidate in candidates:
        n = len(candidate)
        if n > best and tuple(keys[i:i + n]) == candidate:
            best = n
    return best


def _plural(words: list[str], forms: tuple[str, str]) -> bool:
    """Whether words a term matched are its plural: an exact form says; an invariant word ("obus")
    reads as plural, the usual number of things given; another spelling goes by its endings."""
    said = [fold(w) for w in words]
    singular, plural = ([fold(w) for w in _words(f)] for f in forms)
    if said == plural:
        return True
    if said == singular:
        return False
    return any(w.endswith(("s", "x")) for w in said)


def _read_phrase(words: list[str], language: str, lex: Lexicon) -> Phrase | None:
    """One noun phrase read into its parts, or None when a word is neither a known term, modifier,
    owner, count or determiner nor a proper name."""
    keys = [_key(w) for w in words]
    phrase = Phrase()
    i = 0
    while i < len(words):
        if not phrase.head and not phrase.modifiers and not phrase.names and keys[i] in lex.determiners[language]:
            i += 1
            continue
        term_len, term = 0, None
        for candidate in lex.terms:
            for form in candidate.match[language]:
                if len(form) > term_len and tuple(keys[i:i + len(form)]) == form:
                    term_len, term = len(form), candidate
        if term is not None:
            if phrase.head is not None:
                return None  # two heads: not a phrase this lexicon composes
            phrase.head, phrase.plural = term, _plural(words[i:i + term_len], term.forms[language])
            i += term_len
            continue
        if language == "fr" and phrase.head and keys[i] in lex.complement["fr"]:
            i += 1  # "sommet de Madrid", "de l'OTAN": what follows is the complement
            continue
        owner = next((o for o in lex.owners if _match_at(keys, i, o.match)), None)
        if owner is not None:
            phrase.owner = owner
            i += _match_at(keys, i, owner.match)
            continue
        modifier = next((m for m in lex.modifiers if _match_at(keys, i, m.match[language])), None)
        if modifier is not None:
            phrase.modifiers.append(modifier)
            i += _match_at(keys, i, modifier.match[language])
            continue
        number = lex.numbers[language].get(keys[i]) if not phrase.head else None
        if number is not None and phrase.count is None:
            phrase.count = number
            i += 1
            continue
        if _NAME.search(words[i]):
            if language == "en" and phrase.head:
                return None  # English names stand before their noun: "Initiative On Ammo" is a title
            name = words[i]
            if re.fullmatch(r"[A-Z0-9-]*\d[A-Z0-9-]*s", name):
                name = name[:-1]  # "F-16s": the plural of a name is the name
            phrase.names.append(name)
            i += 1
            continue
        return None
    return phrase if phrase.head or phrase.names else None


def _french(phrase: Phrase) -> str:
    head = phrase.head
    gender = 1 if head and head.gender == "f" else 0
    form = gender + (2 if phrase.plural else 0)
    before = [m.fr[form] for m in phrase.modifiers if not m.after]
    after = [m.fr[form] for m in phrase.modifiers if m.after]
    parts = [lexicon().french_numbers[phrase.count]] if phrase.count else []
    parts += before
    if head:
        parts.append(head.forms["fr"][1 if phrase.plural else 0])
    parts += after
    if phrase.names:
        names = " ".join(phrase.names)
        if head and head.complement:
            parts.append(f"d'{names}" if _VOWEL.match(names) else f"de {names}")
        else:
            parts.append(names)
    if phrase.owner:
        parts.append(phrase.owner.fr)
    return " ".join(parts)


def _english(phrase: Phrase) -> str:
    parts = [m.en for m in phrase.modifiers if m.ordinal]
    parts += [phrase.count] if phrase.count else []
    parts += [m.en for m in phrase.modifiers if not m.ordinal]
    if phrase.owner:
        parts.append(phrase.owner.en)
    parts += phrase.names
    if phrase.head:
        parts.append(phrase.head.forms["en"][1 if phrase.plural else 0])
    return " ".join(parts)


def _conjuncts(words: list[str], language: str, lex: Lexicon) -> list[tuple[str, list[str]]]:
    """The phrases of a coordination, each with the separator before it ("", ", " or "and")."""
    out: list[tuple[str, list[str]]] = [("", [])]
    for word in words:
        if word == ",":
            out.append((", ", []))
        elif fold(word) == lex.joiners[language]:
            if out[-1][1]:
                out.append(("and", []))
            else:  # ", and": the comma's phrase is empty, the joiner takes its place
                out[-1] = ("and", [])
        else:
            out[-1][1].append(word)
    return out


def _compose(words: list[str], source: str, target: str, lex: Lexicon) -> str | None:
    """The coordination of phrases `words` spell, written in `target`, or None."""
    write = _french if target == "fr" else _english
    conjuncts = _conjuncts(words, source, lex)
    phrases = [_read_phrase(conjunct, source, lex) for _, conjunct in conjuncts]
    first = phrases[0]
    if len(phrases) > 1 and first is not None and first.head is None and conjuncts[1][0] == ", " \
            and phrases[1] is None:
        return write(first)  # a name and its apposition
    pieces: list[str] = []
    for (separator, _), phrase in zip(conjuncts, phrases, strict=True):
        if phrase is None:
            return None
        joiner = f" {lex.joiners[target]} " if separator == "and" else separator
        pieces.append(joiner + write(phrase))
    return "".join(pieces)


def translate(text: str, source: str, target: str) -> str | None:
    """`text` (in `source`) composed in `target`, or None when the lexicon cannot say what is given.

    A phrase whose every word is capitalised is a proper name and stays as it is. A proper name
    followed after a comma by a phrase that cannot be composed ("PURL, the scheme
    that …") is a name with an apposition explaining it: the name alone is given. Words running on
    after a complete phrase, not after a comma or "and" nor as its complement ("of", "des"):
    ("artillery shells through the scheme", "chars livrés au printemps") are the sentence going on
    past what is given: the phrase is.
    """
    if source == target:
        return text
    if source not in LANGUAGES or target not in LANGUAGES:
        return None
    lex = lexicon()
    words = _words(text)
    if len(words) > 1 and all(_NAME.match(w) for w in words):
        return text  # every word capitalised: a proper name ("Czech Initiative On Ammo"), as it stands
    composed = _compose(words, source, target, lex)
    if composed is not None:
        return composed
    stops = {",", lex.joiners[source]}
    for end in range(len(words) - 1, 0, -1):
        if fold(words[end]) in stops or {_key(words[end - 1]), _key(words[end])} & lex.complement[source]:
            continue
        last = _conjuncts(words[:end], source, lex)[-1][1]
        phrase = _read_phrase(last, source, lex) if last else None
        if phrase is not None and phrase.head is not None:
            return _compose(words[:end], source, target, lex)
    return None


def _inner_phrase(words: list[str], language: str, lex: Lexicon) -> Phrase | None:
    """The first, longest run of `words` the lexicon reads as a phrase whose head may stand alone.
    A run never opens on a bare number: "12 Challenger 2 tanks" would read the count as a name."""
    for start in range(len(words)):
        if words[start].isdigit():
            continue
        for end in range(len(words), start, -1):
            phrase = _read_phrase(words[start:end], language, lex)
            if phrase is not None and phrase.head is not None and phrase.head.gist:
                return phrase
    return None


def _event_kind(words: list[str], language: str, lex: Lexicon, target: str) -> str | None:
    """ "delivery of Challenger 2 tanks" for "send 12 Challenger 2 tanks to Ukraine": the kind of
    event the first known verb says, with what it acts on when that is a phrase the lexicon knows."""
    for i, word in enumerate(words):
        kind = lex.event_verbs[language].get(fold(word))
        if kind is None:
            continue
        said = _french(Phrase(head=kind)) if target == "fr" else _english(Phrase(head=kind))
        thing = _inner_phrase(words[i + 1:], language, lex)
        if thing is None:
            return said
        if target == "fr":
            written = _french(thing)
            return f"{said} d'{written}" if _VOWEL.match(written) else f"{said} de {written}"
        return f"{said} of {_english(thing)}"
    return None


def readable_part(text: str, language: str) -> str | None:
    """The longest opening of `text`, cut at a space, that the lexicon reads whole ("des missiles et
    des systèmes de défense aérienne" of "… aérienne destinés"): the phrase an own-language source
    gives, without the words of its sentence running on past it. None when no opening is read."""
    lex = lexicon()
    text = text.strip()
    if translate(text, language, other_language(language)) is None:
        return None
    for end in [len(text), *reversed([m.start() for m in re.finditer(r"\s+", text)])]:
        words = _words(text[:end])
        if end == len(text) and len(words) > 1 and all(_NAME.match(w) for w in words):
            return text  # a proper name, whole
        last = _conjuncts(words, language, lex)[-1][1]
        head = end == len(text) or (last and (phrase := _read_phrase(last, language, lex)) and phrase.head)
        if words and head and _compose(words, language, other_language(language), lex) is not None:
            return text[:end].rstrip(" ,")
    return None


def names_event(text: str, language: str) -> bool:
    """Whether words read as an event hold a verb of `event_verbs`: a clause, not the event's name."""
    verbs = lexicon().event_verbs.get(language, {})
    return any(fold(word) in verbs for word in _words(text))


def gist(text: str, source: str, target: str, *, event: bool = False) -> str | None:
    """What the lexicon can say in `target` of words extraction read past the fact's phrase (a
    clause fragment: "the purchase of ammunition", "financer des achats communs de munitions
    d'artillerie dont…", "revealed"), or None. For an event, the kind of event a verb in it names;
    for an item, the first phrase in it whose head can stand alone ("ammunition").
    Shorter than the source's words, and only ever what they say."""
    if source not in LANGUAGES or target not in LANGUAGES:
        return None
    lex = lexicon()
    words = _words(text)
    if event:  # an event named by a noun the lexicon cannot say whole ("sommet des donateurs") is not cut
        return _event_kind(words, source, lex, target)
    phrase = _inner_phrase(words, source, lex)
    if phrase is None:
        return None
    return _french(phrase) if target == "fr" else _english(phrase)
