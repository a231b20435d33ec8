"""The reads commands make, answered from the stored story views through their indexes.

Every read is bounded: the newest stories of a topic, the stories holding a donor's pledges, the
soonest upcoming dates, at most `limit` stories each. None loads or merges all of history, so a
command costs the same after a year of news as after a day. The donor and recipient lists behind
autocomplete are kept in memory and refreshed after each poll: autocomplete has no time to query.
"""

from __future__ import annotations

import threading
import time
from datetime import date, datetime

from briefings.extract.text import comparable
from briefings.ledger import LedgerEntry, ledger_entries
from briefings.models import Story
from briefings.store import Store

LEDGER_STORIES = 300  # newest stories with pledges a ledger of every donor reads
DONOR_STORIES = 5000  # a donor's (or recipient's) ledger reads every story with its pledges, by index
ACTORS_TTL = 300.0  # seconds a process that does not poll keeps the actor lists


class StoryReads:
    """Bounded reads of the story views for commands."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._actors: dict[str, frozenset[str]] | None = None
        self._loaded = 0.0
        self._lock = threading.Lock()

    def recent(self, topic: str, *, since: datetime | None = None, limit: int = 10) -> list[Story]:
        """The topic's newest stories (with an article published since `since`, when given)."""
        return [v.story for v in self.store.views(topics=[topic], published_since=since, limit=limit)]

    def latest(self, *, limit: int = 10) -> list[Story]:
        """The newest stories of every topic (a web page's front page)."""
        return [v.story for v in self.store.views(limit=limit)]

    def story(self, story_id: str) -> Story | None:
        """The story with this id, or None (a web page's story: no search, one exact look-up)."""
        views = self.store.views(story_ids=[story_id])
        return views[0].story if views else None

    def with_pledges(self, *, donor: str | None = None, recipient: str | None = None, limit: int = 40) -> list[Story]:
        """Newest stories holding a pledge by `donor` to `recipient` (either may be None)."""
        return self._stories(self.store.fact_story_ids("pledge", donor=donor, recipient=recipient, limit=limit))

    def ledger(self, *, donor: str | None = None, recipient: str | None = None,
               since: date | None = None) -> tuple[list[LedgerEntry], int | None]:
        """The ledger's entries, and the bound its read stopped at, if it did (a ledger of every
        donor reads only the newest LEDGER_STORIES stories with pledges: its reply says so)."""
        limit = DONOR_STORIES if donor or recipient else LEDGER_STORIES
        stories = self.with_pledges(donor=donor, recipient=recipient, limit=limit)
        entries = ledger_entries(stories, donor=donor, recipient=recipient, since=since)
        return entries, limit if len(stories) >= limit else None

    def with_missions(self, *, limit: int = 40) -> list[Story]:
        return self._stories(self.store.fact_story_ids("mission", limit=limit))

    def with_dates(self, from_day: datetime, *, limit: int = 40) -> list[Story]:
        """Stories holding a date not passed on `from_day` (at the date's precision), soonest first."""
        return self._stories(self.store.fact_story_ids("date", from_date=from_day.date().isoformat(), limit=limit))

    def matching(self, query: str, *, limit: int = 10) -> list[Story]:
        """Stories whose id is `query`, or whose titles or facts contain its words, newest first."""
        exact = self.store.views(story_ids=[query.strip()])
        if exact:
            return [v.story for v in exact]
        wanted = comparable(query).strip()
        return [v.story for v in self.store.views(search=wanted, limit=limit)] if wanted else []

    def actors(self, side: str) -> frozenset[str]:
        """Donor ("donor") or recipient codes of every stored pledge, from memory; reloaded when
        older than `ACTORS_TTL` for a process that does not poll (`bot web`)."""
        with self._lock:
            if self._actors is None or time.monotonic() - self._loaded > ACTORS_TTL:
                self._load()
            assert self._actors is not None
            return self._actors[side]

    def refresh(self) -> None:
        """Reload the cached actor lists (after a poll)."""
        with self._lock:
            self._load()

    def _load(self) -> None:
        self._actors = {s: frozenset(self.store.actor_codes(s)) for s in ("donor", "recipient")}
        self._loaded = time.monotonic()

    def _stories(self, ids: list[str]) -> list[Story]:
        order = {sid: i for i, sid in enumerate(ids)}
        views = self.store.views(story_ids=ids)
        return [v.story for v in sorted(views, key=lambda v: order[v.story.id])]
