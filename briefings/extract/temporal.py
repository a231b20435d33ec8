"""A small date grammar for French and English news: find time expressions, then resolve them.

News text dates things relative to the day it appears ("jeudi", "later this month", "d'ici 2035"),
so an expression is found first (`Grammar.find`) and only then resolved against the publication
day and the tense around it (`resolve`). Vocabulary lives in `data/calendar.toml`; this module only
knows the shapes of expressions. Matching runs on folded text (see `text.fold`), whose offsets are
those of the original sentence, so accents and case never matter except where English needs a
capital to tell a month from a word ("May" / "may").

Precision follows the text: a day when a day is given, else a month, else a year. A season is
given at year precision (the year it starts in): ISO 8601 has no plain season and a month would be
invented precision.
"""

from __future__ import annotations

import calendar
import re
import tomllib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache, lru_cache
from pathlib import Path

from briefings.extract.text import fold

DATA = Path(__file__).resolve().parent.parent / "data"

DAY, MONTH, YEAR = "day", "month", "year"
PAST, FUTURE = "past", "future"
REPORTED = "reported"  # the past verb of an attribution (", NATO said"): see tense_markers

# Expression kinds
DATE = "date"  # explicit calendar date: day, month and/or year
WEEKDAY = "weekday"
RELATIVE = "relative"  # fixed phrase: "demain", "next month"
DURATION = "duration"  # "dans deux ans", "in three months"
SEASON = "season"
EVENT_RELATIVE = "event_relative"  # "la veille": counted from the reported event's day

# Roles of the word before a period (see calendar.toml, [period_prefixes])
AT, DEADLINE, END = "at", "deadline", "end"


@cache
def load_toml(name: str) -> dict:
    """A data file, parsed once per process."""
    with (DATA / name).open("rb") as fh:
        return tomllib.load(fh)


@dataclass(frozen=True)
class TimeExpr:
    """A time expression found in a sentence, not yet tied to a calendar."""

    start: int
    end: int
    text: str
    kind: str
    year: int | None = None
    month: int | None = None
    day: int | None = None
    weekday: int | None = None
    unit: str | None = None  # RELATIVE / DURATION: day, week, month, year
    offset: int = 0
    modifier: str | None = None  # "next", "last", "this"
    role: str = AT  # AT, DEADLINE, END, or "past"
    forward: bool = False  # looks ahead inside the current period ("later this month")


@dataclass(frozen=True)
class Resolved:
    """An expression tied to the calendar: its ISO form and the days it spans."""

    iso: str
    first: date
    last: date
    precision: str


def anchor_day(published: datetime) -> date:
    """The calendar day an article appeared on, in the time zone its timestamp carries."""
    return published.date()


def _alternation(words, *, suffix_boundary: bool = True) -> str:
    """Words as one regex alternative, longest first; a word ending in '.' needs no boundary."""
    parts = []
    for word in sorted(words, key=len, reverse=True):
        escaped = re.escape(fold(word))
        parts.append(escaped if word.endswith(".") or not suffix_boundary else escaped + r"(?![\w])")
    return "(?:" + "|".join(parts) + ")"


_TOKEN = re.compile(r"\w+")
_FOUR_DIGITS = re.compile(r"\d{4}")
_YEAR_KEY = "<year>"


def _windows(spans: list[tuple[int, int]], reach: tuple[int, int], text: str) -> list[tuple[int, int]]:
    """Stretches of text around key words, merged where they overlap, ending at a word's end."""
    windows: list[list[int]] = []
    for start, end in sorted(spans):
        start, end = max(0, start - reach[0]), min(len(text), end + reach[1])
        while end < len(text) and text[end].isalnum():
            end += 1
        if windows and start <= windows[-1][1]:
            windows[-1][1] = max(windows[-1][1], end)
        else:
            windows.append([start, end])
    return [(start, end) for start, end in windows]


def _keys(phrases) -> frozenset[str]:
    """The last word of each phrase: a sentence lacking all of them cannot hold any phrase."""
    return frozenset(_TOKEN.findall(phrase)[-1] for phrase in phrases)


_YEAR = r"(?P<y>(?:1[89]|20)\d{2})(?![\d])(?!\s?[-/–]\s?\d)"


class Grammar:
    """The compiled expressions of one language."""

    def __init__(self, lang: str):
        cal = load_toml("calendar.toml")
        self.lang = lang
        self.months = {fold(k): v for k, v in cal["months"][lang].items()}
        self.weekdays = {fold(k): v for k, v in cal["weekdays"][lang].items()}
        self.numbers = {fold(k): v for k, v in cal["numbers"][lang].items()}
        self.units = {fold(k): v for k, v in cal["units"][lang].items()}
        self.duration_prefixes = {fold(k): v for k, v in cal["duration_prefixes"][lang].items()}
        self.period_prefixes = {fold(k): v for k, v in cal["period_prefixes"][lang].items()}
        self.period_modifiers = {fold(k): v for k, v in cal["period_modifiers"][lang].items()}
        self.relative = {fold(k): v for k, v in cal["relative"][lang].items()}
        self.event_relative = {fold(k): v for k, v in cal["event_relative"][lang].items()}
        self.seasons = {fold(k): v for k, v in cal["seasons"][lang].items()}
        self.weekday_modifiers = {fold(k): v for k, v in cal["weekday_modifiers"][lang].items()}
        m = _alternation(self.months)
        w = _alternation(self.weekdays)
        pre = _alternation(self.period_prefixes, suffix_boundary=False)
        mod = _alternation(self.period_modifiers)
        joiner = _alternation(cal["range_joiners"][lang], suffix_boundary=False)
        wmod = _alternation(self.weekday_modifiers)
        wjoin = _alternation(cal["weekday_range_joiners"][lang], suffix_boundary=False)
        spre = _alternation(cal["season_prefixes"][lang], suffix_boundary=False)
        seasons = _alternation(self.seasons)
        num = r"(?:\d{1,3}|" + _alternation(self.numbers) + ")"
        units = _alternation(self.units)
        dpre = _alternation(self.duration_prefixes, suffix_boundary=False)
        b = r"(?<![\w])"
        if lang == "fr":
            d = r"(?:1er|premier|[12]\d|3[01]|0?[1-9])"
            day = (rf"{b}(?:(?:le|ce|du|les)\s+)?(?:(?P<wd>{w})\s+)?(?:(?:le|les|du)\s+)?(?P<d>{d})(?![\d])"
                   rf"(?:\s*{joiner}\s*(?:{w}\s+)?{d}(?![\d]))?\s+(?P<m>{m})(?:\s+{_YEAR}|\s+(?P<mod>{mod}))?")
            month_only = rf"{b}(?:(?P<pre>{pre})\s*)?(?P<m>{m})(?:\s+(?P<mod>{mod}))?(?!\s*\d)"
            weekday = (rf"{b}(?:(?P<from>du|de)\s+)?(?:(?:ce|le)\s+)?(?P<wd>{w})(?:\s+(?P<mod>{wmod}))?"
                       rf"(?:\s*{wjoin}\s*(?:le\s+)?(?P<wd2>{w}))?")
            season = rf"{b}(?:(?P<pre>{spre})\s*)?(?P<s>{seasons})(?:\s+(?P<mod>{mod}))?(?:\s+{_YEAR})?"
            duration = rf"{b}(?P<pre>{dpre})\s+(?P<n>{num})\s+(?P<u>{units})"
        else:
            d = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
            second = rf"(?:\s*{joiner}\s*{d}(?![\d]))?"
            day = (rf"{b}(?:on\s+)?(?:(?P<wd>{w}),?\s+)?(?:(?:the\s+)?(?P<d>{d})(?![\d]){second}"
                   rf"\s+(?:of\s+)?(?P<m>{m})|(?P<m2>{m})\s+(?P<d2>{d})(?![\d]){second})"
                   rf"(?:,?\s+{_YEAR})?")
            month_only = rf"{b}(?:(?P<mod>{mod})\s+)?(?:(?P<pre>{pre})\s*)?(?P<m>{m})(?!\s*\d)"
            weekday = (rf"{b}(?:on\s+|(?P<from>from)\s+)?(?:(?P<mod>{wmod})\s+)?(?P<wd>{w})(?:'s)?"
                       rf"(?:\s*{wjoin}\s*(?P<wd2>{w}))?")
            season = rf"{b}(?:(?P<mod>{mod})\s+|(?P<pre>{spre})\s+)?(?P<s>{seasons})(?:\s+(?:of\s+)?{_YEAR})?"
            duration = (rf"{b}(?P<pre>{dpre})\s+(?P<n>{num})\s+(?P<u>{units})"
                        r"(?:'s?\s+time|\s+from\s+now)?")
        month_year = rf"{b}(?:(?P<pre>{pre})\s*)?(?P<m>{m}),?\s+{_YEAR}"
        year = rf"{b}(?P<pre>{pre})\s*{_YEAR}"
        relative = rf"{b}(?P<rel>{_alternation(self.relative)})"
        event_relative = rf"{b}(?P<rel>{_alternation(self.event_relative)})(?:\s*,?\s*(?P<wd>{w}))?"
        # Each pattern runs only around its key words (a month name for a date, a unit for a
        # duration…), within the reach (characters before, after) its other words can have:
        # most of a sentence holds no time expression, and scanning all of it is what costs.
        months, weekdays = _keys(self.months), _keys(self.weekdays)
        self._patterns = [
            (re.compile(day), self._day, months, (50, 25)),
            (re.compile(month_year), self._month_year, months, (30, 12)),
            (re.compile(month_only), self._month_only, months, (30, 15)),
            (re.compile(year), self._year, {_YEAR_KEY}, (30, 2)),
            (re.compile(weekday), self._weekday, weekdays, (20, 15)),
            (re.compile(relative), self._relative, _keys(self.relative), (40, 2)),
            (re.compile(event_relative), self._event_relative, _keys(self.event_relative), (25, 20)),
            (re.compile(duration), self._duration, _keys(self.units), (30, 15)),
            (re.compile(season), self._season, _keys(self.seasons), (30, 20)),
        ]

    def find(self, text: str) -> tuple[TimeExpr, ...]:
        """Every time expression in `text`, in order; overlapping matches keep the longest.

        Extractors ask about the same sentences several times (dates, event day, missions), so
        recent answers are kept."""
        return _find(self, text)

    def _find(self, text: str) -> tuple[TimeExpr, ...]:
        folded = fold(text)
        spots: dict[str, list[tuple[int, int]]] = {}
        for token in _TOKEN.finditer(folded):
            spots.setdefault(token.group(), []).append(token.span())
        spots[_YEAR_KEY] = [m.span() for m in _FOUR_DIGITS.finditer(folded)]
        found: dict[tuple[int, int, str], TimeExpr] = {}
        for pattern, build, keys, reach in self._patterns:
            where = [span for key in keys.intersection(spots) for span in spots[key]]
            for start, end in _windows(where, reach, folded):
                for match in pattern.finditer(folded, start, end):
                    expr = build(match, text)
                    if expr is not None:
                        found[expr.start, expr.end, expr.kind] = expr
        kept: list[TimeExpr] = []
        for expr in sorted(found.values(), key=lambda e: (-(e.end - e.start), e.start)):
            if all(expr.end <= k.start or expr.start >= k.end for k in kept):
                kept.append(expr)
        return tuple(sorted(kept, key=lambda e: e.start))

    # -- builders: one per pattern; None rejects a match ------------------------------------------

    def _capitalised(self, match: re.Match, text: str, group: str) -> bool:
        """English months and weekdays are capitalised; French ones may be either."""
        return self.lang != "en" or match.start(group) < 0 or text[match.start(group)].isupper()

    def _expr(self, match: re.Match, text: str, kind: str, **values) -> TimeExpr:
        return TimeExpr(match.start(), match.end(), text[match.start():match.end()], kind, **values)

    def _day(self, match: re.Match, text: str) -> TimeExpr | None:
        groups = match.groupdict()
        month_group = "m" if groups.get("m") else "m2"
        if not self._capitalised(match, text, month_group) or not self._capitalised(match, text, "wd"):
            return None
        day_text = groups.get("d") or groups.get("d2")
        day = 1 if day_text in ("1er", "premier") else int(re.match(r"\d+", day_text).group())
        year = int(groups["y"]) if groups.get("y") else None
        weekday = self.weekdays[groups["wd"]] if groups.get("wd") else None
        return self._expr(match, text, DATE, year=year, month=self.months[groups[month_group]], day=day,
                          weekday=weekday, modifier=self.period_modifiers.get(groups.get("mod") or ""))

    def _month_year(self, match: re.Match, text: str) -> TimeExpr | None:
        if not self._capitalised(match, text, "m"):
            return None
        role = self.period_prefixes.get(match.group("pre") or "", AT)
        return self._expr(match, text, DATE, year=int(match.group("y")), month=self.months[match.group("m")],
                          role=role)

    def _month_only(self, match: re.Match, text: str) -> TimeExpr | None:
        pre, mod = match.group("pre"), match.group("mod")
        if not (pre or mod) or not self._capitalised(match, text, "m"):
            return None
        if match.group("m").endswith(".") and not pre:
            return None
        return self._expr(match, text, DATE, month=self.months[match.group("m")],
                          modifier=self.period_modifiers.get(mod or ""),
                          role=self.period_prefixes.get(pre or "", AT))

    def _year(self, match: re.Match, text: str) -> TimeExpr | None:
        return self._expr(match, text, DATE, year=int(match.group("y")),
                          role=self.period_prefixes.get(match.group("pre"), AT))

    def _weekday(self, match: re.Match, text: str) -> TimeExpr | None:
        if not self._capitalised(match, text, "wd") or not self._capitalised(match, text, "wd2"):
            return None
        mod = match.group("mod")
        modifier = self.weekday_modifiers.get(mod) if mod else None
        if match.group("wd2") and modifier is None:
            modifier = "span"  # "from Thursday to Saturday": a span is scheduled, dated by its first day
        return self._expr(match, text, WEEKDAY, weekday=self.weekdays[match.group("wd")], modifier=modifier)

    def _relative(self, match: re.Match, text: str) -> TimeExpr:
        entry = self.relative[match.group("rel")]
        return self._expr(match, text, RELATIVE, unit=entry["unit"], offset=entry["offset"],
                          forward=entry.get("forward", False))

    def _event_relative(self, match: re.Match, text: str) -> TimeExpr | None:
        if not self._capitalised(match, text, "wd"):
            return None
        weekday = self.weekdays[match.group("wd")] if match.group("wd") else None
        return self._expr(match, text, EVENT_RELATIVE, offset=self.event_relative[match.group("rel")],
                          weekday=weekday)

    def _duration(self, match: re.Match, text: str) -> TimeExpr:
        n = match.group("n")
        count = int(n) if n.isdigit() else self.numbers[n]
        return self._expr(match, text, DURATION, unit=self.units[match.group("u")], offset=count,
                          role=self.duration_prefixes[match.group("pre")], forward=True)

    def _season(self, match: re.Match, text: str) -> TimeExpr | None:
        groups = match.groupdict()
        if not (groups.get("pre") or groups.get("mod") or groups.get("y")):
            return None
        year = int(groups["y"]) if groups.get("y") else None
        return self._expr(match, text, SEASON, month=self.seasons[groups["s"]], year=year,
                          modifier=self.period_modifiers.get(groups.get("mod") or ""))


@lru_cache(maxsize=4096)
def _find(grammar: Grammar, text: str) -> tuple[TimeExpr, ...]:
    return grammar._find(text)


@cache
def grammar(lang: str) -> Grammar:
    """The grammar of a language (French or English; anything else reads as English)."""
    return Grammar(lang if lang in ("fr", "en") else "en")


# -- tense ----------------------------------------------------------------------------------------

@cache
def _tense_patterns(lang: str) -> tuple[re.Pattern, re.Pattern, re.Pattern]:
    tense = load_toml("calendar.toml")["tense"][lang if lang in ("fr", "en") else "en"]
    return (re.compile("|".join(tense["future"])), re.compile("|".join(tense["past"])),
            re.compile(tense["attribution"]))


@lru_cache(maxsize=4096)
def tense_markers(text: str, lang: str) -> tuple[tuple[int, int, str], ...]:
    """Verb forms and adverbs that place a clause in the past or the future, with their spans.

    A past verb of an attribution (", NATO said") is marked REPORTED: it dates the speaking, so it
    sets the tense of what follows it ("said on Friday") but not of what was said before it."""
    future, past, attribution = _tense_patterns(lang)
    ahead = [(m.start(), m.end(), FUTURE) for m in future.finditer(text)]
    said = [m.span() for m in attribution.finditer(text)]
    back = [(m.start(), m.end(), REPORTED if any(s <= m.start() and m.end() <= e for s, e in said) else PAST)
            for m in past.finditer(text)
            if not any(s < m.end() and m.start() < e for s, e, _ in ahead)]
    return tuple(sorted(ahead + back))


_CLAUSE_BREAK = re.compile(r"[,;:()]")


def tense_near(markers: tuple[tuple[int, int, str], ...], start: int, end: int, text: str | None = None) -> str | None:
    """The tense of the marker nearest to a span (markers inside the span, and attributions after
    it, do not count). Given the sentence, a marker of the span's own clause wins over a nearer one
    across a comma: in "As X reported earlier, because Europe is not delivering … by March", the
    report's past tense does not date the deadline."""
    best: tuple[int, str] | None = None
    best_in_clause: tuple[int, str] | None = None
    for s, e, tense in markers:
        if s >= start and e <= end:
            continue
        distance = start - e if e <= start else s - end
        if distance < 0 or (tense == REPORTED and s >= end):
            continue
        value = (distance, PAST if tense == REPORTED else tense)
        if best is None or distance < best[0]:
            best = value
        if text is None:
            continue
        gap = text[e:start] if e <= start else text[end:s]
        if not _CLAUSE_BREAK.search(gap) and (best_in_clause is None or distance < best_in_clause[0]):
            best_in_clause = value
    if text is not None and best_in_clause is None and best is not None and _clause_has_verb(text, start, end):
        return None
    chosen = best_in_clause or best
    return chosen[1] if chosen else None


_VERBISH = re.compile(r"\b(?:is|are|am|est|sont|be|being)\b")


def _clause_has_verb(text: str, start: int, end: int) -> bool:
    """Whether the clause around a span has a present-tense verb of its own ("is not delivering"):
    then a tense marker of another clause says nothing about the span."""
    left = _CLAUSE_BREAK.split(text[:start])[-1]
    right = _CLAUSE_BREAK.split(text[end:])[0]
    return bool(_VERBISH.search(left + " " + right))


# -- resolution -----------------------------------------------------------------------------------

def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _month_period(year: int, month: int) -> Resolved:
    return Resolved(f"{year:04d}-{month:02d}", date(year, month, 1), _month_end(year, month), MONTH)


def _year_period(year: int) -> Resolved:
    return Resolved(f"{year:04d}", date(year, 1, 1), date(year, 12, 31), YEAR)


def _day(day: date) -> Resolved:
    return Resolved(day.isoformat(), day, day, DAY)


def _shift_month(year: int, month: int, offset: int) -> tuple[int, int]:
    index = year * 12 + month - 1 + offset
    return index // 12, index % 12 + 1


def _pick(candidates: list[date], today: date, tense: str | None, modifier: str | None = None) -> date | None:
    """Among dates the text could mean, the one its tense points to (nearest when it says nothing)."""
    if modifier == "next":
        after = [c for c in candidates if c > today]
        return min(after) if after else None
    if modifier == "last":
        before = [c for c in candidates if c < today]
        return max(before) if before else None
    if tense == PAST:
        before = [c for c in candidates if c <= today]
        return max(before) if before else None
    if tense == FUTURE:
        after = [c for c in candidates if c >= today]
        return min(after) if after else None
    return min(candidates, key=lambda c: (abs((c - today).days), c > today)) if candidates else None


def resolve(
    expr: TimeExpr, today: date, tense: str | None = None, event_day: date | None = None
) -> Resolved | None:
    """Tie an expression to the calendar, from the publication day and the tense around it.

    `event_day` anchors expressions counted from the reported event ("la veille"); without it they
    count from `today`. None when the expression names no valid date.
    """
    try:
        if expr.kind == DATE:
            return _resolve_date(expr, today, tense)
        if expr.kind == WEEKDAY:
            return _resolve_weekday(expr, today, tense)
        if expr.kind == RELATIVE:
            return _resolve_offset(expr.unit, expr.offset, today)
        if expr.kind == DURATION:
            return _resolve_offset(expr.unit, expr.offset, today, duration=True)
        if expr.kind == SEASON:
            return _resolve_season(expr, today, tense)
        if expr.kind == EVENT_RELATIVE:
            base = event_day or today
            day = base + timedelta(days=expr.offset)
            if expr.weekday is not None and day.weekday() != expr.weekday:
                step = -1 if expr.offset < 0 else 1
                day = base + timedelta(days=step)
                while day.weekday() != expr.weekday:
                    day += timedelta(days=step)
            return _day(day)
    except ValueError:  # 31 February and the like
        return None
    return None


def _resolve_date(expr: TimeExpr, today: date, tense: str | None) -> Resolved | None:
    if expr.day is not None:
        if expr.year is not None:
            return _day(date(expr.year, expr.month, expr.day))
        candidates = []
        for year in (today.year - 1, today.year, today.year + 1):
            try:
                candidates.append(date(year, expr.month, expr.day))
            except ValueError:
                continue
        if expr.weekday is not None:
            matching = [c for c in candidates if c.weekday() == expr.weekday]
            candidates = matching or candidates
        chosen = _pick(candidates, today, tense, expr.modifier)
        return _day(chosen) if chosen else None
    if expr.month is not None:
        if expr.year is not None:
            return _month_period(expr.year, expr.month)
        this_month = date(today.year, today.month, 1)
        candidates = [date(y, expr.month, 1) for y in (today.year - 1, today.year, today.year + 1)]
        if expr.role == "past":
            tense = PAST
        chosen = _pick(candidates, this_month, tense, expr.modifier)
        return _month_period(chosen.year, chosen.month) if chosen else None
    return _year_period(expr.year) if expr.year is not None else None


def _resolve_weekday(expr: TimeExpr, today: date, tense: str | None) -> Resolved | None:
    ahead = (expr.weekday - today.weekday()) % 7
    candidates = [today + timedelta(days=ahead - 7), today + timedelta(days=ahead)]
    if ahead == 0:
        candidates.append(today + timedelta(days=7))
    modifier = expr.modifier if expr.modifier in ("next", "last") else None
    default = FUTURE if expr.modifier == "span" else PAST  # a bare weekday in news is mostly past ("said Monday")
    chosen = _pick(candidates, today, tense or default, modifier)
    return _day(chosen) if chosen else None


def _resolve_offset(unit: str, offset: int, today: date, duration: bool = False) -> Resolved | None:
    if unit == "day":
        return _day(today + timedelta(days=offset))
    if unit == "week":
        start = today + timedelta(days=7 * offset)
        if not duration:  # "next week": the calendar week, at month precision when it has one month
            start -= timedelta(days=start.weekday())
            end = start + timedelta(days=6)
            if (start.year, start.month) != (end.year, end.month):
                return None
        return _month_period(start.year, start.month)
    if unit == "month":
        return _month_period(*_shift_month(today.year, today.month, offset))
    if unit == "year":
        return _year_period(today.year + offset)
    if unit == "year_end":  # "by the end of the year": its last month, the precision the text gives
        return _month_period(today.year + offset, 12)
    return None


def _resolve_season(expr: TimeExpr, today: date, tense: str | None) -> Resolved | None:
    start_month = expr.month

    def period(year: int) -> tuple[date, date]:
        first = date(year, start_month, 1)
        end_year, end_month = _shift_month(year, start_month, 2)
        return first, _month_end(end_year, end_month)

    if expr.year is not None:
        year = expr.year
    else:
        years = [today.year - 1, today.year, today.year + 1]
        if expr.modifier == "next":
            year = min(y for y in years if period(y)[0] > today)
        elif expr.modifier == "last" or tense == PAST:
            year = max(y for y in years if period(y)[0] <= today)
        else:  # the season under way, else the next one
            year = min(y for y in years if period(y)[1] >= today)
    first, last = period(year)
    return Resolved(f"{year:04d}", first, last, YEAR)


def is_upcoming(expr: TimeExpr, resolved: Resolved, today: date, tense: str | None) -> bool:
    """Whether a resolved expression lies after the publication day, as the article sees it.

    A period that has begun (this month, today) counts only when the text looks ahead within it:
    "later this month", "d'ici fin 2026", or a day announced in the future tense. A year in course
    counts only with such a forward phrase, never from tense alone ("en 2026, nous devons…").
    """
    if resolved.first > today:
        return True
    if resolved.last < today:
        return False
    if expr.forward or expr.role in (DEADLINE, END):
        return True
    return tense == FUTURE and resolved.precision != YEAR and expr.kind != SEASON
