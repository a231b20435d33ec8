"""Brief keys, catch-up after downtime, slash-command parsing, start-up report, and `run --dry-run`."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.command_registry import PUBLIC, REGISTRY, Command, Group, Invocation, Option, UsageError, parse_text
from bot.commands import Commands
from bot.config import ChannelConfig, Secrets, Settings
from bot.platforms import describe_startup
from bot.scheduler import brief_key, fire_time, missed_fire
from tests.support.chat_stories import now, plain_story, stored_reads

ROOT = Path(__file__).resolve().parents[1]
PARIS_8AM = ChannelConfig(platform="discord", channel="1", topics=("nato",), schedule="0 8 * * *",
                          timezone="Europe/Paris")


def test_brief_key_is_the_utc_fire_time_and_round_trips() -> None:
    fire = datetime(2026, 3, 2, 8, 0, tzinfo=UTC) + timedelta(hours=0)
    assert brief_key(fire) == "brief:2026-03-02T08:00:00Z"
    assert fire_time(brief_key(fire)) == fire
    assert fire_time("health:failing:never:feed") is None


def test_missed_brief_within_grace_is_caught_up_once() -> None:
    # 08:00 in Paris on 2 March 2026 is 07:00 UTC; the bot comes back at 09:30 UTC.
    back = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    assert missed_fire(PARIS_8AM, back) == datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
    # Restarting again later the same morning names the same brief: the outbox will skip it.
    assert brief_key(missed_fire(PARIS_8AM, back + timedelta(hours=2))) == "brief:2026-03-02T07:00:00Z"


def test_brief_missed_beyond_grace_is_not_sent() -> None:
    assert missed_fire(PARIS_8AM, datetime(2026, 3, 2, 20, 0, tzinfo=UTC)) is None


def test_only_the_latest_missed_brief_is_caught_up() -> None:
    hourly = ChannelConfig(platform="slack", channel="C1", topics=("nato",), schedule="0 * * * *")
    assert missed_fire(hourly, datetime(2026, 3, 2, 9, 59, tzinfo=UTC)) == datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_slack_text_parsing() -> None:
    assert parse_text("/summary", "ukraine-aid fr") == Invocation(
        "summary", {"topic": "ukraine-aid", "lang": "fr", "since": None}, False)
    assert parse_text("/pledges", "recipient:UA public") == Invocation(
        "pledges", {"donor": None, "recipient": "UA"}, True)
    assert parse_text("/sources", "Baltic Sentry câbles") == Invocation(
        "sources", {"query": "Baltic Sentry câbles"}, False)
    assert parse_text("/topics", "") == Invocation("topics", {}, False)
    assert parse_text("/ledger", "GB since:30d channel") == Invocation(
        "ledger", {"donor": "GB", "recipient": None, "since": "30d"}, True)



def test_slack_takes_option_names_in_the_users_language() -> None:
    assert parse_text("/pledges", "donateur:NO Bénéficiaire:UA public", "fr") == Invocation(
        "pledges", {"donor": "NO", "recipient": "UA"}, True)
    assert parse_text("/pledges", "donor:NO", "fr").args["donor"] == "NO"
    with pytest.raises(UsageError) as caught:
        parse_text("/pledges", "donateur:NO", "en")  # French names are for French users
    assert caught.value.lines == ["/pledges [donor] [recipient] [public] — Aid pledges, by donor and recipient"]
    with pytest.raises(UsageError) as caught:
        parse_text("/summary", "thème:nato depuis:7d langue:fr pays:NO", "fr")
    assert caught.value.lines == [
        "/summary <thème> [langue] [depuis] [public] — Les sujets les plus récents d'un thème"]


def test_slack_text_of_a_command_group_picks_the_subcommand() -> None:
    group = Group("briefbot", "The bot's settings", (
        Command("mute", "Pause the briefs", (Option("hours", "For how many hours"), PUBLIC)),
        Command("resume", "Post the briefs again", (PUBLIC,))))
    registry = (*(e for e in REGISTRY if e.name != "briefbot"), group)
    assert parse_text("/briefbot", "mute 2 public", registry=registry) == Invocation(
        "briefbot mute", {"hours": "2"}, True)
    assert parse_text("/briefbot", "resume", registry=registry) == Invocation("briefbot resume", {}, False)
    with pytest.raises(UsageError) as caught:
        parse_text("/briefbot", "mutt", "fr", registry)
    assert caught.value.title == "Utilisation de /briefbot"
    assert caught.value.lines == ["/briefbot mute [hours] [public] — Pause the briefs",
                                  "/briefbot resume [public] — Post the briefs again"]
    with pytest.raises(UsageError) as caught:
        parse_text("/briefbots", "mute 2")  # not in the registry
    assert caught.value.title.startswith("Unknown command “briefbots”") and "/summary" in caught.value.title


def test_every_declared_command_and_option_is_handled(tmp_path: Path) -> None:
    """Each command of the registry reaches its handler with each of its options (an unknown name or
    keyword would be answered "Unknown command"); the admin group's, `ChannelAdmin`'s
    (tests/test_channel_settings.py)."""
    moment = now()
    commands = Commands(Settings(path=None), stored_reads([plain_story(moment)], tmp_path), now=lambda: moment)
    for entry in REGISTRY:
        if isinstance(entry, Group) and entry.admin:
            continue
        assert isinstance(entry, Command)
        args = {o.name: "x" for o in entry.options if o is not PUBLIC}
        for given in ({}, args):
            reply = commands.run(entry.name, given, "en")
            assert not reply.title.startswith("Unknown command"), (entry.name, given)
    assert commands.run("summary", {"colour": "x"}, "en").title.startswith("Unknown command")


def test_bad_arguments_get_a_helpful_reply_not_a_traceback(tmp_path: Path) -> None:
    moment = now()
    commands = Commands(Settings(path=None), stored_reads([plain_story(moment)], tmp_path), now=lambda: moment)
    reply = commands.run("pledges", {"donor": "Atlantide"}, "fr")
    assert not reply.ok and "Atlantide" in reply.title and "Norvège" in str(reply.lines)
    assert not commands.run("summary", {"topic": "ukraine-aid", "lang": "de"}, "en").ok
    assert not commands.run("summary", {"nonsense": "x"}, "en").ok
    assert commands.run("pledges", {"donor": "norway"}, "en").ok


def test_describe_startup_says_which_platforms_start_and_why_not() -> None:
    channels = (PARIS_8AM, ChannelConfig(platform="slack", channel="C1", topics=("nato",)))
    lines = describe_startup(Settings(path=None, channels=channels, secrets=Secrets(slack_bot_token="x",
                                                                                    slack_app_token="y")))
    assert lines[0].startswith("discord: will not start: DISCORD_TOKEN is not set (1 configured channel")
    assert lines[1].startswith("slack: will start in Socket Mode")


def test_dry_run_prints_each_channel_in_its_platform_format(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        '[[channels]]\nplatform = "discord"\nchannel = "123"\ntopics = ["ukraine-aid"]\nlanguage = "en"\n'
        '[[channels]]\nplatform = "slack"\nchannel = "C9"\ntopics = ["nato"]\nlanguage = "fr"\n', encoding="utf-8")
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "bot", "run", "--dry-run", "--config", str(config)], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "=== discord" in done.stdout and '"embeds"' in done.stdout
    assert "=== slack" in done.stdout and '"blocks"' in done.stdout


def test_dry_run_in_both_languages_gives_each_story_together_with_no_marked_fact(tmp_path: Path) -> None:
    """Issue #9's check on the bundled demo: a channel in both languages gets each story's French and
    English together, and no fact line keeps words of the other language (only article titles,
    listed as sources, are marked)."""
    config = tmp_path / "config.toml"
    config.write_text(
        '[[channels]]\nplatform = "discord"\nchannel = "123"\ntopics = ["ukraine-aid"]\nlanguage = "both"\n'
        '[[channels]]\nplatform = "slack"\nchannel = "C9"\ntopics = ["ukraine-aid"]\nlanguage = "both"\n',
        encoding="utf-8")
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "bot", "run", "--dry-run", "--config", str(config)], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    messages = [(head.split()[0], json.loads(body)) for head, body in
                zip(*[iter(re.split(r"^=== (.*) ===$", done.stdout, flags=re.M)[1:])] * 2, strict=True)]
    discord = [m for platform, m in messages if platform == "discord"]
    assert discord and all(len(m["embeds"]) == 2 for m in discord)  # a message per story, French and English
    for message in discord:
        fr, en = message["embeds"]
        assert fr["fields"][0]["name"] in ("Engagements", "Missions")
        assert en["fields"][0]["name"] in ("Pledges", "Missions")
        facts = [f["value"] for e in (fr, en) for f in e["fields"] if f["name"] != "Sources"]
        assert not [v for v in facts if re.search(r"\((?:en|fr)\)", v)], facts
    (slack,) = [m for platform, m in messages if platform == "slack"]
    sections = [b["text"]["text"] for b in slack["blocks"] if b["type"] == "section"]
    assert len(sections) == 2 * len(discord)  # each story: its French section, then its English one
    assert all(("*Engagements*" in fr or "*Missions*" in fr) and ("*Pledges*" in en or "*Missions*" in en)
               for fr, en in zip(sections[::2], sections[1::2], strict=True))
    assert not [s for s in sections if re.search(r"\((?:en|fr)\)", s)]
