"""Story clustering (B-cubed) of the labelled sets when several workers share the poll.

For each set (default dev2 and dev3 of ../shared/eval) the set's feeds are served as run_eval.py
serves them, then polled into an emptied PostgreSQL database three ways: one plain `poll --once`
(what the evaluation runs), one `poll --once --shared` worker, and N sharing workers started at the
same moment, each taking `--batch` feeds at a time so that every worker gets some of the outlets.
Each result is exported and scored with the evaluation's own scorer. Several workers must cluster
as one does: every article against every article stored before it, whichever worker stored it.

Usage: BRIEFBOT_BENCH_POSTGRES_URL=postgresql+psycopg://… python bench/scale_eval.py
           [--set ../shared/eval/dev2 ...] [--workers 3] [--batch 2]
The database named by the URL is emptied (its public schema dropped) before every poll.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from scale import ROOT, bench_url, empty_database

EVAL = ROOT.parent / "shared" / "eval"
sys.path.insert(0, str(EVAL))
from run_eval import Site, serve  # noqa: E402
from score import score  # noqa: E402


def polled(config: Path, url: str, workers: int | None) -> dict:
    """The export after one plain poll (`workers` None) or `workers` processes sharing it."""
    env = {**os.environ, "BRIEFBOT_DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    bot = [sys.executable, "-m", "bot"]
    empty_database(url)
    shared = ["--shared"] if workers else []
    processes = [subprocess.Popen([*bot, "poll", "--once", *shared, "--config", str(config)], cwd=ROOT, env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
                 for _ in range(workers or 1)]
    for process in processes:
        _, err = process.communicate()
        if process.returncode:
            raise SystemExit(f"a poll failed:\n{err[-2000:]}")
    export = subprocess.run([*bot, "export", "--format", "json", "--config", str(config)], cwd=ROOT, env=env,
                            capture_output=True, text=True, check=True)
    return json.loads(export.stdout)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--set", type=Path, action="append")
    ap.add_argument("--workers", type=int, default=3)
    ap.add_argument("--batch", type=int, default=2)
    args = ap.parse_args()
    url = bench_url()
    if not url:
        return 2
    for folder in args.set or [EVAL / "dev2", EVAL / "dev3"]:
        articles = [json.loads(p.read_text()) for p in sorted((folder / "articles").glob("*.json"))]
        gold = json.loads((folder / "gold.json").read_text())
        server, site = serve(lambda base, articles=articles: Site(articles, base, "summary"))
        try:
            with tempfile.TemporaryDirectory() as tmp:
                config = Path(tmp) / "config.toml"
                feeds = [f'[[feeds]]\nname = "{name}"\nurl = "{site.base}/feeds/{name}.xml"\n'
                         for name in sorted(site.feeds)]
                config.write_text(f"[workers]\nfeed_batch = {args.batch}\n\n" + "\n".join(feeds), encoding="utf-8")
                for label, workers in (("poll --once", None), ("1 worker, shared", 1),
                                       (f"{args.workers} workers, shared", args.workers)):
                    result = score(polled(config, url, workers), gold, _article_id)
                    c = result["clusters"]
                    print(f"{folder.name} ({len(site.feeds)} feeds, {len(articles)} articles) {label:<20} "
                          f"B3 P {c['p']:.3f} R {c['r']:.3f} F1 {c['f1']:.3f}")
        finally:
            server.shutdown()
    return 0


def _article_id(url: str) -> str | None:
    match = re.search(r"/a/([^/]+)\.html", url or "")
    return match.group(1) if match else None


if __name__ == "__main__":
    sys.exit(main())
