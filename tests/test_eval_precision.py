"""Precision-first guarantees over every labelled real article (issue #8): each fact carries its
evidence sentence and a confidence at or above its floor, each date says what happens, no article
lists a fact twice, and the noise articles yield nothing.

Runs only where the shared evaluation folder exists; the articles' texts never enter the repository.
"""

from __future__ import annotations

import json
import tomllib
from datetime import UTC, datetime
from pathlib import Path

import pytest

from briefings.extract import extract_article
from briefings.extract.text import DATA, normalise
from briefings.models import Article

EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval"
SETS = [s for s in ("dev", "dev2", "dev3") if (EVAL / s / "gold.json").exists()]

pytestmark = pytest.mark.skipif(not SETS, reason="no shared evaluation folder")


def _articles(name: str) -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted((EVAL / name / "articles").glob("*.json"))]


def _extract(article: dict):
    value = article["published"]
    published = datetime.fromisoformat(value if "T" in value else value + "T12:00:00+00:00").astimezone(UTC)
    return extract_article(Article(article["url"], article.get("title") or "", article["text"], article["language"],
                                   published))


def _floors() -> dict[str, float]:
    with (DATA / "precision.toml").open("rb") as fh:
        data = tomllib.load(fh)
    return {kind: data[kind]["keep"] for kind in ("pledges", "missions", "dates")}


@pytest.mark.parametrize("name", SETS)
def test_every_fact_rests_on_a_sentence_of_its_article_and_passes_its_floor(name):
    floors = _floors()
    for article in _articles(name):
        facts = _extract(article)
        said = normalise(article.get("title") or "") + "\n" + normalise(article["text"])
        for kind in ("pledges", "missions", "dates"):
            for fact in getattr(facts, kind):
                assert fact.evidence, (article["id"], fact)
                assert all(e.sentence.strip() and e.sentence in said for e in fact.evidence), (article["id"], fact)
                assert floors[kind] <= fact.confidence <= 1.0, (article["id"], fact)
        for key_date in facts.dates:
            assert key_date.event and key_date.event.strip(), (article["id"], key_date)


@pytest.mark.parametrize("name", SETS)
def test_no_article_lists_a_fact_twice(name):
    for article in _articles(name):
        facts = _extract(article)
        dates = [(d.date, d.place) for d in facts.dates]
        missions = [m.name for m in facts.missions]
        pledges = [(p.donor, p.amount, p.currency, p.quantity, p.item) for p in facts.pledges]
        for keys in (dates, missions, pledges):
            assert len(keys) == len(set(keys)), (article["id"], keys)


def test_noise_articles_yield_no_facts():
    if "dev3" not in SETS:
        pytest.skip("dev3 absent")
    gold = json.loads((EVAL / "dev3" / "gold.json").read_text(encoding="utf-8"))
    noise = {a for c in gold["clusters"] if c["id"].startswith("noise_") for a in c["articles"]}
    for article in _articles("dev3"):
        if article["id"] in noise:
            facts = _extract(article)
            assert not (facts.pledges or facts.missions or facts.dates), article["id"]
