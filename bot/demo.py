"""`python -m bot demo`: the whole pipeline on bundled sample feeds, with no token and no internet.

The sample feeds are served over loopback HTTP, so the demo exercises the same fetch, parse,
page-extraction, extraction, clustering and rendering code as a real deployment. The brief is
rendered as of the newest sample article, so it reads as it would have on the day.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from aiohttp import web

from briefings.brief import Brief, build_story_brief
from briefings.demo import DEMO_DIR, feed_files, render_with_base
from briefings.models import Story
from briefings.pipeline import FeedSpec, Pipeline
from briefings.render import render_bilingual
from briefings.store import Store


async def serve_demo_files() -> tuple[web.AppRunner, str]:
    """Serve briefings/demo/ on an ephemeral loopback port; returns the runner and the base URL."""
    base_box: list[str] = []

    async def handle(request: web.Request) -> web.Response:
        relative = request.match_info["path"]
        path = (DEMO_DIR / relative).resolve()
        if DEMO_DIR.resolve() not in path.parents or not path.is_file():
            raise web.HTTPNotFound()
        kind = "application/rss+xml" if path.suffix == ".xml" else "text/html"
        return web.Response(body=render_with_base(path, base_box[0]), content_type=kind, charset="utf-8")

    app = web.Application()
    app.router.add_get("/{path:.+}", handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    base_box.append(f"http://127.0.0.1:{port}")
    return runner, base_box[0]


def demo_feeds(base: str) -> list[FeedSpec]:
    return [FeedSpec(path.stem, f"{base}/{path.relative_to(DEMO_DIR).as_posix()}") for path in feed_files()]


async def run_demo(*, fmt: str = "text", langs: Sequence[str] = ("fr", "en"), out=None,
                   chart: Path | None = None) -> int:
    """Poll the sample feeds and print the brief; with `chart`, also write the ledger's chart of the
    demo's pledges there (in the first language, the currency with most pledges): the README's."""
    out = out or sys.stdout
    runner, base = await serve_demo_files()
    try:
        with tempfile.TemporaryDirectory(prefix="briefbot-demo-") as tmp:
            store = Store(f"sqlite:///{Path(tmp) / 'demo.db'}")
            try:
                pipeline = Pipeline(store)
                report = await pipeline.poll(demo_feeds(base), force=True)
                print(report.summary(), file=sys.stderr)
                stories = pipeline.stories()
                if not stories:
                    print("the demo feeds gave no story", file=sys.stderr)
                    return 1
                as_of = max(a.published for s in stories for a in s.articles)
                parts = [build_story_brief(s, as_of=as_of).stories[0] for s in stories]
                parts.sort(key=lambda b: (len(b.sources), b.published), reverse=True)
                out.write(render_bilingual(Brief(as_of=as_of, stories=parts), fmt=fmt, langs=langs))
                if chart is not None:
                    write_demo_chart(stories, chart, langs[0])
            finally:
                store.close()
    finally:
        await runner.cleanup()
    return 0


def write_demo_chart(stories: list[Story], path: Path, locale: str) -> None:
    from briefings.ledger import currencies, ledger_entries
    from briefings.render.chart import ledger_chart

    entries = ledger_entries(stories)
    currency = next(iter(currencies(entries)), None)
    if currency is None:
        print("the demo has no priced pledge to chart", file=sys.stderr)
        return
    path.write_bytes(ledger_chart(entries, currency, locale))
    print(f"ledger chart of the demo's pledges in {currency} written to {path}", file=sys.stderr)
