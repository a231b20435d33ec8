"""Named missions and operations: "Eastern Sentry", "l'opération « Sentinelle orientale »".

A mission fact is a name, the organisation that runs it, the day it was launched (at the text's
precision) and what it is for. Names are found by their shape (a capitalised modifier before a head
word such as Sentry or Shield, a French head and adjective, a quoted name after "opération"), all
listed in `data/mission_lexicon.toml`. French names translate word by word into the English name
("Sentinelle orientale" → "Eastern Sentry"), which is the canonical one, so French and English
reports of one mission share a name; the original stays in `aliases`.

The launch date comes from a sentence that says the mission starts (a launch cue) and that names it
or refers back to it ("cette nouvelle opération", "a new mission"); a mission cited as a model
("s'inspire de la mission Baltic Sentry") is a fact without a launch date.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from functools import cache

from briefings.extract import dates
from briefings.extract.context import ArticleContext
from briefings.extract.gazetteer import ORGANISATION, Gazetteer
from briefings.extract.temporal import (
    DEADLINE,
    END,
    anchor_day,
    grammar,
    load_toml,
    resolve,
    tense_markers,
    tense_near,
)
from briefings.extract.text import Sentence, fold
from briefings.models import Evidence, Mission

_QUOTE_OPEN, _QUOTE_CLOSE = "[«\"“]", "[»\"”]"
_TOKEN = re.compile(r"\w+")


def _words(words) -> str:
    return "(?:" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + ")"


@dataclass(frozen=True)
class _Lexicon:
    """Mission vocabulary of one language, compiled."""

    english_names: re.Pattern  # "Eastern Sentry": modifier + head (original text)
    standalone: re.Pattern  # "Aspides", "Atalante" (original text)
    other_forms: dict[str, str]  # other form -> name ("Atalante" -> "Atalanta", "EU Military … Mission" -> "EUMAM")
    french_heads: re.Pattern  # "Sentinelle" (original text, capitalised)
    french_modifier: re.Pattern  # " orientale" right after a French head (folded text)
    quoted: re.Pattern  # "l'opération baptisée « … »" (folded text)
    introduced: re.Pattern  # "l'opération Barkhane" (folded text; the name's case is checked after)
    model_before: re.Pattern
    model_after: re.Pattern
    anaphora: re.Pattern
    anaphora_blockers: re.Pattern
    launch: re.Pattern
    announce: re.Pattern
    new: re.Pattern
    purpose: re.Pattern
    stops: tuple[str, ...]
    not_modifiers: frozenset[str]
    fr_heads: dict[str, str]
    fr_modifiers: dict[str, str]
    runners: tuple[str, ...]
    operator_names: dict[str, str]  # how an operator with no short code is written ("Coalition of the Willing")
    exclusive: dict[str, str]  # missions only one operator runs
    known: dict[str, str]
    window: int
    keys: frozenset[str]  # a sentence with none of these words names no mission
    calendar: frozenset[str]  # month and weekday names, never a mission's name


@cache
def _lexicon(lang: str) -> _Lexicon:
    data = load_toml("mission_lexicon.toml")
    lang = lang if lang in ("fr", "en") else "en"
    names = data["names"]
    nouns = _words(fold(n) for n in data["nouns"][lang] + data["nouns"]["fr" if lang == "en" else "en"])
    naming_nouns = _words(data["nouns"]["naming"])
    naming_words = _words(fold(w) for w in data["naming_words"]["fr"] + data["naming_words"]["en"])
    adjectives = _words(data["naming_words"]["adjectives"])
    fr_modifiers = {fold(k): v for k, v in data["fr_modifiers"].items()}
    model = data["model"]
    determiners = r"(?:(?:la|le|l'|les|une|un|the|a|an)\s*)?"
    return _Lexicon(
        english_names=re.compile(rf"(?<![\w])([A-Z][\w-]*)\s+({_words(names['heads_en'])})(?![\w])"),
        standalone=re.compile(rf"(?<![\w]){_words([*names['standalone'], *data['other_forms']])}(?![\w])"),
        other_forms=dict(data["other_forms"]),
        french_heads=re.compile(rf"(?<![\w]){_words(h.capitalize() for h in data['fr_heads'])}(?![\w])"),
        french_modifier=re.compile(rf"^\s+({_words(fr_modifiers)})(?![\w])"),
        quoted=re.compile(rf"(?<![\w]){naming_nouns}s?(?:\s+{adjectives})*,?\s+(?:{naming_words}\s+)?"
                          rf"{_QUOTE_OPEN}\s*([^»\"”]{{2,40}}?)\s*{_QUOTE_CLOSE}"),
        introduced=re.compile(rf"(?<![\w]){naming_nouns}\s+(?:{naming_words}\s+)?([a-z][\w-]+(?:\s+[a-z][\w-]+)?)"),
        model_before=re.compile(rf"(?<![\w]){_words(fold(c) for c in model['before'])}\s+{determiners}"
                                rf"(?:{nouns}s?\s+)?(?:de l'otan\s+|nato\s+|nato's\s+|de l'ue\s+|eu\s+)?$"),
        model_after=re.compile(rf"^\W{{0,4}}(?:(?:qui est|qui etait|which is|which was|that is)\s+)?"
                               rf"{_words(fold(c) for c in model['after'])}(?![\w])"),
        anaphora=re.compile(rf"(?<![\w]){_words(fold(a) for a in data['anaphora'][lang])}\s*{nouns}(?![\w])"),
        anaphora_blockers=re.compile(rf"^\s*{_words(data['anaphora']['blockers'])}"),
        launch=re.compile("|".join(data["launch"][lang])),
        announce=re.compile("|".join(data["launch"][f"announce_{lang}"])),
        new=re.compile("|".join(data["launch"]["new"])),
        purpose=re.compile("|".join(data["purpose"][lang])),
        stops=tuple(data["purpose"]["stop"]),
        not_modifiers=frozenset(names["not_modifiers"]),
        fr_heads={fold(k): v for k, v in data["fr_heads"].items()},
        fr_modifiers=fr_modifiers,
        runners=tuple(data["organisations"]["runners"]),
        operator_names=dict(data["organisations"]["names"]),
        exclusive=dict(data["organisations"]["exclusive"]),
        known={fold(k): v for k, v in data["known"].items()},
        window=data["anaphora"]["window"],
        calendar=frozenset(fold(w) for table in ("months", "weekdays") for lang_words in
                           load_toml("calendar.toml")[table].values() for w in lang_words),
        keys=frozenset(fold(w) for w in [*(h.split()[-1] for h in names["heads_en"]), *names["standalone"],
                                          *(_TOKEN.findall(fold(form))[-1] for form in data["other_forms"]),
                                          *data["fr_heads"], *data["nouns"]["naming"]]),
    )


@dataclass(frozen=True)
class NameMention:
    """A mission name in a sentence, with its English form when one is known."""

    name: str  # as written
    english: str | None
    start: int
    end: int


def _is_entity(text: str) -> bool:
    """Whether a capitalised phrase is a known country, organisation, place or person."""
    return any(m.start == 0 and m.end == len(text) for m in Gazetteer.load().mentions(text))


def translate(name: str) -> str | None:
    """The English form of a mission name: itself when English, a word-by-word translation of a
    French head and adjective ("Sentinelle orientale" → "Eastern Sentry"), None when unknown."""
    lex = _lexicon("en")
    if name in lex.other_forms:
        return lex.other_forms[name]
    if lex.english_names.fullmatch(name) or lex.standalone.fullmatch(name):
        return name
    words = fold(name).split(maxsplit=1)
    if words and words[0] in lex.fr_heads:
        if len(words) == 1:
            return None
        modifier = lex.fr_modifiers.get(words[1])
        return f"{modifier} {lex.fr_heads[words[0]]}" if modifier else None
    return None


def find_names(text: str, lang: str) -> list[NameMention]:
    """Mission names in a sentence, in order, without overlaps (the longest wins)."""
    lex = _lexicon(lang)
    folded = fold(text)
    if lex.keys.isdisjoint(_TOKEN.findall(folded)):
        return []
    found: list[NameMention] = []
    for match in lex.english_names.finditer(text):
        modifier = match.group(1)
        if modifier not in lex.not_modifiers and not _is_entity(modifier):
            found.append(NameMention(match.group(), match.group(), match.start(), match.end()))
    for match in lex.standalone.finditer(text):
        english = lex.other_forms.get(match.group(), match.group())
        found.append(NameMention(match.group(), english, match.start(), match.end()))
    for match in lex.french_heads.finditer(text):
        modifier = lex.french_modifier.match(folded[match.end():])
        if modifier:
            end = match.end() + modifier.end()
            english = f"{lex.fr_modifiers[modifier.group(1)]} {lex.fr_heads[fold(match.group())]}"
            found.append(NameMention(text[match.start():end], english, match.start(), end))
    for match in lex.quoted.finditer(folded):
        name = text[match.start(1):match.end(1)]
        if name[:1].isupper() and len(name.split()) <= 4 and not _is_entity(name):
            found.append(NameMention(name, translate(name), match.start(1), match.end(1)))
    for match in lex.introduced.finditer(folded):
        if lang == "en" and not text[match.start()].isupper():
            continue  # English capitalises a name's noun ("Operation Interflex", not "the operation Friday")
        words = text[match.start(1):match.end(1)].split()
        kept = []
        for word in words:
            if (not word[:1].isupper() or word in lex.not_modifiers or fold(word) in lex.calendar
                    or _is_entity(word)):
                break
            kept.append(word)
        if kept:
            name = " ".join(kept)
            found.append(NameMention(name, translate(name), match.start(1), match.start(1) + len(name)))
    found.sort(key=lambda m: (-(m.end - m.start), m.english is None, m.start))
    kept_mentions: list[NameMention] = []
    for mention in found:
        if all(mention.end <= k.start or mention.start >= k.end for k in kept_mentions):
            kept_mentions.append(mention)
    return sorted(kept_mentions, key=lambda m: m.start)


def _is_model(folded: str, mention: NameMention, lex: _Lexicon) -> bool:
    """Whether a mention cites the mission as a model or as already running."""
    return bool(lex.model_before.search(folded[max(0, mention.start - 60):mention.start])
                or lex.model_after.match(folded[mention.end:mention.end + 40]))


@dataclass
class _Found:
    """What an article says about one mission, gathered sentence by sentence."""

    name: str
    english: str | None
    aliases: list[str]
    named: list[int]  # sentences naming it (not as a model)
    cited: list[int]  # sentences citing it as a model
    positions: dict[int, int]  # sentence -> offset of the first mention


def _gather(sentences: list[Sentence], lang: str) -> dict[str, _Found]:
    lex = _lexicon(lang)
    found: dict[str, _Found] = {}
    for index, sentence in enumerate(sentences):
        folded = fold(sentence.text)
        for mention in find_names(sentence.text, lang):
            key = fold(mention.english or mention.name)
            if key not in found:
                found[key] = _Found(mention.english or mention.name, mention.english, [], [], [], {})
            entry = found[key]
            if mention.english and entry.english is None:
                entry.aliases.append(entry.name)
                entry.name = entry.english = mention.english
            if mention.name != entry.name and mention.name not in entry.aliases:
                entry.aliases.append(mention.name)
            target = entry.cited if _is_model(folded, mention, lex) else entry.named
            if index not in target:
                target.append(index)
            entry.positions.setdefault(index, mention.start)
    return found


def _anaphora(sentences: list[Sentence], found: dict[str, _Found], lang: str) -> dict[str, list[int]]:
    """Sentences that refer back to a named mission without its name, by nearest named mention."""
    lex = _lexicon(lang)
    by_mission: dict[str, list[int]] = {}
    for index, sentence in enumerate(sentences):
        folded = fold(sentence.text)
        if any(index in f.named or index in f.cited for f in found.values()):
            continue
        if not any(not lex.anaphora_blockers.match(folded[m.end():]) for m in lex.anaphora.finditer(folded)):
            continue
        candidates = [(min(abs(index - i) for i in f.named), -len(f.named), key)
                      for key, f in found.items() if f.named]
        candidates = [c for c in candidates if c[0] <= lex.window]
        if candidates:
            by_mission.setdefault(min(candidates)[2], []).append(index)
    return by_mission


def _launch_cues(text: str, lex: _Lexicon) -> list[re.Match]:
    """Words saying a mission starts: a launch verb, or an announcement of something new."""
    folded = fold(text)
    cues = list(lex.launch.finditer(folded))
    if lex.new.search(folded):
        cues += list(lex.announce.finditer(folded))
    return cues


def _launch_date(sentence: Sentence, lang: str, today: date, event_day: date | None) -> str | None:
    """The date a launch sentence gives, nearest to its launch cue; None without cue or date."""
    lex = _lexicon(lang)
    cues = _launch_cues(sentence.text, lex)
    if not cues:
        return None
    markers = tense_markers(sentence.text, lang)
    best: tuple[int, str] | None = None
    for expr in grammar(lang).find(sentence.text):
        if dates.is_noun_complement(sentence.text, expr) or expr.role in (DEADLINE, END):
            continue  # "the force is to be ready by 2025" is no launch day
        resolved = resolve(expr, today, tense_near(markers, expr.start, expr.end), event_day)
        if resolved is None:
            continue
        distance = min(abs(c.start() - expr.start) for c in cues)
        if best is None or distance < best[0]:
            best = (distance, resolved.iso)
    return best[1] if best else None


def _organisation(sentences: list[Sentence], indices: list[int], positions: dict[int, int],
                  name: str, lex: _Lexicon) -> str | None:
    """Who runs the mission: the organisation nearest to it in its sentences, else in the
    sentence before, else the known operator of a well-known mission, else the article's."""
    gazetteer = Gazetteer.load()

    def runners_in(index: int) -> list:
        return [m for m in gazetteer.mentions(sentences[index].text)
                if m.kind == ORGANISATION and m.code in lex.runners]

    known = lex.known.get(fold(name))
    if known and any(m.code == known for i in range(len(sentences)) for m in runners_in(i)):
        return known  # the article names the mission's known operator: a nearer "NATO headquarters" is a venue
    for index in indices:
        orgs = runners_in(index)
        if orgs:
            where = positions.get(index, 0)
            return min(orgs, key=lambda m: abs(m.start - where)).code
    for index in indices:
        if index > 0 and runners_in(index - 1):
            return runners_in(index - 1)[0].code
    if known:
        return known  # reference data only: see `_sure`
    counts = Counter(m.code for i in range(len(sentences)) for m in runners_in(i))
    return counts.most_common(1)[0][0] if counts else None


def _purpose(text: str, lex: _Lexicon) -> str | None:
    """The clause after a purpose cue ("afin de renforcer…" → "renforcer…"), in the text's words."""
    folded = fold(text)
    cue = lex.purpose.search(folded)
    if not cue:
        return None
    rest = folded[cue.end():]
    end = min((i for i in (rest.find(stop) for stop in lex.stops) if i > 0), default=len(rest))
    clause = text[cue.end():cue.end() + end].strip(" ,;.")
    words = clause.split()
    return " ".join(words[:30]) if len(words) >= 2 else None


def extract_missions(sentences: list[Sentence], ctx: ArticleContext) -> list[Mission]:
    """The named missions an article mentions, once each, with organisation, launch and purpose."""
    lang = ctx.language if ctx.language in ("fr", "en") else "en"
    lex = _lexicon(lang)
    found = _gather(sentences, lang)
    if not found:
        return []
    today = anchor_day(ctx.published)
    event = dates.event_date(sentences, ctx)
    event_day = date.fromisoformat(event) if event else None
    anaphoric = _anaphora(sentences, found, lang)
    missions = []
    for key, entry in found.items():
        own = sorted(set(entry.named + anaphoric.get(key, [])))
        launched = next((d for i in own if (d := _launch_date(sentences[i], lang, today, event_day))), None)
        launch_sentences = [i for i in own if _launch_cues(sentences[i].text, lex)]
        purpose = next((p for i in launch_sentences + own + entry.cited
                        if (p := _purpose(sentences[i].text, lex))), None)
        indices = own or entry.cited
        organisation = _organisation(sentences, indices, entry.positions, entry.name, lex)
        if organisation is None or lex.exclusive.get(entry.name, organisation) != organisation:
            continue  # precision first: a mission is a fact only with the organisation that runs it
        sure = _sure(sentences, organisation)
        if sure < _weights()["keep"] or (entry.name in lex.exclusive and sure < 1.0):
            continue  # a force described in common words ("a multinational force") needs its operator named
        organisation = lex.operator_names.get(organisation, organisation)
        evidence_at = sorted(set(indices[:1] + launch_sentences[:1]))
        missions.append(Mission(
            name=entry.name, organisation=organisation, launched=launched, purpose=purpose,
            aliases=list(entry.aliases), language=lang,
            evidence=[Evidence(sentences[i].text, ctx.url) for i in evidence_at], confidence=sure,
        ))
    return missions


@cache
def _weights() -> dict[str, float]:
    return load_toml("precision.toml")["missions"]


def _sure(sentences: list[Sentence], organisation: str) -> float:
    """How sure a mission is: whole when the article names its organisation, less when only our
    reference list of well-known missions does."""
    named = any(m.code == organisation for s in sentences for m in Gazetteer.load().mentions(s.text))
    return 1.0 if named else _weights()["operator_from_reference"]


@dataclass(frozen=True)
class UnnamedLaunch:
    """A new mission an article reports without naming it ("the Alliance started a new mission on
    Monday to…"). Not a fact alone: a story that names the mission in another article can adopt it."""

    organisation: str | None
    launched: str | None
    purpose: str | None
    language: str
    evidence: tuple[Evidence, ...]

    def named(self, name: str) -> Mission:
        """The launch as a fact about the mission another article names."""
        return Mission(name=name, organisation=self.organisation, launched=self.launched,
                       purpose=self.purpose, language=self.language, evidence=list(self.evidence))


def unnamed_launch(sentences: list[Sentence], ctx: ArticleContext) -> UnnamedLaunch | None:
    """The launch of a new, unnamed mission in an article that names none (None otherwise)."""
    lang = ctx.language if ctx.language in ("fr", "en") else "en"
    lex = _lexicon(lang)
    if _gather(sentences, lang):
        return None
    for index, sentence in enumerate(sentences):
        folded = fold(sentence.text)
        reference = next((m for m in lex.anaphora.finditer(folded) if lex.new.search(m.group())), None)
        if reference is None or not _launch_cues(sentence.text, lex):
            continue
        event = dates.event_date(sentences, ctx)
        launched = _launch_date(sentence, lang, anchor_day(ctx.published),
                                date.fromisoformat(event) if event else None)
        organisation = _organisation(sentences, [index], {index: reference.start()}, "", lex)
        return UnnamedLaunch(organisation, launched, _purpose(sentence.text, lex), lang,
                             (Evidence(sentence.text, ctx.url),))
    return None


# -- one mission across articles ------------------------------------------------------------------

_LEADING_NOUNS = re.compile(r"^(?:operation|mission|l'operation|la mission)\s+")


def _keys(mission: Mission) -> set[str]:
    keys = set()
    for name in [mission.name, *mission.aliases]:
        keys.add(_LEADING_NOUNS.sub("", fold(translate(name) or name)).strip())
    return keys


def same_mission(a: Mission, b: Mission) -> bool:
    """Whether two mission facts name one mission, whatever the language of their names."""
    ka, kb = _keys(a), _keys(b)
    if ka & kb:
        return True
    return any(len(x) >= 4 and len(y) >= 4 and (x in y or y in x) for x in ka for y in kb)


def canonical_mission(missions: list[Mission]) -> Mission:
    """One mission from several reports of it: the English name when known (others in `aliases`),
    the organisation and launch date most reports give (the most precise date on a tie), the first
    purpose stated, and all the evidence."""
    names = [n for m in missions for n in [m.name, *m.aliases]]
    english = [n for n in names if translate(n) == n]
    name = Counter(english or names).most_common(1)[0][0]
    organisations = Counter(m.organisation for m in missions if m.organisation)
    launches = Counter(m.launched for m in missions if m.launched)
    launched = (max(launches, key=lambda d: (launches[d], len(d), d)) if launches else None)
    with_purpose = next((m for m in missions if m.purpose), None)
    aliases = list(dict.fromkeys(n for n in names if n != name))
    evidence = list(dict.fromkeys(e for m in missions for e in m.evidence))
    return Mission(
        name=name,
        organisation=organisations.most_common(1)[0][0] if organisations else None,
        launched=launched,
        purpose=with_purpose.purpose if with_purpose else None,
        aliases=aliases,
        language=with_purpose.language if with_purpose else missions[0].language,
        evidence=evidence,
        confidence=max(m.confidence for m in missions),  # a second source does not make it less sure
    )
