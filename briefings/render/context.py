"""The template context: a Brief turned into localised lines, ready for any output format.

Every word, figure and date is formatted here, once, for a locale. What is left to a format
(terminal text, Markdown, and later Slack or Discord) is markup only: how to show a link, how to
mark free text that is in another language than the brief, how to escape. So a line is a sequence of
segments carrying those hints rather than a finished string.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

from babel.lists import format_list
from babel.support import Translations

from briefings.brief import Brief, DateEntry, MissionEntry, PledgeEntry, StoryBrief
from briefings.models import KeyDate, Mission, Pledge
from briefings.render.formatting import (
    actors_name,
    date_precision,
    format_money,
    format_number,
    format_partial_date,
    join_elided,
    opens_condition,
    place_name,
    qualifier_text,
)
from briefings.render.i18n import translations
from briefings.render.lexicon import gist, names_event, readable_part, translate

_PLACEHOLDER = re.compile(r"%\((\w+)\)s")
_SAFE_SCHEMES = ("http://", "https://")
COMPOSED = ("item", "event")  # the free text the lexicon may compose: noun phrases, not clauses
_YEAR_RANGE = re.compile(r"((?:19|20)\d{2})\s*[-–/]\s*((?:19|20)\d{2})")
MAX_SOURCES = 8  # article links listed per story; the rest are counted


@dataclass(frozen=True)
class Segment:
    """A run of text. `foreign` names its language when it is free text in another language than
    the brief (formats add a marker such as "(en)"); `url` makes it a link (http(s) only)."""

    text: str
    foreign: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Line:
    """One localised line of a brief, as segments."""

    segments: tuple[Segment, ...]

    @property
    def plain(self) -> str:
        """The line as plain text, foreign text followed by its language in parentheses."""
        out = []
        for s in self.segments:
            text = f"{s.text} ({s.foreign})" if s.foreign else s.text
            out.append(f"{text} <{s.url}>" if s.url else text)
        return "".join(out)

    def __str__(self) -> str:
        return self.plain


Part = str | Segment | Line | None
Fact = Pledge | Mission | KeyDate


def _clean(text: str) -> str:
    """Feed text on one line: whitespace runs (newlines included) become one space."""
    return " ".join(text.split())


def free_text(text: str, language: str | None, locale: str) -> Segment:
    """Text quoted from an article, marked when its language is not the brief's."""
    return Segment(_clean(text), foreign=language if language and language != locale else None)


def link(text: str, url: str | None, language: str | None, locale: str) -> Segment:
    """A link segment; a URL that is not http(s) is dropped, keeping the text."""
    safe = url if url and url.lower().startswith(_SAFE_SCHEMES) else None
    return Segment(_clean(text), foreign=free_text(text, language, locale).foreign, url=safe)


def compose(pattern: str, **parts: Part) -> Line:
    """Fill a translated pattern ("%(label)s : %(text)s") with parts, keeping each part's segments.

    Translators own word order and punctuation; parts keep their links and language marks.
    """
    segments: list[Segment] = []
    position = 0
    for match in _PLACEHOLDER.finditer(pattern):
        segments.append(Segment(pattern[position : match.start()]))
        segments.extend(_segments(parts[match.group(1)]))
        position = match.end()
    segments.append(Segment(pattern[position:]))
    return Line(tuple(_merge(segments)))


def concat(*parts: Part) -> Line:
    """Parts side by side, as one line."""
    return Line(tuple(_merge([s for part in parts for s in _segments(part)])))


def _segments(part: Part) -> list[Segment]:
    if part is None:
        return []
    if isinstance(part, Line):
        return list(part.segments)
    if isinstance(part, Segment):
        return [part]
    return [Segment(part)]


def _is_plain(segment: Segment) -> bool:
    return segment.foreign is None and segment.url is None


def _merge(segments: list[Segment]) -> list[Segment]:
    """Drop empty runs and join neighbouring plain runs, so formats see few, meaningful segments."""
    merged: list[Segment] = []
    for s in segments:
        if not s.text:
            continue
        if merged and _is_plain(s) and _is_plain(merged[-1]):
            merged[-1] = Segment(merged[-1].text + s.text)
        else:
            merged.append(s)
    return merged


class _Wording:
    """The locale's gettext catalog plus the rules that combine formatted values into lines."""

    def __init__(self, locale: str) -> None:
        self.locale = locale
        self.t: Translations = translations(locale)

    def day(self, moment: datetime) -> str:
        return format_partial_date(moment.date().isoformat(), self.locale)

    def sources(self, count: int) -> str | None:
        if count == 0:
            return None
        return self.t.ngettext("%(num)d source", "%(num)d sources", count) % {"num": count}

    def with_sources(self, line: Line, count: int) -> Line:
        label = self.sources(count)
        return compose(self.t.gettext("%(text)s · %(sources)s"), text=line, sources=label) if label else line

    def labelled(self, label: Part, text: Part) -> Line:
        return compose(self.t.gettext("%(label)s: %(text)s"), label=label, text=text)

    def words(self, fact: Fact, name: str) -> tuple[str | None, str]:
        """`_words`, on one line: an article's line break inside the words would end a brief's bullet."""
        text, language = self._words(fact, name)
        return (_clean(text) if text else text), language

    def _words(self, fact: Fact, name: str) -> tuple[str | None, str]:
        """A fact's free text (`name`: "item", "condition", "purpose", "event") for this brief, with
        the language it is in, so `free_text` marks only what is left in another language.

        First a source's own words in the brief's language, up to where the lexicon's phrase ends.
        Items and events are noun phrases the lexicon may compose from another language's words;
        when it can and cannot read the own words ("held in Ankara" beside "prochain sommet de
        l'OTAN"), the composed words say the fact more plainly and win. Then own words as they
        stand, unless they are a verb read as an event. Then what the lexicon finds in a fragment
        (`gist`: "munitions" in "the purchase of ammunition", "livraison" for "fournir et
        livrer"). Conditions and purposes are clauses: never composed. Last, the words of the
        source the fact was read from, as they stand."""
        own = fact.wordings.get(self.locale, {}).get(name)
        primary = getattr(fact, name)
        if name not in COMPOSED:
            return (own, self.locale) if own else (primary, fact.language)
        if own and (readable := readable_part(own, self.locale)) is not None:
            return readable, self.locale
        others = [(lang, words[name]) for lang, words in fact.wordings.items()
                  if lang != self.locale and words.get(name)]
        if primary and fact.language != self.locale:
            others.append((fact.language, primary))
        for language, text in others:
            composed = translate(text, language, self.locale)
            if composed is not None:
                return composed, self.locale
        # Words running past the fact ("send 12 Challenger 2 tanks to Ukraine", "revealed"): what the
        # lexicon finds in them is shorter and reads better than the fragment. An own phrase it merely
        # does not know ("grande réunion des donateurs") stays; an own event that is a verb is a fragment.
        event = name == "event"
        if own and not (event and names_event(own, self.locale)):
            return own, self.locale
        for language, text in ([(self.locale, own)] if own else []) + others:
            found = gist(text, language, self.locale, event=event)
            if found is not None:
                return found, self.locale
        if own:
            return own, self.locale
        return primary, fact.language

    # -- pledges -------------------------------------------------------------------------------

    def amount(self, pledge: Pledge) -> str | None:
        """The priced part: "plus de 35 milliards de dollars (…converted…) sur 2024-2027"."""
        if pledge.amount is None or not pledge.currency:
            return None
        loc = self.locale
        money = format_money(pledge.amount, pledge.currency, loc, pledge.qualifier)
        extras = [format_money(a, c, loc) for a, c in pledge.converted]
        if extras:
            money += f" ({', '.join(extras)})"
        if pledge.period:
            years = _YEAR_RANGE.search(pledge.period)
            if years:  # "for 2027-2030" / "sur 2027-2030": the years say it in any language
                span = f"{years.group(1)}-{years.group(2)}"
                money = self.t.gettext("%(amount)s over %(period)s") % {"amount": money, "period": span}
            elif pledge.language == loc:  # "sur quatre ans" already carries its preposition
                money = f"{money} {_clean(pledge.period)}"
            # A worded period in the other language is left out rather than half-translating the line.
        return money

    def figure(self, pledge: Pledge) -> Line:
        """What is pledged: the amount, the counted items, or the named items alone."""
        loc = self.locale
        money = self.amount(pledge)
        item, language = self.words(pledge, "item")
        if money is not None:
            # Words the brief's language cannot say are left out: the amount is the pledge.
            if item and language == loc:
                return concat(money, " — ", item)
            return concat(money)
        if pledge.quantity is not None:
            # The number joins the item so "5 PAC-3 interceptors" reads as one quoted phrase.
            counted = f"{format_number(pledge.quantity, loc)} {item or ''}"
            qualifier = f"{qualifier_text(pledge.qualifier, loc)} " if pledge.qualifier else None
            return concat(qualifier, free_text(counted, language, loc))
        return concat(free_text(item or "", language, loc))

    def condition(self, pledge: Pledge) -> Line | None:
        """ ", à condition que …" — in the brief's words when the article's language matches."""
        condition, language = self.words(pledge, "condition")
        if not condition:
            return None
        text = _clean(condition)
        if opens_condition(text):
            return concat(", ", free_text(text, language, self.locale))
        if language == self.locale:
            conjunction = self.t.gettext("provided that")
            joined = join_elided(conjunction, text) if self.locale == "fr" else f"{conjunction} {text}"
            return concat(", ", joined)
        return compose(
            self.t.gettext(" (condition: %(condition)s)"),
            condition=free_text(text, language, self.locale),
        )

    def who(self, pledge: Pledge) -> str:
        """ "Royaume-Uni → Ukraine"; an unknown side is left out but the arrow keeps the direction."""
        donor = actors_name(pledge.donor, self.locale) if pledge.donor else ""
        recipient = actors_name(pledge.recipient, self.locale) if pledge.recipient else ""
        if donor and recipient:
            return f"{donor} → {recipient}"
        return donor or (f"→ {recipient}" if recipient else "")

    def marked(self, line: Line, status: str | None) -> Line:
        """ "[new] …" or "[updated] …" in a channel's brief: what the channel had not been told."""
        if status == "new":
            return compose(self.t.gettext("[new] %(text)s"), text=line)
        if status == "changed":
            return compose(self.t.gettext("[updated] %(text)s"), text=line)
        return line

    def pledge_line(self, p: Pledge) -> Line:
        """ "Royaume-Uni → Ukraine : 500 millions de livres sterling — missiles", without sources."""
        who = self.who(p)
        what = concat(self.figure(p), self.condition(p))
        return self.labelled(who, what) if who else what

    def pledge(self, entry: PledgeEntry) -> dict[str, Line | None]:
        p = entry.pledge
        line = self.marked(self.pledge_line(p), entry.status)
        conflict = None
        if entry.conflicting:
            versions = [(p, entry.sources), *entry.conflicting]
            figures: list[Part] = []
            for i, (version, count) in enumerate(versions):
                figure = self.amount(version) or self.figure(version)
                figures += [" / " if i else None, figure, f" ({self.sources(count)})" if count else None]
            conflict = compose(self.t.gettext("⚠ figures differ: %(figures)s"), figures=concat(*figures))
        return {"line": self.with_sources(line, entry.sources), "conflict": conflict}

    # -- missions, dates, sources --------------------------------------------------------------

    def mission(self, entry: MissionEntry) -> Line:
        return self.with_sources(self.marked(self.mission_line(entry.mission), entry.status), entry.sources)

    def mission_line(self, m: Mission) -> Line:
        """ "Arctic Sentry (OTAN), lancée le 11 février 2026 : …", without sources."""
        names = [m.name, *[a for a in m.aliases if a != m.name][:1]]
        head: Line = concat(" / ".join(_clean(n) for n in names))
        if m.organisation:
            head = concat(head, f" ({actors_name(m.organisation, self.locale)})")
        if m.launched:
            pattern = (
                self.t.gettext("%(mission)s, launched on %(date)s")
                if date_precision(m.launched) == "day"
                else self.t.gettext("%(mission)s, launched in %(date)s")
            )
            head = compose(pattern, mission=head, date=format_partial_date(m.launched, self.locale))
        purpose, language = self.words(m, "purpose")
        return self.labelled(head, free_text(purpose, language, self.locale)) if purpose else head

    def key_date(self, entry: DateEntry) -> Line:
        return self.with_sources(self.marked(self.date_line(entry.date), entry.status), entry.sources)

    def date_line(self, d: KeyDate) -> Line:
        """ "juillet 2026 — prochain sommet de l'OTAN, Ankara", without sources."""
        parts: list[Part] = [format_partial_date(d.date, self.locale)]
        event, language = self.words(d, "event")
        if event:
            parts += [" — ", free_text(event, language, self.locale)]
        if d.place:
            parts += [", " if event else " — ", place_name(d.place, self.locale)]
        return concat(*parts)

    def headline(self, story: StoryBrief) -> Line:
        if self.locale in story.titles:
            title = concat(_clean(story.titles[self.locale]))
        else:
            title = next((concat(free_text(t, lang, self.locale)) for lang, t in story.titles.items()),
                         concat(self.t.gettext("Untitled story")))
        if story.status == "changed":  # told before: this brief says what changed
            return compose(self.t.gettext("%(title)s (update)"), title=title)
        return title

    def tags(self, story: StoryBrief, followed: dict[str, str]) -> str | None:
        """The channel's topics this story belongs to, by name ("Aid to Ukraine, NATO"), when the
        channel follows more than one."""
        names = [followed[slug] for slug in story.topics if slug in followed]
        return format_list(names, locale=self.locale) if len(followed) > 1 and names else None

    def intro(self, brief: Brief) -> str | None:
        """A channel's first brief says what the channel will receive from now on."""
        if not brief.first:
            return None
        names = [t.names.get(self.locale, t.slug) for t in brief.followed]
        return self.t.gettext("First brief in this channel: from now on it receives what is new or changed about "
                              "%(topics)s. Where things stand:") % {"topics": format_list(names, locale=self.locale)}

    def page(self, story: StoryBrief, pages: str | None) -> Line | None:
        """A link to the story's web page, in the brief's language, when the pages have a public URL."""
        if not pages:
            return None
        url = f"{pages}/story/{quote(story.story_id, safe='')}?lang={self.locale}"
        return concat(link(self.t.gettext("Full story and sources"), url, None, self.locale))

    def story(self, story: StoryBrief, followed: dict[str, str] | None = None,
              pages: str | None = None) -> dict[str, Any]:
        articles = self.t.ngettext("%(num)d article", "%(num)d articles", len(story.sources)) % {
            "num": len(story.sources)
        }
        day = self.day(story.published) if story.published else None
        meta = " · ".join(p for p in (day, articles, self.tags(story, followed or {})) if p)
        return {
            "id": story.story_id,
            "headline": self.headline(story),
            "meta": meta,
            "pledges": [self.pledge(e) for e in story.pledges],
            "missions": [self.mission(e) for e in story.missions],
            "dates": [self.key_date(e) for e in story.dates],
            "sources": self.sources_list(story),
            "page": self.page(story, pages),
        }

    def sources_list(self, story: StoryBrief) -> list[Line]:
        """The story's first articles as links; a story a hundred outlets covered lists a few and
        says how many more, or one brief would be mostly links."""
        shown = [concat(s.outlet, " — ", link(s.title, s.url, s.language, self.locale))
                 for s in story.sources[:MAX_SOURCES]]
        more = len(story.sources) - MAX_SOURCES
        if more > 0:
            shown.append(concat(self.t.ngettext("… and %(num)d more source", "… and %(num)d more sources", more)
                                % {"num": more}))
        return shown


def fact_texts(fact: Fact, locales: tuple[str, ...] = ("fr", "en")) -> dict[str, str]:
    """A fact's line as each language's brief says it, without sources or marks, for the languages
    that say all of it: a line with words left in another language is not that language's text."""
    out = {}
    for locale in locales:
        wording = _Wording(locale)
        if isinstance(fact, Pledge):
            line = wording.pledge_line(fact)
        elif isinstance(fact, Mission):
            line = wording.mission_line(fact)
        else:
            line = wording.date_line(fact)
        if not any(s.foreign for s in line.segments):
            out[locale] = line.plain
    return out


def context(brief: Brief, locale: str) -> dict[str, Any]:
    """Everything a template needs, formatted for `locale` ("fr" or "en").

    Keys: `locale`; `title` (the topic's name, or None for a one-story brief); `as_of` and `since`
    (formatted days, `since` may be None); `stories`, each with `id`, `headline` (Line), `meta`
    (date · article count), `pledges` (dicts with `line` and `conflict`, a Line or None),
    `missions`, `dates` and `sources` (lists of Line), `page` (a Line linking to the story's web
    page, or None when the brief has no `pages` URL); `intro`, a channel's first brief's opening
    sentence or None. A Line's `plain` is its plain-text form.
    """
    wording = _Wording(locale)
    topic_name = brief.topic.names.get(locale, brief.topic.slug) if brief.topic else None
    followed = {t.slug: t.names.get(locale, t.slug) for t in brief.followed}
    if topic_name is None and followed:
        topic_name = format_list(list(followed.values()), locale=locale)
    return {
        "locale": locale,
        "title": topic_name,
        "intro": wording.intro(brief),
        "as_of": wording.day(brief.as_of),
        "since": wording.day(brief.since) if brief.since else None,
        "stories": [wording.story(s, followed, brief.pages) for s in brief.stories],
    }
