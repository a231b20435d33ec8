"""Upcoming dates as an iCalendar file (RFC 5545, written with the icalendar library).

Each date becomes an all-day event at the precision the article gives: a day is that day; a month
or a year covers the whole month or year, because the text does not say which day — and says so in
the event's title and in `X-BRIEFBOT-PRECISION`, so nobody plans on the first of the month. An
event's UID is made of its story and of what identifies a date in the story view (day and place),
so a subscribed calendar updates an event in place when its wording or sources change.

The description gives the date's line as `/dates` shows it, in French and in English, the story's
headline in each, and the source links; the event text itself is the article's, marked with its
language (we do not translate feed text).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime

from icalendar import Calendar, Event

from briefings.brief import DateEntry, parse_partial_date
from briefings.models import KeyDate, Story
from briefings.render.context import _Wording
from briefings.render.formatting import format_partial_date, place_name
from briefings.render.i18n import LOCALES, translations

PRODID = "-//briefbot//upcoming dates//EN"
PRECISION_PROPERTY = "X-BRIEFBOT-PRECISION"


@dataclass(frozen=True)
class CalendarDate:
    """An upcoming date with the story it comes from (for its headline, sources and UID)."""

    story: Story
    date: KeyDate
    sources: int


def period(iso: str) -> tuple[date, date, str]:
    """The all-day span an ISO date covers, end exclusive as iCalendar wants, and its precision."""
    parsed = parse_partial_date(iso)
    if parsed is None:
        raise ValueError(f"not a calendar date: {iso!r}")
    start = parsed.value
    if parsed.precision == "day":
        return start, date.fromordinal(start.toordinal() + 1), "day"
    if parsed.precision == "month":
        end = date(start.year + 1, 1, 1) if start.month == 12 else date(start.year, start.month + 1, 1)
        return start, end, "month"
    return start, date(start.year + 1, 1, 1), "year"


def calendar_ics(dates: list[CalendarDate], locale: str, *, name: str, now: datetime) -> bytes:
    """The dates as an .ics calendar named `name`, titles in `locale`, descriptions in both languages."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    seen: set[str] = set()
    for item in dates:
        event = _event(item, locale, now)
        uid, n = str(event["uid"]), 1
        while uid in seen:  # two events on one day and place in one story: UIDs must still differ
            n += 1
            uid = f"{n}-{event['uid']}"
        seen.add(uid)
        event["uid"] = uid
        calendar.add_component(event)
    return calendar.to_ical()


def _event(item: CalendarDate, locale: str, now: datetime) -> Event:
    d = item.date
    start, end, precision = period(d.date)
    t = translations(locale)
    what = " ".join((d.event or "").split()) or _headline(item.story, locale)
    when = format_partial_date(d.date, locale)
    if precision == "month":
        summary = t.gettext("%(event)s (%(when)s, day not known yet)") % {"event": what, "when": when}
    elif precision == "year":
        summary = t.gettext("%(event)s (%(when)s, month not known yet)") % {"event": what, "when": when}
    else:
        summary = what
    event = Event()
    event.add("uid", _uid(item))
    event.add("dtstamp", now)
    event.add("dtstart", start)
    event.add("dtend", end)
    language = d.language if d.event else locale
    mixed = precision != "day" and language != locale  # the article's words and our mark: no one language
    event.add("summary", summary, parameters=None if mixed else {"LANGUAGE": language})
    event.add(PRECISION_PROPERTY, precision)
    event.add("transp", "TRANSPARENT")  # a date in the news does not make the reader busy
    if d.place:
        event.add("location", place_name(d.place, locale))
    urls = list(dict.fromkeys(e.url for e in d.evidence))
    if urls:
        event.add("url", urls[0])
    event.add("description", _description(item, urls, locale))
    return event


def _description(item: CalendarDate, urls: list[str], locale: str) -> str:
    """In each language, the calendar's first: the line `/dates` shows and the story's headline;
    then the sources."""
    parts = []
    for language in sorted(LOCALES, key=lambda lang: lang != locale):
        line = _Wording(language).key_date(DateEntry(item.date, item.sources)).plain
        parts.append(f"{line}\n{_headline(item.story, language)}")
    if urls:
        parts.append("\n".join([translations(locale).gettext("Sources"), *urls]))
    return "\n\n".join(parts)


def _headline(story: Story, locale: str) -> str:
    if story.title.get(locale):
        return " ".join(story.title[locale].split())
    return next((" ".join(t.split()) for t in story.title.values() if t), story.id)


def _uid(item: CalendarDate) -> str:
    identity = f"{item.story.id}|{item.date.date}|{item.date.place or ''}"
    return f"{hashlib.sha256(identity.encode('utf-8')).hexdigest()[:24]}@briefbot"
