"""Config validation: every bad value reported with file, key and reason; secrets only from env."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings, missing_tokens

ROOT = Path(__file__).resolve().parents[1]

GOOD = """
[storage]
url = "sqlite:///data/bot.db"

[[feeds]]
name = "wire"
url = "https://example.org/feed.xml"
interval = "30m"

[[channels]]
platform = "slack"
channel = "C0123"
topics = ["ukraine-aid"]
schedule = "0 7 * * 1-5"
timezone = "Europe/Paris"
language = "fr"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_good_config_is_read_with_relative_sqlite_path_resolved(tmp_path):
    settings = load_settings(write(tmp_path, GOOD), env={})
    assert settings.storage_url == f"sqlite:///{tmp_path.resolve() / 'data/bot.db'}"
    assert settings.feeds[0].interval_minutes == 30
    channel = settings.channels[0]
    assert (channel.key, channel.timezone, channel.language) == ("slack:C0123", "Europe/Paris", "fr")


def test_every_problem_is_reported_at_once(tmp_path):
    bad = GOOD.replace("Europe/Paris", "Europe/Pariss").replace('["ukraine-aid"]', '["ukraine-aid", "cricket"]')
    bad = bad.replace('"30m"', '"soon"') + '\n[[feeds]]\nname = "x"\nurl = "ftp://example.org/f"\n'
    with pytest.raises(ConfigError) as caught:
        load_settings(write(tmp_path, bad), env={})
    keys = {p.key: p.reason for p in caught.value.problems}
    assert "unknown time zone 'Europe/Pariss'" in keys["channels[0].timezone"]
    assert "unknown topic 'cricket'" in keys["channels[0].topics"] and "ukraine-aid" in keys["channels[0].topics"]
    assert "feeds[0].interval" in keys and "feeds[1].url" in keys
    assert all(p.file.endswith("config.toml") for p in caught.value.problems)


def test_a_token_in_the_file_is_refused(tmp_path):
    with pytest.raises(ConfigError) as caught:
        load_settings(write(tmp_path, GOOD + '\n[slack]\nslack_bot_token = "xoxb-123"\n'), env={})
    assert any("SLACK_BOT_TOKEN" in p.reason for p in caught.value.problems)


def test_missing_tokens_named_per_platform(tmp_path):
    settings = load_settings(write(tmp_path, GOOD), env={})
    assert [p.key for p in missing_tokens(settings)] == ["SLACK_BOT_TOKEN"]
    env = {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_APP_TOKEN": "xapp-test"}
    settings = load_settings(write(tmp_path, GOOD), env=env)
    assert missing_tokens(settings) == []
    assert "xoxb-test" not in repr(settings)


def test_eval_style_config_needs_nothing_else(tmp_path):
    path = write(tmp_path, '[storage]\nurl = "sqlite:///x.db"\n\n[[feeds]]\nname = "a"\nurl = "http://127.0.0.1:1/f.xml"\n')
    settings = load_settings(path, env={})
    assert settings.channels == () and settings.admin is None and len(settings.feeds) == 1


def test_check_config_prints_one_line_per_problem(tmp_path):
    bad = GOOD.replace("Europe/Paris", "Mars/Olympus").replace('["ukraine-aid"]', '["cricket"]')
    path = write(tmp_path, bad)
    result = subprocess.run([sys.executable, "-m", "bot", "check-config", "--config", str(path)],
                            capture_output=True, text=True, cwd=ROOT, env={"PATH": "/usr/bin:/bin"})
    lines = [line for line in result.stdout.splitlines() if line.startswith("error:")]
    assert result.returncode == 1
    assert len(lines) == 3, result.stdout  # time zone, topic, and the Slack token
    assert any("channels[0].timezone" in line and "Mars/Olympus" in line for line in lines)
    assert any("channels[0].topics" in line and "cricket" in line for line in lines)
    assert any("SLACK_BOT_TOKEN: not set" in line for line in lines)


def test_check_config_names_missing_token(tmp_path):
    path = write(tmp_path, GOOD)
    result = subprocess.run([sys.executable, "-m", "bot", "check-config", "--config", str(path)],
                            capture_output=True, text=True, cwd=ROOT, env={"PATH": "/usr/bin:/bin"})
    assert result.returncode == 1
    assert "error: environment: SLACK_BOT_TOKEN: not set" in result.stdout
    assert "slack: will not start: SLACK_BOT_TOKEN is not set" in result.stdout


def test_a_database_other_than_sqlite_or_postgresql_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError) as caught:
        load_settings(write(tmp_path, GOOD.replace("sqlite:///data/bot.db", "mysql://db/briefs")), env={})
    assert [(p.key, "'mysql'" in p.reason) for p in caught.value.problems] == [("storage.url", True)]


def test_an_unreachable_database_is_one_line_without_the_password(tmp_path):
    url = "postgresql+psycopg://briefbot:hunter2@127.0.0.1:1/briefs"
    path = write(tmp_path, f'[storage]\nurl = "{url}"\n')
    result = subprocess.run([sys.executable, "-m", "bot", "export", "--config", str(path)],
                            capture_output=True, text=True, cwd=ROOT, env={"PATH": "/usr/bin:/bin"})
    assert result.returncode == 2
    assert result.stderr.startswith("error: storage.url: the database cannot be used:")
    assert "Traceback" not in result.stderr and "hunter2" not in result.stderr


TYPOS = [
    ('schedule = "0 7 * * 1-5"', 'shedule = "0 7 * * 1-5"', "channels[0].shedule", "schedule"),
    ('language = "fr"', 'langauge = "fr"', "channels[0].langauge", "language"),
    ('interval = "30m"', 'intervall = "30m"', "feeds[0].intervall", "interval"),
    ('url = "https://example.org/feed.xml"', 'urll = "https://example.org/feed.xml"', "feeds[0].urll", "url"),
    ("[[channels]]", "[[channel]]", "channel", "channels"),
    ("[storage]", "[admn]\nplatform = 'slack'\nchannel = 'C9'\n[storage]", "admn", "admin"),
    ("[storage]", "[ingest]\nmax_age_hour = 24\n[storage]", "ingest.max_age_hour", "max_age_hours"),
]


@pytest.mark.parametrize(("good", "typo", "key", "meant"), TYPOS, ids=[t[2] for t in TYPOS])
def test_a_typo_is_an_error_naming_the_key_meant(tmp_path, good, typo, key, meant):
    with pytest.raises(ConfigError) as caught:
        load_settings(write(tmp_path, GOOD.replace(good, typo, 1)), env={})
    reasons = {p.key: p.reason for p in caught.value.problems}
    assert key in reasons, reasons
    assert f"did you mean `{meant}`?" in reasons[key]


def test_a_token_under_any_key_is_refused_without_repeating_it(tmp_path):
    token = "xoxb-1234567890-abcdefABCDEF"
    with pytest.raises(ConfigError) as caught:
        load_settings(write(tmp_path, GOOD + f'\n[slack]\ntoken = "{token}"\n'), env={})
    reasons = {p.key: p.reason for p in caught.value.problems}
    assert "secrets do not belong" in reasons["slack.token"]
    assert "unknown table `slack`" in reasons["slack"]
    assert token not in str(caught.value)


def test_a_duplicate_channel_id_is_an_error(tmp_path):
    with pytest.raises(ConfigError) as caught:
        load_settings(write(tmp_path, GOOD + GOOD[GOOD.index("[[channels]]"):]), env={})
    reasons = {p.key: p.reason for p in caught.value.problems}
    assert "duplicate channel id 'C0123'" in reasons["channels[1].channel"]


def test_a_schedule_that_never_fires_is_an_error(tmp_path):
    with pytest.raises(ConfigError) as caught:
        load_settings(write(tmp_path, GOOD.replace("0 7 * * 1-5", "0 8 31 2 *")), env={})
    reasons = {p.key: p.reason for p in caught.value.problems}
    assert "never fires" in reasons["channels[0].schedule"]


def test_the_example_config_has_no_stray_key():
    load_settings(ROOT / "config.toml", env={})


def test_check_config_prints_each_typo_with_its_suggestion(tmp_path):
    bad = GOOD.replace("schedule =", "shedule =").replace("[[channels]]", "[[channels]]\nlangauge = 'fr'\n", 1)
    bad = bad.replace('language = "fr"\n', "")
    result = subprocess.run([sys.executable, "-m", "bot", "check-config", "--config", str(write(tmp_path, bad))],
                            capture_output=True, text=True, cwd=ROOT, env={"PATH": "/usr/bin:/bin"})
    assert result.returncode == 1
    assert "channels[0].shedule: unknown key `shedule`; did you mean `schedule`?" in result.stdout
    assert "channels[0].langauge: unknown key `langauge`; did you mean `language`?" in result.stdout


def test_allow_private_takes_known_address_kinds_only(tmp_path):
    settings = load_settings(write(tmp_path, GOOD + '\n[ingest]\nallow_private = ["private"]\n'), env={})
    assert settings.ingest.allow_private == ("private",)
    with pytest.raises(ConfigError) as caught:
        load_settings(write(tmp_path, GOOD + '\n[ingest]\nallow_private = ["everything"]\n'), env={})
    assert "unknown address kind 'everything'" in str(caught.value)


async def _check_online(tmp_path, env: dict[str, str]) -> subprocess.CompletedProcess:
    import asyncio

    path = write(tmp_path, GOOD + '\n[[channels]]\nplatform = "discord"\nchannel = "123"\ntopics = ["nato"]\n')
    return await asyncio.to_thread(
        subprocess.run, [sys.executable, "-m", "bot", "check-config", "--online", "--config", str(path)],
        capture_output=True, text=True, cwd=ROOT, env={"PATH": "/usr/bin:/bin", **env})


async def test_check_config_online_checks_each_token_with_its_platform(tmp_path):
    from tests.support.fake_discord import FakeDiscord
    from tests.support.fake_slack import APP_TOKEN, BOT_TOKEN, FakeSlack

    async with FakeSlack() as slack, FakeDiscord() as discord:
        urls = {"BRIEFBOT_SLACK_API_URL": slack.api_url, "BRIEFBOT_DISCORD_API_URL": discord.url}
        good = await _check_online(tmp_path, {**urls, "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": APP_TOKEN,
                                              "DISCORD_TOKEN": "discord-test-token"})
        bad = await _check_online(tmp_path, {**urls, "SLACK_BOT_TOKEN": "xoxb-revoked-0000",
                                             "SLACK_APP_TOKEN": "xapp-revoked-0000", "DISCORD_TOKEN": "d-revoked"})
    assert good.returncode == 0, good.stdout + good.stderr
    assert "slack: bot token accepted" in good.stdout and "slack: app token accepted" in good.stdout
    assert "discord: token accepted" in good.stdout
    assert bad.returncode == 1
    assert "error: environment: SLACK_BOT_TOKEN: refused by Slack: invalid_auth" in bad.stdout
    assert "error: environment: SLACK_APP_TOKEN: refused by Slack: invalid_auth" in bad.stdout
    assert "error: environment: DISCORD_TOKEN: refused by Discord" in bad.stdout
    assert "revoked" not in bad.stdout + bad.stderr  # no token is ever printed


async def test_check_config_online_names_each_missing_slack_scope_and_what_it_costs(tmp_path):
    from tests.support.fake_discord import FakeDiscord
    from tests.support.fake_slack import BOT_TOKEN, FakeSlack

    async with FakeSlack() as slack, FakeDiscord() as discord:
        env = {"BRIEFBOT_SLACK_API_URL": slack.api_url, "SLACK_BOT_TOKEN": BOT_TOKEN,
               "BRIEFBOT_DISCORD_API_URL": discord.url, "DISCORD_TOKEN": "discord-test-token"}
        whole = await _check_online(tmp_path, env)
        slack.scopes = ("chat:write", "channels:history", "groups:history", "commands", "files:write", "im:write")
        partial = await _check_online(tmp_path, env)
        slack.scopes = ("chat:write", "commands", "users:read")
        broken = await _check_online(tmp_path, env)
    assert whole.returncode == 0 and "scope" not in whole.stdout, whole.stdout
    # Without users:read briefs still go out: a warning, and the check passes.
    assert partial.returncode == 0, partial.stdout
    assert "warning: environment: SLACK_BOT_TOKEN: lacks the users:read scope: replies ignore" in partial.stdout
    # Without channels:history every brief fails for good: an error.
    assert broken.returncode == 1
    assert "error: environment: SLACK_BOT_TOKEN: lacks the channels:history scope: briefs to public" in broken.stdout
    assert "warning: environment: SLACK_BOT_TOKEN: lacks the files:write scope" in broken.stdout


def test_the_schema_knows_every_setting_of_the_tables_read_as_they_are() -> None:
    """A setting added to a config dataclass and not to the schema would be refused as a typo."""
    from dataclasses import fields

    from bot.config import DeliveryConfig, HealthConfig, IngestConfig
    from bot.config_schema import TABLE_KEYS

    for table, config in (("ingest", IngestConfig), ("delivery", DeliveryConfig), ("health", HealthConfig)):
        assert {f.name for f in fields(config)} == set(TABLE_KEYS[table]), table


def test_retention_and_what_a_channel_hears_when_nothing_is_new(tmp_path):
    text = GOOD.replace('url = "sqlite:///data/bot.db"', 'url = "sqlite:///data/bot.db"\nretention_days = 90')
    settings = load_settings(write(tmp_path, text + 'nothing_new = "line"\n'), env={})
    assert settings.retention_days == 90 and settings.channels[0].nothing_new == "line"
    assert load_settings(write(tmp_path, GOOD), env={}).channels[0].nothing_new == "silent"
    bad = text.replace("retention_days = 90", "retention_days = 0") + 'nothing_new = "shout"\n'
    with pytest.raises(ConfigError) as caught:
        load_settings(write(tmp_path, bad), env={})
    keys = {p.key for p in caught.value.problems}
    assert keys == {"storage.retention_days", "channels[0].nothing_new"}


def test_the_database_url_from_the_environment_wins_and_is_checked(tmp_path):
    url = "postgresql+psycopg://briefbot:s3cret-pw@127.0.0.1/briefbot"
    assert load_settings(write(tmp_path, GOOD), env={"BRIEFBOT_DATABASE_URL": url}).storage_url == url
    assert load_settings(None, env={"BRIEFBOT_DATABASE_URL": url}).storage_url == url
    with pytest.raises(ConfigError) as caught:
        load_settings(write(tmp_path, GOOD), env={"BRIEFBOT_DATABASE_URL": "mysql://x@y/z"})
    assert [p.key for p in caught.value.problems] == ["BRIEFBOT_DATABASE_URL"]


def test_admin_reports_language_is_fr_or_en(tmp_path):
    admin = ('[admin]\nplatform = "slack"\nchannel = "CADMIN"\nlanguage = "fr"\n'
             '[admin.fallback]\nplatform = "discord"\nchannel = "1"\n')
    settings = load_settings(write(tmp_path, GOOD + admin), env={})
    assert settings.admin is not None and settings.admin.language == "fr"
    assert settings.admin.fallback is not None and settings.admin.fallback.language == "en"
    with pytest.raises(ConfigError) as caught:
        load_settings(write(tmp_path, GOOD + admin.replace('"fr"', '"de"')), env={})
    assert [p.key for p in caught.value.problems] == ["admin.language"]
