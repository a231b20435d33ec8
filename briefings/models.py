"""The language-neutral data model that flows through the pipeline.

Every stage takes and returns these types, so a stage can be tested alone and no stage knows
about the stages after it. Values are normalised here (ISO country codes, ISO 4217 currencies,
ISO 8601 dates at the precision the text gives); language enters only at rendering.

A fact's free text (a pledge's item, a mission's purpose, a date's event) is in the words of one
source, in `language`; merging keeps in `wordings` the words of the first source in each language
that states it, so a brief in French quotes a French source and one in English an English source.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Evidence:
    """Where a fact comes from: the sentence as written and the article that carries it."""

    sentence: str
    url: str


@dataclass
class Article:
    """One article, as ingested: canonical URL, main text, language and publication time."""

    url: str
    title: str
    text: str
    language: str  # "fr" or "en" (ISO 639-1)
    published: datetime  # timezone-aware, UTC
    feed: str = ""  # the feed's configured name
    guid: str | None = None
    summary: str = ""
    fingerprint: str = ""  # content fingerprint for near-duplicate (wire copy) detection
    item_hash: str = ""  # what the feed said about the item: an unchanged item is not fetched again
    backlog: bool = False  # seeded on a feed's first poll or too old: stored, never posted as news
    id: int | None = None  # store id, once stored


@dataclass
class FeedState:
    """What polling remembers about a feed between polls: validators, failures and backoff."""

    name: str
    url: str
    etag: str | None = None
    last_modified: str | None = None
    seeded: bool = False  # the first poll has happened
    failures: int = 0  # consecutive failures
    last_error: str | None = None
    next_attempt: datetime | None = None  # backoff: do not poll before this time
    last_success: datetime | None = None


@dataclass
class Pledge:
    """New aid announced: who gives what to whom, priced or counted, with its evidence."""

    donor: str | None  # ISO alpha-2 or organisation code; joint donors "DK+NO+SE"
    recipient: str | None
    amount: float | None = None  # in units of `currency`, as the text states it first
    currency: str | None = None  # ISO 4217
    quantity: int | None = None  # items counted rather than priced
    item: str | None = None  # what is given, in the article's words
    condition: str | None = None
    qualifier: str | None = None  # "more than", "about", "up to"…
    converted: list[tuple[float, str]] = field(default_factory=list)  # "(570 millions d'euros)"
    period: str | None = None  # a funding period kept with the pledge: "2024-2027"
    language: str = "en"  # language of `item` and `condition`
    evidence: list[Evidence] = field(default_factory=list)
    confidence: float = 1.0  # how sure extraction is (0-1); facts under data/precision.toml's floor are dropped
    wordings: dict[str, dict[str, str]] = field(default_factory=dict)  # per language: {"item": …, "condition": …}


@dataclass
class Mission:
    """A named operation or mission, with the organisation that runs it."""

    name: str  # canonical name (English when known)
    organisation: str | None = None  # organisation code: "NATO", "EU"…
    launched: str | None = None  # ISO date at the precision the text gives
    purpose: str | None = None
    aliases: list[str] = field(default_factory=list)  # other names: "Sentinelle orientale"
    language: str = "en"  # language of `purpose`
    evidence: list[Evidence] = field(default_factory=list)
    confidence: float = 1.0  # how sure extraction is (0-1); see data/precision.toml
    wordings: dict[str, dict[str, str]] = field(default_factory=dict)  # per language: {"purpose": …}


@dataclass
class KeyDate:
    """An upcoming date: an event, where it happens, and when, at the text's precision."""

    date: str  # "2026-07-07", "2026-07" or "2035"
    event: str | None = None
    place: str | None = None  # English exonym when known ("Brussels", "The Hague")
    language: str = "en"  # language of `event`
    evidence: list[Evidence] = field(default_factory=list)
    confidence: float = 1.0  # how sure extraction is (0-1); see data/precision.toml
    wordings: dict[str, dict[str, str]] = field(default_factory=dict)  # per language: {"event": …}


@dataclass
class ArticleFacts:
    """What extraction finds in one article: facts plus the signals clustering uses."""

    pledges: list[Pledge] = field(default_factory=list)
    missions: list[Mission] = field(default_factory=list)
    dates: list[KeyDate] = field(default_factory=list)
    actors: set[str] = field(default_factory=set)  # country and organisation codes mentioned
    places: set[str] = field(default_factory=set)  # English place names mentioned
    names: set[str] = field(default_factory=set)  # people and other proper names, folded
    event_date: str | None = None  # the day the reported event happened, ISO, when stated


@dataclass
class Story:
    """A group of articles about one event, with facts merged across them."""

    id: str
    title: dict[str, str]  # {"en": …, "fr": …}
    articles: list[Article]
    topics: list[str] = field(default_factory=list)
    pledges: list[Pledge] = field(default_factory=list)
    missions: list[Mission] = field(default_factory=list)
    dates: list[KeyDate] = field(default_factory=list)
    conflicts: list[list[Pledge]] = field(default_factory=list)  # figures that disagree
