"""Make feed text inert on each chat platform: no pings, no links we did not build, no markup.

Everything a feed says is untrusted. The renderer hands us plain text segments and (already http(s)
filtered) URLs; this module is the last step before a platform sees them, so it re-checks links and
escapes for the exact syntax of the target:

- Slack mrkdwn: `&`, `<`, `>` become entities (this alone kills `<!channel>`, `<@U123>`,
  `<!subteam^…>` and `<https://evil|bank>`); formatting characters get a zero-width space in front
  so `*bold*` stays literal; bare `@here`/`@channel`/`@everyone` get a word joiner.
- Discord markdown: every markdown, mention and link character is backslash-escaped, and mass
  mentions get a zero-width space (belt and braces: `allowed_mentions` is none bot-wide too).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_ZWSP = "\u200b"
_WORD_JOINER = "\u2060"

_MENTION_SYNTAX = re.compile(r"<(?=[@#!/:a])")  # how a user, role, channel, command or emoji is written
_MASS_MENTION = re.compile(r"@(everyone|here|channel)\b", re.IGNORECASE)
_SLACK_FORMATTING = re.compile(r"([*_~`])")
# Backslash escapes are hidden by Discord's markdown for ASCII punctuation, so escaping generously
# never shows a stray backslash, while missing one character can open a link, a mention or a heading.
_DISCORD_SPECIAL = re.compile(r"([\\*_~`|>#\-\[\]()<:!.+=])")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069]")  # incl. bidi overrides
_SPACES = re.compile(r"\s+")
_URL_UNSAFE = {" ": "%20", "<": "%3C", ">": "%3E", "|": "%7C", "(": "%28", ")": "%29", '"': "%22",
               "`": "%60", "\\": "%5C"}


def clean(text: str) -> str:
    """Feed text without control and bidi-override characters, whitespace runs (newlines too) as one
    space; edges are kept because a segment's spaces separate it from its neighbours."""
    return _SPACES.sub(" ", _CONTROL.sub("", text))


def safe_url(url: str | None) -> str | None:
    """The URL if it is an absolute http(s) link with a host, with delimiter characters encoded.

    None for anything else (`javascript:`, `data:`, relative or malformed), so callers show the
    text without a link. Encoding `<>|()` and spaces keeps the URL from closing a Slack `<url|text>`
    or a Discord `[text](url)` early.
    """
    if not url:
        return None
    url = _CONTROL.sub("", url).strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return "".join(_URL_UNSAFE.get(c, c) for c in url)


def neutralise_mentions(text: str) -> str:
    """`@everyone`, `@here`, `@channel` with a word joiner after `@`, so no client reads them as pings."""
    return _MASS_MENTION.sub(lambda m: "@" + _WORD_JOINER + m.group(1), text)


def slack_entities(text: str) -> str:
    """`&`, `<`, `>` as the entities Slack requires in every text field."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_escape(text: str) -> str:
    """Feed text for a Slack mrkdwn field: entities for `&<>`, formatting and mass mentions inert."""
    text = slack_entities(clean(text))
    text = _SLACK_FORMATTING.sub(_ZWSP + r"\1", text)
    return neutralise_mentions(text)


def slack_link(text: str, url: str | None) -> str:
    """`<url|text>` with escaped text, or the escaped text alone when the URL is not http(s)."""
    label = slack_escape(text)
    href = safe_url(url)
    return f"<{href}|{label}>" if href and label else label


def discord_escape(text: str) -> str:
    """Feed text for Discord markdown (content, embed description, title, field values)."""
    text = _DISCORD_SPECIAL.sub(r"\\\1", clean(text))
    return _MASS_MENTION.sub(lambda m: "@" + _ZWSP + m.group(1), text)


def discord_plain(text: str) -> str:
    """Feed text for Discord fields that render no markdown (footer, author): mass mentions and
    mention syntax ("<@123>", "<#1>", "<!channel>") made inert, the text otherwise as it is."""
    text = _MENTION_SYNTAX.sub("<" + _ZWSP, clean(text))
    return _MASS_MENTION.sub(lambda m: "@" + _ZWSP + m.group(1), text)


def discord_link(text: str, url: str | None) -> str:
    """`[text](url)` with escaped text, or the escaped text alone when the URL is not http(s)."""
    label = discord_escape(text)
    href = safe_url(url)
    if not (href and label):
        return label
    return f"[{label}]({href.replace('[', '%5B').replace(']', '%5D')})"
