"""A store for the page tests: the bundled demo polled over loopback, plus a story whose feed text
is hostile (tests/support/chat_stories.py), and a way to serve `bot web`'s app on a free port."""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from aiohttp import web

from bot.commands import Commands
from bot.config import Settings
from bot.demo import demo_feeds, serve_demo_files
from bot.pages import Pages
from bot.web import make_web_app
from briefings.brief import load_topics
from briefings.models import Story
from briefings.pipeline import Pipeline
from briefings.reads import StoryReads
from briefings.store import Store
from briefings.view import build_view
from tests.support.chat_stories import hostile_story


@dataclass(frozen=True)
class DemoSite:
    """Where the demo store is, the story holding the $35bn pledge, the hostile story, and the
    moment the demo's brief is written at."""

    url: str
    pledge_story: str
    hostile_story: str
    as_of: datetime


def build_demo_store(folder: Path) -> DemoSite:
    """Poll the demo feeds into a SQLite store in `folder` and add the hostile story's view."""
    url = f"sqlite:///{folder / 'pages.db'}"

    async def poll() -> list[Story]:
        runner, base = await serve_demo_files()
        try:
            pipeline = Pipeline(store)
            await pipeline.poll(demo_feeds(base), force=True)
            return pipeline.stories()
        finally:
            await runner.cleanup()

    store = Store(url)
    try:
        stories = asyncio.run(poll())
        as_of = max(a.published for s in stories for a in s.articles)
        pledged = next(s for s in stories if any(p.amount == 35e9 for p in s.pledges))
        hostile = hostile_story(as_of)
        store.write_views([build_view(hostile, [], datetime.now(UTC))])
    finally:
        store.close()
    return DemoSite(url, pledged.id, hostile.id, as_of)


@asynccontextmanager
async def serve_pages(site: DemoSite, settings: Settings | None = None):
    """`bot web`'s application over the demo store on 127.0.0.1; yields its base URL."""
    settings = settings or Settings(path=None)
    store = Store(site.url)
    reads = StoryReads(store)
    pages = Pages(reads, load_topics(), now=lambda: site.as_of)
    runner = web.AppRunner(make_web_app(settings, Commands(settings, reads), pages))
    await runner.setup()
    tcp = web.TCPSite(runner, "127.0.0.1", 0)
    await tcp.start()
    port = tcp._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()
        store.close()
