"""The evaluation's labelled sets (../shared/eval) as stored stories, for tests that compare what the
bot stores, exports or renders with them. A test asking for a set that is absent skips."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from briefings.models import Article
from briefings.pipeline import Pipeline
from briefings.store import Store

EVAL = Path(__file__).resolve().parents[3] / "shared" / "eval"


def labelled_articles(name: str) -> list[Article]:
    """The set's articles as ingestion would make them; skips the test when the set is absent."""
    folder = EVAL / name
    if not (folder / "articles").is_dir():
        pytest.skip(f"labelled set {folder} not present")
    out = []
    for path in sorted((folder / "articles").glob("*.json")):
        raw = json.loads(path.read_text(encoding="utf-8"))
        published = raw.get("published") or "2026-01-01"
        moment = datetime.fromisoformat(published if "T" in published else published + "T12:00:00+00:00")
        out.append(Article(url=raw.get("url") or raw["id"], title=raw.get("title") or "", text=raw["text"],
                           language=raw["language"], published=moment if moment.tzinfo else moment.replace(tzinfo=UTC),
                           feed=raw.get("source") or ""))
    return out


@contextmanager
def labelled_pipeline(name: str, db: Path, **options: Any) -> Iterator[Pipeline]:
    """A pipeline over a new SQLite file at `db` that has absorbed the set; the store closes after."""
    articles = labelled_articles(name)
    store = Store(f"sqlite:///{db}")
    try:
        pipeline = Pipeline(store, **options)
        pipeline.absorb(articles)
        yield pipeline
    finally:
        store.close()
