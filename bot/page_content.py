"""What the web pages say: stories and topics turned into localised lines for the HTML templates.

The brief's own wording does the work (`briefings.render.context`), so a page and a chat message
word a pledge the same way in each language. A page adds what a chat message has no room for: the
sentences each fact rests on with the article that carries them, every date the story names
(passed ones too), and every article, French and English apart.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from briefings.brief import Brief, DateEntry, Topic, build_topic_brief, parse_partial_date, story_brief
from briefings.models import Article, Evidence, Story
from briefings.render.context import Line, concat, context, link
from briefings.render.formatting import format_partial_date


@dataclass(frozen=True)
class Quote:
    """A sentence a fact rests on, as written in its article's language, and that article."""

    sentence: str
    language: str | None
    source: Line  # "Outlet — article title" linking to the article


def topic_names(topics: dict[str, Topic], locale: str) -> list[dict[str, str]]:
    """Every topic as `slug` and localised `name`, sorted by name."""
    named = [{"slug": t.slug, "name": t.names.get(locale, t.slug)} for t in topics.values()]
    return sorted(named, key=lambda t: t["name"].casefold())


def story_list(stories: list[Story], locale: str, as_of: datetime) -> list[dict[str, Any]]:
    """Stories as a list of headlines: `id`, `headline` (Line) and `meta` (day · article count)."""
    ctx = context(Brief(as_of=as_of, stories=[story_brief(s, as_of) for s in stories]), locale)
    return [{"id": s["id"], "headline": s["headline"], "meta": s["meta"]} for s in ctx["stories"]]


def topic_page(topic: Topic, stories: list[Story], locale: str, as_of: datetime) -> dict[str, Any]:
    """The topic's brief as `briefings.render.context.context` words it, for the topic page."""
    return context(build_topic_brief(topic, stories, as_of=as_of), locale)


def story_page(story: Story, locale: str, as_of: datetime) -> dict[str, Any]:
    """Everything about one story: `headline`, `meta`, `pledges` (each `line`, `conflict` and
    `quotes`), `missions` and `dates` (each `line` and `quotes`; every date, passed ones too, in date
    order), `articles` as {language: [Line]} with French first, and `topics` (slugs)."""
    brief = story_brief(story, as_of)
    every_date = sorted(story.dates, key=lambda d: _date_key(d.date))
    brief = replace(brief, dates=[DateEntry(d, len({e.url for e in d.evidence})) for d in every_date])
    worded = context(Brief(as_of=as_of, stories=[brief]), locale)["stories"][0]
    by_url = {a.url: a for a in story.articles}

    def quotes(evidence: list[Evidence]) -> list[Quote]:
        return _quotes(evidence, by_url, locale)

    pledges = []
    for entry, line in zip(brief.pledges, worded["pledges"], strict=True):
        versions = [entry.pledge, *(p for p, _ in entry.conflicting)]
        pledges.append({**line, "quotes": quotes([e for p in versions for e in p.evidence])})
    return {
        "id": story.id,
        "headline": worded["headline"],
        "meta": worded["meta"],
        "pledges": pledges,
        "missions": [{"line": line, "quotes": quotes(entry.mission.evidence)}
                     for entry, line in zip(brief.missions, worded["missions"], strict=True)],
        "dates": [{"line": line, "quotes": quotes(entry.date.evidence)}
                  for entry, line in zip(brief.dates, worded["dates"], strict=True)],
        "articles": _articles(story.articles, locale),
        "topics": list(story.topics),
    }


def _date_key(iso: str) -> tuple[int, ...]:
    parsed = parse_partial_date(iso)
    return parsed.key() if parsed else (0,)


def _outlet(article: Article | None, url: str) -> str:
    """The feed's configured name, else the article's host."""
    return article.feed if article and article.feed else urlsplit(url).hostname or url


def _quotes(evidence: list[Evidence], articles: dict[str, Article], locale: str) -> list[Quote]:
    """Each distinct sentence once, with the article it comes from (in the story's own order)."""
    seen: set[tuple[str, str]] = set()
    out = []
    for e in evidence:
        if (e.sentence, e.url) in seen:
            continue
        seen.add((e.sentence, e.url))
        article = articles.get(e.url)
        language = article.language if article else None
        title = article.title if article and article.title.strip() else e.url
        source = concat(_outlet(article, e.url), " — ", link(title, e.url, language, locale))
        out.append(Quote(" ".join(e.sentence.split()), language, source))
    return out


def _articles(articles: list[Article], locale: str) -> dict[str, list[Line]]:
    """Every article once, by language (French, then English, then any other), oldest first."""
    grouped: dict[str, list[Line]] = {}
    seen: set[str] = set()
    for a in sorted(articles, key=lambda a: (a.language != "fr", a.language != "en", a.language, a.published)):
        if a.url in seen:
            continue
        seen.add(a.url)
        day = format_partial_date(a.published.date().isoformat(), locale)
        line = concat(_outlet(a, a.url), " — ", link(a.title or a.url, a.url, a.language, locale),
                      f" · {day}")
        grouped.setdefault(a.language, []).append(line)
    return grouped
