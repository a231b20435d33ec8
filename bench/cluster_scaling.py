"""Per-article cost of story clustering with 200 and with 2,000 articles already indexed.

News arrives at a steady rate (PER_DAY articles a day), so a bigger store means a longer history,
not a busier day. The clusterer only looks at stories near the article's day, so the cost per
article should stay flat: the target is a ratio of at most 1.5 between the two medians.

    python bench/cluster_scaling.py [--per-day 40] [--probe 200] [--repeat 3]

Last line: `CLUSTER median_us_200=… median_us_2000=… ratio=…`.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import UTC, datetime, timedelta

from briefings.cluster import Clusterer
from briefings.models import Article, ArticleFacts, Pledge

ACTORS = ["UA", "NATO", "US", "EU", "FR", "DE", "GB", "PL", "NL", "DK", "NO", "SE", "UDCG", "RU"]
PLACES = ["Brussels", "Kyiv", "Warsaw", "Berlin", "Paris", "London", "The Hague", "Vilnius", "Ramstein"]
CAPITALS = ["Kyiv", "Moscow", "Washington", "Patriot", "Leopard", "Ramstein", "Kremlin", "Baltic", "Arctic",
            "Pentagon", "Bundeswehr", "Elysee", "Downing", "Zelensky", "Macron", "Merz", "Starmer",
            *(f"Common{k}" for k in range(100))]  # names many stories mention, as in real news
FILLER = ["the", "allies", "said", "that", "support", "would", "continue", "and", "more", "help", "was",
          "being", "prepared", "while", "officials", "discussed", "deliveries", "budgets", "timelines",
          "for", "coming", "months"]


def synthetic(count: int, per_day: int, seed: int = 11) -> list[tuple[Article, ArticleFacts]]:
    """Articles in publication order; each story has 1-6 reports in two languages, its own names and
    numbers, and capitalised words common to all stories."""
    rng = random.Random(seed)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    out: list[tuple[Article, ArticleFacts]] = []
    story = 0
    while len(out) < count:
        story += 1
        names = {f"name{story}x", f"name{story}y"}
        own = [f"Name{story}{k}" for k in "xyzuvw"] + [str(rng.randint(2, 3000)) for _ in range(3)]
        actors = set(rng.sample(ACTORS, 3))
        places = {rng.choice(PLACES)}
        amount = rng.choice([None, rng.randint(1, 900) * 1e6])
        pledges = [Pledge(donor=sorted(actors)[0], recipient="UA", amount=amount, currency="EUR")] if amount else []
        for _ in range(rng.randint(1, 6)):
            n = len(out)
            when = start + timedelta(days=n // per_day, seconds=n % per_day)
            words = [rng.choice(FILLER) for _ in range(220)]
            for i in range(0, 220, 9):
                words[i] = rng.choice(own if rng.random() < 0.6 else CAPITALS)  # its own words, and common ones
            text = " ".join(words)
            article = Article(url=f"https://bench.example/{n}", title=f"Report {story}", text=text,
                              language=rng.choice(["fr", "en"]), published=when,
                              fingerprint=f"{rng.getrandbits(64):016x}")
            out.append((article, ArticleFacts(pledges=pledges, actors=actors, places=places, names=names)))
    return out[:count]


def median_assign_us(stored: int, probe: int, per_day: int) -> tuple[float, float]:
    """Median µs and mean candidates per assign for `probe` articles after `stored` are indexed."""
    articles = synthetic(stored + probe, per_day)
    clusterer = Clusterer()
    for article, facts in articles[:stored]:
        clusterer.assign(article, facts)
    times, candidates = [], []
    for article, facts in articles[stored:]:
        begin = time.perf_counter_ns()
        clusterer.assign(article, facts)
        times.append((time.perf_counter_ns() - begin) / 1000)
        candidates.append(clusterer.last.candidates)
    return statistics.median(times), statistics.mean(candidates)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-day", type=int, default=40, help="articles published per day")
    parser.add_argument("--probe", type=int, default=200, help="articles timed after the stored ones")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each size; the fastest median counts")
    args = parser.parse_args()
    # Interleaved runs, fastest kept: other processes on the machine only ever add time.
    runs = [(median_assign_us(200, args.probe, args.per_day), median_assign_us(2000, args.probe, args.per_day))
            for _ in range(args.repeat)]
    small, small_candidates = min(small for small, _ in runs)
    large, large_candidates = min(large for _, large in runs)
    print(f"stored=200   median_us={small:.0f} candidates_mean={small_candidates:.1f}")
    print(f"stored=2000  median_us={large:.0f} candidates_mean={large_candidates:.1f}")
    print(f"CLUSTER median_us_200={small:.0f} median_us_2000={large:.0f} ratio={large / small:.2f}")


if __name__ == "__main__":
    main()
