"""What the slash commands do, the same on Discord and Slack: `/summary`, `/pledges`, `/ledger`,
`/missions`, `/dates`, `/topics`, `/sources` (declared in `bot.command_registry`).

This module knows no platform. A platform adapter turns its request into `Commands.run(name, args,
locale)` (run in a worker thread: loading stories is database and CPU work) and renders the `Reply`
with its own templates. Every failure becomes a reply: a bad argument lists what exists, an
unexpected error is logged and answered with one sentence, never a stack trace.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.command_registry import paths
from bot.config import Settings
from bot.wording import failed, say
from briefings.brief import Brief, Topic, build_story_brief, build_topic_brief, is_upcoming, load_topics
from briefings.extract.text import comparable
from briefings.ledger import currencies
from briefings.models import Story
from briefings.reads import StoryReads
from briefings.render import context
from briefings.render.calendar import CalendarDate, calendar_ics
from briefings.render.chart import ledger_chart
from briefings.render.context import Line, concat, link
from briefings.render.formatting import actor_name
from briefings.render.ledger import ledger_lines, total_lines

log = logging.getLogger(__name__)

LANGUAGES = ("fr", "en", "both")
MAX_LINES = 40  # a reply is one message; beyond this, "…and N more"
MAX_STORIES = 10  # newest stories in a /summary
MAX_CHOICES = 25  # Discord's autocomplete limit
_DURATION = re.compile(r"^(\d{1,4})\s*(h|d)$")
MAX_CHARTS = 3  # one chart per currency, the most pledged currencies first


@dataclass(frozen=True)
class Attachment:
    """A file sent with a reply (the ledger's chart, the dates' calendar)."""

    filename: str
    data: bytes
    mime: str


@dataclass
class Reply:
    """A platform-neutral answer: either lines under a title, or a brief rendered per locale."""

    title: str
    lines: list[Line | str] = field(default_factory=list)
    brief: Brief | None = None
    locales: tuple[str, ...] = ("en",)
    ok: bool = True
    files: list[Attachment] = field(default_factory=list)


class ArgumentError(ValueError):
    """A user's argument is wrong; the reply explains and lists what exists."""

    def __init__(self, reply: Reply):
        super().__init__(reply.title)
        self.reply = reply


class Commands:
    """The commands over the stored story views. `reads` answers bounded look-ups, `now` is the clock."""

    def __init__(self, settings: Settings, reads: StoryReads,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.settings = settings
        self.topics: dict[str, Topic] = load_topics(settings.topics)
        self.reads = reads
        self._now = now

    def run(self, name: str, args: Mapping[str, str | None], locale: str = "en") -> Reply:
        """Answer the command at `name`, its path in `bot.command_registry` ("summary"); never raises."""
        handlers: dict[str, Callable[..., Reply]] = {
            "summary": self.summary, "pledges": self.pledges, "missions": self.missions,
            "dates": self.dates, "topics": self.list_topics, "sources": self.sources, "ledger": self.ledger,
        }
        handler = handlers.get(name.lstrip("/"))
        if handler is None:
            return self._unknown(name, locale)
        try:
            return handler(locale=locale, **{k: v for k, v in args.items() if v not in (None, "")})
        except ArgumentError as exc:
            return exc.reply
        except TypeError as exc:  # an argument the command does not take
            log.info("command /%s: bad arguments %r: %s", name, dict(args), exc)
            return self._unknown(name, locale)
        except Exception:
            log.exception("command /%s %r failed", name, dict(args))
            return Reply(failed(locale), ok=False, locales=(locale,))

    def _unknown(self, name: str, locale: str) -> Reply:
        names = ", ".join(f"/{path}" for path in paths())
        return Reply(say(locale, "Unknown command “{name}”. Commands: {names}", name=name, names=names),
                     ok=False, locales=(locale,))

    # --- commands ---------------------------------------------------------------------------------

    def list_topics(self, *, locale: str) -> Reply:
        lines: list[Line | str] = [say(locale, "{slug} — {name}", slug=slug, name=topic.names.get(locale, slug))
                                   for slug, topic in self.topics.items()]
        return Reply(say(locale, "Topics"), lines, locales=(locale,))

    def summary(self, *, locale: str, topic: str | None = None, lang: str | None = None,
                since: str | None = None) -> Reply:
        """The topic's newest stories (those with an article since `since`: "24h", "7d" or a date)."""
        chosen = self._topic(topic, locale)
        if lang is not None and lang.lower() not in LANGUAGES:
            title = say(locale, "Unknown language “{lang}”: use fr, en or both.", lang=lang)
            raise ArgumentError(Reply(title, ok=False, locales=(locale,)))
        lang = (lang or locale).lower()
        locales = ("fr", "en") if lang == "both" else (lang,)
        now = self._now()
        start = self._since(since, now, locale) if since else None
        stories = self.reads.recent(chosen.slug, since=start, limit=MAX_STORIES)
        brief = build_topic_brief(chosen, stories, as_of=now, since=start)
        brief.pages = self.settings.public_url
        return Reply(chosen.names.get(locales[0], chosen.slug), brief=brief, locales=locales)

    def pledges(self, *, locale: str, donor: str | None = None, recipient: str | None = None) -> Reply:
        donor_code = self._actor(donor, locale) if donor else None
        recipient_code = self._actor(recipient, locale) if recipient else None
        stories = self.reads.with_pledges(donor=donor_code, recipient=recipient_code, limit=MAX_LINES + 1)
        lines: list[Line | str] = []
        for story, ctx in self._contexts(stories, locale, "pledges"):
            for entry, rendered in zip(story.pledges, ctx["pledges"], strict=True):
                pledge = entry.pledge
                if donor_code and donor_code not in (pledge.donor or "").split("+"):
                    continue
                if recipient_code and recipient_code not in (pledge.recipient or "").split("+"):
                    continue
                lines.append(rendered["line"])
                if rendered["conflict"] is not None:
                    lines.append(rendered["conflict"])
        filters = " → ".join(actor_name(c, locale) if c else "…" for c in (donor_code, recipient_code))
        title = say(locale, "Pledges ({filters})", filters=filters) if donor or recipient else say(
            locale, "Pledges")
        return self._listing(title, lines, say(locale, "No pledge found."), locale)

    def missions(self, *, locale: str) -> Reply:
        stories = self.reads.with_missions(limit=MAX_LINES + 1)
        lines: list[Line | str] = [m for _, ctx in self._contexts(stories, locale, "missions")
                                   for m in ctx["missions"]]
        return self._listing(say(locale, "Missions"), lines, say(locale, "No mission found."), locale)

    def dates(self, *, locale: str, topic: str | None = None) -> Reply:
        """Upcoming dates only, soonest first, across stories (of one topic, when given), with the
        same dates attached as an .ics calendar."""
        chosen = self._topic(topic, locale) if topic else None
        upcoming = self._upcoming(chosen, locale)
        title = say(locale, "Upcoming dates — {topic}", topic=chosen.names.get(locale, chosen.slug)) if chosen else say(
            locale, "Upcoming dates")
        reply = self._listing(title, [line for line, _ in upcoming], say(locale, "No upcoming date."), locale)
        if upcoming:  # a file has no message's length limit: it holds the dates past "…and N more" too
            reply.files = [self._calendar(chosen, [item for _, item in upcoming], locale)]
        return reply

    def calendar(self, topic: str, locale: str) -> Attachment:
        """A topic's upcoming dates as an .ics file, for `bot web`'s subscription URL."""
        chosen = self._topic(topic, locale)
        return self._calendar(chosen, [item for _, item in self._upcoming(chosen, locale)], locale)

    def _upcoming(self, topic: Topic | None, locale: str) -> list[tuple[Line | str, CalendarDate]]:
        """Each upcoming date's `/dates` line and calendar entry, soonest first, from a bounded read
        (the stories holding the soonest dates)."""
        now = self._now()
        stories = self.reads.with_dates(now, limit=(MAX_LINES + 1) * (4 if topic else 1))
        if topic is not None:
            stories = [s for s in stories if topic.slug in s.topics][:MAX_LINES + 1]
        found = []
        for story, ctx in self._contexts(stories, locale, "dates"):
            for entry, line in zip(story.dates, ctx["dates"], strict=True):
                if is_upcoming(entry.date.date, now):
                    original = next(s for s in stories if s.id == story.story_id)
                    found.append((entry.date.date, line, CalendarDate(original, entry.date, entry.sources)))
        found.sort(key=lambda triple: triple[0])
        return [(line, item) for _, line, item in found]

    def _calendar(self, topic: Topic | None, items: list[CalendarDate], locale: str) -> Attachment:
        name = say(locale, "Upcoming dates — {topic}", topic=topic.names.get(locale, topic.slug)) if topic else say(
            locale, "Upcoming dates")
        data = calendar_ics(items, locale, name=name, now=self._now())
        return Attachment(f"{topic.slug if topic else 'dates'}.ics", data, "text/calendar")

    def ledger(self, *, locale: str, donor: str | None = None, recipient: str | None = None,
               since: str | None = None) -> Reply:
        """Pledges over time with totals per currency, and a chart per currency attached."""
        donor_code = self._actor(donor, locale) if donor else None
        recipient_code = self._actor(recipient, locale) if recipient else None
        start = self._since(since, self._now(), locale).date() if since else None
        entries, bounded = self.reads.ledger(donor=donor_code, recipient=recipient_code, since=start)
        filters = " → ".join(actor_name(c, locale) if c else "…" for c in (donor_code, recipient_code))
        title = say(locale, "Pledge ledger ({filters})", filters=filters) if donor or recipient else say(
            locale, "Pledge ledger")
        if not entries:
            return Reply(title, [say(locale, "No pledge found.")], locales=(locale,))
        sums: list[Line | str] = list(total_lines(entries, locale))
        groups = ledger_lines(entries, locale)
        shown: list[Line | str] = []
        listed = 0
        for group in reversed(groups):  # the newest pledges are listed; the totals count them all
            if len(sums) + len(shown) + len(group) + 1 > MAX_LINES:
                break
            shown[:0] = group
            listed += 1
        if listed < len(groups):
            sums.append(say(locale, "…{count} earlier pledges are counted in the totals but not listed.",
                            count=len(groups) - listed))
        if bounded and not (donor_code or recipient_code):  # a bounded read: say so
            sums.append(say(locale, "Totals over the {count} newest stories with pledges; name a donor for its "
                                    "whole ledger.", count=bounded))
        files = [Attachment(f"ledger-{currency}.png", ledger_chart(entries, currency, locale), "image/png")
                 for currency in currencies(entries)[:MAX_CHARTS]]
        return Reply(title, [*sums, *shown], locales=(locale,), files=files)

    def sources(self, *, locale: str, query: str | None = None) -> Reply:
        if not query:
            title = say(locale, "Say what to look for: a story id, or words from a headline or a fact.")
            raise ArgumentError(Reply(title, ok=False, locales=(locale,)))
        wanted = comparable(query).strip()
        lines: list[Line | str] = []
        for story in self.reads.matching(query, limit=MAX_STORIES):
            story_match = story.id == query.strip() or any(wanted in comparable(t) for t in story.title.values())
            facts = [*story.pledges, *story.missions, *story.dates]
            fact_hits = [f for f in facts if wanted in comparable(_fact_text(f))]
            if not story_match and not fact_hits and not any(wanted in comparable(a.title) for a in story.articles):
                continue
            title = next(iter(story.title.values()), story.id)
            lines.append(concat(title))
            for article in story.articles:
                lines.append(concat("  ", article.feed or "", " — ", link(article.title, article.url,
                                                                         article.language, locale)))
            for fact in fact_hits:
                for evidence in fact.evidence:
                    lines.append(say(locale, "“{sentence}” — {url}", sentence=" ".join(evidence.sentence.split()),
                                     url=evidence.url))
        return self._listing(say(locale, "Sources for “{query}”", query=query), lines,
                             say(locale, "Nothing matches “{query}”.", query=query), locale)

    # --- autocomplete ------------------------------------------------------------------------------

    def suggest(self, source: str, current: str, locale: str) -> list[tuple[str, str]]:
        """(label, value) pairs for an option's `autocomplete` source in the command registry."""
        sources = {"topics": self.topic_choices, "actors": self.donor_choices}
        return sources[source](current, locale)

    def topic_choices(self, current: str, locale: str) -> list[tuple[str, str]]:
        """(label, slug) of topics whose slug or name contains what was typed."""
        typed = comparable(current)
        out = [(f"{t.names.get(locale, slug)} ({slug})", slug) for slug, t in self.topics.items()
               if typed in comparable(slug) or typed in comparable(t.names.get(locale, slug))]
        return out[:MAX_CHOICES]

    def donor_choices(self, current: str, locale: str) -> list[tuple[str, str]]:
        """(name, code) of donors in the stories whose code or name contains what was typed."""
        typed = comparable(current)
        codes = sorted(self.reads.actors("donor"))
        out = [(actor_name(c, locale), c) for c in codes]
        return [pair for pair in out if typed in comparable(pair[0]) or typed in comparable(pair[1])][:MAX_CHOICES]

    # --- helpers ------------------------------------------------------------------------------------

    def _topic(self, slug: str | None, locale: str) -> Topic:
        if slug and slug.lower() in self.topics:
            return self.topics[slug.lower()]
        known = ", ".join(self.topics)
        title = say(locale, "Unknown topic “{topic}”.", topic=slug) if slug else say(
            locale, "Say which topic: /summary <topic> [fr|en|both].")
        known_line = say(locale, "Known topics: {topics}", topics=known)
        raise ArgumentError(Reply(title, [known_line], ok=False, locales=(locale,)))

    def _actor(self, name: str, locale: str) -> str:
        """A donor or recipient typed as a code or a name in either language, as its code."""
        code = actor_code(name, self.reads.actors("donor") | self.reads.actors("recipient"))
        if code is not None:
            return code
        donors = ", ".join(actor_name(c, locale) for c in sorted(self.reads.actors("donor")))
        raise ArgumentError(Reply(say(locale, "No donor or recipient called “{name}” in the stories.", name=name),
                                  [say(locale, "Donors: {names}", names=donors)],
                                  ok=False, locales=(locale,)))

    @staticmethod
    def _since(value: str, now: datetime, locale: str) -> datetime:
        """ "24h", "7d" or an ISO date as the start of a window ending now."""
        text = value.strip().lower()
        match = _DURATION.match(text)
        if match:
            amount, unit = int(match.group(1)), match.group(2)
            return now - (timedelta(hours=amount) if unit == "h" else timedelta(days=amount))
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            title = say(locale, "“{since}” is not a window: use 24h, 7d or a date such as 2026-02-12.", since=value)
            raise ArgumentError(Reply(title, ok=False, locales=(locale,))) from None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)

    def _contexts(self, stories: list[Story], locale: str, section: str) -> list[tuple[Any, dict[str, Any]]]:
        """Each story's brief entry beside its localised context, newest story first; only `section`
        ("pledges", "missions" or "dates") is formatted, since the listing shows nothing else."""
        now = self._now()
        out = []
        for story in sorted(stories, key=lambda s: max((a.published for a in s.articles), default=now),
                            reverse=True):
            brief = build_story_brief(story, as_of=now)
            entry = brief.stories[0]
            for other in {"pledges", "missions", "dates", "sources"} - {section}:
                setattr(entry, other, [])
            out.append((entry, context(brief, locale)["stories"][0]))
        return out

    @staticmethod
    def _listing(title: str, lines: list[Line | str], empty: str, locale: str) -> Reply:
        """`lines` under `title`, at most MAX_LINES of them; `empty` is said when there are none."""
        if not lines:
            return Reply(title, [empty], locales=(locale,))
        if len(lines) > MAX_LINES:
            lines = [*lines[:MAX_LINES], say(locale, "…and {count} more.", count=len(lines) - MAX_LINES)]
        return Reply(title, lines, locales=(locale,))


def actor_code(name: str, known: Iterable[str]) -> str | None:
    """The code among `known` that `name` is, typed as a code or as a name in either language."""
    wanted = comparable(name).strip()
    for code in sorted(known):
        if wanted in (comparable(code), comparable(actor_name(code, "fr")), comparable(actor_name(code, "en"))):
            return code
    return None


def _fact_text(fact: Any) -> str:
    parts = [getattr(fact, attr, None) for attr in ("item", "name", "event", "purpose", "place", "donor", "recipient")]
    parts += getattr(fact, "aliases", [])
    return " ".join(p for p in parts if isinstance(p, str))
