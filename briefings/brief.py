"""Build language-neutral briefs from stories: what to show, in which order, and from which sources.

A Brief holds normalised values only (codes, numbers, ISO dates) so one Brief renders into every
locale and format. This module also decides which topics a story belongs to, since a topic brief is
"the stories matching the topic".
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from briefings.extract.text import comparable
from briefings.models import Article, KeyDate, Mission, Pledge, Story

Precision = Literal["day", "month", "year"]

_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


@dataclass(frozen=True)
class PartialDate:
    """An ISO date at the precision the text gave: day, month or year."""

    value: date  # first day of the period
    precision: Precision

    def key(self) -> tuple[int, ...]:
        """The date's components down to its precision, for comparisons at that precision."""
        parts = (self.value.year, self.value.month, self.value.day)
        return parts[: {"year": 1, "month": 2, "day": 3}[self.precision]]


def parse_partial_date(iso: str) -> PartialDate | None:
    """Parse "2026", "2026-07" or "2026-07-07"; None when the text is not such a date."""
    match = _PARTIAL_DATE.match(iso.strip())
    if not match:
        return None
    year, month, day = match.groups()
    try:
        value = date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        return None
    precision: Precision = "day" if day else "month" if month else "year"
    return PartialDate(value, precision)


def is_upcoming(iso: str, as_of: datetime) -> bool:
    """Whether a date has not passed at `as_of`, compared at the date's own precision.

    "2026-07" stays upcoming through July 2026 and "2035" through 2035: the text does not say
    which day, so the period is not over before its end. An event on the as-of day still counts.
    """
    parsed = parse_partial_date(iso)
    if parsed is None:
        return False
    today = as_of.date()
    return parsed.key() >= PartialDate(today, parsed.precision).key()


# ---------------------------------------------------------------------------------------------
# Topics


@dataclass(frozen=True)
class Topic:
    """A subject a channel can follow: display names and what identifies it in a story."""

    slug: str
    names: Mapping[str, str]  # {"fr": …, "en": …}
    keywords: Mapping[str, tuple[str, ...]]  # per language
    actors: tuple[str, ...] = ()  # country or organisation codes


def _topic_from_table(slug: str, table: Mapping[str, Any], base: Topic | None = None) -> Topic:
    """A topic from a TOML table, each given field replacing the one of `base`."""
    names = dict(base.names) if base else {}
    names.update(table.get("names", {}))
    keywords = dict(base.keywords) if base else {}
    for lang in ("fr", "en"):
        if lang in table:
            keywords[lang] = tuple(table[lang])
    actors = tuple(table["actors"]) if "actors" in table else (base.actors if base else ())
    return Topic(slug=slug, names=names or {"fr": slug, "en": slug}, keywords=keywords, actors=actors)


@cache
def _default_topics() -> dict[str, Topic]:
    text = (Path(__file__).parent / "data" / "topics.toml").read_text(encoding="utf-8")
    return {slug: _topic_from_table(slug, table) for slug, table in tomllib.loads(text).items()}


def load_topics(overrides: Mapping[str, Mapping[str, Any]] | None = None) -> dict[str, Topic]:
    """The default topics of `data/topics.toml`, with config.toml's `[topics.<slug>]` merged over them.

    A field given in the config (`fr`, `en`, `names`, `actors`) replaces that field of the default
    topic; a new slug adds a topic.
    """
    topics = dict(_default_topics())
    for slug, table in (overrides or {}).items():
        topics[slug] = _topic_from_table(slug, table, topics.get(slug))
    return topics


@cache
def _keyword_pattern(keyword: str) -> re.Pattern[str]:
    """Whole-word pattern for a keyword; a trailing `*` lets the last word take any ending."""
    wildcard = keyword.endswith("*")
    words = comparable(keyword.rstrip("*")).split()
    body = r"\s+".join(re.escape(w) for w in words)
    tail = r"\w*" if wildcard else r"(?!\w)"
    return re.compile(r"(?<!\w)" + body + tail)


def _story_text(story: Story) -> str:
    parts = [*story.title.values()]
    for article in story.articles:
        parts.extend((article.title, article.summary, article.text))
    return comparable("\n".join(parts))


def story_actors(story: Story) -> set[str]:
    """Codes of the donors, recipients and organisations in a story's facts (joint donors split)."""
    codes: set[str] = set()
    for pledge in story.pledges:
        for code in (pledge.donor, pledge.recipient):
            if code:
                codes.update(code.split("+"))
    codes.update(m.organisation for m in story.missions if m.organisation)
    return codes


def _matches(topic: Topic, actors: set[str], folded_text: str) -> bool:
    if set(topic.actors) & actors:
        return True
    return any(
        _keyword_pattern(keyword).search(folded_text) for words in topic.keywords.values() for keyword in words
    )


def matches_topic(topic: Topic, story: Story) -> bool:
    """Whether a story is about a topic: one of its actors, or one keyword in any language."""
    return _matches(topic, story_actors(story), _story_text(story))


def topics_for(story: Story, topics: Mapping[str, Topic] | None = None) -> list[str]:
    """Slugs of the topics a story matches, in the topics' order."""
    topics = load_topics() if topics is None else topics
    actors, text = story_actors(story), _story_text(story)  # computed once for all topics
    return [slug for slug, topic in topics.items() if _matches(topic, actors, text)]


# ---------------------------------------------------------------------------------------------
# Briefs


@dataclass(frozen=True)
class Source:
    """An article a story draws on, as the brief lists it."""

    outlet: str
    title: str
    url: str
    language: str
    published: datetime


@dataclass
class PledgeEntry:
    """A pledge as briefed: its figures, how many articles state it, and differing figures if any."""

    pledge: Pledge
    sources: int
    conflicting: list[tuple[Pledge, int]] = field(default_factory=list)  # other figures, with sources
    status: str | None = None  # for a channel's brief: "new" or "changed" since it was last told


@dataclass
class MissionEntry:
    mission: Mission
    sources: int
    status: str | None = None


@dataclass
class DateEntry:
    date: KeyDate
    sources: int
    status: str | None = None


@dataclass
class StoryBrief:
    """One story in a brief: headline in each language available, facts to show, sources."""

    story_id: str
    titles: dict[str, str]  # {"en": …, "fr": …}; at least one entry when the story has articles
    published: datetime | None  # the newest article
    pledges: list[PledgeEntry]
    missions: list[MissionEntry]
    dates: list[DateEntry]  # upcoming at the brief's as-of time, soonest first
    sources: list[Source]
    topics: list[str] = field(default_factory=list)
    status: str | None = None  # for a channel's brief: "new" story, or "changed" (told before)


@dataclass
class Brief:
    """What a brief says, before any language or format is chosen."""

    as_of: datetime
    stories: list[StoryBrief]
    topic: Topic | None = None
    since: datetime | None = None
    first: bool = False  # a channel's first brief: it says what the channel will receive
    followed: list[Topic] = field(default_factory=list)  # a channel's topics, shown as tags
    pages: str | None = None  # base URL of `bot web`'s pages: each story then links to its page


def _source_count(evidence: Iterable[Any]) -> int:
    """How many distinct articles state a fact (0 when the fact carries no evidence)."""
    return len({e.url for e in evidence})


def _outlet(article: Article) -> str:
    return article.feed or urlsplit(article.url).hostname or article.url


def _titles(story: Story) -> dict[str, str]:
    titles = {lang: text for lang, text in story.title.items() if text and text.strip()}
    if not titles and story.articles:
        first = min(story.articles, key=lambda a: a.published)
        titles[first.language] = first.title
    return titles


def _same(a: Pledge, b: Pledge) -> bool:
    return a is b or a == b


def _conflict_components(conflicts: list[list[Pledge]]) -> list[list[Pledge]]:
    """Conflict groups that share a pledge joined into one (pairs A–B and B–C are one disagreement)."""
    components: list[list[Pledge]] = []
    for group in conflicts:
        members = list(group)
        for component in [c for c in components if any(_same(m, x) for m in members for x in c)]:
            components.remove(component)
            members += [x for x in component if not any(_same(x, m) for m in members)]
        components.append(members)
    return [c for c in components if len(c) > 1]


def _pledge_entries(story: Story) -> list[PledgeEntry]:
    """One entry per pledge; each conflict group becomes one entry showing its figures side by side.

    The figure stated by the most articles leads; the others are listed as conflicting. Conflict
    members are recognised whether or not the merging stage also left them in `story.pledges`.
    """
    components = _conflict_components(story.conflicts)
    entries: list[PledgeEntry] = []
    placed: list[list[Pledge]] = []
    for pledge in story.pledges:
        component = next((c for c in components if any(_same(pledge, m) for m in c)), None)
        if component is None:
            entries.append(PledgeEntry(pledge, _source_count(pledge.evidence)))
        elif not any(component is p for p in placed):
            placed.append(component)
            entries.append(_conflict_entry(component))
    entries.extend(_conflict_entry(c) for c in components if not any(c is p for p in placed))
    return entries


def _conflict_entry(group: list[Pledge]) -> PledgeEntry:
    ranked = sorted(group, key=lambda p: _source_count(p.evidence), reverse=True)
    lead, *others = ranked
    return PledgeEntry(lead, _source_count(lead.evidence), [(p, _source_count(p.evidence)) for p in others])


def build_story_brief(story: Story, *, as_of: datetime) -> Brief:
    """A brief of one story as it stands at `as_of`."""
    return Brief(as_of=as_of, stories=[story_brief(story, as_of)])


def story_brief(story: Story, as_of: datetime) -> StoryBrief:
    """One story as a brief shows it at `as_of`: every fact, upcoming dates only, its sources."""
    articles = sorted(story.articles, key=lambda a: a.published)
    seen: set[str] = set()
    sources: list[Source] = []
    for article in articles:
        if article.url in seen:
            continue
        seen.add(article.url)
        sources.append(
            Source(_outlet(article), article.title, article.url, article.language, article.published)
        )
    upcoming = [d for d in story.dates if is_upcoming(d.date, as_of)]
    upcoming.sort(key=lambda d: parse_partial_date(d.date).value)  # type: ignore[union-attr]
    return StoryBrief(
        story_id=story.id,
        titles=_titles(story),
        published=articles[-1].published if articles else None,
        pledges=_pledge_entries(story),
        missions=[MissionEntry(m, _source_count(m.evidence)) for m in story.missions],
        dates=[DateEntry(d, _source_count(d.evidence)) for d in upcoming],
        sources=sources,
        topics=list(story.topics),
    )


def build_topic_brief(
    topic: Topic, stories: list[Story], *, as_of: datetime, since: datetime | None = None
) -> Brief:
    """The stories about `topic` (with an article since `since`, when given), newest first."""
    chosen = [
        s
        for s in stories
        if s.articles
        and (topic.slug in s.topics or matches_topic(topic, s))
        and (since is None or max(a.published for a in s.articles) >= since)
    ]
    briefs = [story_brief(s, as_of) for s in chosen]
    briefs.sort(key=lambda b: b.published or as_of, reverse=True)
    return Brief(as_of=as_of, stories=briefs, topic=topic, since=since)
