"""Migrations: the schema they build is the models' schema, and upgrading keeps every row."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine

from briefings.store import Store, migrate
from briefings.store.schema import Base
from tests.conftest import POSTGRES_URL, blank_postgres


def test_migrated_schema_matches_the_models(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'a.db'}")
    with store.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    store.close()
    assert diff == []


def test_upgrade_from_the_first_revision_keeps_articles_and_facts(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    engine = create_engine(f"sqlite:///{path}")
    migrate.upgrade(engine, "0001")
    engine.dispose()
    assert migrate.current_revision(create_engine(f"sqlite:///{path}")) == "0001"

    # Rows as the first revision's code would have written them (naive UTC text, JSON payloads).
    raw = sqlite3.connect(path)
    raw.execute("PRAGMA foreign_keys=ON")
    raw.execute("INSERT INTO feeds (id, name, url, seeded, failures) VALUES (1, 'wire', 'http://x/f', 1, 2)")
    raw.execute("INSERT INTO stories (id, created, updated, title_en) VALUES "
                "('s-1', '2025-03-10 09:00:00.000000', '2025-03-10 09:00:00.000000', 'Old title')")
    raw.execute(
        "INSERT INTO articles (id, url, feed, title, text, summary, language, published, fetched_at,"
        " fingerprint, backlog, story_id) VALUES (7, 'https://news.example/7', 'wire', 'T', 'Body', '', 'fr',"
        " '2025-03-10 09:30:00.000000', '2025-03-10 09:31:00.000000', 'beef', 0, 's-1')"
    )
    pledge = {"donor": "FR", "recipient": "UA", "amount": 5.0, "currency": "EUR",
              "evidence": [{"sentence": "Paris donne cinq euros.", "url": "https://news.example/7"}]}
    raw.execute("INSERT INTO facts (article_id, kind, payload) VALUES (7, 'pledge', ?)",
                (json.dumps(pledge),))
    raw.execute("INSERT INTO article_features (article_id, payload) VALUES (7, ?)",
                (json.dumps({"actors": ["FR", "UA"], "places": [], "names": [], "event_date": None}),))
    raw.commit()
    raw.close()

    store = Store(f"sqlite:///{path}")
    assert migrate.current_revision(store.engine) == migrate.head_revision() == migrate.HEAD == "0007"
    [(article, facts)] = store.story("s-1").articles
    assert (article.id, article.published) == (7, datetime(2025, 3, 10, 9, 30, tzinfo=UTC))
    assert facts.pledges[0].amount == 5.0 and facts.pledges[0].evidence[0].url == article.url
    assert facts.actors == {"FR", "UA"}
    [feed] = store.feed_states()
    assert (feed.seeded, feed.failures) == (True, 2)
    assert store.feed_health_reported("wire") is False
    assert store.claim_delivery("slack:C1", "daily") is not None
    store.close()


def test_reopening_an_up_to_date_database_changes_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'a.db'}"
    store = Store(url)
    store.upsert_story("s-1", {"fr": "Titre"})
    store.close()
    for _ in range(2):
        store = Store(url)
        assert migrate.current_revision(store.engine) == migrate.HEAD
        assert [s.title for s in store.stories()] == [{"fr": "Titre"}]
        store.close()


def test_upgrade_to_leases_keeps_a_pending_delivery_and_frees_it(tmp_path: Path) -> None:
    """A row left pending by a bot from before revision 0004 is resumable: no lease holds it."""
    path = tmp_path / "outbox.db"
    engine = create_engine(f"sqlite:///{path}")
    migrate.upgrade(engine, "0003")
    engine.dispose()
    raw = sqlite3.connect(path)
    raw.execute("INSERT INTO deliveries (channel_key, brief_key, status, created, attempts, last_error) VALUES "
                "('slack:C1', 'brief:old', 'pending', '2026-11-21 07:00:00.000000', 2, 'slack 500')")
    raw.commit()
    raw.close()

    store = Store(f"sqlite:///{path}")
    [row] = store.pending_deliveries(free_at=datetime.now(UTC))
    assert (row.brief_key, row.attempts, row.lease_owner, row.lease_until) == ("brief:old", 2, None, None)
    leased = store.lease_delivery("slack:C1", "brief:old", "worker", timedelta(minutes=1))
    assert leased is not None and leased.id == row.id and leased.lease_owner == "worker"
    store.close()


def test_stores_opened_at_once_in_threads_both_upgrade(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    urls = [f"sqlite:///{tmp_path / f'{n}.db'}" for n in range(4)]
    with ThreadPoolExecutor(4) as pool:
        stores = list(pool.map(Store, urls))
    assert {migrate.current_revision(s.engine) for s in stores} == {migrate.head_revision()}
    for store in stores:
        store.close()


_OPEN_AT = """
import sys, time
from briefings.store import Store
start = float(sys.argv[2])
while time.time() < start:
    pass
Store(sys.argv[1]).close()
"""


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_processes_opening_a_new_database_at_the_same_instant_all_start(tmp_path: Path, backend: str) -> None:
    """Workers started together on a new database take turns to migrate it: before, both created the
    same tables and one exited ("table … already exists", "database is locked")."""
    root = Path(__file__).resolve().parents[1]
    for attempt in range(3):
        if backend == "sqlite":
            url = f"sqlite:///{tmp_path / f'new{attempt}.db'}"
        elif POSTGRES_URL:
            url = blank_postgres(POSTGRES_URL)
        else:
            pytest.skip("BRIEFBOT_TEST_POSTGRES_URL is not set")
        start = str(time.time() + 1.5)  # after both interpreters have imported the store
        processes = [subprocess.Popen([sys.executable, "-c", _OPEN_AT, url, start], cwd=root,
                                      stderr=subprocess.PIPE, text=True) for _ in range(3)]
        errors = [p.communicate(timeout=60)[1] for p in processes]
        assert [p.returncode for p in processes] == [0, 0, 0], errors
        store = Store(url)
        assert migrate.current_revision(store.engine) == migrate.HEAD
        store.close()
