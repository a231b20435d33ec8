"""Benchmark of extraction and clustering: throughput, peak memory, and clustering cost vs store size.

The labelled articles of ../shared/eval (dev and dev2) are replicated into distinct articles (own
URL, publication shifted by a few days per replica so each replica is its own set of stories) up
to --articles. Reported, as medians of --runs runs in this one process:

- extract+cluster throughput in articles/s, on one core;
- peak RSS of the whole process (ru_maxrss);
- the per-article cost of `Clusterer.assign` when 200 and when 2,000 articles are already indexed,
  for the same probe articles, and the ratio of the two (the index must keep it flat).

Usage: python bench/pipeline.py [--articles 2000] [--runs 5]
"""

from __future__ import annotations

import argparse
import copy
import json
import resource
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from briefings.cluster import Clusterer
from briefings.extract import extract_article
from briefings.models import Article, ArticleFacts

EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval"
PROBES = 50


def source_articles() -> list[Article]:
    articles = []
    for path in sorted(EVAL.glob("dev*/articles/*.json")):
        raw = json.loads(path.read_text(encoding="utf-8"))
        published = datetime.fromisoformat(raw.get("published") or "2026-01-01")
        articles.append(Article(
            url=f"https://bench.example/{path.parent.parent.name}/{raw['id']}", title=raw.get("title") or "",
            text=raw["text"], language=raw.get("language", "fr"),
            published=published if published.tzinfo else published.replace(tzinfo=UTC)))
    return articles


def replicate(articles: list[Article], n: int) -> list[Article]:
    """n distinct articles: replica r moves every article r*9 days later and to its own URL."""
    out = []
    for r in range(n // len(articles) + 1):
        for a in articles:
            out.append(Article(url=f"{a.url}/r{r}", title=a.title, text=a.text, language=a.language,
                               published=a.published + timedelta(days=9 * r), id=len(out) + 1))
    out = out[:n]
    out.sort(key=lambda a: a.published)
    return out


def cost_per_assign(pairs: list[tuple[Article, ArticleFacts]], stored: int) -> float:
    """Seconds per assign for PROBES articles added after `stored` articles are indexed."""
    clusterer = Clusterer()
    for article, facts in pairs[:stored]:
        clusterer.assign(article, facts)
    probes = [(copy.copy(a), f) for a, f in pairs[stored:stored + PROBES]]
    start = time.perf_counter()
    for article, facts in probes:
        clusterer.assign(article, facts)
    return (time.perf_counter() - start) / len(probes)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=2000)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    base = source_articles()
    if not base:
        print(f"no labelled articles under {EVAL}: nothing to benchmark", file=sys.stderr)
        return 1
    articles = replicate(base, args.articles + PROBES)
    words = statistics.mean(len(a.text.split()) for a in base)
    rates, small, large = [], [], []
    pairs: list[tuple[Article, ArticleFacts]] = []
    for _ in range(args.runs):
        start = time.perf_counter()
        pairs = [(a, extract_article(a)) for a in articles[: args.articles]]
        clusterer = Clusterer()
        for article, facts in pairs:
            clusterer.assign(copy.copy(article), facts)
        rates.append(args.articles / (time.perf_counter() - start))
    pairs += [(a, extract_article(a)) for a in articles[args.articles:]]
    for _ in range(args.runs):
        small.append(cost_per_assign(pairs, 200))
        large.append(cost_per_assign(pairs, args.articles))
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    s, lg = statistics.median(small), statistics.median(large)
    print(f"articles: {args.articles} distinct ({len(base)} labelled x replicas), mean {words:.0f} words")
    print(f"extract+cluster: median {statistics.median(rates):.0f} articles/s over {args.runs} runs "
          f"(min {min(rates):.0f}, max {max(rates):.0f})")
    print(f"cluster assign: {s * 1e6:.0f} us/article at 200 stored, {lg * 1e6:.0f} us/article at "
          f"{args.articles} stored, ratio {lg / s:.2f}")
    print(f"peak RSS: {rss_mb:.0f} MB")
    print(f"BENCH articles_per_s={statistics.median(rates):.0f} rss_mb={rss_mb:.0f} cluster_ratio={lg / s:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
