"""Bilingual story titles that name the event, its place and its date.

A reader scanning a brief wants "NATO defence ministers meet, Brussels, 12 February 2026", not the
headline one outlet happened to write first, and wants it in both languages although most stories
arrive in one. The title is built from language-neutral signals every article carries (event
words, the donors of its pledges, the places it says the event happened in and the event day the
extractor found), so French and English reports of one event produce the same title.
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date
from babel.lists import format_list

from briefings.extract.dates import located_places
from briefings.extract.text import fold
from briefings.models import ArticleFacts, Mission, Story

DATA = Path(__file__).resolve().parent / "data"
LANGUAGES = ("en", "fr")
_DATE_LOCALE = {"en": "en_GB", "fr": "fr"}  # "12 February 2026", "Denmark and Norway": as EU news write
_MAX_DONORS = 4  # a title names this many donors at most
_LATER_DAYS = 21  # a date this far after the event day is another event (the next summit)
_TOWARDS_REACH = 60  # how far before a place the words that make it a destination may stand


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
def _places_data() -> dict[str, dict]:
    with (DATA / "places.toml").open("rb") as fh:
        return tomllib.load(fh)["places"]


@cache
def _place_names() -> dict[str, dict[str, str]]:
    """English place name -> its name per language (the French name is listed first in the data)."""
    return {english: {"en": english, "fr": entry["names"][0]} for english, entry in _places_data().items()}


def _country_of(place: str) -> str | None:
    return _places_data().get(place, {}).get("country")


def _most_common(values: list[str], preferred: frozenset[str] = frozenset()) -> str | None:
    """The most frequent value; ties go to a preferred one, then alphabetically (never to set order)."""
    counted = Counter(v for v in values if v)
    return min(counted, key=lambda v: (-counted[v], v not in preferred, v)) if counted else None


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


def _organisation(kind: EventKind, facts: list[ArticleFacts], lang: str, mission: Mission | None) -> str:
    """The organisation a title names: a launched mission's own ("EU launches Aspides", although the
    articles mention NATO too), else the kind's when the articles name it, else the most named."""
    _, names = _events()
    if kind.kind == "mission" and mission is not None and mission.organisation:
        code = mission.organisation
    else:
        actors = [code for f in facts for code in f.actors if code in names]
        code = kind.org if kind.org in actors or not actors else _most_common(actors)
    return names.get(code or "", {}).get(lang, code or "")


def _launched_mission(story: Story) -> Mission | None:
    """The mission the story reports launched (the most sourced), else the first one named."""
    launched = [m for m in story.missions if m.launched]
    if launched:
        return max(launched, key=lambda m: len({e.url for e in m.evidence}))
    return story.missions[0] if story.missions else None


def _later(when: str, day: str | None) -> bool:
    """Whether a date (at any precision) begins weeks after the story's event day."""
    if day is None:
        return True
    start = date.fromisoformat((when + "-01-01")[:10] if len(when) == 4 else (when + "-01")[:10])
    return (start - date.fromisoformat(day[:10])).days > _LATER_DAYS


def _place(story: Story, day: str | None) -> str | None:
    """Where most articles say the event happened (a dateline, "à Bruxelles", "the Vilnius summit"),
    never a capital standing for its government ("Berlin will pay"), and leaving out where later
    events are due: a summit's report that names the next host ("the next summit will be in
    Washington in 2024") happened elsewhere. A tie goes to where the story's own day is dated."""
    later = {d.place for d in story.dates if d.place and _later(d.date, day)}
    # aid is pledged to Kyiv, not in it: the recipient's places say where the aid goes
    recipients = {p.recipient for p in story.pledges if p.recipient}
    places = [p for a in story.articles for p in _located(f"{a.title}\n{a.text}", a.language)
              if _country_of(p) not in recipients]
    dated = frozenset(d.place for d in story.dates if d.place and day and d.date[:10] == day[:10])
    return _most_common([p for p in places if p not in later], dated) or _most_common(places, dated)


def _located(text: str, lang: str) -> list[str]:
    """The places an article says its event happened in, each once. A place something goes to is
    not one: "aid to Kyiv", "un signal clair à Moscou", "livrer des armes à Kiev"."""
    towards = _towards()
    places = []
    for mention in located_places(text, lang):
        if not towards.search(fold(text[max(0, mention.start - _TOWARDS_REACH):mention.start])):
            places.append(mention.code)
    return list(dict.fromkeys(places))


@cache
def _towards() -> re.Pattern[str]:
    """The words before a place that make it a destination or an addressee rather than a location."""
    with (DATA / "story_titles.toml").open("rb") as fh:
        words = tomllib.load(fh)["destination"]["words"]
    governors = "|".join(map(re.escape, words))
    return re.compile(rf"(?:(?<![\w])to|(?<![\w])(?:{governors})\w*(?:\s+[\w'-]+)?\s*[\"»”’]?\s+(?:a|au|aux))"
                      rf"\s+(?:la |le |l'|the )?$")


def _donor(story: Story, lang: str) -> str:
    """The donors of a story's pledges, the most sourced first: those found in at least half as many
    articles as the most sourced one (a donor one outlet alone names is likely a misreading or an
    aside). Joint donors count one by one; a joint pledge is named whole ("Denmark, Estonia, …"),
    other lists stop at four."""
    sources: dict[str, set[str]] = {}
    for pledge in story.pledges:
        for code in (pledge.donor or "").split("+"):
            if code:
                sources.setdefault(code, set()).update(e.url for e in pledge.evidence)
    most = max((len(urls) for urls in sources.values()), default=0)
    codes = sorted((code for code, urls in sources.items() if 2 * len(urls) >= most),
                   key=lambda code: -len(sources[code]))  # stable: equal counts keep the story's order
    joint = any(set(codes) == set((p.donor or "").split("+")) for p in story.pledges)
    if not joint:
        codes = codes[:_MAX_DONORS]
    _, organisations = _events()
    territories = Locale(lang).territories
    names = [organisations.get(code, {}).get(lang) or territories.get(code, code) for code in codes]
    return format_list(names, locale=_DATE_LOCALE[lang])


def _first_title(story: Story) -> str:
    return next((a.title for a in story.articles if a.title), story.id)


def story_title(story: Story, facts: list[ArticleFacts]) -> dict[str, str]:
    """{"en": …, "fr": …} for a story, from its articles' signals and merged facts."""
    kind = _event_kind(story)
    day = _most_common([f.event_date for f in facts if f.event_date])
    place = _place(story, day)
    if kind is None:  # no event we can name: each language its own first headline, when it has one
        titles = {lang: title for lang in LANGUAGES
                  if (title := next((a.title for a in story.articles if a.language == lang and a.title), None))}
        # A language without one is left out: the brief shows the other's, marked, not passed off as its own.
        return titles or {(story.articles[0].language if story.articles else "en"): _first_title(story)}
    titles = {}
    for lang in LANGUAGES:
        mission = _launched_mission(story)
        mission_name = mission.name if mission else ""
        if mission and lang == "fr" and mission.aliases:
            mission_name = f"{mission.name} (« {mission.aliases[0]} »)"
        head = kind.titles[lang].format(
            org=_organisation(kind, facts, lang, mission), mission=mission_name,
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
