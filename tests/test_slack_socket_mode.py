"""`python -m bot run` with SLACK_APP_TOKEN over Socket Mode: the real slack-bolt AsyncSocketModeHandler
(slack_sdk's aiohttp client) opens its WebSocket on the loopback fake of Slack, acks a `/summary`
envelope within Slack's 3 seconds and answers through the response_url, with feed text inert."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from briefings.models import Article, ArticleFacts, Evidence, Pledge
from briefings.store import Store
from tests.support.chat_stories import HOSTILE_BITS
from tests.support.fake_slack import APP_TOKEN, BOT_TOKEN, FakeSlack

ROOT = Path(__file__).resolve().parents[1]
ARTICLE_URL = "https://presse.example/socket/1"


def _seed(db: Path) -> None:
    """One fresh story about aid to Ukraine whose feed text tries to ping, link and format."""
    store = Store(f"sqlite:///{db}")
    title = f"La Suède envoie des véhicules blindés à l'Ukraine {HOSTILE_BITS}"
    article = Article(url=ARTICLE_URL, title=title, text=f"{title}. Un court texte écrit pour ce test.",
                      language="fr", published=datetime.now(UTC) - timedelta(hours=1), feed="presse")
    pledge = Pledge(donor="SE", recipient="UA", amount=3e8, currency="EUR", language="fr",
                    item=f"véhicules {HOSTILE_BITS}", evidence=[Evidence(title, ARTICLE_URL)])
    facts = ArticleFacts(pledges=[pledge])
    article_id = store.add_article(article, facts)
    store.upsert_story("socket-1", {"fr": title})
    store.set_story(article_id, "socket-1")
    store.close()


async def _start(tmp: Path, slack: FakeSlack, log: Path) -> asyncio.subprocess.Process:
    config = tmp / "config.toml"
    config.write_text(f'[storage]\nurl = "sqlite:///{tmp / "bot.db"}"\n', encoding="utf-8")
    env = {**os.environ, "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": APP_TOKEN,
           "BRIEFBOT_SLACK_API_URL": slack.api_url, "PYTHONPATH": str(ROOT)}
    for name in ("DISCORD_TOKEN", "SLACK_SIGNING_SECRET", "BRIEFBOT_CRASH_AT"):
        env.pop(name, None)
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", "--config", str(config), cwd=str(tmp), env=env,
        stdout=log.open("ab"), stderr=asyncio.subprocess.STDOUT,
    )


async def test_summary_over_socket_mode_is_acked_within_3s_and_answered_at_response_url(tmp_path: Path):
    _seed(tmp_path / "bot.db")
    log = tmp_path / "bot.log"
    async with FakeSlack() as slack:
        bot = await _start(tmp_path, slack, log)
        try:
            await slack.socket_connected(timeout=60)
            envelope = await slack.slash_command("/summary", "ukraine-aid", "summary")
            delay = await slack.ack_delay(envelope)
            assert delay is not None and delay < 3.0, log.read_text()[-3000:]
            assert slack.acks[envelope] == {"envelope_id": envelope}
            deadline = time.monotonic() + 15
            while not slack.responses["summary"] and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
        finally:
            bot.send_signal(signal.SIGTERM)
            code = await asyncio.wait_for(bot.wait(), timeout=30)
        assert code == 0, log.read_text()[-3000:]

    assert "apps.connections.open" in slack.calls
    (answer,) = slack.responses["summary"]
    assert answer["response_type"] == "ephemeral"
    text = " ".join(slack._texts())
    assert "Suède" in text and "blindés" in text  # the story is in the answer
    assert slack.pings() == []
    assert {url for url, _ in slack.links()} <= {ARTICLE_URL}
    for raw in ("<!", "<@", "<https://evil", "@everyone", "@here", "<b>", "<script"):
        assert raw not in text, raw
