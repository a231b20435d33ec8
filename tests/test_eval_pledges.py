"""Pledges extracted from the labelled article sets, scored with the evaluation's own matcher.

Reads /work/shared/eval (skipped when absent). Per-article errors are printed so a failure shows
which article and which figure went wrong.
"""

from __future__ import annotations

import importlib.util
import json
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

import pytest

from briefings.extract import extract_article
from briefings.models import Article

EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval"


def _score_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("eval_score", EVAL / "score.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _published(value: str | None) -> datetime:
    if not value:
        return datetime(2026, 1, 1, 12, tzinfo=UTC)
    dt = datetime.fromisoformat(value if "T" in value else value + "T12:00:00+00:00")
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def _exported(pledge) -> dict:
    return {
        "donor": pledge.donor,
        "recipient": pledge.recipient,
        "amount": pledge.amount,
        "currency": pledge.currency,
        "quantity": pledge.quantity,
        "item": pledge.item,
        "condition": pledge.condition,
    }


@pytest.mark.parametrize("name", ["dev", "dev2"])
def test_pledges_on_labelled_set(name: str) -> None:
    folder = EVAL / name
    if not (folder / "gold.json").exists():
        pytest.skip(f"labelled set {folder} not present")
    score = _score_module()
    gold = json.loads((folder / "gold.json").read_text())
    totals = {False: [0, 0, 0], True: [0, 0, 0]}
    report = []
    for path in sorted((folder / "articles").glob("*.json")):
        raw = json.loads(path.read_text())
        facts = extract_article(
            Article(
                url=raw["id"],
                title=raw.get("title") or "",
                text=raw["text"],
                language=raw["language"],
                published=_published(raw.get("published")),
            )
        )
        found = [_exported(p) for p in facts.pledges]
        labelled = gold["facts"].get(raw["id"], {}).get("pledges", [])
        golds = [g for g in labelled if not g.get("component")]
        ignores = [g for g in labelled if g.get("component")] + gold.get("ignore", {}).get(raw["id"], {}).get(
            "pledges", []
        )
        for strict, total in totals.items():
            tp, fp, fn = score._match(golds, found, ignores, score.pledge_match, strict)
            total[0], total[1], total[2] = total[0] + tp, total[1] + fp, total[2] + fn
            if strict and (fp or fn):
                report.append(f"{raw['id']}: fp={fp} fn={fn} found={found}")
    strict = score.prf(*totals[True])
    print(f"{name}: pledges {score.prf(*totals[False])} strict {strict}")
    print("\n".join(report))
    assert strict["f1"] >= 0.9, "\n".join(report)
