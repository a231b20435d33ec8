"""Chat links to the web pages: with `public_url` in the config, each story of a channel's brief and
of `/summary` links to its page in the message's language, on Slack and on Discord; without it, no
link. `public_url` must be an http(s) URL."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.commands import Commands
from bot.config import ChannelConfig, ConfigError, Settings, load_settings
from bot.platforms import discord_embeds, slack_blocks
from bot.run import Runtime
from tests.support.chat_stories import hostile_story, now, plain_story, stored_reads

BASE = "https://briefs.example.org/news"
CHANNEL = ChannelConfig(platform="slack", channel="C0PAGES", topics=("ukraine-aid",), language="both", name="pages")


def _texts(messages: list[dict]) -> str:
    return repr(messages)


def test_public_url_is_read_without_its_trailing_slash(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'public_url = "{BASE}/"\n', encoding="utf-8")
    assert load_settings(config).public_url == BASE
    config.write_text("", encoding="utf-8")
    assert load_settings(config).public_url is None


@pytest.mark.parametrize("value", ["ftp://briefs.example.org", "briefs.example.org", "https://", "javascript:x",
                                   "https://briefs.example.org/?a=1"])
def test_public_url_must_be_http_or_https(tmp_path: Path, value: str) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'public_url = "{value}"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(config)
    assert [p.key for p in caught.value.problems] == ["public_url"]


@pytest.mark.parametrize("public_url", [BASE, None])
def test_summary_links_each_story_to_its_page(tmp_path: Path, public_url: str | None) -> None:
    moment = now()
    settings = Settings(path=None, public_url=public_url)
    reads = stored_reads([plain_story(moment), hostile_story(moment)], tmp_path)
    reply = Commands(settings, reads, now=lambda: moment).run("summary", {"topic": "ukraine-aid", "lang": "both"}, "en")
    assert reply.ok and reply.brief is not None
    slack = _texts(slack_blocks.brief_messages(reply.brief, ("fr", "en")))
    discord = _texts(discord_embeds.brief_messages(reply.brief, ("fr", "en")))
    links = {
        "slack": [f"<{BASE}/story/story-nordic?lang=fr|Le détail et les sources>",
                  f"<{BASE}/story/story-hostile?lang=en|Full story and sources>"],
        "discord": [f"[Le détail et les sources]({BASE}/story/story-nordic?lang=fr)",
                    f"[Full story and sources]({BASE}/story/story-hostile?lang=en)"],
    }
    for platform, text in (("slack", slack), ("discord", discord)):
        for expected in links[platform]:
            assert (expected in text) == (public_url is not None), (platform, expected)
        if public_url is None:
            assert "/story/" not in text


def test_a_channel_brief_links_each_story_to_its_page(tmp_path: Path) -> None:
    moment = now()
    settings = Settings(path=None, channels=(CHANNEL,), public_url=BASE)
    reads = stored_reads([plain_story(moment)], tmp_path)
    runtime = Runtime(settings, reads.store, {})
    messages = runtime.channel_messages(CHANNEL, runtime.digest(CHANNEL, moment + timedelta(minutes=1)))
    text = _texts(messages)
    assert f"<{BASE}/story/story-nordic?lang=fr|Le détail et les sources>" in text
    assert f"<{BASE}/story/story-nordic?lang=en|Full story and sources>" in text
