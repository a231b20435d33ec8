"""Feed leases: several workers on one database share the due feeds instead of each polling all.

A worker takes up to `limit` due feeds in one short transaction — on PostgreSQL with `SELECT … FOR
UPDATE SKIP LOCKED`, so two workers asking at once get different feeds and neither waits — and
marks them with its name and an expiry. Once their articles are stored it hands them back with the
time it finished, which makes them due again one interval later, whichever worker comes then. A
worker that dies holds its feeds only until the lease lapses; another takes them after that. A lease
that lapses under a slow worker costs a second fetch, never a lost or doubled article: storing an
article already stored is "already have it".
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from briefings.store import locks
from briefings.store.schema import FeedRow


def take_due(session: Session, urls: dict[str, str], *, interval: timedelta, owner: str, ttl: timedelta,
             limit: int, now: datetime) -> list[FeedRow]:
    """Lease up to `limit` of these feeds (name → configured URL) that are due and free, least
    recently polled first; the rows must exist already."""
    if session.get_bind().dialect.name != "postgresql":
        locks.write_first(session)  # SQLite: take the write lock before reading, see locks
    query = (
        select(FeedRow)
        .where(FeedRow.name.in_(list(urls)),
               or_(FeedRow.lease_until.is_(None), FeedRow.lease_until < now),
               or_(FeedRow.polled_at.is_(None), FeedRow.polled_at <= now - interval))
        .order_by(FeedRow.polled_at.asc().nulls_first(), FeedRow.name)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    rows = list(session.scalars(query))
    for row in rows:
        row.url = urls[row.name]
        row.lease_owner = owner
        row.lease_until = now + ttl
    return rows


def finish(session: Session, names: Sequence[str], owner: str, now: datetime) -> int:
    """Hand back the feeds `owner` still holds, polled at `now`; returns how many it still held
    (a feed whose lease lapsed and was taken by another worker is that worker's to finish)."""
    done = session.execute(
        update(FeedRow).where(FeedRow.name.in_(list(names)), FeedRow.lease_owner == owner)
        .values(lease_owner=None, lease_until=None, polled_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(done.rowcount or 0)


def release(session: Session, names: Sequence[str], owner: str) -> int:
    """Give back feeds `owner` still holds without marking them polled (its poll failed): due at
    once for any worker, instead of held until the lease lapses."""
    done = session.execute(
        update(FeedRow).where(FeedRow.name.in_(list(names)), FeedRow.lease_owner == owner)
        .values(lease_owner=None, lease_until=None)
        .execution_options(synchronize_session=False)
    )
    return int(done.rowcount or 0)
