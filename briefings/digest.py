"""What a channel's scheduled brief says: what the channel has not been told yet.

A channel remembers each fact it was sent with the fact's signature (store: `channel_sent`). A brief
then carries the facts the channel never got ("new") or got in another form ("changed": a new
figure, a new source), by when the bot learnt them rather than when they were published, so an
article published before a brief but fetched after it is in the next brief. Each story appears
once however many of the channel's topics it matches (its topics are shown as tags), and a story
with nothing new for the channel is left out. A channel's first brief gives where its topics
stand (the stories of the last `window`), so it is never empty when there is news to tell.

Facts learnt after the brief's scheduled time wait for the next brief, so rebuilding a brief for
its key (a retry, a resume after a crash) gives the same selection, and nothing is dropped.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from briefings.brief import Brief, DateEntry, MissionEntry, PledgeEntry, StoryBrief, Topic, story_brief
from briefings.models import Evidence
from briefings.view import STORY_KEY, ViewedStory

NEW = "new"
CHANGED = "changed"


@dataclass(frozen=True)
class Told:
    """One thing a brief tells a channel: a fact (or a story's headline) in the form it was sent."""

    story_id: str
    key: str
    signature: str


@dataclass
class Digest:
    """A channel's brief and what it tells, to remember once it is posted."""

    brief: Brief
    told: list[Told] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.brief.stories


def channel_digest(views: Iterable[ViewedStory], sent: Mapping[tuple[str, str], str], *,
                   topics: Mapping[str, Topic], as_of: datetime, first: bool, since: datetime | None) -> Digest:
    """The brief of the given stories (those of the channel's topics, fetched by the caller with
    their views) against what the channel was `sent`; `first` when it was never sent anything."""
    chosen: list[StoryBrief] = []
    told: list[Told] = []
    for viewed in views:
        entry, story_told = _story_digest(viewed, sent, as_of=as_of, first=first)
        if entry is not None:
            chosen.append(entry)
            told += story_told
    chosen.sort(key=lambda b: b.published or as_of, reverse=True)
    brief = Brief(as_of=as_of, stories=chosen, since=since, first=first,
                  followed=[topics[slug] for slug in topics])
    return Digest(brief, told)


def _story_digest(viewed: ViewedStory, sent: Mapping[tuple[str, str], str], *, as_of: datetime,
                  first: bool) -> tuple[StoryBrief | None, list[Told]]:
    story = viewed.story
    if not story.articles:
        return None, []
    backlog = {a.url for a in story.articles if a.backlog}
    brief = story_brief(story, as_of)
    told: list[Told] = []

    def status(facts: list[object]) -> str | None:
        """NEW or CHANGED for the channel when any of these (merged) facts is; None when all were told."""
        marks = []
        for fact in facts:
            key, times = viewed.key_of(fact), viewed.times_of(fact)
            signature = viewed.signature_of(fact)
            if key is None or times is None or signature is None:
                continue
            if not first and times.changed > as_of:
                continue  # learnt after this brief's time: the next brief carries it
            was = sent.get((story.id, key))
            if was == signature:
                continue
            evidence = getattr(fact, "evidence", [])
            if was is None and not first and evidence and all(e.url in backlog for e in evidence):
                continue  # only seeded or too-old articles state it, and the channel never heard of it
            marks.append(NEW if was is None else CHANGED)
            told.append(Told(story.id, key, signature))
        return (NEW if NEW in marks else CHANGED) if marks else None

    for entry in brief.pledges:
        entry.status = status([entry.pledge, *(p for p, _ in entry.conflicting)])
    for entry in brief.missions:
        entry.status = status([entry.mission])
    for entry in brief.dates:
        entry.status = status([entry.date])
    brief.pledges = [e for e in brief.pledges if e.status]
    brief.missions = [e for e in brief.missions if e.status]
    brief.dates = [e for e in brief.dates if e.status]
    headline_told = (story.id, STORY_KEY) in sent
    is_news = first or any(not a.backlog for a in story.articles)
    has_facts = bool(brief.pledges or brief.missions or brief.dates)
    if not has_facts and (headline_told or not is_news or (viewed.learned > as_of and not first)):
        return None, []
    brief.status = CHANGED if headline_told else NEW
    if first:  # where things stand: nothing to contrast with, so nothing is marked
        brief.status = None
        for entry in (*brief.pledges, *brief.missions, *brief.dates):
            entry.status = None
    if headline_told:  # an update: list the articles behind what changed, not every source again
        urls = {e.url for entry in (*brief.pledges, *brief.missions, *brief.dates) for e in _evidence(entry)}
        brief.sources = [s for s in brief.sources if s.url in urls] or brief.sources
    told.append(Told(story.id, STORY_KEY, "told"))
    return brief, told


def _evidence(entry: PledgeEntry | MissionEntry | DateEntry) -> list[Evidence]:
    if isinstance(entry, PledgeEntry):
        return entry.pledge.evidence
    return entry.mission.evidence if isinstance(entry, MissionEntry) else entry.date.evidence
