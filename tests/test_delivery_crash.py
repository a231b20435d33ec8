"""Kill `python -m bot run` with SIGKILL around posting, restart it, and check that every brief reached
every channel exactly once. The bot runs as a real process with the real discord.py and slack_sdk
clients, pointed at loopback fakes of Discord (REST and gateway) and Slack that record every post.
The lease is shortened to 2 s, so a restart soon takes over the rows the killed process held."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from briefings.models import Article, ArticleFacts, Evidence, Pledge
from briefings.store import Store
from tests.support.fake_discord import FakeDiscord
from tests.support.fake_slack import BOT_TOKEN, FakeSlack

ROOT = Path(__file__).resolve().parents[1]
DISCORD_CHANNELS = ("300000000000000001", "300000000000000002")
SLACK_CHANNEL = "C0CRASH"
MARK = re.compile(r"#briefbot-([0-9a-f]{16})-(\d+)~(\d+)$")  # in the title link's fragment: brief, part, parts


def _config(tmp: Path) -> Path:
    channels = "".join(
        f'\n[[channels]]\nplatform = "discord"\nchannel = "{c}"\ntopics = ["ukraine-aid", "nato"]\n'
        f'schedule = "* * * * *"\ntimezone = "Europe/Paris"\nlanguage = "both"\n' for c in DISCORD_CHANNELS
    )
    channels += (f'\n[[channels]]\nplatform = "slack"\nchannel = "{SLACK_CHANNEL}"\ntopics = ["ukraine-aid"]\n'
                 f'schedule = "* * * * *"\ntimezone = "America/Montreal"\nlanguage = "both"\n')
    path = tmp / "config.toml"
    path.write_text(f'[storage]\nurl = "sqlite:///{tmp / "bot.db"}"\n{channels}', encoding="utf-8")
    return path


def _seed(db: Path) -> None:
    """Two fresh stories in the store, as polling would have left them."""
    store = Store(f"sqlite:///{db}")
    published = datetime.now(UTC) - timedelta(hours=1)
    for i, (title, donor) in enumerate([("La Suède livre des véhicules à l'Ukraine", "SE"),
                                        ("L'OTAN et la Finlande renforcent l'aide à Kiev", "FI")]):
        url = f"https://presse.example/crash/{i}"
        article = Article(url=url, title=title, text=f"{title}. Un texte court écrit pour le test.", language="fr",
                          published=published + timedelta(minutes=i), feed="presse")
        facts = ArticleFacts(pledges=[Pledge(donor=donor, recipient="UA", amount=1e8 * (i + 1), currency="EUR",
                                             language="fr", evidence=[Evidence(title, url)])])
        article_id = store.add_article(article, facts)
        store.upsert_story(f"crash-{i}", {"fr": title})
        store.set_story(article_id, f"crash-{i}")
    store.close()


async def _start(config: Path, discord: FakeDiscord, slack: FakeSlack, log: Path, crash_at: str | None):
    env = {**os.environ, "DISCORD_TOKEN": "discord-test-token", "SLACK_BOT_TOKEN": BOT_TOKEN,
           "BRIEFBOT_DISCORD_API_URL": discord.url, "BRIEFBOT_SLACK_API_URL": slack.api_url,
           "PYTHONPATH": str(ROOT), "BRIEFBOT_LEASE_SECONDS": "2"}
    env.pop("SLACK_APP_TOKEN", None)
    env.pop("SLACK_SIGNING_SECRET", None)
    env.pop("BRIEFBOT_CRASH_AT", None)
    if crash_at:
        env["BRIEFBOT_CRASH_AT"] = crash_at
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", "--config", str(config), cwd=str(ROOT), env=env,
        stdout=log.open("ab"), stderr=asyncio.subprocess.STDOUT,
    )


def _settled(db: Path) -> bool:
    store = Store(f"sqlite:///{db}")
    try:
        with store.engine.connect() as conn:
            rows = conn.exec_driver_sql("SELECT channel_key, status FROM deliveries").all()
    finally:
        store.close()
    channels = {key for key, status in rows if status == "sent"}
    expected = {f"discord:{c}" for c in DISCORD_CHANNELS} | {f"slack:{SLACK_CHANNEL}"}
    return channels >= expected and all(status == "sent" for _, status in rows)


@pytest.mark.parametrize("crash_at", ["before_claim", "after_claim", "after_post", "after_post:2"])
async def test_sigkill_around_posting_then_restart_delivers_each_brief_once(tmp_path: Path, crash_at: str) -> None:
    config = _config(tmp_path)
    _seed(tmp_path / "bot.db")
    log = tmp_path / "bot.log"
    async with FakeDiscord() as discord, FakeSlack() as slack:
        first = await _start(config, discord, slack, log, crash_at)
        code = await asyncio.wait_for(first.wait(), timeout=60)
        assert code == -signal.SIGKILL, log.read_text()

        second = await _start(config, discord, slack, log, None)
        deadline = time.monotonic() + 60
        while not _settled(tmp_path / "bot.db") and time.monotonic() < deadline:
            await asyncio.sleep(0.3)
        await asyncio.sleep(0.5)  # anything a buggy restart would post twice has time to arrive
        second.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(second.wait(), timeout=30) == 0, log.read_text()[-3000:]
        assert _settled(tmp_path / "bot.db"), log.read_text()[-3000:]

        # Discord: per channel, every (brief, part) exactly once and every brief complete.
        for channel in DISCORD_CHANNELS:
            marks = [MARK.search(m["embeds"][0]["url"]) for m in discord.posted(channel)]
            assert all(marks), "every brief message carries its mark"
            seen = Counter((m.group(1), int(m.group(2))) for m in marks if m)
            assert seen and max(seen.values()) == 1, seen
            totals = {m.group(1): int(m.group(3)) for m in marks if m}
            for brief, total in totals.items():
                assert {part for b, part in seen if b == brief} == set(range(1, total + 1))
        # Slack: the same through message metadata.
        payloads = [m["metadata"]["event_payload"] for m in slack.posted(SLACK_CHANNEL)]
        seen = Counter((p["brief_key"], p["part"]) for p in payloads)
        assert seen and max(seen.values()) == 1, seen
        for brief in {b for b, _ in seen}:
            total = next(p["total"] for p in payloads if p["brief_key"] == brief)
            assert {part for b, part in seen if b == brief} == set(range(1, total + 1))
