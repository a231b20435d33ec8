"""Fill a store with real-looking history: what a bot holds after months of news.

The labelled articles of ../shared/eval are replicated into `--articles` distinct articles spread
over the last `--days` days (each replica its own URL and a sentence of its own, so it is neither
the same item nor the same wire copy), then absorbed through the real pipeline in batches: real
extraction (on every core), clustering, story views. Point a config's `[storage] url` at the file
to measure `poll`, `brief` or `export` against a store of that size:

    .venv/bin/python bench/big_store.py --articles 50000 --db /tmp/big.db
    /usr/bin/time -f "%e s %M KB" .venv/bin/python -m bot poll --once --config CONFIG_USING_/tmp/big.db
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from briefings.models import Article
from briefings.pipeline import Pipeline
from briefings.store import Store

EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval"
BATCH = 2_000


def sources() -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(EVAL.glob("dev*/articles/*.json"))]


def replicas(raw: list[dict], count: int, days: int, newest: datetime) -> list[Article]:
    """`count` distinct articles; replica r of a source is published r/rounds of the way back."""
    rounds = count // len(raw) + 1
    out = []
    for r in range(rounds):
        moment = newest - timedelta(days=days) * (1 - r / rounds)
        for i, item in enumerate(raw):
            if len(out) == count:
                return out
            out.append(Article(url=f"https://bench.example/{r}/{item['id']}-{i}", title=item.get("title") or "",
                               text=f"{item['text']}\n\nBench replica {r} of item {i}.",
                               language=item.get("language", "fr"), feed=f"bench-{i % 40}",
                               published=moment + timedelta(minutes=7 * i)))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=50_000)
    ap.add_argument("--days", type=int, default=90)
    ap.add_argument("--db", type=Path, required=True)
    args = ap.parse_args()
    raw = sources()
    if not raw:
        print(f"no labelled articles under {EVAL}", file=sys.stderr)
        return 2
    articles = replicas(raw, args.articles, args.days, datetime.now(UTC))
    store = Store(f"sqlite:///{args.db.resolve()}")
    pipeline = Pipeline(store)
    start = time.perf_counter()
    for first in range(0, len(articles), BATCH):
        report = pipeline.absorb(articles[first:first + BATCH])
        done = first + BATCH
        print(f"{min(done, len(articles))} articles, {report.new} new in this batch, "
              f"{time.perf_counter() - start:.0f} s", flush=True)
    store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
