"""Bilingual story titles that name the event, its place and its date.

A reader scanning a brief wants "NATO defence ministers meet, Brussels, 12 February 2026", not the
headline one outlet happened to write first, and wants it in both languages although most stories
arrive in one. The title is built from language-neutral signals every article carries (event
words, the places and the event day the extractor found), so French and English reports of one
event produce the same title.
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from babel.dates import format_date
from babel.lists import format_list

from briefings.extract.text import fold
from briefings.models import ArticleFacts, Story

DATA = Path(__file__).resolve().parent / "data"
LANGUAGES = ("en", "fr")
_DATE_LOCALE = {"en": "en_GB", "fr": "fr"}  # "12 February 2026", as British and EU news write it


@dataclass(frozen=True)
class EventKind:
    kind: str
    keywords: re.Pattern[str] | None
    titles: dict[str, str]
    org: str | None
    requires: str | None


@cache
def _events() -> tuple[list[EventKind], dict[str, dict[str, str]]]:
    with (DATA / "story_titles.toml").open("rb") as fh:
        data = tomllib.load(fh)
    kinds = []
    for entry in data["events"]:
        words = entry["keywords"]
        pattern = re.compile(r"\b(?:" + "|".join(map(re.escape, words)) + r")\b") if words else None
        kinds.append(EventKind(entry["kind"], pattern, {lang: entry[lang] for lang in LANGUAGES},
                               entry.get("org"), entry.get("requires")))
    return kinds, data["organisations"]


@cache
def _place_names() -> dict[str, dict[str, str]]:
    """English place name -> its name per language (the French name is listed first in the data)."""
    with (DATA / "places.toml").open("rb") as fh:
        places = tomllib.load(fh)["places"]
    return {english: {"en": english, "fr": entry["names"][0]} for english, entry in places.items()}


def _most_common(values: list[str]) -> str | None:
    counted = Counter(v for v in values if v)
    return counted.most_common(1)[0][0] if counted else None


def _event_kind(story: Story) -> EventKind | None:
    """The kind most articles mention; a kind that needs facts (a mission, a pledge) needs them."""
    kinds, _ = _events()
    texts = [fold(f"{a.title}\n{a.text}") for a in story.articles]
    best, best_votes = None, 0
    for kind in kinds:
        if kind.requires == "mission" and not any(m.launched for m in story.missions):
            continue
        if kind.requires == "pledge" and not story.pledges:
            continue
        votes = sum(1 for t in texts if kind.keywords is None or kind.keywords.search(t))
        if votes > best_votes:
            best, best_votes = kind, votes
    return best


def _organisation(kind: EventKind, facts: list[ArticleFacts], lang: str) -> str:
    _, names = _events()
    actors = [code for f in facts for code in f.actors if code in names]
    code = kind.org if kind.org in actors or not actors else _most_common(actors)
    return names.get(code or "", {}).get(lang, code or "")


def _donor(story: Story, lang: str) -> str:
    from babel import Locale

    donor = story.pledges[0].donor or ""
    territories = Locale(lang).territories
    return format_list([territories.get(code, code) for code in donor.split("+")], locale=lang)


def story_title(story: Story, facts: list[ArticleFacts]) -> dict[str, str]:
    """{"en": …, "fr": …} for a story, from its articles' signals and merged facts."""
    kind = _event_kind(story)
    day = _most_common([f.event_date for f in facts if f.event_date])
    place = _most_common([p for f in facts for p in f.places])
    if kind is None:  # no event we can name: each language takes its own first headline, if any
        first = story.articles[0].title if story.articles else story.id
        return {lang: next((a.title for a in story.articles if a.language == lang and a.title), first)
                for lang in LANGUAGES}
    titles = {}
    for lang in LANGUAGES:
        mission = story.missions[0] if story.missions else None
        mission_name = mission.name if mission else ""
        if mission and lang == "fr" and mission.aliases:
            mission_name = f"{mission.name} (« {mission.aliases[0]} »)"
        head = kind.titles[lang].format(
            org=_organisation(kind, facts, lang), mission=mission_name,
            donor=_donor(story, lang) if story.pledges else "",
        )
        parts = [head]
        if place:
            parts.append(_place_names().get(place, {}).get(lang, place))
        if day:
            parts.append(format_date(date.fromisoformat(day[:10]), format="long", locale=_DATE_LOCALE[lang])
                         if len(day) >= 10 else day)
        titles[lang] = ", ".join(parts)
    return titles
