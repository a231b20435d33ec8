"""What bench/commands.py and bench/pages.py share: time the same calls on a small store and a large
one in one process, and print median, p99 and the p99 ratio, so a reader sees whether a cost grows
with history whatever the machine's speed that day."""

from __future__ import annotations

import argparse
import resource
import statistics
import tempfile
from collections.abc import Callable
from pathlib import Path

Timings = dict[str, list[float]]  # call name -> seconds per call
Measure = Callable[[int, int, Path], Timings]  # (articles, calls, folder) -> timings


def p99(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]


def compare(measure: Measure, description: str, label: str = "call") -> int:
    """Parse `--articles`, `--baseline` and `--calls`, measure both stores, print the table."""
    ap = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=50_000)
    ap.add_argument("--baseline", type=int, default=1_000)
    ap.add_argument("--calls", type=int, default=200)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="briefbot-bench-") as tmp:
        print(f"baseline: {args.baseline} articles", flush=True)
        small = measure(args.baseline, args.calls, Path(tmp))
        print(f"store: {args.articles} articles", flush=True)
        large = measure(args.articles, args.calls, Path(tmp))
    print(f"\n{label:<22} {'median ms':>10} {'p99 ms':>8} {'p99 at ' + str(args.baseline):>12} {'ratio':>6}")
    for name, samples in large.items():
        base = p99(small[name])
        print(f"{name:<22} {statistics.median(samples) * 1000:>10.1f} {p99(samples) * 1000:>8.1f} "
              f"{base * 1000:>12.1f} {p99(samples) / base:>6.2f}")
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    return 0
