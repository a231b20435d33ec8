"""A store for the page tests: the bundled demo polled over loopback, plus a story whose feed text
is hostile (tests/support/chat_stories.py); `bot web`'s app over it on a free port, in this process
or as `python -m bot web` started the way a deployment starts it."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

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
from tests.support.loopback import serving


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
    try:
        async with serving(make_web_app(settings, Commands(settings, reads), pages)) as base:
            yield base
    finally:
        store.close()


ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def bot_web(site: DemoSite, folder: Path, timeout: float = 30.0) -> Iterator[str]:
    """`python -m bot web` over the demo store with no chat token in its environment, on a free
    loopback port; yields its base URL once it answers."""
    config = folder / "config.toml"
    config.write_text(f'[storage]\nurl = "{site.url}"\n', encoding="utf-8")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_"))}
    process = subprocess.Popen([sys.executable, "-m", "bot", "web", "--config", str(config), "--port", str(port)],
                               cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise AssertionError(f"bot web exited: {process.stderr.read().decode() if process.stderr else ''}")
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=5):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise AssertionError(f"bot web did not answer within {timeout} s") from None
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)
