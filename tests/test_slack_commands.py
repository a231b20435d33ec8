"""Slack slash commands as real signed HTTP requests to `python -m bot web`'s app, answered through a
response_url on a loopback fake of Slack: correct signature answered within 3 s, wrong or stale rejected."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest

from bot.commands import Commands
from bot.config import Secrets, Settings
from bot.web import make_web_app
from briefings.reads import StoryReads
from tests.support.chat_stories import HOSTILE_URL, SAFE_URL, hostile_story, now, plain_story, stored_reads
from tests.support.fake_slack import BOT_TOKEN, FakeSlack
from tests.support.loopback import serving

SECRET = "signing-secret-for-tests"


def _signed(body: str, *, secret: str = SECRET, timestamp: int | None = None) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}",
            "Content-Type": "application/x-www-form-urlencoded"}


@pytest.fixture
async def slack_web(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    async with FakeSlack() as fake:
        monkeypatch.setenv("BRIEFBOT_SLACK_API_URL", fake.api_url)
        settings = Settings(path=None, secrets=Secrets(slack_bot_token=BOT_TOKEN, slack_signing_secret=SECRET))
        moment = now()
        reads = stored_reads([plain_story(moment), hostile_story(moment)], tmp_path)
        commands = Commands(settings, reads, now=lambda: moment)
        async with serving(make_web_app(settings, commands)) as base:
            yield fake, f"{base}/slack/events"


def _command(fake: FakeSlack, name: str, text: str, response: str) -> str:
    return urlencode({"token": "legacy", "team_id": "T1", "channel_id": "C42", "user_id": "U7", "command": f"/{name}",
                      "text": text, "response_url": fake.response_url(response), "trigger_id": "1.2.3"})


async def _answers(fake: FakeSlack, name: str, timeout: float = 5.0) -> list[dict]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not fake.responses[name]:
        await asyncio.sleep(0.05)
    return fake.responses[name]


async def test_signed_command_is_acked_within_3s_and_answered_via_response_url(slack_web) -> None:
    fake, url = slack_web
    body = _command(fake, "summary", "ukraine-aid fr", "summary")
    async with aiohttp.ClientSession() as session:
        started = time.monotonic()
        async with session.post(url, data=body, headers=_signed(body)) as resp:
            assert resp.status == 200
        assert time.monotonic() - started < 3.0
    (answer,) = await _answers(fake, "summary")
    assert answer["response_type"] == "ephemeral"
    assert answer["blocks"][0]["text"]["text"] == "Aide à l'Ukraine"
    assert any("Norvège" in b.get("text", {}).get("text", "") for b in answer["blocks"] if b["type"] == "section")


@pytest.mark.parametrize("headers", [
    {"secret": "not-the-secret"},
    {"timestamp": int(time.time()) - 10 * 60},  # replayed: older than Slack's five minutes
])
async def test_wrong_or_stale_signature_is_rejected(slack_web, headers) -> None:
    fake, url = slack_web
    body = _command(fake, "topics", "", "rejected")
    async with aiohttp.ClientSession() as session, session.post(url, data=body,
                                                                headers=_signed(body, **headers)) as resp:
        assert resp.status == 401
    await asyncio.sleep(0.3)
    assert fake.responses["rejected"] == []


async def test_unknown_topic_lists_known_topics_privately(slack_web) -> None:
    fake, url = slack_web
    body = _command(fake, "summary", "atlantis", "unknown")
    async with aiohttp.ClientSession() as session, session.post(url, data=body, headers=_signed(body)) as resp:
        assert resp.status == 200
    (answer,) = await _answers(fake, "unknown")
    text = " ".join(b["text"]["text"] for b in answer["blocks"] if "text" in b)
    assert "atlantis" in text and "ukraine-aid" in text and "nato" in text
    assert "Traceback" not in text and answer["response_type"] == "ephemeral"


async def test_public_answer_goes_to_the_channel(slack_web) -> None:
    fake, url = slack_web
    body = _command(fake, "dates", "public", "dates")
    async with aiohttp.ClientSession() as session, session.post(url, data=body, headers=_signed(body)) as resp:
        assert resp.status == 200
    (answer,) = await _answers(fake, "dates")
    assert answer["response_type"] == "in_channel"
    text = " ".join(b["text"]["text"] for b in answer["blocks"] if b["type"] == "section")
    assert "summit" in text and "sommet des donateurs" in text and "réunion passée" not in text


async def test_hostile_feed_text_neither_pings_nor_links_in_command_answers(slack_web) -> None:
    fake, url = slack_web
    async with aiohttp.ClientSession() as session:
        for name, text in [("summary", "ukraine-aid both"), ("pledges", ""), ("missions", ""), ("dates", ""),
                           ("ledger", ""),
                           ("sources", "drones")]:
            body = _command(fake, name, text, f"hostile-{name}")
            async with session.post(url, data=body, headers=_signed(body)) as resp:
                assert resp.status == 200
            assert await _answers(fake, f"hostile-{name}", timeout=30)  # /ledger draws charts first
    assert fake.pings() == []
    assert {link for link, _ in fake.links()} <= {SAFE_URL, HOSTILE_URL}
    for _, label in fake.links():  # Slack splits a link at its first `|`: later ones are plain text
        assert "<" not in label
    # Slack mrkdwn has no [text](url) syntax: the javascript: "link" stays text, and no <javascript:…> exists.
    assert not any("<javascript" in t for t in fake._texts())


async def test_an_error_in_the_follow_up_ends_in_an_ephemeral_error_reply(slack_web) -> None:
    fake, url = slack_web
    fake.fail_next("respond", 500)  # the public answer cannot be posted
    body = _command(fake, "dates", "public", "dates-failing")
    async with aiohttp.ClientSession() as session, session.post(url, data=body, headers=_signed(body)) as resp:
        assert resp.status == 200
    (answer,) = await _answers(fake, "dates-failing")
    assert answer["response_type"] == "ephemeral"
    assert "went wrong" in answer["text"]


async def test_an_error_reply_to_a_public_request_is_ephemeral(slack_web) -> None:
    fake, url = slack_web
    body = _command(fake, "summary", "atlantide public", "summary-unknown")
    async with aiohttp.ClientSession() as session, session.post(url, data=body, headers=_signed(body)) as resp:
        assert resp.status == 200
    (answer,) = await _answers(fake, "summary-unknown")
    assert answer["response_type"] == "ephemeral" and "atlantide" in answer["text"]


async def test_a_command_that_does_not_finish_in_time_is_answered_with_an_error(monkeypatch, tmp_path: Path) -> None:
    from bot.platforms import replies

    monkeypatch.setattr(replies, "COMMAND_TIMEOUT_S", 0.3)

    class StuckReads(StoryReads):
        def recent(self, topic: str, **kwargs: Any) -> list:
            time.sleep(2.0)  # a database that holds its lock
            return super().recent(topic, **kwargs)

    reads = StuckReads(stored_reads([plain_story(now())], tmp_path).store)
    async with FakeSlack() as fake:
        monkeypatch.setenv("BRIEFBOT_SLACK_API_URL", fake.api_url)
        settings = Settings(path=None, secrets=Secrets(slack_bot_token=BOT_TOKEN, slack_signing_secret=SECRET))
        async with serving(make_web_app(settings, Commands(settings, reads, now=now))) as base:
            body = _command(fake, "summary", "ukraine-aid public", "stuck")
            async with aiohttp.ClientSession() as session, session.post(f"{base}/slack/events", data=body,
                                                                        headers=_signed(body)) as resp:
                assert resp.status == 200
            (answer, *_) = await _answers(fake, "stuck", timeout=5.0)  # the first answer decides
    assert answer["response_type"] == "ephemeral" and "went wrong" in answer["text"]


async def test_the_admin_group_over_http_stores_the_change_for_the_workers(monkeypatch, tmp_path: Path) -> None:
    """`bot web` takes `/briefbot` too: the change is stored (who, what) for the `run` workers to follow;
    a member who is not a workspace admin is refused."""
    from bot.run import Runtime
    from briefings.store import Store

    async with FakeSlack() as fake:
        monkeypatch.setenv("BRIEFBOT_SLACK_API_URL", fake.api_url)
        fake.users = {"U7": {"name": "marc"}, "U8": {"name": "ines", "is_admin": True}}
        settings = Settings(path=None, secrets=Secrets(slack_bot_token=BOT_TOKEN, slack_signing_secret=SECRET))
        store = Store(f"sqlite:///{tmp_path / 'bot.db'}")
        runtime = Runtime(settings, store, {})
        try:
            app = make_web_app(settings, runtime.commands, admin=runtime.admin)
            async with serving(app) as base, aiohttp.ClientSession() as session:
                for user, name in (("U7", "member"), ("U8", "admin")):
                    body = urlencode({"token": "legacy", "team_id": "T1", "channel_id": "C42", "user_id": user,
                                      "user_name": fake.users[user]["name"], "command": "/briefbot",
                                      "text": 'subscribe nato "30 7 * * 1-5" Europe/Brussels fr',
                                      "response_url": fake.response_url(name), "trigger_id": "1.2.3"})
                    async with session.post(f"{base}/slack/commands", data=body, headers=_signed(body)) as resp:
                        assert resp.status == 200
                    assert await _answers(fake, name)
            (refused,) = fake.responses["member"]
            (taken,) = fake.responses["admin"]
            assert refused["response_type"] == taken["response_type"] == "ephemeral"
            assert "workspace admins" in refused["text"]
            assert "nato" in taken["text"]
            (change,) = store.setting_changes()
            assert (change.channel_key, change.who) == ("slack:C42", "ines (U8)")
            assert change.what == {"action": "subscribe", "topic": "nato", "schedule": "30 7 * * 1-5",
                                   "timezone": "Europe/Brussels", "language": "fr"}
        finally:
            store.close()
