"""A cold poll of the shared feed farm by 1, 2 and 3 workers on one PostgreSQL database.

Runs ../shared/bench/feedfarm.py once, then for each worker count (interleaved over --runs rounds,
so the shared machine's busy moments fall on every count alike): empties the database and brings it
to the current schema (not timed), starts that many `python -m bot poll --once --shared` processes
at the same moment, and times until the last one exits. The processes share the feeds through their
leases and serialise story assignment under the store's lock, exactly as `run` workers do. Reported
per count: median wall time, articles stored per second, the speed-up against one worker measured
in the same run, and how evenly the feeds were shared (feeds polled by each process).

Usage: BRIEFBOT_BENCH_POSTGRES_URL=postgresql+psycopg://… python bench/scale.py
           [--feeds 200] [--items 10] [--mode summary|full] [--workers 1,2,3] [--runs 3]
The database named by the URL is emptied (its public schema dropped) before every poll.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.request import urlopen

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]
FARM = ROOT.parent / "shared" / "bench" / "feedfarm.py"
URL_ENV = "BRIEFBOT_BENCH_POSTGRES_URL"
POLLED = re.compile(r"polled (\d+) feeds: (\d+) new articles")


def empty_database(url: str) -> None:
    from briefings.store import Store

    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    Store(url).close()  # migrated before the clock starts: every worker finds the schema current


def bench_url() -> str | None:
    """The PostgreSQL database the bench may empty, from URL_ENV; None (and why, on stderr) without."""
    url = os.environ.get(URL_ENV)
    if not url:
        print(f"set {URL_ENV} to a PostgreSQL database this bench may empty", file=sys.stderr)
    return url


def stored(url: str) -> int:
    engine = create_engine(url)
    with engine.connect() as connection:
        count = connection.execute(text("SELECT count(*) FROM articles")).scalar()
    engine.dispose()
    return int(count or 0)


def cold_poll(config: Path, url: str, workers: int) -> tuple[float, list[int]]:
    """Wall seconds until the last of `workers` sharing processes exits, and the feeds each polled."""
    env = {**os.environ, "BRIEFBOT_DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "bot", "poll", "--once", "--shared", "--config", str(config)]
    with tempfile.TemporaryDirectory() as logs:
        outputs = [Path(logs) / f"{n}.log" for n in range(workers)]
        start = time.perf_counter()
        processes = [subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                      stderr=out.open("wb")) for out in outputs]
        codes = [p.wait() for p in processes]
        wall = time.perf_counter() - start
        texts = [out.read_text(errors="replace") for out in outputs]
    if any(codes):
        raise SystemExit(f"a worker failed ({codes}):\n" + "\n".join(t[-2000:] for t in texts))
    return wall, [sum(int(m.group(1)) for m in POLLED.finditer(t)) for t in texts]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--feeds", type=int, default=200)
    ap.add_argument("--items", type=int, default=10)
    ap.add_argument("--mode", choices=("summary", "full"), default="summary")
    ap.add_argument("--workers", default="1,2,3")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    url = bench_url()
    if not url:
        return 2
    counts = [int(n) for n in args.workers.split(",")]
    farm = subprocess.Popen([sys.executable, str(FARM), "--feeds", str(args.feeds), "--items", str(args.items),
                             "--mode", args.mode], stdout=subprocess.PIPE, text=True)
    try:
        match = re.match(r"FARM (\S+)", farm.stdout.readline() if farm.stdout else "")
        if not match:
            print("the feed farm did not start", file=sys.stderr)
            return 1
        with urlopen(f"{match.group(1)}/feeds.txt") as answer:
            feeds = answer.read().decode().split()
        with tempfile.TemporaryDirectory() as folder:
            config = Path(folder) / "config.toml"
            config.write_text('[ingest]\nallow_private = ["loopback"]\n\n' + "\n".join(
                f'[[feeds]]\nname = "{u.rsplit("/", 1)[1].removesuffix(".xml")}"\nurl = "{u}"\n' for u in feeds),
                encoding="utf-8")
            walls: dict[int, list[float]] = {n: [] for n in counts}
            articles = 0
            for run in range(args.runs):
                for n in counts:
                    empty_database(url)
                    wall, shares = cold_poll(config, url, n)
                    articles = stored(url)
                    walls[n].append(wall)
                    print(f"run {run + 1} workers {n}: {wall:.1f} s, {articles} articles, feeds per worker {shares}")
        base = statistics.median(walls[counts[0]])
        print(f"\n{len(feeds)} feeds x {args.items} items ({args.mode}), {articles} articles, "
              f"{os.cpu_count()} cores, medians of {args.runs}:")
        for n in counts:
            wall = statistics.median(walls[n])
            print(f"SCALE workers={n} wall_s={wall:.1f} articles_per_s={articles / wall:.1f} "
                  f"speedup={base / wall:.2f}")
    finally:
        farm.terminate()
        farm.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
