"""Feed leases on both databases: workers take disjoint shares of the due feeds, a feed is due again
one interval after whoever polled it, and a dead worker's feeds go to another once its lease lapses."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from briefings.pipeline import FeedLease, FeedSpec, Pipeline
from briefings.store import Store

FEEDS = [(f"feed{n}", f"https://news.example/{n}.xml") for n in range(5)]
T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
INTERVAL = timedelta(minutes=15)
TTL = timedelta(minutes=2)


def _take(store: Store, owner: str, limit: int, now: datetime) -> list[str]:
    states = store.lease_due_feeds(FEEDS, interval=INTERVAL, owner=owner, ttl=TTL, limit=limit, now=now)
    return sorted(s.name for s in states)


def test_workers_share_due_feeds_and_take_a_dead_workers_once_its_lease_lapses(store: Store) -> None:
    first = _take(store, "a", 2, T0)
    rest = _take(store, "b", 10, T0)
    assert len(first) == 2 and sorted(first + rest) == [name for name, _ in FEEDS]  # disjoint, all taken
    assert _take(store, "c", 10, T0 + timedelta(seconds=30)) == []  # every feed is held

    assert store.finish_feeds(first, "a", now=T0 + timedelta(seconds=10)) == 2
    # "b" died holding its feeds: once its lease lapses another worker takes them, not a's (polled).
    assert _take(store, "c", 10, T0 + TTL + timedelta(seconds=1)) == rest
    assert store.finish_feeds(rest, "b") == 0  # b's late finish does not free c's feeds
    assert _take(store, "d", 10, T0 + TTL + timedelta(seconds=2)) == []
    assert store.finish_feeds(rest, "c", now=T0 + TTL + timedelta(seconds=5)) == 3
    # Due again one interval after each was polled, whoever polled it.
    assert _take(store, "d", 10, T0 + INTERVAL + timedelta(seconds=11)) == first
    assert _take(store, "e", 10, T0 + TTL + INTERVAL + timedelta(seconds=6)) == rest


def test_feeds_configured_later_are_taken_too(store: Store) -> None:
    assert len(_take(store, "a", 10, T0)) == 5
    more = [*FEEDS, ("feed9", "https://news.example/9.xml")]
    taken = store.lease_due_feeds(more, interval=INTERVAL, owner="b", ttl=TTL, limit=10, now=T0)
    assert [(s.name, s.url) for s in taken] == [more[-1]]


def test_a_worker_asking_while_another_takes_feeds_skips_its_rows_without_waiting(store: Store) -> None:
    """PostgreSQL's SKIP LOCKED: the second worker gets the other feeds at once, never the same ones."""
    if store.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time: the leader alone polls there")
    store.feed_states_for(FEEDS)  # known feeds: their rows exist before anyone leases them
    taken, release = threading.Event(), threading.Event()
    held: list[str] = []

    def slow_taker() -> None:
        with store.transaction():  # its row locks last until this commits
            held.extend(_take(store, "a", 2, T0))
            taken.set()
            release.wait(30)

    thread = threading.Thread(target=slow_taker)
    thread.start()
    try:
        assert taken.wait(30)
        asked = time.monotonic()
        other = _take(store, "b", 10, T0)
        waited = time.monotonic() - asked
    finally:
        release.set()
        thread.join(30)
    assert len(held) == 2 and len(other) == 3 and not set(held) & set(other)
    assert waited < 10, "the second worker waited for the first one's transaction"  # it holds 30 s


async def test_a_failed_poll_gives_its_feeds_back_at_once(store: Store) -> None:
    """A batch whose poll fails stores nothing; its feeds must not stay leased, unpolled, until the
    lease lapses. The failure here is real: the articles table is gone."""
    pipeline = Pipeline(store)
    with store.engine.begin() as connection:
        connection.execute(text("DROP TABLE articles CASCADE" if store.engine.dialect.name == "postgresql"
                                else "DROP TABLE articles"))
    lease = FeedLease(owner="a", interval=INTERVAL, ttl=TTL, batch=2)
    with pytest.raises(SQLAlchemyError):
        await pipeline.poll_due([FeedSpec(name, url) for name, url in FEEDS], lease)
    # Right away, not a TTL later: another worker takes them (the first two were never polled).
    assert _take(store, "b", 10, datetime.now(UTC)) == [name for name, _ in FEEDS]
