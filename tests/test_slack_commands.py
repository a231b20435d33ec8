"""Slack slash commands as real signed HTTP requests to `python -m bot web`'s app, answered through a
response_url on a loopback fake of Slack: correct signature answered within 3 s, wrong or stale rejected."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest

from bot.commands import Commands
from bot.config import ChannelConfig, Secrets, Settings
from bot.platforms.slack import UserLocales, web_client
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


@asynccontextmanager
async def _serving_slack(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                         channels: tuple[ChannelConfig, ...] = ()) -> AsyncIterator[tuple[FakeSlack, str]]:
    async with FakeSlack() as fake:
        monkeypatch.setenv("BRIEFBOT_SLACK_API_URL", fake.api_url)
        settings = Settings(path=None, channels=channels,
                            secrets=Secrets(slack_bot_token=BOT_TOKEN, slack_signing_secret=SECRET))
        moment = now()
        reads = stored_reads([plain_story(moment), hostile_story(moment)], tmp_path)
        commands = Commands(settings, reads, now=lambda: moment)
        async with serving(make_web_app(settings, commands)) as base:
            yield fake, f"{base}/slack/events"


@pytest.fixture
async def slack_web(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    async with _serving_slack(monkeypatch, tmp_path) as served:
        yield served


def _command(fake: FakeSlack, name: str, text: str, response: str, user: str = "U7") -> str:
    return urlencode({"token": "legacy", "team_id": "T1", "channel_id": "C42", "user_id": user, "command": f"/{name}",
                      "text": text, "response_url": fake.response_url(response), "trigger_id": "1.2.3"})


async def _ask(fake: FakeSlack, url: str, name: str, text: str, response: str, user: str = "U7") -> dict:
    """Send a signed command and return its one answer."""
    body = _command(fake, name, text, response, user)
    async with aiohttp.ClientSession() as session, session.post(url, data=body, headers=_signed(body)) as resp:
        assert resp.status == 200
    (answer,) = await _answers(fake, response)
    return answer


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


async def test_a_user_whose_slack_language_is_french_is_answered_in_french(slack_web) -> None:
    fake, url = slack_web
    fake.user_locales["U8"] = "fr-FR"
    answer = await _ask(fake, url, "summary", "atlantis", "french-user", user="U8")
    assert "Thème inconnu « atlantis »" in answer["text"]
    answer = await _ask(fake, url, "summary", "atlantis", "english-user", user="U7")  # Slack gives no locale
    assert "Unknown topic “atlantis”" in answer["text"]
    await _ask(fake, url, "topics", "", "french-again", user="U8")
    assert fake.calls.count("users.info") == 2  # one look-up per user, then the cache


async def test_without_a_user_locale_the_channels_language_is_used(monkeypatch, tmp_path: Path) -> None:
    french = ChannelConfig(platform="slack", channel="C42", topics=("ukraine-aid",), language="fr")
    async with _serving_slack(monkeypatch, tmp_path, (french,)) as (fake, url):
        fake.user_locales["U9"] = "en-GB"
        assert "Thème inconnu" in (await _ask(fake, url, "summary", "atlantis", "no-locale", user="U7"))["text"]
        assert "Unknown topic" in (await _ask(fake, url, "summary", "atlantis", "en-gb", user="U9"))["text"]
        fake.fail_for("users.info", 30)  # a failed look-up (a missing users:read scope…) is not an error
        assert "Thème inconnu" in (await _ask(fake, url, "summary", "atlantis", "failed", user="U10"))["text"]


async def test_text_that_does_not_fit_the_command_gets_its_usage(slack_web) -> None:
    fake, url = slack_web
    answer = await _ask(fake, url, "pledges", "donnor:GB", "usage")
    text = " ".join(b["text"]["text"] for b in answer["blocks"] if "text" in b)
    assert "Usage of /pledges" in text
    assert "/pledges [donor] [recipient] [public] — Aid pledges, by donor and recipient" in text
    assert answer["response_type"] == "ephemeral"


async def test_user_locales_are_cached_for_a_while_and_bounded() -> None:
    clock = [0.0]
    async with FakeSlack() as fake:
        fake.user_locales |= {"UA": "fr-FR", "UB": "en-US", "UC": "fr-CA"}
        client = web_client(BOT_TOKEN)
        client.base_url = fake.api_url

        async def asked(user: str | None) -> tuple[str | None, int]:
            before = fake.calls.count("users.info")
            return await locales.get(user), fake.calls.count("users.info") - before

        locales = UserLocales(client, ttl_s=60, size=2, clock=lambda: clock[0])
        assert [await asked(u) for u in ("UA", "UB", "UA", None)] == [("fr", 1), ("en", 1), ("fr", 0), (None, 0)]
        assert await asked("UC") == ("fr", 1)  # a third user: the least recently used (UB) is dropped
        assert await asked("UA") == ("fr", 0)
        assert await asked("UB") == ("en", 1)
        assert await asked("nobody") == (None, 1)
        assert await asked("nobody") == (None, 0)  # an unknown locale is remembered too
        fake.user_locales["UB"] = "fr-FR"
        clock[0] = 61.0  # past the TTL: asked again
        assert await asked("UB") == ("fr", 1)


async def test_the_admin_group_over_http_stores_the_change_for_the_workers(monkeypatch, tmp_path: Path) -> None:
    """`bot web` takes `/briefbot` too: the change is stored (who, what) for the `run` workers to follow;
    a member who is not a workspace admin is refused."""
    from bot.run import Runtime
    from briefings.store import Store

    async with FakeSlack() as fake:
        monkeypatch.setenv("BRIEFBOT_SLACK_API_URL", fake.api_url)
        fake.user_flags = {"U7": {"name": "marc"}, "U8": {"name": "ines", "is_admin": True}}
        settings = Settings(path=None, secrets=Secrets(slack_bot_token=BOT_TOKEN, slack_signing_secret=SECRET))
        store = Store(f"sqlite:///{tmp_path / 'bot.db'}")
        runtime = Runtime(settings, store, {})
        try:
            app = make_web_app(settings, runtime.commands, admin=runtime.admin)
            async with serving(app) as base, aiohttp.ClientSession() as session:
                for user, name in (("U7", "member"), ("U8", "admin")):
                    body = urlencode({"token": "legacy", "team_id": "T1", "channel_id": "C42", "user_id": user,
                                      "user_name": fake.user_flags[user]["name"], "command": "/briefbot",
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
