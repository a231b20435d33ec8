"""Dates and missions extracted from the labelled sets, scored with the evaluation's own matchers.

Runs only where the shared evaluation folder exists. Each article is read alone (as extraction
does), so this measures the extractors, not story merging.
"""

from __future__ import annotations

import importlib.util
import json
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

import pytest

from briefings.extract.context import ArticleContext
from briefings.extract.dates import extract_dates
from briefings.extract.missions import extract_missions
from briefings.extract.text import normalise, sentences

EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval"
SETS = ["dev", "dev2"]

pytestmark = pytest.mark.skipif(not (EVAL / "score.py").exists(), reason="no shared evaluation folder")


def _score_module():
    spec = importlib.util.spec_from_file_location("eval_score", EVAL / "score.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _context(article: dict) -> ArticleContext:
    """The article as the pipeline sees it: a date-only publication is noon UTC (as the feeds say)."""
    value = article.get("published") or "2026-01-01"
    published = datetime.fromisoformat(value if "T" in value else value + "T12:00:00+00:00")
    published = (published if published.tzinfo else published.replace(tzinfo=UTC)).astimezone(UTC)
    return ArticleContext(article["language"], published, article.get("url") or article["id"],
                          article.get("title") or "")


def _scores(name: str) -> dict[str, dict]:
    score = _score_module()
    folder = EVAL / name
    gold = json.loads((folder / "gold.json").read_text(encoding="utf-8"))
    totals = {kind: [0, 0, 0] for kind in ("dates", "missions")}
    for path in sorted((folder / "articles").glob("*.json")):
        article = json.loads(path.read_text(encoding="utf-8"))
        body = sentences(normalise(article["text"]))
        ctx = _context(article)
        found = {"dates": [asdict(d) for d in extract_dates(body, ctx)],
                 "missions": [asdict(m) for m in extract_missions(body, ctx)]}
        for kind, total in totals.items():
            labelled = gold["facts"].get(article["id"], {}).get(kind, [])
            ignores = gold.get("ignore", {}).get(article["id"], {}).get(kind, [])
            tp, fp, fn = score._match(labelled, found[kind], ignores, score.MATCHERS[kind], True)
            total[0], total[1], total[2] = total[0] + tp, total[1] + fp, total[2] + fn
    return {kind: score.prf(*total) for kind, total in totals.items()}


@pytest.mark.parametrize("name", SETS)
def test_strict_f1_on_labelled_sets(name):
    if not (EVAL / name / "gold.json").exists():
        pytest.skip(f"no labelled set {name}")
    scores = _scores(name)
    assert scores["dates"]["f1"] >= 0.9, scores
    assert scores["missions"]["f1"] >= 0.9, scores
