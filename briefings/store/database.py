"""The Store: every read and write of briefbot's state, on SQLite or PostgreSQL by URL.

Each method runs in its own short transaction, so the Store can be shared by the scheduler's jobs
(called from worker threads) and several processes can share one PostgreSQL database. Opening a
Store upgrades the schema to the newest revision first.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, Engine, Select, create_engine, delete, event, false, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, aliased, defer, sessionmaker

from briefings.models import Article, ArticleFacts, FeedState
from briefings.store import codec, leases, locks, migrate
from briefings.store.channel_settings import ChannelSettingsStore
from briefings.store.records import Delivery, StoredStory
from briefings.store.schema import (
    ArticleRow,
    ChannelSentRow,
    DeliveryRow,
    FactRow,
    FeatureRow,
    FeedRow,
    JobRunRow,
    MetaRow,
    StoryRow,
    StoryViewRow,
    ViewActorRow,
    ViewFactRow,
    ViewTermRow,
)
from briefings.view import FactTimes, PreviousFact, StoryView, ViewedStory, load_view

_CHUNK = 500  # ids per IN (...) query, well under SQLite's bound-parameter limit


class Store(ChannelSettingsStore):
    """briefbot's persistent state. `Store("sqlite:///briefbot.db")` or a `postgresql+psycopg://` URL."""

    def __init__(self, url: str) -> None:
        self.engine = _create_engine(url)
        migrate.upgrade(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._local = threading.local()  # the session of a `transaction()` block, per thread

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Run every Store call of this thread inside one transaction until the block ends.

        A poll absorbs hundreds of articles: one commit for the batch instead of one per article
        and per feed, and the story views it touches are written in the same transaction as the
        articles, so a reader never sees an article without its story's view. Nested blocks join
        the outer one.
        """
        if getattr(self._local, "session", None) is not None:
            yield
            return
        with self._sessions.begin() as session:
            self._local.session = session
            try:
                yield
            finally:
                self._local.session = None

    @contextmanager
    def _session(self) -> Iterator[Session]:
        active = getattr(self._local, "session", None)
        if active is not None:
            yield active
            return
        with self._sessions.begin() as session:
            yield session

    # --- feeds -------------------------------------------------------------------------------

    def feed_state(self, name: str, url: str) -> FeedState:
        """The feed's polling state, created on first sight; the configured URL wins over the stored one."""
        with self._session() as session:
            self._insert_ignore(session, FeedRow, {"name": name, "url": url, "seeded": False,
                                                   "failures": 0, "health_reported": False}, ["name"])
            row = session.scalars(select(FeedRow).where(FeedRow.name == name)).one()
            row.url = url
            return _feed_state(row)

    def feed_states_for(self, feeds: Sequence[tuple[str, str]]) -> list[FeedState]:
        """`feed_state` for many (name, url) feeds in one transaction and two queries per chunk."""
        out: dict[str, FeedState] = {}
        urls = dict(feeds)
        with self._session() as session:
            for chunk in _chunks(list(urls)):
                rows = session.scalars(select(FeedRow).where(FeedRow.name.in_(chunk))).all()
                for row in rows:
                    row.url = urls[row.name]
                    out[row.name] = _feed_state(row)
            for name in [n for n in urls if n not in out]:
                out[name] = self.feed_state(name, urls[name])
        return [out[name] for name, _ in feeds]

    def save_feed_state(self, state: FeedState) -> None:
        self.save_feed_states([state])

    def save_feed_states(self, states: Sequence[FeedState]) -> None:
        """Save many feeds' states with one read per chunk (a warm poll saves a thousand)."""
        with self._session() as session:
            for chunk in _chunks(list(states)):
                rows = {r.name: r for r in session.scalars(
                    select(FeedRow).where(FeedRow.name.in_([s.name for s in chunk])))}
                for state in chunk:
                    row = rows.get(state.name)
                    if row is None:
                        row = rows[state.name] = FeedRow(name=state.name, health_reported=False)
                        session.add(row)
                    _fill_feed(row, state)

    def feed_states(self) -> list[FeedState]:
        with self._session() as session:
            return [_feed_state(r) for r in session.scalars(select(FeedRow).order_by(FeedRow.name))]

    def lease_due_feeds(self, feeds: Sequence[tuple[str, str]], *, interval: timedelta, owner: str,
                        ttl: timedelta, limit: int, now: datetime | None = None) -> list[FeedState]:
        """Up to `limit` of these (name, url) feeds that are due (not polled within `interval`) and
        that no other worker holds, now held by `owner` for `ttl` (see `leases`)."""
        self.feed_states_for(feeds)  # rows for feeds configured since the last poll
        with self._session() as session:
            rows = leases.take_due(session, dict(feeds), interval=interval, owner=owner, ttl=ttl, limit=limit,
                                   now=now or datetime.now(UTC))
            return [_feed_state(r) for r in rows]

    def finish_feeds(self, names: Sequence[str], owner: str, now: datetime | None = None) -> int:
        """Hand back feeds `owner` leased, polled now: due again one interval later."""
        with self._session() as session:
            return leases.finish(session, names, owner, now or datetime.now(UTC))

    def release_feeds(self, names: Sequence[str], owner: str) -> int:
        """Give back feeds `owner` leased and could not poll: due again at once."""
        with self._session() as session:
            return leases.release(session, names, owner)

    def hold(self, name: str) -> None:
        """Hold lock `name` until the current `transaction()` ends: the next worker to take it sees
        everything this one wrote (see `locks.hold_in_transaction`)."""
        with self._session() as session:
            locks.hold_in_transaction(session, name)

    def feed_health_reported(self, name: str) -> bool:
        """Whether a failing feed was already reported, so a channel hears of it once, not every poll."""
        with self._session() as session:
            return bool(session.scalar(select(FeedRow.health_reported).where(FeedRow.name == name)))

    def set_feed_health_reported(self, name: str, reported: bool) -> None:
        with self._session() as session:
            session.execute(update(FeedRow).where(FeedRow.name == name).values(health_reported=reported))

    # --- articles ------------------------------------------------------------------------------

    def find_article(
        self,
        url: str | None = None,
        guid: str | None = None,
        fingerprint: str | None = None,
        feed: str | None = None,
    ) -> Article | None:
        """The stored article with this canonical URL, else this GUID, else exactly this fingerprint.

        GUIDs are only unique within a feed ("1234" may mean two articles in two feeds), so when
        `feed` is given the GUID is looked up in that feed only.
        """
        with self._session() as session:
            guid_match = ArticleRow.guid == guid
            if feed is not None:
                guid_match = guid_match & (ArticleRow.feed == feed)
            for condition, value in ((ArticleRow.url == url, url), (guid_match, guid),
                                     (ArticleRow.fingerprint == fingerprint, fingerprint)):
                if value:
                    row = session.scalars(
                        select(ArticleRow).where(condition).order_by(ArticleRow.id).limit(1)
                    ).first()
                    if row is not None:
                        return _article(row)
            return None

    def add_article(self, article: Article, facts: ArticleFacts, story_id: str | None = None) -> int | None:
        """Store a new article with its facts, in its story when given; sets and returns `article.id`.

        An article whose canonical URL is stored already (another worker stored it a moment ago) is
        left as it is and None comes back: "already have it", never an error that would void the
        caller's transaction (INSERT … ON CONFLICT DO NOTHING on both databases).
        """
        values = {**_article_values(article), "fetched_at": datetime.now(UTC)}
        dialect = postgresql if self.engine.dialect.name == "postgresql" else sqlite
        with self._session() as session:
            inserted = session.scalar(dialect.insert(ArticleRow).values(**values)
                                      .on_conflict_do_nothing(index_elements=["url"]).returning(ArticleRow.id))
            if inserted is None:
                return None
            if story_id is not None:
                now = datetime.now(UTC)
                self._insert_ignore(session, StoryRow, {"id": story_id, "created": now, "updated": now}, ["id"])
                session.execute(update(StoryRow).where(StoryRow.id == story_id).values(updated=now))
                session.execute(update(ArticleRow).where(ArticleRow.id == inserted).values(story_id=story_id))
            _write_facts(session, inserted, facts)
            article.id = inserted
        return inserted

    def update_article(self, article: Article, facts: ArticleFacts) -> None:
        """A publisher's edit: replace the article's text and facts, keeping its id and story."""
        with self._session() as session:
            where = ArticleRow.id == article.id if article.id is not None else ArticleRow.url == article.url
            row = session.scalars(select(ArticleRow).where(where)).one()
            _fill_article(row, article)
            session.execute(delete(FactRow).where(FactRow.article_id == row.id))
            session.execute(delete(FeatureRow).where(FeatureRow.article_id == row.id))
            _write_facts(session, row.id, facts)
            article.id = row.id

    def item_hashes(self, feeds: Iterable[str]) -> set[str]:
        """Hashes of the feed items already stored for these feeds: a poll leaves those items out
        instead of fetching their pages again (an edited item has a new hash and comes through)."""
        with self._session() as session:
            rows = session.scalars(
                select(ArticleRow.item_hash).where(ArticleRow.feed.in_(list(feeds)), ArticleRow.item_hash != "")
            )
            return set(rows)

    def recent_fingerprints(self, since: datetime) -> list[tuple[int, str]]:
        """(id, fingerprint) of articles published since then, for near-duplicate search elsewhere."""
        with self._session() as session:
            rows = session.execute(
                select(ArticleRow.id, ArticleRow.fingerprint)
                .where(ArticleRow.published >= since, ArticleRow.fingerprint != "")
                .order_by(ArticleRow.id)
            )
            return [(i, fp) for i, fp in rows]

    def articles_in_window(self, start: datetime, end: datetime) -> list[tuple[Article, ArticleFacts]]:
        """Articles published in [start, end], oldest first: what the cluster index is rebuilt from."""
        with self._session() as session:
            rows = session.scalars(
                select(ArticleRow)
                .where(ArticleRow.published >= start, ArticleRow.published <= end)
                .order_by(ArticleRow.published, ArticleRow.id)
            ).all()
            return _with_facts(session, rows)

    def clustered_between(self, start: datetime, end: datetime, lead_chars: int | None = None
                          ) -> list[tuple[Article, ArticleFacts, str | None]]:
        """Articles published in [start, end] with their story id, for the story index.

        With `lead_chars`, each article's text and summary are cut to that many characters in the
        query: the index reads titles and leads only, and a long history's full texts would be
        most of a poll's memory.
        """
        return self._clustered(ArticleRow.published >= start, ArticleRow.published <= end, lead_chars=lead_chars)

    def clustered_after(self, after_id: int, lead_chars: int | None = None
                        ) -> list[tuple[Article, ArticleFacts, str | None]]:
        """Articles stored after article `after_id` (by other workers), as `clustered_between` gives them."""
        return self._clustered(ArticleRow.id > after_id, lead_chars=lead_chars)

    def newest_article_id(self) -> int:
        """The highest article id stored (0 for none): how far a worker's story index has seen."""
        with self._session() as session:
            return int(session.scalar(select(func.max(ArticleRow.id))) or 0)

    def _clustered(self, *where: ColumnElement[bool], lead_chars: int | None
                   ) -> list[tuple[Article, ArticleFacts, str | None]]:
        with self._session() as session:
            query = select(ArticleRow).where(*where)
            if lead_chars is not None:
                query = query.options(defer(ArticleRow.text), defer(ArticleRow.summary))
            rows = session.scalars(query.order_by(ArticleRow.published, ArticleRow.id)).all()
            leads: dict[int, tuple[str, str]] = {}
            if lead_chars is not None:
                for chunk in _chunks([r.id for r in rows]):
                    leads.update((i, (t or "", s or "")) for i, t, s in session.execute(
                        select(ArticleRow.id, func.substr(ArticleRow.text, 1, lead_chars),
                               func.substr(ArticleRow.summary, 1, lead_chars)).where(ArticleRow.id.in_(chunk))))
            pairs = _with_facts(session, rows, leads)
            return [(a, f, r.story_id) for r, (a, f) in zip(rows, pairs, strict=True)]

    # --- stories -------------------------------------------------------------------------------

    def upsert_story(self, story_id: str, title: dict[str, str] | None = None, replace: bool = False) -> None:
        """Create the story if new and mark it updated.

        A title is set per language only where the story has none yet (the first article in each
        language names the story), unless `replace` asks to overwrite.
        """
        now = datetime.now(UTC)
        with self._session() as session:
            self._insert_ignore(session, StoryRow, {"id": story_id, "created": now, "updated": now}, ["id"])
            row = session.get_one(StoryRow, story_id)
            row.updated = now
            for language, text in (title or {}).items():
                attribute = f"title_{language}"
                if hasattr(row, attribute) and (replace or not getattr(row, attribute)):
                    setattr(row, attribute, text)

    def set_story(self, article_id: int, story_id: str) -> None:
        """Put the article in the story (the story row is created if it does not exist yet)."""
        self.upsert_story(story_id)
        with self._session() as session:
            session.execute(update(ArticleRow).where(ArticleRow.id == article_id).values(story_id=story_id))

    def story_ids(self, article_ids: Iterable[int]) -> dict[int, str]:
        """The story of each of these articles that has one; what `Clusterer.load` needs at start-up."""
        ids = list(article_ids)
        result: dict[int, str] = {}
        with self._session() as session:
            for chunk in _chunks(ids):
                rows = session.execute(
                    select(ArticleRow.id, ArticleRow.story_id)
                    .where(ArticleRow.id.in_(chunk), ArticleRow.story_id.is_not(None))
                )
                result.update({i: s for i, s in rows if s is not None})
        return result

    def stories(self, since: datetime | None = None) -> list[StoredStory]:
        """Stories with an article published at or after `since` (all when None), oldest story first."""
        with self._session() as session:
            query = select(StoryRow)
            if since is not None:
                recent = select(ArticleRow.story_id).where(ArticleRow.published >= since)
                query = query.where(StoryRow.id.in_(recent))
            return _stories(session, session.scalars(query).all())

    def story(self, story_id: str) -> StoredStory | None:
        with self._session() as session:
            row = session.get(StoryRow, story_id)
            return _stories(session, [row])[0] if row is not None else None

    # --- story views ----------------------------------------------------------------------------

    def previous_view_facts(self, story_ids: Iterable[str]) -> dict[str, list[PreviousFact]]:
        """The stored facts of these stories' views (key, signature, times), per story."""
        out: dict[str, list[PreviousFact]] = {}
        with self._session() as session:
            for chunk in _chunks(list(story_ids)):
                rows = session.execute(
                    select(ViewFactRow.story_id, ViewFactRow.fact_key, ViewFactRow.signature,
                           ViewFactRow.first_seen, ViewFactRow.changed)
                    .where(ViewFactRow.story_id.in_(chunk)).order_by(ViewFactRow.id)
                )
                for story_id, key, sig, first, changed in rows:
                    out.setdefault(story_id, []).append(PreviousFact(key, sig, FactTimes(first, changed)))
        return out

    def write_views(self, views: Iterable[StoryView]) -> None:
        """Replace these stories' views and fact rows (in the caller's transaction, if any)."""
        with self._session() as session:
            for view in views:
                self._insert_ignore(session, StoryRow, {"id": view.story_id, "created": view.first_published,
                                                        "updated": view.learned}, ["id"])
                for table in (ViewFactRow, ViewActorRow, ViewTermRow, StoryViewRow):
                    session.execute(delete(table).where(table.story_id == view.story_id))
                session.add(StoryViewRow(
                    story_id=view.story_id, payload=view.payload, topics=_tags(view.topics),
                    article_count=view.article_count, first_published=view.first_published,
                    last_published=view.last_published, learned=view.learned,
                    search=view.search,
                ))
                session.add_all(
                    ViewFactRow(story_id=view.story_id, kind=f.kind, fact_key=f.key, signature=f.signature,
                                first_seen=f.times.first_seen, changed=f.times.changed,
                                last_published=view.last_published, on_date=f.on_date)
                    for f in view.facts
                )
                session.add_all(ViewActorRow(story_id=view.story_id, side=side, code=code[:64],
                                             last_published=view.last_published) for side, code in view.actors)
                session.add_all(ViewTermRow(story_id=view.story_id, term=term) for term in view.terms)

    def drop_views(self) -> None:
        """Forget every story view (`reindex` then rebuilds them from the articles)."""
        with self._session() as session:
            session.execute(delete(ViewFactRow))
            session.execute(delete(StoryViewRow))

    def story_ids_with_articles(self) -> list[str]:
        with self._session() as session:
            return list(session.scalars(
                select(ArticleRow.story_id).where(ArticleRow.story_id.is_not(None)).distinct()
            ))

    def story_sizes(self, story_ids: Iterable[str]) -> dict[str, int]:
        """How many articles each of these stories has."""
        out: dict[str, int] = {}
        with self._session() as session:
            for chunk in _chunks(list(story_ids)):
                out.update(session.execute(
                    select(ArticleRow.story_id, func.count()).where(ArticleRow.story_id.in_(chunk))
                    .group_by(ArticleRow.story_id)).all())
        return out

    def stored_stories(self, story_ids: Iterable[str]) -> list[StoredStory]:
        """These stories with their articles and facts: what a view is built from."""
        with self._session() as session:
            out: list[StoredStory] = []
            for chunk in _chunks(list(story_ids)):
                out += _stories(session, session.scalars(select(StoryRow).where(StoryRow.id.in_(chunk))).all())
            return out

    def views(self, *, story_ids: Iterable[str] | None = None, published_since: datetime | None = None,
              learned_since: datetime | None = None, topics: Iterable[str] | None = None,
              search: str | None = None, limit: int | None = None) -> list[ViewedStory]:
        """Story views, newest first, narrowed by ids, by their newest article's publication, by when
        the bot last learnt something of them, by topic (any of), and to those whose folded
        titles and facts contain `search`; at most `limit`."""
        query = select(StoryViewRow.story_id, StoryViewRow.payload, StoryViewRow.learned)
        if search:
            query = query.where(*_term_filters(search), StoryViewRow.search.contains(search, autoescape=True))
        if story_ids is not None:
            ids = list(story_ids)
            if not ids:
                return []
            query = query.where(StoryViewRow.story_id.in_(ids))
        if published_since is not None:
            query = query.where(StoryViewRow.last_published >= published_since)
        if learned_since is not None:
            query = query.where(StoryViewRow.learned >= learned_since)
        if topics is not None:
            query = query.where(or_(*[StoryViewRow.topics.contains(f",{t},") for t in topics] or [false()]))
        query = query.order_by(StoryViewRow.last_published.desc(), StoryViewRow.story_id)
        if limit is not None:
            query = query.limit(limit)
        with self._session() as session:
            return [load_view(sid, payload, learned) for sid, payload, learned in session.execute(query)]

    def all_views(self) -> list[ViewedStory]:
        """Every story view, oldest story first (the export's order)."""
        with self._session() as session:
            rows = session.execute(
                select(StoryViewRow.story_id, StoryViewRow.payload, StoryViewRow.learned)
                .order_by(StoryViewRow.first_published, StoryViewRow.story_id)
            )
            return [load_view(sid, payload, learned) for sid, payload, learned in rows]

    def fact_story_ids(self, kind: str, *, donor: str | None = None, recipient: str | None = None,
                       from_date: str | None = None, limit: int = 50) -> list[str]:
        """Stories holding a fact of this kind (with this donor, recipient, or dated from `from_date`
        on), through the fact indexes: newest story first, or soonest date first with `from_date`."""
        if donor or recipient:
            return self._actor_story_ids(donor, recipient, limit)
        query = select(ViewFactRow.story_id, ViewFactRow.last_published, ViewFactRow.on_date) \
            .where(ViewFactRow.kind == kind)
        if from_date is not None:  # "2026-07" and "2026" are still upcoming on 2026-07-15
            day = from_date[:10]
            query = query.where(or_(ViewFactRow.on_date >= day, ViewFactRow.on_date.in_([day[:7], day[:4]])))
            query = query.order_by(ViewFactRow.on_date)
        else:
            query = query.order_by(ViewFactRow.last_published.desc())
        out: list[str] = []
        with self._session() as session:
            for story_id, _, _ in session.execute(query.limit(limit * 4)):
                if story_id not in out:
                    out.append(story_id)
                if len(out) >= limit:
                    break
        return out

    def _actor_story_ids(self, donor: str | None, recipient: str | None, limit: int) -> list[str]:
        """Newest stories with a pledge by `donor` and one to `recipient`: an index range of view_actors."""
        side, code = ("donor", donor) if donor else ("recipient", recipient)
        query = select(ViewActorRow.story_id).where(ViewActorRow.side == side, ViewActorRow.code == code)
        if donor and recipient:
            other = aliased(ViewActorRow)
            query = query.where(select(other.story_id).where(
                other.story_id == ViewActorRow.story_id, other.side == "recipient", other.code == recipient,
            ).exists())
        query = query.order_by(ViewActorRow.last_published.desc()).limit(limit)
        with self._session() as session:
            return list(session.scalars(query))

    def actor_codes(self, side: str) -> set[str]:
        """Every donor (side "donor") or recipient code in the stored pledges, for autocomplete."""
        with self._session() as session:
            return set(session.scalars(select(ViewActorRow.code).where(ViewActorRow.side == side).distinct()))

    def channel_sent(self, channel_key: str, story_ids: Iterable[str]) -> dict[tuple[str, str], str]:
        """(story id, fact key) -> signature of what this channel was already sent of these stories."""
        out: dict[tuple[str, str], str] = {}
        with self._session() as session:
            for chunk in _chunks(list(story_ids)):
                rows = session.execute(
                    select(ChannelSentRow.story_id, ChannelSentRow.fact_key, ChannelSentRow.signature)
                    .where(ChannelSentRow.channel_key == channel_key, ChannelSentRow.story_id.in_(chunk))
                )
                out.update({(s, k): sig for s, k, sig in rows})
        return out

    def channel_was_sent_anything(self, channel_key: str) -> bool:
        with self._session() as session:
            return session.scalar(
                select(ChannelSentRow.story_id).where(ChannelSentRow.channel_key == channel_key).limit(1)
            ) is not None

    def record_sent(self, channel_key: str, brief_key: str, told: Iterable[tuple[str, str, str]]) -> None:
        """Remember what a brief told the channel: (story id, fact key, signature) each."""
        now = datetime.now(UTC)
        with self._session() as session:
            for story_id, key, sig in told:
                values = {"channel_key": channel_key, "story_id": story_id, "fact_key": key,
                          "signature": sig, "brief_key": brief_key, "sent_at": now}
                self._insert_ignore(session, ChannelSentRow, values, ["channel_key", "story_id", "fact_key"])
                session.execute(
                    update(ChannelSentRow)
                    .where(ChannelSentRow.channel_key == channel_key, ChannelSentRow.story_id == story_id,
                           ChannelSentRow.fact_key == key)
                    .values(signature=sig, brief_key=brief_key, sent_at=now)
                )

    def meta(self, key: str) -> str | None:
        with self._session() as session:
            return session.scalar(select(MetaRow.value).where(MetaRow.key == key))

    def set_meta(self, key: str, value: str) -> None:
        with self._session() as session:
            self._insert_ignore(session, MetaRow, {"key": key, "value": value}, ["key"])
            session.execute(update(MetaRow).where(MetaRow.key == key).values(value=value))

    def prune(self, before: datetime) -> int:
        """Delete articles published before `before` (their facts go with them) and what channels
        were told of stories no longer viewed; story rows and views stay, so a story already posted
        keeps what it said. Returns how many articles went."""
        with self._session() as session:
            gone = session.execute(
                delete(ArticleRow).where(ArticleRow.published < before).execution_options(synchronize_session=False)
            ).rowcount
            session.execute(delete(ChannelSentRow).where(ChannelSentRow.sent_at < before))
            return int(gone or 0)

    # --- delivery outbox ---------------------------------------------------------------------------

    def claim_delivery(self, channel_key: str, brief_key: str) -> Delivery | None:
        """The outbox row for this brief in this channel, inserted if new; None once it is settled
        (sent, or failed for good).

        This does not exclude other workers: whoever posts must hold the row through `lease_delivery`.
        """
        with self._session() as session:
            self._insert_delivery(session, channel_key, brief_key)
            row = session.scalars(self._delivery_query(channel_key, brief_key)).one()
            return _delivery(row) if row.status == "pending" else None

    def lease_delivery(self, channel_key: str, brief_key: str, owner: str, ttl: timedelta) -> Delivery | None:
        """The pending outbox row for this brief in this channel, held by `owner` for `ttl`; None when
        it is settled or another worker holds it.

        The row is inserted if new, then taken by one conditional UPDATE (pending, and free or already
        ours): the database applies it to the row once, so of two workers racing exactly one sees a row
        changed, on SQLite (one writer at a time) as on PostgreSQL (the loser's UPDATE re-reads the
        winner's lease and matches nothing). A lease that lapses (its worker crashed) is free again.
        Lease times come from each worker's clock: clocks are assumed to agree within seconds (NTP),
        far less than a lease.
        """
        now = datetime.now(UTC)
        with self._session() as session:
            self._insert_delivery(session, channel_key, brief_key)
            taken = session.execute(
                update(DeliveryRow)
                .where(DeliveryRow.channel_key == channel_key, DeliveryRow.brief_key == brief_key,
                       DeliveryRow.status == "pending", _free_for(owner, now))
                .values(lease_owner=owner, lease_until=now + ttl)
                .execution_options(synchronize_session=False)
            )
            if taken.rowcount != 1:
                return None
            return _delivery(session.scalars(self._delivery_query(channel_key, brief_key)).one())

    def renew_lease(self, delivery_id: int, owner: str, ttl: timedelta) -> bool:
        """Extend `owner`'s hold on a row it is still posting; False when the hold was lost (it lapsed
        and another worker took the row, or the row is settled): the caller must stop posting."""
        with self._session() as session:
            renewed = session.execute(
                update(DeliveryRow)
                .where(DeliveryRow.id == delivery_id, DeliveryRow.lease_owner == owner,
                       DeliveryRow.status == "pending")
                .values(lease_until=datetime.now(UTC) + ttl)
                .execution_options(synchronize_session=False)
            )
            return renewed.rowcount == 1

    def release_delivery(self, delivery_id: int, owner: str, retry_at: datetime | None = None) -> None:
        """Give a still-pending row back (its attempts ran out); nobody takes it before `retry_at`."""
        with self._session() as session:
            session.execute(
                update(DeliveryRow).where(DeliveryRow.id == delivery_id, DeliveryRow.lease_owner == owner)
                .values(lease_owner=None, lease_until=retry_at)
            )

    def complete_delivery(self, delivery_id: int, message_id: str | None) -> None:
        with self._session() as session:
            session.execute(
                update(DeliveryRow).where(DeliveryRow.id == delivery_id)
                .values(status="sent", sent_at=datetime.now(UTC), platform_message_id=message_id,
                        lease_owner=None, lease_until=None)
            )

    def fail_delivery(self, delivery_id: int, reason: str) -> None:
        """Settle a row that can never be posted (unknown channel, lost permission): no worker or
        restart takes it again; `reason` stays in `last_error` for the admin."""
        with self._session() as session:
            session.execute(
                update(DeliveryRow).where(DeliveryRow.id == delivery_id)
                .values(status="failed", last_error=reason, lease_owner=None, lease_until=None)
            )

    def record_delivery_error(self, delivery_id: int, error: str) -> None:
        with self._session() as session:
            session.execute(
                update(DeliveryRow).where(DeliveryRow.id == delivery_id)
                .values(attempts=DeliveryRow.attempts + 1, last_error=error)
            )

    def delivery(self, channel_key: str, brief_key: str) -> Delivery | None:
        with self._session() as session:
            row = session.scalars(self._delivery_query(channel_key, brief_key)).one_or_none()
            return _delivery(row) if row is not None else None

    def delivery_by_id(self, delivery_id: int) -> Delivery | None:
        with self._session() as session:
            row = session.get(DeliveryRow, delivery_id)
            return _delivery(row) if row is not None else None

    def previous_delivery(self, delivery_id: int) -> Delivery | None:
        """The latest settled row (sent or failed) of the same channel before this one: whether a
        failure continues a streak the admin already heard of."""
        with self._session() as session:
            channel = select(DeliveryRow.channel_key).where(DeliveryRow.id == delivery_id).scalar_subquery()
            row = session.scalars(
                select(DeliveryRow)
                .where(DeliveryRow.channel_key == channel, DeliveryRow.id < delivery_id,
                       DeliveryRow.status.in_(("sent", "failed")))
                .order_by(DeliveryRow.id.desc()).limit(1)
            ).first()
            return _delivery(row) if row is not None else None

    def pending_deliveries(self, free_at: datetime | None = None) -> list[Delivery]:
        """Rows not yet settled, oldest first; with `free_at`, only those no worker holds then (what a
        start-up or a periodic resume may take)."""
        with self._session() as session:
            query = select(DeliveryRow).where(DeliveryRow.status == "pending").order_by(DeliveryRow.id)
            if free_at is not None:
                query = query.where(DeliveryRow.lease_until.is_(None) | (DeliveryRow.lease_until < free_at))
            return [_delivery(r) for r in session.scalars(query)]

    def _insert_delivery(self, session: Session, channel_key: str, brief_key: str) -> None:
        values = {"channel_key": channel_key, "brief_key": brief_key, "status": "pending",
                  "created": datetime.now(UTC), "attempts": 0}
        self._insert_ignore(session, DeliveryRow, values, ["channel_key", "brief_key"])

    @staticmethod
    def _delivery_query(channel_key: str, brief_key: str) -> Select[tuple[DeliveryRow]]:
        return select(DeliveryRow).where(DeliveryRow.channel_key == channel_key,
                                         DeliveryRow.brief_key == brief_key)

    # --- scheduler bookkeeping ------------------------------------------------------------------

    def last_run(self, job_key: str) -> datetime | None:
        with self._session() as session:
            return session.scalar(select(JobRunRow.last_run).where(JobRunRow.job_key == job_key))

    def record_run(self, job_key: str, when: datetime) -> None:
        with self._session() as session:
            self._insert_ignore(session, JobRunRow, {"job_key": job_key, "last_run": when}, ["job_key"])
            session.execute(update(JobRunRow).where(JobRunRow.job_key == job_key).values(last_run=when))

    # --- helpers ----------------------------------------------------------------------------------

    def _insert_ignore(self, session: Session, model: type, values: dict[str, Any],
                       keys: list[str]) -> None:
        """INSERT … ON CONFLICT DO NOTHING: insert-or-get without a race between two workers."""
        dialect = postgresql if self.engine.dialect.name == "postgresql" else sqlite
        session.execute(dialect.insert(model).values(**values).on_conflict_do_nothing(index_elements=keys))


def _create_engine(url: str) -> Engine:
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise ValueError(f"unsupported database {backend!r}: use a sqlite:/// or postgresql+psycopg:// URL")
    if backend == "postgresql":
        return create_engine(url, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL lets readers (a slash command) run while the poller writes; SQLite leaves FKs off by default."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _feed_state(row: FeedRow) -> FeedState:
    return FeedState(
        name=row.name, url=row.url, etag=row.etag, last_modified=row.last_modified, seeded=row.seeded,
        failures=row.failures, last_error=row.last_error, next_attempt=row.next_attempt,
        last_success=row.last_success,
    )


def _fill_feed(row: FeedRow, state: FeedState) -> None:
    row.url = state.url
    row.etag = state.etag
    row.last_modified = state.last_modified
    row.seeded = state.seeded
    row.failures = state.failures
    row.last_error = state.last_error
    row.next_attempt = state.next_attempt
    row.last_success = state.last_success


def _fill_article(row: ArticleRow, article: Article) -> None:
    for key, value in _article_values(article).items():
        setattr(row, key, value)


def _article_values(article: Article) -> dict[str, Any]:
    if article.published.tzinfo is None:
        raise ValueError(f"naive publication time for {article.url}: the store only takes aware datetimes")
    return {"url": article.url, "guid": article.guid, "feed": article.feed, "title": article.title,
            "text": article.text, "summary": article.summary, "language": article.language,
            "published": article.published, "fingerprint": article.fingerprint,
            "item_hash": article.item_hash, "backlog": article.backlog}


def _article(row: ArticleRow, lead: tuple[str, str] | None = None) -> Article:
    text, summary = lead if lead is not None else (row.text, row.summary)
    return Article(
        url=row.url, title=row.title, text=text, language=row.language, published=row.published,
        feed=row.feed, guid=row.guid, summary=summary, fingerprint=row.fingerprint,
        item_hash=row.item_hash, backlog=row.backlog, id=row.id,
    )


def _write_facts(session: Session, article_id: int, facts: ArticleFacts) -> None:
    session.add_all(FactRow(article_id=article_id, kind=k, payload=p) for k, p in codec.fact_rows(facts))
    session.add(FeatureRow(article_id=article_id, payload=codec.features_payload(facts)))


def _with_facts(session: Session, rows: Sequence[ArticleRow], leads: dict[int, tuple[str, str]] | None = None
                ) -> list[tuple[Article, ArticleFacts]]:
    """Articles with their facts, in three queries per chunk rather than two per article; with
    `leads`, each article's (text, summary) is taken from there instead of the (deferred) row."""
    facts: dict[int, list[codec.Fact]] = {}
    features: dict[int, dict[str, Any]] = {}
    for chunk in _chunks([r.id for r in rows]):
        fact_rows = session.scalars(select(FactRow).where(FactRow.article_id.in_(chunk)).order_by(FactRow.id))
        for fact in fact_rows:
            facts.setdefault(fact.article_id, []).append(codec.fact_from_row(fact.kind, fact.payload))
        for feature in session.scalars(select(FeatureRow).where(FeatureRow.article_id.in_(chunk))):
            features[feature.article_id] = feature.payload
    return [(_article(r, leads.get(r.id) if leads is not None else None),
             codec.assemble_facts(features.get(r.id), facts.get(r.id, []))) for r in rows]


def _stories(session: Session, rows: Sequence[StoryRow]) -> list[StoredStory]:
    stories = {
        r.id: StoredStory(
            id=r.id, created=r.created, updated=r.updated,
            title={lang: t for lang, t in (("en", r.title_en), ("fr", r.title_fr)) if t},
        )
        for r in rows
    }
    articles: list[ArticleRow] = []
    for chunk in _chunks(list(stories)):
        articles += session.scalars(select(ArticleRow).where(ArticleRow.story_id.in_(chunk))).all()
    articles.sort(key=lambda r: (r.published, r.id))
    for row, pair in zip(articles, _with_facts(session, articles), strict=True):
        stories[str(row.story_id)].articles.append(pair)
    return sorted(stories.values(), key=_first_published)


def _first_published(story: StoredStory) -> tuple[datetime, str]:
    return (story.articles[0][0].published if story.articles else story.created, story.id)


def _term_filters(search: str) -> list[ColumnElement[bool]]:
    """Index look-ups narrowing a folded search to the stories holding its words (the last word may
    be the start of one, as a user types it)."""
    words = [w[:64] for w in _WORDS.findall(search) if len(w) > 1]
    filters: list[ColumnElement[bool]] = []
    for i, word in enumerate(words):
        terms = select(ViewTermRow.story_id)
        if i == len(words) - 1:
            terms = terms.where(ViewTermRow.term >= word, ViewTermRow.term < word + "\U0010ffff")
        else:
            terms = terms.where(ViewTermRow.term == word)
        filters.append(StoryViewRow.story_id.in_(terms))
    return filters


_WORDS = re.compile(r"[^\W_]+")


def _tags(topics: Iterable[str]) -> str:
    """Topic slugs as ",a,b," so one LIKE finds a slug without matching part of another."""
    return f",{','.join(topics)}," if topics else ""


def _free_for(owner: str, now: datetime) -> ColumnElement[bool]:
    """A row `owner` may take: nobody holds it, its hold has lapsed, or `owner` holds it already."""
    return or_(DeliveryRow.lease_until.is_(None), DeliveryRow.lease_until < now,
               DeliveryRow.lease_owner == owner)


def _delivery(row: DeliveryRow) -> Delivery:
    return Delivery(
        id=row.id, channel_key=row.channel_key, brief_key=row.brief_key, status=row.status,
        created=row.created, sent_at=row.sent_at, platform_message_id=row.platform_message_id,
        attempts=row.attempts, last_error=row.last_error, lease_owner=row.lease_owner,
        lease_until=row.lease_until,
    )


def _chunks(items: list[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start:start + _CHUNK]
