"""Faults of the chat platforms under `python -m bot run`: a platform that is down or crashes is
restarted with backoff, and never holds back the other platform or the briefs.

The bot runs as a real process with the real discord.py and slack_sdk clients against the loopback
fakes; its health endpoint is read over loopback HTTP. Restart delays are shortened through
BRIEFBOT_RESTART_BASE_SECONDS, the durations through the fakes' controls."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from briefings.models import Article, ArticleFacts, Evidence, Pledge
from briefings.store import Store
from tests.support.bot_process import free_port, health, start_bot, stop_bot, wait_until
from tests.support.fake_discord import APPLICATION_ID, FakeDiscord
from tests.support.fake_slack import APP_TOKEN, BOT_TOKEN, FakeSlack

DISCORD_CHANNEL = "310000000000000001"
SLACK_CHANNEL = "C0FAULT"


def write_config(tmp: Path, health_port: int, *, slack: bool = True, extra: str = "") -> Path:
    channels = (f'\n[[channels]]\nplatform = "discord"\nchannel = "{DISCORD_CHANNEL}"\ntopics = ["ukraine-aid"]\n'
                f'schedule = "* * * * *"\nlanguage = "fr"\n')
    if slack:
        channels += (f'\n[[channels]]\nplatform = "slack"\nchannel = "{SLACK_CHANNEL}"\ntopics = ["ukraine-aid"]\n'
                     f'schedule = "* * * * *"\nlanguage = "fr"\n')
    path = tmp / "config.toml"
    path.write_text(f'[storage]\nurl = "sqlite:///{tmp / "bot.db"}"\n\n[health]\nport = {health_port}\n'
                    f'alert_after_minutes = 0.02\n{extra}{channels}', encoding="utf-8")
    return path


def seed(db: Path, title: str = "La Suède livre des véhicules blindés à l'Ukraine") -> None:
    """One fresh story about aid to Ukraine, as polling would have left it."""
    store = Store(f"sqlite:///{db}")
    url = "https://presse.example/faults/1"
    article = Article(url=url, title=title, text=f"{title}. Un texte court écrit pour ce test.", language="fr",
                      published=datetime.now(UTC) - timedelta(hours=1), feed="presse")
    facts = ArticleFacts(pledges=[Pledge(donor="SE", recipient="UA", amount=3e8, currency="EUR", language="fr",
                                         evidence=[Evidence(title, url)])])
    article_id = store.add_article(article, facts)
    store.upsert_story("faults-1", {"fr": title[:200]})
    store.set_story(article_id, "faults-1")
    store.close()


def interaction(name: str, token: str) -> dict[str, Any]:
    return {"id": str(800000000000000000 + len(token)), "application_id": APPLICATION_ID, "type": 2,
            "token": token, "version": 1, "locale": "fr", "channel_id": DISCORD_CHANNEL,
            "channel": {"id": DISCORD_CHANNEL, "type": 1},
            "user": {"id": "700000000000000002", "username": "lectrice", "discriminator": "0", "avatar": None},
            "data": {"id": "1", "name": name, "type": 1, "options": []}, "app_permissions": "0",
            "entitlements": [], "authorizing_integration_owners": {}, "context": 1,
            "attachment_size_limit": 10_485_760}


def answered(fake: FakeDiscord, token: str) -> bool:
    kinds = {r["kind"] for r in fake.interaction_responses if token in r["path"]}
    return {"callback", "followup"} <= kinds


async def test_slack_unreachable_at_start_does_not_hold_back_discord_briefs(tmp_path: Path) -> None:
    seed(tmp_path / "bot.db")
    port = free_port()
    config = write_config(tmp_path, port, extra='\n[admin]\nplatform = "discord"\nchannel = "310000000000000009"\n')
    log = tmp_path / "bot.log"
    nowhere = f"http://127.0.0.1:{free_port()}/api/"  # nothing listens there: Slack is unreachable
    async with FakeDiscord() as discord:
        bot = await start_bot(config, log, {
            "DISCORD_TOKEN": "discord-test-token", "BRIEFBOT_DISCORD_API_URL": discord.url,
            "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": APP_TOKEN, "BRIEFBOT_SLACK_API_URL": nowhere})
        try:
            await wait_until(lambda: discord.posted(DISCORD_CHANNEL), 30, log, "the Discord brief was posted")

            async def slack_retrying() -> bool:
                status, body = await health(port)
                slack, discord_state = body["platforms"].get("slack", {}), body["platforms"].get("discord", {})
                return (status == 503 and slack.get("status") == "retrying" and slack.get("last_error")
                        and discord_state.get("status") == "connected")

            await wait_until(slack_retrying, 30, log, "the health endpoint shows Slack retrying, Discord up")
            _, body = await health(port)
            assert "ClientConnectorError" in body["platforms"]["slack"]["last_error"], body
            # Down for longer than [health] alert_after_minutes (1.2 s here): the admin hears of it.
            await wait_until(lambda: discord.posted("310000000000000009"), 15, log, "the admin was told")
            (alert,) = discord.posted("310000000000000009")
            assert "Slack: not connected since" in alert["embeds"][0]["title"].replace("\\", "")
        finally:
            await stop_bot(bot, log)
    assert "Suède" in json.dumps(discord.posted(DISCORD_CHANNEL), ensure_ascii=False)
    text = log.read_text()
    assert "platform slack:" in text and "restarting in" in text
    assert BOT_TOKEN not in text and APP_TOKEN not in text


async def test_a_crashed_discord_gateway_is_reconnected_and_answers_commands(tmp_path: Path) -> None:
    port = free_port()
    config = write_config(tmp_path, port, slack=False)
    log = tmp_path / "bot.log"
    async with FakeDiscord() as discord:
        bot = await start_bot(config, log, {"DISCORD_TOKEN": "discord-test-token",
                                            "BRIEFBOT_DISCORD_API_URL": discord.url})
        try:
            await wait_until(lambda: discord.identifies == 1 and discord._sockets, 30, log, "the gateway connected")
            await discord.send_interaction(interaction("topics", "before-crash"))
            await wait_until(lambda: answered(discord, "before-crash"), 15, log, "a command was answered")
            # A payload discord.py cannot parse is dropped, the session stays up.
            await discord.dispatch("MESSAGE_CREATE", {"id": "1", "content": "no channel, no author"})
            await discord.send_interaction(interaction("topics", "after-bad-payload"))
            await wait_until(lambda: answered(discord, "after-bad-payload"), 15, log, "answered after a bad payload")
            assert discord.identifies == 1
            # A close code discord.py does not recover from ends its gateway task and closes the client.
            await discord.drop_connections(code=4010)
            await wait_until(lambda: discord.identifies == 2 and discord._sockets, 30, log, "the gateway reconnected")

            async def commands_answered() -> bool:
                token = f"after-crash-{int(time.monotonic() * 1000)}"
                await discord.send_interaction(interaction("topics", token))
                await asyncio.sleep(1.0)
                return answered(discord, token)

            await wait_until(commands_answered, 30, log, "commands were answered after the crash")  # within 30 s

            async def healthy() -> bool:
                return (await health(port))[0] == 200

            await wait_until(healthy, 15, log, "the health endpoint shows Discord connected again")
            _, body = await health(port)
            assert body["platforms"]["discord"]["restarts"] == 1, body
        finally:
            await stop_bot(bot, log)
    text = log.read_text()
    assert "dropped a MESSAGE_CREATE event" in text
    assert "platform discord: ConnectionClosed" in text  # the cause is in the log


async def test_a_discord_token_refused_at_login_pauses_discord_and_tells_the_admin_through_slack(tmp_path: Path):
    seed(tmp_path / "bot.db")
    port = free_port()
    admin = '\n[admin]\nplatform = "discord"\nchannel = "310000000000000009"\n\n' \
            '[admin.fallback]\nplatform = "slack"\nchannel = "C0ADMIN"\n'
    config = write_config(tmp_path, port, extra=admin)
    log = tmp_path / "bot.log"
    async with FakeDiscord() as discord, FakeSlack() as slack:
        bot = await start_bot(config, log, {
            "DISCORD_TOKEN": "a-revoked-token", "BRIEFBOT_DISCORD_API_URL": discord.url,
            "SLACK_BOT_TOKEN": BOT_TOKEN, "BRIEFBOT_SLACK_API_URL": slack.api_url})
        try:
            await wait_until(lambda: slack.posted("C0ADMIN"), 40, log, "the admin was told through Slack")
            await wait_until(lambda: slack.posted(SLACK_CHANNEL), 30, log, "the Slack brief was posted")
            _, body = await health(port)
            assert body["platforms"]["discord"]["status"] == "retrying", body
            assert "LoginFailure" in body["platforms"]["discord"]["last_error"]
            assert body["platforms"]["discord"]["paused"]["reason"].startswith("discord: the token was refused")
            assert body["pending_deliveries"] >= 1  # the Discord brief is kept
        finally:
            await stop_bot(bot, log)
    alerts = [m["text"] for m in slack.posted("C0ADMIN")]
    assert sum("Discord" in a and "token is refused" in a for a in alerts) == 1, alerts
    assert discord.posted(DISCORD_CHANNEL) == []
    assert "a-revoked-token" not in log.read_text()
