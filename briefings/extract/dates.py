"""Upcoming dates: what is scheduled after an article appeared, where, and at what precision.

A brief's "key dates" come from sentences like "le prochain sommet est prévu en juillet à Ankara" or
"allies must reach 5% of GDP by 2035". Every time expression of a sentence (temporal.Grammar) is
resolved against the publication day and the tense around it; it is kept when it lies after
publication (or is announced ahead for the publication day itself) and is not a funding period of an
amount of money (those belong to the pledge). The event is the nearest event noun phrase; the
place is a gazetteer place standing right next to the date ("à Ankara", "in Brussels on April 11").

`event_date` answers a different question for clustering: on which day did the reported event
happen (or will it happen, for a preview)?
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from functools import cache

from babel import Locale

from briefings.extract.context import ArticleContext
from briefings.extract.gazetteer import COUNTRY, PLACE, Gazetteer, Mention
from briefings.extract.temporal import (
    AT,
    DATE,
    DAY,
    DEADLINE,
    DURATION,
    EVENT_RELATIVE,
    FUTURE,
    PAST,
    RELATIVE,
    WEEKDAY,
    YEAR,
    Resolved,
    TimeExpr,
    anchor_day,
    grammar,
    is_upcoming,
    load_toml,
    resolve,
    tense_markers,
    tense_near,
)
from briefings.extract.text import Sentence, fold
from briefings.models import Evidence, KeyDate

# How far (characters, no punctuation between) a place may stand from a date and still be its place.
_PLACE_GAP = 25
# How close an event noun must stand to a bare year ("a review scheduled for 2029").
_NOUN_REACH = 40
# How far before a future-tense year its event noun may open the clause ("the summit … will be held in 2024").
_SUBJECT_REACH = 120
# What joins a date to the one before it in a list of dates of the same kind.
_COORDINATED = re.compile(
    r"^[^.;:]{0,40}?(?:,\s*|\s)(?:and|et|puis|then|followed by|suivie? (?:de|par))\s"
    r"|^\s*,\s*[^\s,.;:]+(?:\s[^\s,.;:]+){0,2}\s$",  # a schedule listed by commas: "six fin 2023, huit en 2024"
    re.IGNORECASE,
)
# A previewed or reported event day lies this close to publication (days before, days after).
_EVENT_WINDOW = (-10, 21)


@dataclass(frozen=True)
class _Lexicon:
    """Event and money vocabulary of one language, compiled."""

    event_nouns: re.Pattern
    modifiers: re.Pattern
    announce: re.Pattern
    deadline_word: str
    deadline_joiner: str
    target: re.Pattern
    money: re.Pattern
    money_reach: int
    place_before: re.Pattern
    place_after: re.Pattern
    event_of: re.Pattern  # "le sommet de " right before a place: the place is where the event is
    event_named: re.Pattern  # " summit" right after a place ("the Vilnius summit")
    event_verbs: re.Pattern  # what happens, when no event noun is near ("will meet again next month")
    apposition: re.Pattern  # ", lors de la rencontre": an event noun after the date's comma
    boundary: re.Pattern  # "beyond today": a date that bounds something, not when it happens


def _words(words: list[str], folded: bool = True) -> str:
    words = [fold(w) if folded else w for w in words]
    return "(?:" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + ")"


@cache
def _lexicon(lang: str) -> _Lexicon:
    data = load_toml("event_lexicon.toml")
    lang = lang if lang in ("fr", "en") else "en"
    money = data["money"]
    number = r"\d+(?:[.,\s]\d{3})*(?:[.,]\d+)?"
    units = "(?:" + "|".join(money["units"]) + ")"
    currencies = "(?:" + "|".join(money["currencies"]) + ")"
    money_re = (rf"(?:[€$£]\s?{number}(?:\s?{units}(?![\w]))?"
                rf"|{number}\s?(?:{units}\s+)?(?:d'|de\s+)?{currencies}(?![\w])"
                rf"|(?<![\w])(?:eur|usd|gbp|nok|sek|dkk|cad|chf)\s?{number}(?:\s?{units}(?![\w]))?)")
    blockers = data["place_blockers"]
    nouns = _words(data["event_nouns"][lang], False)
    modifiers = _words(data["event_modifiers"][lang], False)
    ordinal = r"\d+(?:e|ème|er|th|st|nd|rd)"
    return _Lexicon(
        event_nouns=re.compile(rf"(?<![\w]){nouns}(?![\w])", re.IGNORECASE),
        modifiers=re.compile(rf"(?<![\w])(?:(?:{modifiers}|{ordinal})\s+)+$", re.IGNORECASE),
        announce=re.compile(rf"(?<![\w]){_words(data['announce_ahead'][lang])}(?![\w])"),
        deadline_word=data["deadline"][lang]["word"],
        deadline_joiner=data["deadline"][lang]["joiner"],
        target=re.compile(data["deadline"]["target"], re.IGNORECASE),
        money=re.compile(money_re),
        money_reach=money["reach"],
        place_before=re.compile(rf"(?<![\w]){_words(blockers['before'])}\s*$"),
        place_after=re.compile(rf"^\s*{_words(blockers['after'])}(?![\w])"),
        event_of=re.compile(rf"(?<![\w]){nouns}\s+(?:de |d'|of )(?:la |le |l'|the )?$", re.IGNORECASE),
        event_named=re.compile(rf"^\s+{nouns}(?![\w])", re.IGNORECASE),
        event_verbs=re.compile(r"(?<![\w])(?:" + "|".join(data["event_verbs"][lang]) + r")(?![\w])"),
        apposition=re.compile(rf"^\s*,\s*{_words(data['event_apposition'][lang])}\s+"
                              r"(?:(?:la|le|l'|les|leur|leurs|son|sa|ses|the|their|its|this|a|an)\s+)?$"),
        boundary=re.compile(rf"(?<![\w]){_words(data['date_boundaries'][lang])}\s*$"),
    )


# The complement of an event noun: "de l'OTAN", "of the Ukraine Defense Contact Group".
_COMPLEMENT = re.compile(
    r"^\s+(?:de la |de l'|des |du |de |d'|of the |of )(?:l')?[A-Z][\w'.-]*"
    r"(?:\s+(?:[A-Z][\w'.-]*|of|de|du|des))*"
)
# Words after a place that still leave it next to a date, and prepositions that make it a location.
# A base or a headquarters stands between the preposition and the place ("sur la base aérienne de Ramstein",
# "at NATO headquarters in Brussels").
_SITE = (r"(?:(?:la |le |l'|the )?(?:base|siège|quartier général|headquarters|air base)"
         r"(?:\s+(?:aérienne|américaine|militaire|de l'otan|of nato|nato)){0,2}\s+(?:de |d'|of |à |in ))?")
_LOCATIVE_BEFORE = re.compile(
    rf"(?<![\w])(?:à|a|au|aux|en|in|at|to|near|près de|dans|sur)\s+{_SITE}(?:la |le |l'|the )?$", re.IGNORECASE
)
_IN_COUNTRY = re.compile(r"(?<![\w])(?:en|aux|au|in)\s+(?:the )?$", re.IGNORECASE)
_LOCATIVE_AFTER = re.compile(rf"^\s*,?\s*(?:à|au|aux|en|in|at|sur)\s+{_SITE}(?:la |le |l'|the )?$",
                             re.IGNORECASE)
_CLAUSE_BREAK = re.compile(r"[,;:.()\[\]«»\"]")
_CLAUSE_END = re.compile(r"[,;:.]")
_FAR = 1000
# A date right after one of these, or opening with one, modifies a noun ("les incursions du 10 septembre").
_COMPLEMENT_OPENING = re.compile(r"(?:du|des)\s", re.IGNORECASE)
_COMPLEMENT_OF = re.compile(
    r"(?<![\w])(?:du|de|des|d'|of|since|depuis|after|après|following|avant|before)\s*$", re.IGNORECASE
)


def is_noun_complement(text: str, expr: TimeExpr) -> bool:
    """Whether a date qualifies a noun before it ("les incursions du 10 septembre", "the talks of
    May 5") rather than the sentence's verb."""
    return bool(_COMPLEMENT_OF.search(text[:expr.start]) or _COMPLEMENT_OPENING.match(expr.text))


@dataclass(frozen=True)
class _Found:
    """A time expression of a sentence, resolved, with the tense that resolved it."""

    sentence: Sentence
    expr: TimeExpr
    resolved: Resolved
    tense: str | None


def _resolved_expressions(sentence: Sentence, lang: str, today: date, event_day: date | None) -> list[_Found]:
    exprs = grammar(lang).find(sentence.text)
    if not exprs:
        return []
    markers = tense_markers(sentence.text, lang)
    found = []
    for expr in exprs:
        tense = tense_near(markers, expr.start, expr.end, sentence.text)
        resolved = resolve(expr, today, tense, event_day)
        if resolved is not None:
            found.append(_Found(sentence, expr, resolved, tense))
    return found


def _in_money_clause(text: str, expr: TimeExpr, lex: _Lexicon) -> bool:
    """Whether a date follows an amount of money in the same clause ("€8bn until 2029")."""
    folded = fold(text)
    for match in lex.money.finditer(folded, 0, expr.start):
        gap = folded[match.end():expr.start]
        if len(gap) <= lex.money_reach and not _CLAUSE_BREAK.search(gap):
            return True
    return False


def _places(text: str, lex: _Lexicon) -> list[Mention]:
    """Gazetteer places and countries of a sentence that name a location (not "le format Ramstein")."""
    folded = fold(text)
    return [m for m in Gazetteer.load().mentions(text)
            if m.kind in (PLACE, COUNTRY) and not lex.place_before.search(folded[:m.start])
            and not lex.place_after.search(folded[m.end:])]


def _place_name(mention: Mention) -> str:
    """A place's English name; a country's is CLDR's ("Netherlands")."""
    return mention.code if mention.kind == PLACE else _english_territories().get(mention.code, mention.code)


@cache
def _english_territories() -> dict[str, str]:
    return dict(Locale("en").territories)


# A dateline opens a report with where it was filed: "BRUSSELS, Dec 3 (Reuters) -", "Kyiv (AFP) –".
_DATELINE = re.compile(r"^\s*([A-ZÀ-Ý][\w'’. -]{1,30}?)\s*(?:\([^)\n]{1,20}\)\s*)?(?:,|—|–|-)\s")
# How far before a place its locative preposition may stand ("at NATO headquarters in Brussels").
_LOCATIVE_REACH = 80


def located_places(text: str, lang: str) -> list[Mention]:
    """The places where a text says something happens, in order: in its dateline, after
    a locative preposition ("à Bruxelles", "at NATO headquarters in Brussels"), or naming an event
    ("le sommet de Vilnius", "the Vilnius summit"). A capital standing for its government ("Berlin
    pledged", "Berlin ainsi que le Canada s'engageront") is no place."""
    lex = _lexicon(lang if lang in ("fr", "en") else "en")
    found = []
    dateline = _DATELINE.match(text)
    if dateline:
        head = dateline.group(1).strip()
        named = Gazetteer.load().mentions(head.title() if head.isupper() else head)
        if len(named) == 1 and named[0].kind == PLACE and named[0].end - named[0].start == len(head):
            found.append(named[0])
    for place in _places(text, lex):
        before = text[max(0, place.start - _LOCATIVE_REACH):place.start]
        if place.kind == PLACE and (_LOCATIVE_BEFORE.search(before) or lex.event_of.search(before)
                                    or lex.event_named.match(text[place.end:])):
            found.append(place)
    return found


def _place_of(text: str, expr: TimeExpr, places: list[Mention], lex: _Lexicon) -> str | None:
    """The place standing next to a date in the same clause, as its English name: after a locative
    preposition, or naming an event ("le sommet de La Haye prévu fin juin", "the Vilnius summit on
    11 July"). A country is a place only after "in"/"en"/"aux": "to Ukraine" is a recipient."""
    for place in places:
        if place.end <= expr.start:
            gap = text[place.end:expr.start]
            before = text[:place.start]
            located = (_LOCATIVE_BEFORE.search(before) or lex.event_of.search(before)
                       or lex.event_named.match(gap)) if place.kind == PLACE else _IN_COUNTRY.search(before)
            if len(gap) <= _PLACE_GAP and not _CLAUSE_BREAK.search(gap) and located:
                return _place_name(place)
        elif place.start >= expr.end and place.kind == PLACE:
            gap = text[expr.end:place.start]
            if _LOCATIVE_AFTER.match(gap):  # its shape bounds the gap
                return _place_name(place)
    return None


def _event_nouns(text: str, lex: _Lexicon) -> list[re.Match]:
    return list(lex.event_nouns.finditer(text))


def _distance(text: str, noun: re.Match, near: tuple[int, int], lex: _Lexicon | None = None) -> int:
    """How far an event noun stands from a span. Across a comma a noun before the date may still
    be its subject ("le sommet, prévu en juillet"), and so may a noun before a colon that opens a
    list of dates ("un calendrier de livraison : six fin 2023, huit en 2024"); one after it belongs to
    another clause, unless the comma opens an apposition ("jeudi, lors de la rencontre")."""
    after = noun.start() >= near[1]
    gap = text[near[1]:noun.start()] if after else text[noun.end():near[0]]
    if after and lex is not None and lex.apposition.match(fold(gap)):
        return len(gap)
    breaks = _CLAUSE_END.findall(gap)
    if breaks and not (not after and set(breaks) == {":"}):
        return len(gap) + (_FAR if after else _FAR // 2)
    return len(gap)


@dataclass(frozen=True)
class _Event:
    """What happens on a date: a phrase, how sure the reading is, and the noun heading it if any."""

    phrase: str
    confidence: float
    noun: tuple[int, int] | None = None


def _event_phrase(text: str, near: tuple[int, int], nouns: list[re.Match], lex: _Lexicon) -> str | None:
    """The event noun phrase nearest to a span: "prochain sommet de l'OTAN", "27th meeting of …"."""
    event = _event_of(text, near, nouns, lex, verbs=False)
    return event.phrase if event else None


def _event_of(text: str, near: tuple[int, int], nouns: list[re.Match], lex: _Lexicon,
              verbs: bool = True) -> _Event | None:
    """What happens at a span: the event noun phrase of its clause, or else the nearer of an event
    noun across a comma and a verb that says it ("will meet again next month", "takes office on
    20 January").
    None when the sentence says nothing that happens then: such a date is not a key date."""
    noun = min(nouns, key=lambda m: _distance(text, m, near, lex)) if nouns else None
    noun_gap = _distance(text, noun, near, lex) if noun else _FAR
    verb = None
    if verbs:
        found = list(lex.event_verbs.finditer(fold(text)))
        found = [m for m in found if m.end() <= near[0] or m.start() >= near[1]]
        verb = min(found, key=lambda m: _distance(text, m, near, lex)) if found else None
    verb_gap = _distance(text, verb, near, lex) if verb else _FAR
    if verb is not None and verb.start() >= near[1] and len(text[:near[0]].strip()) <= _OPENING:
        verb_gap = len(text[near[1]:verb.start()])  # a date opening the sentence dates its main verb
    if noun is not None and noun_gap < _FAR and (noun_gap < _FAR // 2 or noun_gap <= verb_gap):
        start, end = noun.start(), noun.end()
        modifiers = lex.modifiers.search(text[:start])
        if modifiers:
            start = modifiers.start()
        complement = _COMPLEMENT.match(text[end:])
        if complement:
            end += complement.end()
        return _Event(text[start:end].strip(), _confidence()["event_noun"], (noun.start(), noun.end()))
    if verb is not None and verb_gap < _FAR:
        return _Event(_verb_phrase(text, verb, near), _confidence()["event_verb"])
    return None


_PHRASE_WORDS = 8
# How much text may stand before a date that still opens its sentence ("Le 20 février prochain, …").
_OPENING = 3


def _verb_phrase(text: str, verb: re.Match, near: tuple[int, int]) -> str:
    """The words from the verb to the date (or a few after the verb when it follows the date),
    inside the clause: "would arrive", "will meet again"."""
    piece = text[verb.start():near[0]] if verb.end() <= near[0] else text[verb.start():]
    piece = re.split(r"[,;:.()«»\"]", piece)[0]
    return " ".join(piece.split()[:_PHRASE_WORDS]).strip()


@cache
def _confidence() -> dict[str, float]:
    """How sure each reading of a date's event is, and the least a date needs to be kept."""
    return load_toml("precision.toml")["dates"]


def _event_place(text: str, event: _Event, places: list[Mention]) -> str | None:
    """The place the event phrase itself names: "le sommet de Madrid", "meeting in Madrid",
    "la rencontre à Rome", "the Vilnius summit"."""
    if event.noun is None:
        return None
    start, end = event.noun
    for place in places:
        if place.kind != PLACE:
            continue
        gap = text[end:place.start]
        if place.start >= end and len(gap) <= _PLACE_GAP and _EVENT_PLACE_GAP.match(gap):
            return _place_name(place)
        if place.end <= start and not text[place.end:start].strip():
            return _place_name(place)
    return None


# Between an event noun and its place: "de", "in", "à", "at NATO headquarters in"…
_EVENT_PLACE_GAP = re.compile(
    rf"^\s+(?:(?:de|d'|du|des|of|in|at|à|au|en)\s+{_SITE}(?:la |le |l'|the )?|d')$", re.IGNORECASE
)


def _deadline_phrase(text: str, lex: _Lexicon) -> str | None:
    """A deadline named after its target when the sentence has one: "deadline for 5% of GDP"."""
    target = lex.target.search(text)
    return f"{lex.deadline_word} {lex.deadline_joiner} {target.group()}" if target else None


def _keep(found: _Found, today: date, nouns: list[re.Match], lex: _Lexicon, after: int | None = None) -> bool:
    """Whether a resolved expression is an upcoming date worth a brief's line. `after` is where the
    last date kept in the sentence ends: a year coordinated with it ("…in 2024, and in the
    Netherlands in 2025") is a date of the same kind."""
    expr, resolved, text = found.expr, found.resolved, found.sentence.text
    if expr.kind == EVENT_RELATIVE or not is_upcoming(expr, resolved, today, found.tense):
        return False
    if _in_money_clause(text, expr, lex) or lex.boundary.search(fold(text[:expr.start])):
        return False
    if expr.kind == DURATION and expr.role == AT and found.tense == PAST:
        return False  # "the first raid in two years" looks back; "agreed to… within ten years" does not
    if resolved.first <= today and resolved.precision == DAY and not nouns:
        return False  # something happening today counts only when an event is announced
    bare_year = (expr.kind == DATE and expr.role == AT) or (expr.kind == RELATIVE and not expr.forward)
    if resolved.precision == YEAR and bare_year:
        # "en 2027" or "next year" alone is a year, not a date; "by 2035", "a review scheduled for
        # 2029", "next year's summit", "deliveries … to be completed in 2023" or "the summit … will
        # be held in Washington in 2024" are
        span = (expr.start, expr.end)
        return (any(_distance(text, n, span) <= _NOUN_REACH for n in nouns)
                or _verb_next_to(text, span, lex)
                or (found.tense == FUTURE and any(_subject_noun(text, n, span) for n in nouns))
                or (after is not None and _COORDINATED.match(text[after:expr.start]) is not None))
    return True


def _verb_next_to(text: str, span: tuple[int, int], lex: _Lexicon) -> bool:
    """Whether an event verb stands right before a year in its clause ("be completed in 2023")."""
    before = fold(text[max(0, span[0] - _NOUN_REACH):span[0]])
    verbs = list(lex.event_verbs.finditer(before))
    return bool(verbs) and not _CLAUSE_END.search(before[verbs[-1].end():])


def _subject_noun(text: str, noun: re.Match, span: tuple[int, int]) -> bool:
    """Whether an event noun opens the clause a future-tense year ends: the summit is what is held."""
    gap = text[noun.end():span[0]]
    return noun.end() <= span[0] and len(gap) <= _SUBJECT_REACH and not _CLAUSE_END.search(gap)


def extract_dates(sentences: list[Sentence], ctx: ArticleContext) -> list[KeyDate]:
    """The upcoming dates an article states, each once (same date and place), with evidence.

    Precision first: a date is kept only with what happens then (an event noun, an event verb, or
    the target of a deadline), and its confidence is how sure that reading is."""
    lang = ctx.language if ctx.language in ("fr", "en") else "en"
    lex = _lexicon(lang)
    today = anchor_day(ctx.published)
    day_of_event = _event_day(sentences, lang, today)
    floor = _confidence()["keep"]
    dates: list[KeyDate] = []
    for sentence in sentences:
        found = _resolved_expressions(sentence, lang, today, day_of_event[0] if day_of_event else None)
        if not found:
            continue
        nouns = _event_nouns(sentence.text, lex)
        places = None
        last_end = None
        for item in found:
            if not _keep(item, today, nouns, lex, last_end):
                continue
            span = (item.expr.start, item.expr.end)
            deadline = item.expr.role == DEADLINE
            target = _deadline_phrase(sentence.text, lex) if deadline else None
            event = (_Event(target, _confidence()["deadline_target"]) if target
                     else _event_of(sentence.text, span, nouns, lex))
            if event is None or event.confidence < floor:
                continue  # a date with nothing said to happen on it is not a key date
            last_end = item.expr.end
            if places is None:
                places = _places(sentence.text, lex)
            place = None if deadline else (_place_of(sentence.text, item.expr, places, lex)
                                           or _event_place(sentence.text, event, places))
            dates.append(KeyDate(item.resolved.iso, event.phrase, place, lang, [Evidence(sentence.text, ctx.url)],
                                 confidence=event.confidence))
    dates.extend(_announced_today(sentences, lang, lex, today, day_of_event, ctx.url))
    dates.extend(_distances(sentences, lang, lex, day_of_event[0] if day_of_event else today, today, ctx.url))
    return _deduplicate(dates)


@cache
def _distance_pattern(lang: str) -> re.Pattern:
    """ "three days before the vote", "à quatre mois de l'élection": a count, a unit, and the event noun."""
    cal = load_toml("calendar.toml")
    data = load_toml("event_lexicon.toml")["distance"]
    spelled = sorted((fold(n) for n in cal["numbers"][lang]), key=len, reverse=True)
    numbers = "(?:" + "|".join(re.escape(n) for n in spelled) + r"|\d{1,3})"
    units = _words(cal["units"][lang])
    joins = _words(data[lang])
    lead = rf"(?<![\w]){data['fr_lead']}\s+" if lang == "fr" else r"(?<![\w])"
    nouns = _words([fold(n) for n in load_toml("event_lexicon.toml")["event_nouns"][lang]])
    return re.compile(rf"{lead}(?P<n>{numbers})\s+(?P<u>{units})\s+{joins}\s*(?P<noun>{nouns})(?![\w])")


def _distances(sentences: list[Sentence], lang: str, lex: _Lexicon, base: date, today: date,
               url: str) -> list[KeyDate]:
    """Events dated by their distance from the reported day: "three days before the vote" says the
    vote is three days after it (a day when counted in days, else the month it falls in)."""
    cal = load_toml("calendar.toml")
    numbers = {fold(k): v for k, v in cal["numbers"][lang].items()}
    units = {fold(k): v for k, v in cal["units"][lang].items()}
    out = []
    for sentence in sentences:
        folded = fold(sentence.text)
        for m in _distance_pattern(lang).finditer(folded):
            count = int(m.group("n")) if m.group("n").isdigit() else numbers[m.group("n")]
            distance = TimeExpr(m.start(), m.end(), m.group(), DURATION, unit=units[m.group("u")], offset=count)
            resolved = resolve(distance, base)
            if resolved is None or resolved.last <= today:
                continue  # an event no later than the report is not upcoming
            when = resolved.iso
            phrase = sentence.text[m.start("noun"):m.end("noun")]
            places = _places(sentence.text, lex)
            event = _Event(phrase, _confidence()["event_noun"], (m.start("noun"), m.end("noun")))
            out.append(KeyDate(when, phrase, _event_place(sentence.text, event, places), lang,
                               [Evidence(sentence.text, url)], confidence=event.confidence))
    return out


def _announced_today(sentences: list[Sentence], lang: str, lex: _Lexicon, today: date,
                     day_of_event: tuple[date, str] | None, url: str) -> list[KeyDate]:
    """Undated announcements ("a meeting will be held in Brussels") of the event the article
    reports as happening today: they take its day when they name the same event noun."""
    if day_of_event is None or day_of_event[0] != today:
        return []
    out = []
    for sentence in sentences:
        folded = fold(sentence.text)
        if not lex.announce.search(folded) or grammar(lang).find(sentence.text):
            continue
        nouns = _event_nouns(sentence.text, lex)
        if re.search(r"\b(?:next|prochaine?)\b", folded):
            continue  # "the next summit will be held in Ankara" is another event
        if not any(n.group().lower() == day_of_event[1] for n in nouns):
            continue
        places = _places(sentence.text, lex)
        located = [p for p in places if p.kind == PLACE and _LOCATIVE_BEFORE.search(sentence.text[:p.start])]
        if located:
            out.append(KeyDate(today.isoformat(), _event_phrase(sentence.text, (0, 0), nouns, lex),
                               _place_name(located[0]), lang, [Evidence(sentence.text, url)]))
    return out


def _deduplicate(dates: list[KeyDate]) -> list[KeyDate]:
    """One date per (date, place); a date with no place folds into the same date with one."""
    merged: dict[tuple[str, str | None], KeyDate] = {}
    for item in dates:
        key = (item.date, item.place)
        if key in merged:
            kept = merged[key]
            evidence = kept.evidence + [e for e in item.evidence if e not in kept.evidence]
            merged[key] = replace(kept, event=kept.event or item.event, evidence=evidence)
        else:
            merged[key] = item
    with_place = {key[0]: key for key in merged if key[1] is not None}
    out = []
    for (day, place), item in merged.items():
        target = merged[with_place[day]] if place is None and day in with_place else _finer(item, merged.values())
        if target is not None:
            target.evidence.extend(e for e in item.evidence if e not in target.evidence)
        else:
            out.append(item)
    return out


def _finer(item: KeyDate, dates) -> KeyDate | None:
    """The same event stated more precisely elsewhere in the article: "next week" (a month) and
    "on Wednesday" (a day) of one meeting are one date, at the day, which keeps the vaguer one's place."""
    if not item.event:
        return None
    head = _head(item)
    for other in dates:
        same_place = other.place is None or item.place in (None, other.place)
        if (other is not item and len(other.date) > len(item.date) and other.date.startswith(item.date)
                and other.event and _head(other) == head and same_place):
            if other.place is None:
                other.place = item.place
            return other
    return None


def _head(item: KeyDate) -> str | None:
    """The event noun heading a date's event phrase ("meeting" of "27th meeting of the UDCG")."""
    match = _lexicon(item.language).event_nouns.search(item.event or "")
    return match.group().lower() if match else None


# -- the day of the reported event ----------------------------------------------------------------

def _event_day(sentences: list[Sentence], lang: str, today: date) -> tuple[date, str] | None:
    """The day the article's event happens and the event noun that names it ("" if none).

    A report's event happened on or before publication: "Japan will give $5.5bn, Kishida said
    Monday" reports Monday, however near the G7 call it also announces "by video Friday". A day
    after publication is the event only in a preview, where nothing reported happened yet. Within
    each group, the first day-precise date near publication in a sentence naming an event wins,
    else the first such date at all. Expressions counted from the event ("la veille") do not count.
    """
    lex = _lexicon(lang)
    reported: list[tuple[date, str]] = []
    ahead: list[tuple[date, str]] = []
    for sentence in sentences:
        for item in _resolved_expressions(sentence, lang, today, None):
            if item.expr.kind == EVENT_RELATIVE or item.resolved.precision != DAY:
                continue
            if item.expr.kind == RELATIVE and item.expr.unit != "day":
                continue
            offset = (item.resolved.first - today).days
            if not _EVENT_WINDOW[0] <= offset <= _EVENT_WINDOW[1]:
                continue
            if offset > 0 and item.tense != FUTURE and item.expr.kind == WEEKDAY:
                continue
            nouns = _event_nouns(sentence.text, lex)
            noun = min(nouns, key=lambda m: abs(m.start() - item.expr.start)).group().lower() if nouns else ""
            (reported if offset <= 0 else ahead).append((item.resolved.first, noun))
    found = reported or ahead
    return next((day for day in found if day[1]), found[0]) if found else None


def event_date(sentences: list[Sentence], ctx: ArticleContext) -> str | None:
    """The ISO day the reported event happened (or, in a preview, will happen), when stated."""
    lang = ctx.language if ctx.language in ("fr", "en") else "en"
    found = _event_day(sentences, lang, anchor_day(ctx.published))
    return found[0].isoformat() if found else None
