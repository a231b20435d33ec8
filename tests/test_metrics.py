"""What an operator scrapes: `/metrics` on `bot web` and on `run`'s health port, parsed with
prometheus-client's own parser after a real poll (a good feed and a broken one over loopback), a
brief posted through the real slack_sdk client to the Slack fake, and a command answered; and the
JSON log lines."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
from prometheus_client.parser import text_string_to_metric_families
from slack_sdk.web.async_client import AsyncWebClient

from bot.commands import Commands
from bot.config import ChannelConfig, FeedConfig, Settings
from bot.delivery import Outcome
from bot.health_http import serve_health
from bot.leader import Leadership
from bot.metrics import error_kind
from bot.platforms.replies import run_command
from bot.platforms.slack import SlackPoster
from bot.run import Runtime
from bot.supervise import Supervisor
from bot.web import make_web_app
from briefings.store import Store
from tests.support.bot_process import free_port, health
from tests.support.fake_slack import BOT_TOKEN, FakeSlack
from tests.support.feedserver import FeedEntry, FeedServer, rss
from tests.support.loopback import serving

ROOT = Path(__file__).resolve().parents[1]
CHANNEL = ChannelConfig(platform="slack", channel="C0METRICS", topics=("ukraine-aid",), language="en")


async def _scrape(url: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        assert response.status == 200 and response.headers["Content-Type"].startswith("text/plain")
        text = await response.text()
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


async def _nothing() -> None:
    return None


async def test_metrics_count_polls_errors_articles_deliveries_and_commands(tmp_path: Path) -> None:
    async with FeedServer() as server, FakeSlack() as slack:
        server.set_feed("/wire.xml", rss([FeedEntry(
            "Norway sends air defence to Ukraine", server.url("/1"), published=datetime.now(UTC) - timedelta(hours=1),
            content_html="<p>Norway will provide NOK 2 billion in military aid to Ukraine, its minister said.</p>",
        )], language="en"))
        server.fail("/broken.xml", 500)
        feeds = [FeedConfig(name="wire", url=server.url("/wire.xml")),
                 FeedConfig(name="broken", url=server.url("/broken.xml"))]
        store = Store(f"sqlite:///{tmp_path / 'metrics.db'}")
        settings = Settings(path=None, feeds=tuple(feeds), channels=(CHANNEL,))
        poster = SlackPoster(AsyncWebClient(token=BOT_TOKEN, base_url=slack.api_url, retry_handlers=[]))
        runtime = Runtime(settings, store, {"slack": poster})
        leadership = Leadership(store, _nothing, _nothing)
        port = free_port()
        stop = await serve_health("127.0.0.1", port, Supervisor(), runtime.outbox, store,
                                  lambda: {"name": runtime.worker, "leader": leadership.leading})
        try:
            async with serving(make_web_app(settings, Commands(settings, runtime.reads))) as web_base:
                before = await _scrape(f"{web_base}/metrics")
                assert await runtime.poll_due(feeds) == 2  # the worker's share: both feeds, by lease
                assert (await health(port))[1]["worker"] == {"name": runtime.worker, "leader": False}
                assert await leadership.check()
                assert (await health(port, "/healthz"))[1]["worker"]["leader"] is True
                assert await runtime.brief(CHANNEL, datetime.now(UTC)) is Outcome.SENT
                reply = await run_command(runtime.commands, "summary", {"topic": "ukraine-aid"}, "en")
                assert reply.ok
                after = await _scrape(f"{web_base}/metrics")
                on_run = await _scrape(f"http://127.0.0.1:{port}/metrics")  # run's health port: the same registry
                assert {k: v for k, v in on_run.items() if k[0].startswith("briefbot_")} == {
                    k: v for k, v in after.items() if k[0].startswith("briefbot_")}
        finally:
            await leadership.release()
            await stop()
            store.close()

    def grew(name: str, **labels: str) -> float:
        key = (name, tuple(sorted(labels.items())))
        return after.get(key, 0.0) - before.get(key, 0.0)

    assert grew("briefbot_polls_total") == 1
    assert grew("briefbot_feeds_leased_total") == 2
    assert (before[("briefbot_leader", ())], after[("briefbot_leader", ())]) == (0, 1)
    assert grew("briefbot_feed_errors_total", kind="http") == 1
    assert grew("briefbot_articles_total", kind="new") == 1
    assert grew("briefbot_story_assignments_total") == 1
    assert grew("briefbot_deliveries_total", platform="slack", outcome="sent") == 1
    assert grew("briefbot_command_seconds_count", command="summary") == 1


def test_fetch_failures_are_counted_by_kind() -> None:
    assert error_kind("HTTP 500") == "http"
    assert error_kind("timed out after 20 s") == "timeout"
    assert error_kind("cannot connect: Connection refused") == "connect"
    assert error_kind("not a feed: no items and no channel") == "parse"
    assert error_kind("something odd") == "other"


def test_json_log_lines_never_carry_a_secret(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'[storage]\nurl = "sqlite:///{tmp_path / "log.db"}"\n\n[[feeds]]\nname = "gone"\n'
                      f'url = "http://127.0.0.1:{free_port()}/feed.xml?key=xoxb-not-a-real-token-123"\n',
                      encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SLACK_BOT_TOKEN": "xoxb-not-a-real-token-123"}
    done = subprocess.run([sys.executable, "-m", "bot", "--log-json", "poll", "--once", "--config", str(config)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    entries = [json.loads(line) for line in done.stderr.splitlines() if line.startswith("{")]
    failed = [e for e in entries if e["level"] == "WARNING" and "gone" in e["message"]]
    assert failed and {"time", "level", "logger", "message"} <= failed[0].keys()
    assert "xoxb-not-a-real-token-123" not in done.stderr
