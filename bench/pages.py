"""Server-side time of the web pages against the stored story view.

Seeds a SQLite store with story views directly, as `bench/commands.py` does (same generator:
`--articles` articles in stories of 1–6 articles with pledges, missions, dates and topics), serves
`bot web`'s application on loopback and requests `/`, two topic pages, story pages picked at random
(French and English) and a missing story, one request at a time. A middleware times each request
from the handler's start to its response (reads, wording, template), as the server spends it. The
same is measured on a small store (`--baseline` articles) in the same process, so the ratio says
how the cost grows with history whatever the machine's speed.

    .venv/bin/python bench/pages.py                          # 50,000 vs 1,000 articles
    .venv/bin/python bench/pages.py --articles 5000 --calls 50
"""

from __future__ import annotations

import asyncio
import random
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from commands import seed  # bench/commands.py: the seeded story views
from comparison import Timings, compare  # bench/comparison.py

from bot.commands import Commands
from bot.config import Settings
from bot.pages import Pages
from bot.web import make_web_app
from bot.wiring import settle_heap
from briefings.brief import load_topics
from briefings.reads import StoryReads
from briefings.store import Store

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


async def measure(articles: int, calls: int, folder: Path) -> Timings:
    """Seconds per call of each page, timed inside the server, on a store of `articles` articles."""
    rng = random.Random(articles)
    store = Store(f"sqlite:///{folder / f'pages-{articles}.db'}")
    start = time.perf_counter()
    stories = seed(store, articles, rng, datetime.now(UTC))
    print(f"  seeded {articles} articles in {stories} stories in {time.perf_counter() - start:.1f} s", flush=True)
    timings: list[float] = []

    @web.middleware
    async def timed(request: web.Request, handler: Handler) -> web.StreamResponse:
        began = time.perf_counter()
        response = await handler(request)
        timings.append(time.perf_counter() - began)
        return response

    settings = Settings(path=None)
    reads = StoryReads(store)
    app = make_web_app(settings, Commands(settings, reads), Pages(reads, load_topics()))
    app.middlewares.append(timed)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    base = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"  # type: ignore[union-attr]
    cases: dict[str, tuple[Callable[[], str], int]] = {
        "/": (lambda: "/?lang=en", 200),
        "/topic/ukraine-aid": (lambda: "/topic/ukraine-aid?lang=fr", 200),
        "/topic/arctic": (lambda: "/topic/arctic?lang=en", 200),
        "/story/<id>": (lambda: f"/story/s-{rng.randint(0, stories - 1):08d}?lang={rng.choice(('fr', 'en'))}", 200),
        "/story/<missing>": (lambda: "/story/s-none", 404),
    }
    results: dict[str, list[float]] = {}
    try:
        async with aiohttp.ClientSession() as session:
            for name, (path, status) in cases.items():  # warm up, and check each page answers as it should
                async with session.get(base + path()) as response:
                    assert response.status == status, (name, response.status)
            settle_heap()  # as `web` does once started
            for name, (path, _) in cases.items():
                timings.clear()
                for _ in range(calls):
                    async with session.get(base + path()) as response:
                        await response.read()
                results[name] = list(timings)
    finally:
        await runner.cleanup()
        store.close()
    return results


def main() -> int:
    return compare(lambda articles, calls, folder: asyncio.run(measure(articles, calls, folder)), __doc__ or "",
                   label="page")


if __name__ == "__main__":
    raise SystemExit(main())
