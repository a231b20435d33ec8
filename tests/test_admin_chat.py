"""The admin command group from chat, end to end: the real discord.py client on the loopback fake of
Discord's gateway and REST, and slack-bolt's Socket Mode handler with slack_sdk on the fake of Slack,
both over a running bot's Runtime and scheduler on a real SQLite store.

A member without Manage Server (Discord) or a Slack user who is neither a workspace admin nor named in
config.toml is refused privately; `subscribe` plans the channel's brief at once and it arrives at the
chosen minute without a restart; a bad schedule is refused privately with a suggestion; `preview`
shows the brief privately and records nothing; settings survive a restart; `unsubscribe` stops the
briefs; the admin channel hears one line per change."""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

from bot.admin_commands import Caller
from bot.config import AdminChannel, Settings
from bot.platforms import Poster
from bot.platforms.discord import BriefClient, DiscordPoster, command_installer
from bot.platforms.slack import SlackPoster, build_app, web_client
from bot.run import Runtime
from briefings.store import Store
from tests.support.chat_stories import now, plain_story, store_stories
from tests.support.discord_client import connected
from tests.support.fake_discord import GUILD_CHANNEL_ID, FakeDiscord
from tests.support.fake_slack import APP_TOKEN, BOT_TOKEN, FakeSlack

EPHEMERAL = 64
MANAGE_GUILD = 1 << 5
READ_AND_SEND = (1 << 10) | (1 << 11)
DISCORD_ADMIN = "900000000000000099"
SLACK_CHANNEL = "C0BRIEFS"
SLACK_ADMIN = "C0ADMIN"


@dataclass
class DiscordRig:
    fake: FakeDiscord
    store: Store
    runtime: Runtime
    scheduler: AsyncIOScheduler
    db: Path


@pytest.fixture
async def discord_rig(tmp_path: Path) -> AsyncIterator[DiscordRig]:
    async with FakeDiscord() as fake:
        db = tmp_path / "bot.db"
        store = Store(f"sqlite:///{db}")
        store_stories(store, [plain_story(now())])
        posters: dict[str, Poster] = {}
        runtime = Runtime(Settings(path=None, admin=AdminChannel("discord", DISCORD_ADMIN)), store, posters)
        client = BriefClient(install_commands=command_installer(runtime.commands, admin=runtime.admin))
        posters["discord"] = DiscordPoster(client)
        try:
            async with connected(fake, client):
                scheduler = runtime.scheduler(poll=False)
                scheduler.start()
                try:
                    yield DiscordRig(fake, store, runtime, scheduler, db)
                finally:
                    scheduler.shutdown(wait=False)
        finally:
            store.close()


async def _command(fake: FakeDiscord, subcommand: str, options: dict[str, str] | None = None, *,
                   permissions: int = MANAGE_GUILD | READ_AND_SEND, locale: str = "fr") -> list[dict[str, Any]]:
    """Send `/briefbot <subcommand>` and return the deferral and follow-ups it got."""
    typed = [{"name": k, "type": 3, "value": v} for k, v in (options or {}).items()]
    payload = fake.guild_interaction("briefbot", typed, subcommand=subcommand, permissions=permissions, locale=locale)
    await fake.send_interaction(payload)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        mine = [r for r in fake.interaction_responses if payload["token"] in r["path"]]
        if any(r["kind"] == "followup" for r in mine):
            await asyncio.sleep(0.3)  # a preview's further messages follow the first
            return [r for r in fake.interaction_responses if payload["token"] in r["path"]]
        await asyncio.sleep(0.02)
    raise AssertionError(f"no answer to /briefbot {subcommand}: {fake.interaction_responses}")


def _followups(responses: list[dict[str, Any]]) -> list[dict[str, Any]]:
    (deferral,) = [r for r in responses if r["kind"] == "callback"]
    assert deferral["type"] == 5 and deferral["data"]["flags"] & EPHEMERAL  # private from the first moment
    followups = [r for r in responses if r["kind"] == "followup"]
    assert all(f["flags"] & EPHEMERAL for f in followups)
    return followups


def _text(message: dict[str, Any]) -> str:
    """An embed message's title and description as read, Discord's markdown escapes undone."""
    text = " ".join("\n".join([e.get("title", ""), e.get("description", ""),
                               *(f"{f['name']}\n{f['value']}" for f in e.get("fields", []))])
                    for e in message["embeds"])
    return re.sub(r"\\(.)", r"\1", text)


async def _until(check, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not check() and time.monotonic() < deadline:
        await asyncio.sleep(0.1)


async def test_the_group_is_registered_for_server_managers_only(discord_rig: DiscordRig) -> None:
    (group,) = [c for c in discord_rig.fake.commands if c["name"] == "briefbot"]
    assert int(group["default_member_permissions"]) == MANAGE_GUILD  # sent as a number, kept as a bit set
    assert {o["name"] for o in group["options"]} == {"subscribe", "unsubscribe", "settings", "preview", "mute",
                                                     "resume"}


async def test_a_member_without_manage_server_is_refused_privately(discord_rig: DiscordRig) -> None:
    """The server may have opened the command to everyone: the call itself is checked again."""
    (answer,) = _followups(await _command(discord_rig.fake, "subscribe", {"topic": "ukraine-aid"},
                                          permissions=READ_AND_SEND))
    assert "Gérer le serveur" in _text(answer)
    assert discord_rig.store.last_setting_change() == 0
    assert discord_rig.scheduler.get_job(f"brief:discord:{GUILD_CHANNEL_ID}") is None
    await asyncio.sleep(0.5)
    assert discord_rig.fake.posted(DISCORD_ADMIN) == []


async def test_subscribe_brings_the_brief_at_the_chosen_minute_without_a_restart(discord_rig: DiscordRig) -> None:
    fake = discord_rig.fake
    paris = ZoneInfo("Europe/Paris")
    due = (datetime.now(UTC) + timedelta(seconds=70)).replace(second=0, microsecond=0)  # 10-70 s ahead
    local = due.astimezone(paris)
    schedule = f"{local.minute} {local.hour} * * *"
    (answer,) = _followups(await _command(fake, "subscribe", {"topic": "ukraine-aid", "schedule": schedule,
                                                              "timezone": "Europe/Paris", "language": "fr"}))
    assert "Ce salon reçoit désormais ukraine-aid" in _text(answer)
    assert f"Prochain point : {local:%Y-%m-%d %H:%M} (Europe/Paris)" in _text(answer)
    job = discord_rig.scheduler.get_job(f"brief:discord:{GUILD_CHANNEL_ID}")
    assert job is not None and job.next_run_time == due  # planned at once, on this worker
    await _until(lambda: fake.posted(DISCORD_ADMIN), 5)
    (line,) = fake.posted(DISCORD_ADMIN)
    assert (f"lectrice (700000000000000009) in discord:{GUILD_CHANNEL_ID}: subscribed to ukraine-aid; briefs at "
            f"{schedule} (Europe/Paris), language fr") in _text(line)
    await _until(lambda: fake.posted(GUILD_CHANNEL_ID), (due - datetime.now(UTC)).total_seconds() + 20)
    arrived = datetime.now(UTC)
    briefs = fake.posted(GUILD_CHANNEL_ID)
    assert briefs, "no brief arrived"
    assert due <= arrived < due + timedelta(seconds=20)
    assert "Norvège" in json.dumps(briefs, ensure_ascii=False)


async def test_a_bad_schedule_is_refused_privately_with_a_suggestion(discord_rig: DiscordRig) -> None:
    (answer,) = _followups(await _command(discord_rig.fake, "subscribe", {"topic": "nato", "schedule": "8h30"},
                                          locale="en-GB"))
    text = _text(answer)
    assert "Schedule refused: not a crontab expression" in text and "for 8h30 every day write '30 8 * * *'" in text
    (zone,) = _followups(await _command(discord_rig.fake, "subscribe", {"topic": "nato", "timezone": "Paris"},
                                        locale="en-GB"))
    assert "did you mean 'Europe/Paris'?" in _text(zone)
    assert discord_rig.store.last_setting_change() == 0
    assert discord_rig.scheduler.get_job(f"brief:discord:{GUILD_CHANNEL_ID}") is None


async def test_preview_shows_the_next_brief_privately_and_tells_the_channel_nothing(discord_rig: DiscordRig) -> None:
    fake = discord_rig.fake
    _followups(await _command(fake, "subscribe", {"topic": "ukraine-aid", "language": "en"}))
    title, *brief = _followups(await _command(fake, "preview", locale="en-US"))
    assert "Preview: the next brief as it stands now" in _text(title)
    assert brief and "Norway" in " ".join(_text(b) for b in brief)
    assert fake.posted(GUILD_CHANNEL_ID) == []  # nothing posted in the channel
    key = f"discord:{GUILD_CHANNEL_ID}"
    assert not discord_rig.store.channel_was_sent_anything(key)  # the real brief still tells it all


async def test_settings_survive_a_restart_and_unsubscribe_stops_the_briefs(discord_rig: DiscordRig) -> None:
    fake, key = discord_rig.fake, f"discord:{GUILD_CHANNEL_ID}"
    _followups(await _command(fake, "subscribe", {"topic": "ukraine-aid", "schedule": "0 6 * * *",
                                                  "timezone": "Asia/Tokyo"}))
    _followups(await _command(fake, "subscribe", {"topic": "nato"}))

    restarted_store = Store(f"sqlite:///{discord_rig.db}")  # a new process on the same database
    try:
        restarted = Runtime(discord_rig.runtime.settings, restarted_store, {})
        (channel,) = restarted.plan.channels()
        assert (channel.key, channel.topics, channel.schedule, channel.timezone) == (
            key, ("ukraine-aid", "nato"), "0 6 * * *", "Asia/Tokyo")
        shown = restarted.admin.run("settings", {}, Caller("discord", GUILD_CHANNEL_ID, "1", "a", True), "en").lines
        assert "Topics: ukraine-aid, nato — set from chat" in shown
        assert "Time zone: Asia/Tokyo — set from chat" in shown and "Language: both — built-in default" in shown
        restarted_jobs = restarted.scheduler(poll=False)
        assert restarted_jobs.get_job(f"brief:{key}") is not None

        # The next 06:00 Tokyo brief goes out through the brief job's path (the start-up catch-up).
        tokyo = datetime.now(ZoneInfo("Asia/Tokyo"))
        six = tokyo.replace(hour=6, minute=0, second=0, microsecond=0) + timedelta(days=1)
        await discord_rig.runtime.catch_up(six.astimezone(UTC) + timedelta(minutes=1))
        posted = len(fake.posted(GUILD_CHANNEL_ID))
        assert posted >= 1

        (answer,) = _followups(await _command(fake, "unsubscribe"))
        assert "Ce salon ne reçoit plus ukraine-aid, nato" in _text(answer)
        assert discord_rig.scheduler.get_job(f"brief:{key}") is None  # this worker: at once
        await restarted.follower.follow()
        assert restarted_jobs.get_job(f"brief:{key}") is None  # the other worker: at its next look
        await discord_rig.runtime.catch_up(six.astimezone(UTC) + timedelta(days=1, minutes=1))
        assert len(fake.posted(GUILD_CHANNEL_ID)) == posted  # the next day's brief does not come
    finally:
        restarted_store.close()
    await _until(lambda: len(fake.posted(DISCORD_ADMIN)) >= 3, 5)
    lines = [_text(m).split("\n", 1)[1].strip() for m in fake.posted(DISCORD_ADMIN)]
    assert [line.split(": ", 1)[1] for line in lines] == [
        "subscribed to ukraine-aid; briefs at 0 6 * * * (Asia/Tokyo), language both",
        "subscribed to nato; briefs at 0 6 * * * (Asia/Tokyo), language both",
        "unsubscribed from ukraine-aid, nato"]


async def test_mute_holds_the_briefs_and_resume_brings_them_back(discord_rig: DiscordRig) -> None:
    fake, job_id = discord_rig.fake, f"brief:discord:{GUILD_CHANNEL_ID}"
    _followups(await _command(fake, "subscribe", {"topic": "ukraine-aid"}))
    (muted,) = _followups(await _command(fake, "mute", locale="en-US"))
    assert "Briefs are muted in this channel" in _text(muted) and discord_rig.scheduler.get_job(job_id) is None
    (shown,) = _followups(await _command(fake, "settings", locale="en-US"))
    assert "Muted: no brief is posted until" in _text(shown)
    _followups(await _command(fake, "resume", locale="en-US"))
    assert discord_rig.scheduler.get_job(job_id) is not None


# --- Slack -------------------------------------------------------------------------------------------


@dataclass
class SlackRig:
    fake: FakeSlack
    store: Store
    runtime: Runtime
    scheduler: AsyncIOScheduler


@pytest.fixture
async def slack_rig(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[SlackRig]:
    async with FakeSlack() as fake:
        monkeypatch.setenv("BRIEFBOT_SLACK_API_URL", fake.api_url)
        fake.user_flags = {"U0MEMBER": {"name": "marc"}, "U0ADMIN": {"name": "ines", "is_admin": True},
                           "U0OWNER": {"name": "olga", "is_owner": True}}
        fake.user_locales |= {"U0OWNER": "fr-FR", "U0NAMED": "fr-FR"}  # answered in their Slack language
        store = Store(f"sqlite:///{tmp_path / 'bot.db'}")
        store_stories(store, [plain_story(now())])
        settings = Settings(path=None, admin=AdminChannel("slack", SLACK_ADMIN, slack_admins=("U0NAMED",)))
        runtime = Runtime(settings, store, {"slack": SlackPoster(web_client(BOT_TOKEN, retries=False))})
        app = build_app(settings, runtime.commands, web_client(BOT_TOKEN), admin=runtime.admin)
        handler = AsyncSocketModeHandler(app, APP_TOKEN)
        await handler.connect_async()
        await fake.socket_connected()
        scheduler = runtime.scheduler(poll=False)
        scheduler.start()
        try:
            yield SlackRig(fake, store, runtime, scheduler)
        finally:
            scheduler.shutdown(wait=False)
            await handler.close_async()
            store.close()


async def _slash(fake: FakeSlack, text: str, user: str, name: str) -> list[dict[str, Any]]:
    await fake.slash_command("/briefbot", text, name, channel=SLACK_CHANNEL, user=user)
    deadline = time.monotonic() + 15
    while not fake.responses[name] and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.3)  # a preview's further messages follow the first
    answers = fake.responses[name]
    assert answers and all(a["response_type"] == "ephemeral" for a in answers)
    return answers


def _slack_text(answer: dict[str, Any]) -> str:
    return answer["text"] + " " + json.dumps(answer["blocks"], ensure_ascii=False)


async def test_slack_refuses_a_member_and_takes_admins_owners_and_named_users(slack_rig: SlackRig) -> None:
    fake = slack_rig.fake
    (refused,) = await _slash(fake, "subscribe ukraine-aid", "U0MEMBER", "member")
    assert "workspace admins and owners" in _slack_text(refused)
    (unknown,) = await _slash(fake, "mute", "U0GHOST", "ghost")  # users.info: user_not_found
    assert "workspace admins and owners" in _slack_text(unknown)
    assert slack_rig.store.last_setting_change() == 0
    (admin,) = await _slash(fake, 'subscribe ukraine-aid "0 8 * * *" Europe/Paris fr', "U0ADMIN", "admin")
    assert "This channel now receives ukraine-aid" in _slack_text(admin)
    (owner,) = await _slash(fake, "settings", "U0OWNER", "owner")
    assert "Thèmes : ukraine-aid — réglé depuis le chat" in _slack_text(owner)
    (named,) = await _slash(fake, "unsubscribe", "U0NAMED", "named")
    assert "Ce salon ne reçoit plus ukraine-aid" in _slack_text(named)
    # Asked for admin rights on every call, never remembered (the named user is not asked); the
    # language look-ups beside them are cached per user.
    assert fake.calls.count("users.info") == 4 + 5
    await _until(lambda: len(fake.posted(SLACK_ADMIN)) >= 2, 5)
    lines = [m["text"] + json.dumps(m["blocks"]) for m in fake.posted(SLACK_ADMIN)]
    assert len(lines) == 2
    assert f"someone (U0ADMIN) in slack:{SLACK_CHANNEL}: subscribed to ukraine-aid" in lines[0]
    assert f"someone (U0NAMED) in slack:{SLACK_CHANNEL}: unsubscribed from ukraine-aid" in lines[1]


async def test_slack_bad_time_zone_gets_a_suggestion_and_preview_shows_the_brief(slack_rig: SlackRig) -> None:
    fake = slack_rig.fake
    (bad,) = await _slash(fake, 'subscribe ukraine-aid "0 8 * * *" Europe/Pariss', "U0ADMIN", "bad")
    assert "did you mean 'Europe/Paris'?" in _slack_text(bad)
    assert slack_rig.scheduler.get_job(f"brief:slack:{SLACK_CHANNEL}") is None
    await _slash(fake, 'subscribe ukraine-aid "0 8 * * *" Europe/Paris en', "U0ADMIN", "good")
    job = slack_rig.scheduler.get_job(f"brief:slack:{SLACK_CHANNEL}")
    assert job is not None and job.next_run_time.astimezone(ZoneInfo("Europe/Paris")).hour == 8
    title, *brief = await _slash(fake, "preview", "U0ADMIN", "preview")
    assert "Preview: the next brief" in _slack_text(title)
    assert brief and "Norway" in " ".join(_slack_text(b) for b in brief)
    assert fake.posted(SLACK_CHANNEL) == []


async def test_a_member_without_a_slack_language_is_answered_in_the_language_set_from_chat(slack_rig: SlackRig) -> None:
    fake = slack_rig.fake
    (before,) = await _slash(fake, "mute", "U0MEMBER", "before")  # Slack gives no language for marc
    assert "Only workspace admins and owners" in _slack_text(before)
    # Typed without quotes, as people do: the five crontab fields are one schedule.
    (set_up,) = await _slash(fake, "subscribe ukraine-aid 0 8 * * * Europe/Paris fr", "U0ADMIN", "french")
    assert "This channel now receives ukraine-aid" in _slack_text(set_up)
    job = slack_rig.scheduler.get_job(f"brief:slack:{SLACK_CHANNEL}")
    assert job is not None and job.next_run_time.astimezone(ZoneInfo("Europe/Paris")).hour == 8
    (after,) = await _slash(fake, "mute", "U0MEMBER", "after")
    assert "Seuls les administrateurs et propriétaires" in _slack_text(after)
