"""Escaping of feed text for Slack mrkdwn and Discord markdown, and the http(s)-only link rule."""

from __future__ import annotations

import re

import pytest

from bot.safety import discord_escape, discord_link, safe_url, slack_escape, slack_link

HOSTILE = [
    "@everyone", "@here", "@channel", "<@123>", "<@&456>", "<#789>", "<!channel>", "<!here>", "<@U123>",
    "<!subteam^S1|team>", "<https://evil.example|bank>", "[x](javascript:alert(1))", "**gras**",
    "_penché_", "~barré~", "`code`", "> citation", "# titre", "<b>html</b>", "||spoiler||",
]

# What each platform would read as a mention, a link or markup once the text is escaped.
SLACK_ACTIVE = re.compile(r"<[!@#]|<https?:|(?<![\w\u200b])[*_~`][^\s\u200b]|(?<!\u2060)@(everyone|here|channel)")
DISCORD_ACTIVE = re.compile(
    r"(?<!\\)<|(?<!\\)\[|(?<!\\)\*|(?<!\\)_|(?<!\\)~|(?<!\\)`|(?<!\\)\||(?<!\\)#|(?<!\\)>"
    r"|@(everyone|here)"
)


@pytest.mark.parametrize("text", HOSTILE)
def test_slack_escape_leaves_nothing_active(text: str) -> None:
    escaped = slack_escape(f"Titre {text} fin")
    assert not SLACK_ACTIVE.search(escaped), escaped
    assert "<" not in escaped and ">" not in escaped


@pytest.mark.parametrize("text", HOSTILE)
def test_discord_escape_leaves_nothing_active(text: str) -> None:
    escaped = discord_escape(f"Title {text} end")
    assert not DISCORD_ACTIVE.search(escaped), escaped


def test_slack_escape_keeps_the_words_readable() -> None:
    assert slack_escape("Aide & soutien <2026>") == "Aide &amp; soutien &lt;2026&gt;"


def test_escaping_removes_bidi_overrides_and_joins_lines() -> None:
    assert discord_escape("a\u202eb\nc") == "ab c"
    assert slack_escape("un\n\ndeux") == "un deux"


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "JAVASCRIPT:alert(1)", "data:text/html,x", "/relative", "ftp://x.example/",
     "https://", "vbscript:x", "java\nscript:alert(1)"],
)
def test_only_http_links_survive(url: str) -> None:
    assert safe_url(url) is None
    assert slack_link("banque", url) == "banque"
    assert discord_link("bank", url) == "bank"


def test_link_delimiters_in_urls_are_encoded() -> None:
    assert slack_link("t", "https://a.example/x|y>z") == "<https://a.example/x%7Cy%3Ez|t>"
    assert discord_link("t", "https://a.example/a_(b)") == "[t](https://a.example/a_%28b%29)"


def test_link_text_is_escaped_too() -> None:
    assert slack_link("<!channel>", "https://a.example/") == "<https://a.example/|&lt;!channel&gt;>"
    assert discord_link("[x](y)", "https://a.example/") == r"[\[x\]\(y\)](https://a.example/)"
