"""Benchmark of extraction precision: what each fact kind's confidence floor buys, set by set.

Every article of a labelled set is extracted alone (no story merging), and its facts are scored
against the set's gold.json with the evaluation's own strict matchers (../shared/eval/score.py):
`ignore` entries and labelled package parts count neither way, as in run_eval.py. For each kind the
table gives precision, recall and F1 of the facts whose confidence is at least each threshold,
from the kind's floor in briefings/data/precision.toml (what extraction keeps) upwards, so a floor
can be raised only where that gains F1 on every set. Noise articles count: a fact extracted from
one is a false positive.

Usage: python bench/precision.py [--set PATH ...]   (default: ../shared/eval/dev, dev2, dev3)
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import tomllib
from datetime import UTC, datetime
from pathlib import Path

from briefings.extract import extract_article
from briefings.extract.text import DATA
from briefings.models import Article

EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval"
KINDS = ("pledges", "missions", "dates")
THRESHOLDS = (0.5, 0.65, 0.7, 0.8, 0.9, 1.0)


def _score_module():
    spec = importlib.util.spec_from_file_location("eval_score", EVAL / "score.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _exported(kind: str, fact) -> dict:
    """A fact in the export's shape, which the evaluation's matchers read."""
    if kind == "pledges":
        return {"donor": fact.donor, "recipient": fact.recipient, "amount": fact.amount,
                "currency": fact.currency, "quantity": fact.quantity, "item": fact.item}
    if kind == "missions":
        return {"name": fact.name, "organisation": fact.organisation, "launched": fact.launched}
    return {"date": fact.date, "event": fact.event, "place": fact.place}


def _article(raw: dict) -> Article:
    value = raw.get("published") or "2026-01-01"
    published = datetime.fromisoformat(value if "T" in value else value + "T12:00:00+00:00").astimezone(UTC)
    return Article(raw["url"], raw.get("title") or "", raw["text"], raw["language"], published)


def measure(folder: Path, score) -> dict[str, list[tuple[float, dict]]]:
    """Per kind, per threshold: strict precision, recall and F1 over the set's articles."""
    gold = json.loads((folder / "gold.json").read_text(encoding="utf-8"))
    found: dict[str, list[tuple[list, list, list[tuple[float, dict]]]]] = {k: [] for k in KINDS}
    for path in sorted((folder / "articles").glob("*.json")):
        raw = json.loads(path.read_text(encoding="utf-8"))
        facts = extract_article(_article(raw))
        labelled = gold["facts"].get(raw["id"], {})
        ignored = gold.get("ignore", {}).get(raw["id"], {})
        for kind in KINDS:
            golds = [f for f in labelled.get(kind, []) if not f.get("component")]
            ignores = list(ignored.get(kind, [])) + [f for f in labelled.get(kind, []) if f.get("component")]
            systems = [(f.confidence, _exported(kind, f)) for f in getattr(facts, kind)]
            found[kind].append((golds, ignores, systems))
    out: dict[str, list[tuple[float, dict]]] = {}
    for kind in KINDS:
        rows = []
        for threshold in THRESHOLDS:
            tp = fp = fn = 0
            for golds, ignores, systems in found[kind]:
                kept = [s for c, s in systems if c >= threshold]
                a, b, c = score._match(golds, kept, ignores, score.MATCHERS[kind], True)
                tp, fp, fn = tp + a, fp + b, fn + c
            rows.append((threshold, score.prf(tp, fp, fn)))
        out[kind] = rows
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", action="append", type=Path, help="a labelled set (articles/, gold.json)")
    args = parser.parse_args()
    if not (EVAL / "score.py").exists():
        raise SystemExit(f"no evaluation harness at {EVAL}")
    score = _score_module()
    with (DATA / "precision.toml").open("rb") as fh:
        data = tomllib.load(fh)
    floors = {kind: data[kind]["keep"] for kind in KINDS}
    sets = args.set or [EVAL / name for name in ("dev", "dev2", "dev3") if (EVAL / name / "gold.json").exists()]
    for folder in sets:
        print(f"== {folder.name}")
        for kind, rows in measure(folder, score).items():
            cells = [f"≥{t:.2f}: P {r['p']:.2f} R {r['r']:.2f} F1 {r['f1']:.2f}" for t, r in rows if t >= floors[kind]]
            print(f"  {kind:9} floor {floors[kind]:.2f} | " + " | ".join(cells))


if __name__ == "__main__":
    main()
