"""The stored story view: a story's merged facts as readers see them, and when each fact was learnt.

Merging a story's articles, titling it and matching topics costs milliseconds per story; doing it
for all of history on every command took seconds. So the pipeline does it once, when an article is
absorbed, and stores the result; commands, briefs and `export` read it back.

Each merged fact gets a key that stays the same across re-merges (so "first seen" survives a new
source or an edited figure) and a signature of what it says (so a new figure or a new source shows
as "changed"). Keys are matched to the previous view of the story in three passes: the same
signature (nothing changed), then the same identity (the fact changed: an edited figure, a new
source), else a new key (a new fact). Identity is coarse on purpose — donors, recipient and
currency for a pledge; the name for a mission; day and place for a date — because an edit changes
the figure or the wording, not who gave to whom.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from briefings.extract.text import comparable
from briefings.merge import donor_group
from briefings.models import Article, KeyDate, Mission, Pledge, Story
from briefings.store import codec

# Raise when what a view holds, or how keys and signatures are made, changes: views built by an
# older version are rebuilt from the articles on the next open.
VIEW_VERSION = "3"  # 3: a headline only in the languages that wrote one
KINDS = ("pledge", "mission", "date")
STORY_KEY = "story"  # the story itself, for "what a channel was told": its headline was sent


@dataclass(frozen=True)
class FactTimes:
    """When the bot first saw a fact and when it last saw it change (a new figure, a new source)."""

    first_seen: datetime
    changed: datetime


@dataclass(frozen=True)
class PreviousFact:
    """A fact of the story's previous view, as `view_facts` holds it."""

    key: str
    signature: str
    times: FactTimes


@dataclass
class ViewFact:
    """A merged fact as stored in `view_facts`; a date's day for the upcoming-dates look-up."""

    kind: str
    key: str
    signature: str
    times: FactTimes
    on_date: str | None = None


@dataclass
class StoryView:
    """What the store keeps for a story: its payload (the merged Story) and its facts' rows."""

    story_id: str
    payload: dict[str, Any]
    topics: list[str]
    article_count: int
    first_published: datetime
    last_published: datetime
    learned: datetime
    search: str = ""
    facts: list[ViewFact] = field(default_factory=list)
    actors: set[tuple[str, str]] = field(default_factory=set)  # ("donor" | "recipient", code) of its pledges

    @property
    def terms(self) -> set[str]:
        """The words `/sources` can find the story by."""
        return search_terms(self.search)


def facts_of(story: Story) -> list[tuple[str, Pledge | Mission | KeyDate]]:
    """(kind, fact) for each merged fact of a story, in the order the view keys them."""
    return ([("pledge", p) for p in story.pledges] + [("mission", m) for m in story.missions]
            + [("date", d) for d in story.dates])


def identity(kind: str, fact: Pledge | Mission | KeyDate) -> str:
    """What makes a fact the same fact after an edit: see the module docstring."""
    if isinstance(fact, Pledge):
        measure = fact.currency or ("count" if fact.quantity is not None else "items")
        return f"pledge|{donor_group(fact.donor)}|{fact.recipient or ''}|{measure}"
    if isinstance(fact, Mission):
        return f"mission|{comparable(fact.name).strip()[:200]}"
    return f"date|{fact.date}|{fact.place or ''}"


def signature(fact: Pledge | Mission | KeyDate) -> str:
    """A digest of everything a fact says and of its sources: any change, a new source included.

    Per-language wordings are left out: they change only with the sources, which count already,
    and leaving them out keeps signatures from before they existed valid (no spurious "updated")."""
    values = codec.plain(asdict(fact))
    values.pop("wordings", None)
    sources = sorted({e["url"] for e in values.pop("evidence", [])})
    text = json.dumps([values, sources], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def assign_keys(story: Story, previous: list[PreviousFact], now: datetime) -> list[ViewFact]:
    """Keys and times for the story's merged facts, carried over from its previous view."""
    facts = facts_of(story)
    sigs = [signature(f) for _, f in facts]
    bases = [identity(kind, f) for kind, f in facts]
    keys: list[str | None] = [None] * len(facts)
    times: list[FactTimes | None] = [None] * len(facts)
    free = list(previous)
    # Pass 1: unchanged facts keep key and times.
    for i, sig in enumerate(sigs):
        match = next((p for p in free if p.signature == sig and _base(p.key) == bases[i]), None)
        if match is not None:
            free.remove(match)
            keys[i], times[i] = match.key, match.times
    # Pass 2: the same fact saying something new keeps its key and first sighting, changed now.
    for i in range(len(facts)):
        if keys[i] is None:
            match = next((p for p in free if _base(p.key) == bases[i]), None)
            if match is not None:
                free.remove(match)
                keys[i], times[i] = match.key, FactTimes(match.times.first_seen, now)
    # Pass 3: new facts; a second fact with the same identity gets "#2", and so on.
    taken = {k for k in keys if k} | {p.key for p in free}
    for i in range(len(facts)):
        if keys[i] is None:
            key, n = bases[i], 1
            while key in taken:
                n += 1
                key = f"{bases[i]}#{n}"
            taken.add(key)
            keys[i], times[i] = key, FactTimes(now, now)
    out = []
    for (kind, fact), key, sig, when in zip(facts, keys, sigs, times, strict=True):
        assert key is not None and when is not None
        out.append(ViewFact(kind, key, sig, when, on_date=fact.date[:10] if isinstance(fact, KeyDate) else None))
    return out


def _base(key: str) -> str:
    return key.split("#", 1)[0]


def pledge_actors(story: Story) -> set[tuple[str, str]]:
    """("donor" | "recipient", code) of a story's pledges, joint donors split: `view_actors`' rows."""
    return {(side, code) for p in story.pledges for side, codes in (("donor", p.donor), ("recipient", p.recipient))
            for code in (codes or "").split("+") if code}


def build_view(story: Story, previous: list[PreviousFact], now: datetime) -> StoryView:
    """The view of a merged, titled, topic-tagged story; facts keyed against its previous view.

    Views are built when one of the story's articles was absorbed, so the story was learnt `now`."""
    facts = assign_keys(story, previous, now)
    articles = sorted(story.articles, key=lambda a: (a.published, a.url))
    payload = story_payload(story)
    payload["keys"] = [f.key for f in facts]
    payload["signatures"] = [f.signature for f in facts]
    payload["times"] = [[f.times.first_seen.isoformat(), f.times.changed.isoformat()] for f in facts]
    return StoryView(
        story_id=story.id, payload=payload, topics=list(story.topics), article_count=len(articles),
        first_published=articles[0].published if articles else now,
        last_published=articles[-1].published if articles else now,
        learned=now,
        search=search_text(story), facts=facts, actors=pledge_actors(story),
    )


def search_text(story: Story) -> str:
    """What `/sources` matches a query against: titles, article titles and the facts' words, folded."""
    parts = [*story.title.values(), *(a.title for a in story.articles)]
    for _, fact in facts_of(story):
        values = asdict(fact)
        parts += [str(v) for k, v in values.items() if k in _SEARCHED and v]
        parts += [a for a in values.get("aliases", []) if a]
    return comparable(" \n ".join(parts))[:20_000]


def search_terms(text: str) -> set[str]:
    """The words of a folded text, as the term index keeps them (two characters or more)."""
    return {w[:64] for w in _TERM.findall(text) if len(w) > 1}


_TERM = re.compile(r"[^\W_]+")
_SEARCHED = frozenset({"item", "name", "event", "purpose", "place", "donor", "recipient"})


def story_payload(story: Story) -> dict[str, Any]:
    """The merged story as JSON: articles without their text (readers need titles and links)."""
    index = {id(p): i for i, p in enumerate(story.pledges)}
    return {
        "title": story.title,
        "topics": story.topics,
        "articles": [{"url": a.url, "title": a.title, "language": a.language, "feed": a.feed,
                      "published": a.published.isoformat(), "backlog": a.backlog} for a in story.articles],
        "pledges": [codec.plain(asdict(p)) for p in story.pledges],
        "missions": [codec.plain(asdict(m)) for m in story.missions],
        "dates": [codec.plain(asdict(d)) for d in story.dates],
        "conflicts": [[_conflict_member(p, index) for p in group] for group in story.conflicts],
    }


def _conflict_member(pledge: Pledge, index: dict[int, int]) -> int | dict[str, Any]:
    """A conflict member by its index among the story's pledges, or in full when merging left it out."""
    position = index.get(id(pledge))
    return position if position is not None else codec.plain(asdict(pledge))


@dataclass
class ViewedStory:
    """A story read back from its view, with each fact's key and times."""

    story: Story
    keys: dict[int, str]  # id(fact) -> key
    times: dict[str, FactTimes]  # key -> times
    signatures: dict[str, str]  # key -> signature
    learned: datetime

    def key_of(self, fact: object) -> str | None:
        return self.keys.get(id(fact))

    def times_of(self, fact: object) -> FactTimes | None:
        key = self.keys.get(id(fact))
        return self.times.get(key) if key else None

    def signature_of(self, fact: object) -> str | None:
        key = self.keys.get(id(fact))
        return self.signatures.get(key) if key else None


def load_view(story_id: str, payload: dict[str, Any], learned: datetime) -> ViewedStory:
    """The Story a view payload holds, its facts' keys and times (the inverse of `build_view`)."""
    articles = [
        Article(url=a["url"], title=a["title"], text="", language=a["language"],
                published=datetime.fromisoformat(a["published"]), feed=a.get("feed", ""),
                backlog=bool(a.get("backlog")))
        for a in payload.get("articles", [])
    ]
    pledges = [codec.fact_from_row("pledge", p) for p in payload.get("pledges", [])]
    missions = [codec.fact_from_row("mission", m) for m in payload.get("missions", [])]
    dates = [codec.fact_from_row("date", d) for d in payload.get("dates", [])]
    conflicts = [[pledges[m] if isinstance(m, int) else codec.fact_from_row("pledge", m) for m in group]
                 for group in payload.get("conflicts", [])]
    story = Story(id=story_id, title=dict(payload.get("title", {})), articles=articles,
                  topics=list(payload.get("topics", [])), pledges=pledges,  # type: ignore[arg-type]
                  missions=missions, dates=dates, conflicts=conflicts)  # type: ignore[arg-type]
    keys: dict[int, str] = {}
    times: dict[str, FactTimes] = {}
    signatures: dict[str, str] = {}
    for (_, fact), key, (first, changed), sig in zip(facts_of(story), payload.get("keys", []),
                                                     payload.get("times", []), payload.get("signatures", []),
                                                     strict=False):
        keys[id(fact)] = key
        times[key] = FactTimes(datetime.fromisoformat(first), datetime.fromisoformat(changed))
        signatures[key] = sig
    return ViewedStory(story, keys, times, signatures, learned)
