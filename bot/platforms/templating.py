"""Jinja2 environments for the chat templates, one per (platform, locale), with escaping filters.

The renderer's `context()` already did the wording; the chat templates under `bot/templates/<platform>/`
only lay lines out. Feed text reaches a template as `Line` segments or strings and leaves it only
through the `line` and `esc` filters, which escape for that platform, so a template cannot forget.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader

from bot.safety import discord_escape, discord_link, slack_escape, slack_link
from briefings.render.context import Line, Segment
from briefings.render.i18n import template_environment

_ESCAPE: dict[str, Callable[[str], str]] = {"slack": slack_escape, "discord": discord_escape}
_LINK: dict[str, Callable[[str, str | None], str]] = {"slack": slack_link, "discord": discord_link}
_FOREIGN: dict[str, str] = {"slack": " _({})_", "discord": " *({})*"}


def format_line(platform: str, line: Line | Segment | str) -> str:
    """A rendered line as escaped markup: links only from segment URLs, foreign text marked."""
    escape, link = _ESCAPE[platform], _LINK[platform]
    if isinstance(line, str):
        return escape(line)
    segments = (line,) if isinstance(line, Segment) else line.segments
    out = []
    for s in segments:
        text = link(s.text, s.url) if s.url else escape(s.text)
        if s.foreign:
            text += _FOREIGN[platform].format(escape(s.foreign))
        out.append(text)
    return "".join(out)


@cache
def environment(platform: str, locale: str) -> Environment:
    env = template_environment(PackageLoader("bot", f"templates/{platform}"), locale)
    env.filters["line"] = lambda value: format_line(platform, value)
    env.filters["esc"] = _ESCAPE[platform]
    return env


def render_template(platform: str, locale: str, name: str, **values: Any) -> str:
    """Render `bot/templates/<platform>/<name>` and strip blank runs the macros leave behind."""
    text = environment(platform, locale).get_template(name).render(**values)
    lines = [line.rstrip() for line in text.strip().split("\n")]
    return "\n".join(line for i, line in enumerate(lines) if line or (i and lines[i - 1]))
