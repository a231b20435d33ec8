"""Delivery faults that must end in a posted brief or a told admin, over the real discord.py and
slack_sdk clients against the loopback fakes, with a real SQLite outbox: a message too long is
split, a refused payload is posted plainer, a refused token pauses the platform and tells the admin
through the other one, a run of 500s makes that brief late (and says so) without delaying the next,
and a brief retried past the overall cap is failed with the admin told. Durations are shortened
through the outbox's settings."""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot import reshape
from bot.config import AdminChannel, ChannelConfig, DeliveryConfig, Settings
from bot.delivery import Backoff, Outcome
from bot.health_http import health_report
from bot.platforms import Mark
from bot.platforms.discord import BriefClient, DiscordPoster, use_api_base
from bot.platforms.slack import SlackPoster
from bot.run import Runtime
from bot.supervise import Supervisor
from briefings.store import Store
from tests.support.chat_stories import now as story_now
from tests.support.chat_stories import plain_story, store_stories
from tests.support.fake_discord import FakeDiscord
from tests.support.fake_slack import BOT_TOKEN, FakeSlack, block_texts

SLACK_CHANNEL = "C0FAULTS"
DISCORD_CHANNEL = "320000000000000001"
DISCORD_ADMIN = "320000000000000009"
SLACK_ADMIN = "C0ADMIN"


@dataclass
class Rig:
    discord: FakeDiscord
    slack: FakeSlack
    store: Store
    runtime: Runtime
    slack_channel: ChannelConfig
    discord_channel: ChannelConfig


@pytest.fixture
async def rig(tmp_path, monkeypatch) -> AsyncIterator[Rig]:
    monkeypatch.setenv("BRIEFBOT_LEASE_SECONDS", "1")  # the resume cadence and the paused platform's probe
    async with FakeDiscord() as fake_discord, FakeSlack() as fake_slack:
        use_api_base(fake_discord.url)
        client = BriefClient()
        await client.login("discord-test-token")
        store = Store(f"sqlite:///{tmp_path / 'faults.db'}")
        slack_channel = ChannelConfig("slack", SLACK_CHANNEL, ("ukraine-aid",), language="fr", timezone="UTC")
        discord_channel = ChannelConfig("discord", DISCORD_CHANNEL, ("ukraine-aid",), language="en")
        settings = Settings(path=None, channels=(slack_channel, discord_channel),
                            admin=AdminChannel("slack", SLACK_ADMIN, fallback=AdminChannel("discord", DISCORD_ADMIN)),
                            delivery=DeliveryConfig(late_after_minutes=0.05))  # late after 3 s
        posters = {"discord": DiscordPoster(client),
                   "slack": SlackPoster(AsyncWebClient(token=BOT_TOKEN, base_url=fake_slack.api_url,
                                                       retry_handlers=[]))}
        runtime = Runtime(settings, store, posters, include_backlog=True)
        runtime.mark_late = True
        store_stories(store, [plain_story(story_now())])  # no feeds: one fixed story
        runtime.outbox.backoff = Backoff(attempts=2, base=0.05)
        runtime.outbox.retry_later = timedelta(seconds=0.3)
        try:
            yield Rig(fake_discord, fake_slack, store, runtime, slack_channel, discord_channel)
        finally:
            await client.close()
            store.close()


def slack_text(message: dict) -> str:
    return json.dumps(message["blocks"], ensure_ascii=False) + message["text"]


async def resume_until(rig: Rig, done, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not done() and time.monotonic() < deadline:
        await rig.runtime.resume()
        await asyncio.sleep(0.2)
    assert done(), rig.store.pending_deliveries()


async def test_a_message_too_long_is_split_and_posted(rig: Rig) -> None:
    rig.slack.max_message_chars = 500  # below what our own limits allow: Slack counts its own way
    fire = datetime.now(UTC)
    assert await rig.runtime.brief(rig.slack_channel, fire) is Outcome.SENT
    posted = rig.slack.posted(SLACK_CHANNEL)
    assert "msg_too_long" in rig.slack.refusals and len(posted) >= 2
    payloads = [m["metadata"]["event_payload"] for m in posted]
    # A piece still too long is halved with the pieces after it, so only the last one knows the total.
    assert all(p["part"] == 1 for p in payloads) and payloads[-1]["pieces"] == len(posted)
    assert [p["piece"] for p in payloads] == list(range(1, len(posted) + 1))
    text = " ".join(slack_text(m) for m in posted)
    assert "Norvège" in text and "Baltic Sentry" in text  # nothing was lost in the cut
    # Asked again (a restart's resume), the channel shows the brief whole: nothing more is posted.
    assert await rig.runtime.brief(rig.slack_channel, fire) is Outcome.ALREADY_SENT
    assert len(rig.slack.posted(SLACK_CHANNEL)) == len(posted)


async def test_a_refused_payload_is_posted_plainer(rig: Rig) -> None:
    rig.slack.refused_blocks = {"header", "context"}
    assert await rig.runtime.brief(rig.slack_channel, datetime.now(UTC)) is Outcome.SENT
    (message,) = rig.slack.posted(SLACK_CHANNEL)
    assert rig.slack.refusals == ["invalid_blocks"]
    assert {b["type"] for b in message["blocks"]} == {"section"}
    assert "Norvège" in slack_text(message)


async def test_a_refused_discord_payload_ends_as_plain_text(rig: Rig) -> None:
    for _ in range(2):  # the brief as rendered, then with fewer fields: both refused
        rig.discord.fail_next(f"/channels/{DISCORD_CHANNEL}/messages", 400)
    assert await rig.runtime.brief(rig.discord_channel, datetime.now(UTC)) is Outcome.SENT
    (message,) = rig.discord.posted(DISCORD_CHANNEL)
    assert message["embeds"] == [] and "Norway" in message["content"]
    assert rig.store.pending_deliveries() == []


async def test_a_refused_token_pauses_slack_tells_the_admin_through_discord_and_posts_once_it_works(rig: Rig) -> None:
    rig.slack.refuse_auth_for(3.0)
    fire = datetime.now(UTC)
    assert await rig.runtime.brief(rig.slack_channel, fire) is Outcome.PAUSED
    (alert,) = rig.discord.posted(DISCORD_ADMIN)
    assert "Slack" in alert["embeds"][0]["title"] and "refused" in alert["embeds"][0]["title"]
    assert "SLACK\\_BOT\\_TOKEN" in alert["embeds"][0]["description"]
    assert "slack" in rig.runtime.outbox.paused
    status, body = health_report(Supervisor(), rig.runtime.outbox.paused, 1)
    assert status == 503 and "invalid_auth" in body["platforms"]["slack"]["paused"]["reason"]
    (pending,) = rig.store.pending_deliveries()
    assert pending.channel_key == f"slack:{SLACK_CHANNEL}"
    # While paused, the next brief is kept pending too, without a call to Slack.
    calls = rig.slack.calls.count("chat.postMessage")
    assert await rig.runtime.brief(rig.slack_channel, fire + timedelta(seconds=1)) is Outcome.PAUSED
    assert rig.slack.calls.count("chat.postMessage") == calls
    await resume_until(rig, lambda: not rig.store.pending_deliveries(), timeout=20)
    keys = Counter(m["metadata"]["event_payload"]["brief_key"] for m in rig.slack.posted(SLACK_CHANNEL))
    assert len(keys) == 2 and set(keys.values()) == {1}  # both briefs, once each
    assert "slack" not in rig.runtime.outbox.paused
    titles = [m["embeds"][0]["title"] for m in rig.discord.posted(DISCORD_ADMIN)]
    assert len(titles) == 2 and "works again" in titles[1]


async def test_a_run_of_500s_makes_that_brief_late_and_says_so_without_delaying_the_next(rig: Rig) -> None:
    rig.slack.fail_for("chat.postMessage", 3.5)
    first = datetime.now(UTC)
    started = time.monotonic()
    assert await rig.runtime.brief(rig.slack_channel, first) is Outcome.FAILED  # released for a later retry
    await asyncio.sleep(max(0.0, 3.6 - (time.monotonic() - started)))
    second = datetime.now(UTC)
    assert await rig.runtime.brief(rig.slack_channel, second) is Outcome.SENT  # on time
    await resume_until(rig, lambda: not rig.store.pending_deliveries())
    by_key = {m["metadata"]["event_payload"]["brief_key"]: slack_text(m) for m in rig.slack.posted(SLACK_CHANNEL)}
    assert len(rig.slack.posted(SLACK_CHANNEL)) == 2
    late, on_time = by_key[f"brief:{first:%Y-%m-%dT%H:%M:%SZ}"], by_key[f"brief:{second:%Y-%m-%dT%H:%M:%SZ}"]
    assert "En retard" in late and f"{first:%Y-%m-%d %H:%M}" in late
    assert "En retard" not in on_time


async def test_retries_have_an_overall_cap_after_which_the_admin_is_told(rig: Rig) -> None:
    rig.runtime.outbox.give_up_after = timedelta(seconds=1.5)
    rig.slack.fail_for("chat.postMessage", 30.0, channel=SLACK_CHANNEL)  # the admin channel still works
    fire = datetime.now(UTC)
    assert await rig.runtime.brief(rig.slack_channel, fire) is Outcome.FAILED
    await resume_until(rig, lambda: not rig.store.pending_deliveries())
    failed = rig.store.delivery(f"slack:{SLACK_CHANNEL}", f"brief:{fire:%Y-%m-%dT%H:%M:%SZ}")
    assert failed.status == "failed" and "not posted within" in failed.last_error
    assert rig.slack.posted(SLACK_CHANNEL) == []
    (report,) = rig.slack.posted(SLACK_ADMIN)
    assert f"slack:{SLACK_CHANNEL}" in report["text"] and "not posted within" in slack_text(report)


async def test_a_refused_discord_token_tells_the_admin_through_slack(rig: Rig) -> None:
    rig.discord.fail_next(f"/channels/{DISCORD_CHANNEL}/messages", 401)
    fire = datetime.now(UTC)
    assert await rig.runtime.brief(rig.discord_channel, fire) is Outcome.PAUSED
    (alert,) = rig.slack.posted(SLACK_ADMIN)
    assert "Discord" in alert["text"] and "DISCORD_TOKEN" in slack_text(alert).replace("\u200b", "")
    await resume_until(rig, lambda: not rig.store.pending_deliveries())
    assert len(rig.discord.posted(DISCORD_CHANNEL)) == 1
    assert "works again" in rig.slack.posted(SLACK_ADMIN)[1]["text"]


async def test_a_restart_in_the_middle_of_a_split_part_posts_only_the_missing_pieces(rig: Rig) -> None:
    """What a restart sees after dying between two pieces of a part Slack found too long: the piece
    already in the channel is not posted again (the split is the same every time)."""
    fire = datetime.now(UTC)
    key = f"brief:{fire:%Y-%m-%dT%H:%M:%SZ}"
    (message,) = await rig.runtime.render(rig.slack_channel, fire)()
    halves = reshape.split(message, "slack")
    rig.slack.max_message_chars = max(_size(h) for h in halves)  # too long whole, short enough in halves
    assert _size(message) > rig.slack.max_message_chars
    first_half = halves[0]
    assert rig.store.claim_delivery(f"slack:{SLACK_CHANNEL}", key) is not None
    await rig.runtime.outbox.posters["slack"].post(SLACK_CHANNEL, first_half, Mark(key, 1, 1).of_piece(1, 2))
    assert await rig.runtime.brief(rig.slack_channel, fire) is Outcome.SENT
    places = Counter((p["part"], p["piece"], p["pieces"])
                     for p in (m["metadata"]["event_payload"] for m in rig.slack.posted(SLACK_CHANNEL)))
    assert max(places.values()) == 1 and set(places) == {(1, 1, 2), (1, 2, 2)}, places


def _size(message: dict) -> int:
    """What the Slack fake counts against its message limit."""
    return len(message.get("text") or "") + sum(len(t) for t in block_texts(message.get("blocks") or []))
