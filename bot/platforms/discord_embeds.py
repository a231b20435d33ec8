"""Briefs and command replies as Discord embeds, within Discord's limits.

A message is `{"content": str | None, "embeds": [embed dict]}` with one embed: the title, then the
stories packed into the description (≤ 4,096 characters); a longer brief continues in further
messages titled "(2/3)" and so on. One embed per message keeps every message far below the 6,000
characters Discord allows across a message's embeds.
"""

from __future__ import annotations

from typing import Any

from bot.limits import DISCORD_EMBED_DESCRIPTION, DISCORD_EMBED_TITLE, pack, split_text, truncate
from bot.platforms.templating import format_line, render_template
from bot.safety import discord_escape
from briefings.brief import Brief
from briefings.render import context
from briefings.render.context import Line
from briefings.render.i18n import translations

Message = dict[str, Any]
EMBED_COLOUR = 0x2B6CB0


def _messages(title: str, subtitle: str | None, stories: list[str]) -> list[Message]:
    first_budget = DISCORD_EMBED_DESCRIPTION - (len(subtitle) + 2 if subtitle else 0)
    pages = pack(stories, first_budget)
    if len(pages) > 1:  # pages after the first have no subtitle: repack the rest with the full budget
        rest = pack(pages[1:], DISCORD_EMBED_DESCRIPTION)
        pages = [pages[0], *rest]
    messages = []
    for i, page in enumerate(pages, start=1):
        heading = title if len(pages) == 1 else f"{title} ({i}/{len(pages)})"
        description = f"{subtitle}\n\n{page}" if subtitle and i == 1 else page
        embed = {"title": truncate(heading, DISCORD_EMBED_TITLE), "description": description,
                 "color": EMBED_COLOUR}
        messages.append({"content": None, "embeds": [embed]})
    return messages


def brief_messages(brief: Brief, locale: str, title: str | None = None) -> list[Message]:
    """The brief in `locale` as one or more Discord messages, in order."""
    ctx = context(brief, locale)
    raw_title = title or ctx["title"] or (str(ctx["stories"][0]["headline"]) if ctx["stories"] else "")
    subtitle = "*" + render_template("discord", locale, "heading.j2", as_of=ctx["as_of"], since=ctx["since"],
                               intro=ctx["intro"]) + "*"
    stories = [render_template("discord", locale, "story.j2", story=story) for story in ctx["stories"]]
    stories = stories or [discord_escape(translations(locale).gettext("Nothing new."))]
    return _messages(discord_escape(raw_title), subtitle, stories)


def reply_message(title: str, lines: list[Line | str]) -> Message:
    """A command reply: one message; lines beyond one embed description are dropped."""
    text = "\n".join(format_line("discord", line) for line in lines)
    description = (split_text(text, DISCORD_EMBED_DESCRIPTION) or [""])[0]
    embed = {"title": truncate(discord_escape(title), DISCORD_EMBED_TITLE), "description": description,
             "color": EMBED_COLOUR}
    return {"content": None, "embeds": [embed]}
