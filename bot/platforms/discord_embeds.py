"""Briefs and command replies as Discord embeds, within Discord's limits.

A brief is one message per story. Each story message holds one embed per language of the brief
(French then English for a channel in both), so a reader sees the two versions of a story side by
side rather than two whole briefs one after the other. An embed looks like Discord's own: the
headline as its title linking the story's main article in that language, the date and article
count as its description, a field per section (pledges, missions, upcoming dates, sources), the
story's time as `timestamp` and the outlets named in the footer. The brief's heading (topic, date,
a first brief's opening sentence) is the first message's text.

Every message stays within Discord's limits (`bot.limits`): 25 fields of 1,024 characters, 10
embeds and 6,000 characters across a message's embeds; a section longer than a field continues in
the next field, a story longer than an embed continues in another embed, and a story whose
languages do not fit one message together takes one message per language, still in order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.limits import (
    DISCORD_CONTENT,
    DISCORD_EMBED_DESCRIPTION,
    DISCORD_EMBED_FIELDS,
    DISCORD_EMBED_TITLE,
    DISCORD_FIELD_NAME,
    DISCORD_FIELD_VALUE,
    DISCORD_FOOTER,
    DISCORD_MESSAGE_TOTAL,
    DISCORD_RESERVE,
    embed_size,
    pack_embeds,
    split_text,
    truncate,
)
from bot.platforms.templating import format_line, render_template
from bot.safety import discord_escape, discord_plain, safe_url
from briefings.brief import Brief, StoryBrief
from briefings.render import context
from briefings.render.context import Line
from briefings.render.i18n import translations

Message = dict[str, Any]
Embed = dict[str, Any]
EMBED_COLOUR = 0x2B6CB0
MESSAGE_BUDGET = DISCORD_MESSAGE_TOTAL - DISCORD_RESERVE
HEADING_BUDGET = DISCORD_CONTENT - 100  # the room a channel's role mention takes in the content


def _lines(lines: Sequence[Line], conflicts: Sequence[Line | None] = ()) -> str:
    out = []
    for i, line in enumerate(lines):
        out.append("• " + format_line("discord", line))
        if i < len(conflicts) and conflicts[i] is not None:
            out.append("  ◦ " + format_line("discord", conflicts[i]))  # type: ignore[arg-type]
    return "\n".join(out)


def _fields(label: str, value: str) -> list[dict[str, Any]]:
    """One section as fields: a value longer than a field continues in the next, "(2/3)" and so on."""
    pieces = split_text(value, DISCORD_FIELD_VALUE)
    name = discord_plain(label)
    return [{"name": truncate(name if len(pieces) == 1 else f"{name} ({i}/{len(pieces)})", DISCORD_FIELD_NAME),
             "value": piece, "inline": False} for i, piece in enumerate(pieces, start=1)]


def main_article(story: StoryBrief, locale: str) -> str | None:
    """The article the story's title links in `locale`: the first in that language, else the first."""
    ordered = [s for s in story.sources if s.language == locale] + story.sources
    return next((url for s in ordered if (url := safe_url(s.url))), None)


def outlets(story: StoryBrief) -> str:
    return " · ".join(dict.fromkeys(s.outlet for s in story.sources))


def story_embeds(story: StoryBrief, ctx: dict[str, Any], locale: str) -> list[Embed]:
    """One story in one language: its embed, and continuation embeds when it passes one embed's
    25 fields or a message's characters. Only the first has the title, link, footer and timestamp."""
    t = translations(locale)
    fields = []
    if ctx["pledges"]:
        fields += _fields(t.gettext("Pledges"), _lines([p["line"] for p in ctx["pledges"]],
                                                      [p["conflict"] for p in ctx["pledges"]]))
    for label, lines in ((t.gettext("Missions"), ctx["missions"]), (t.gettext("Upcoming dates"), ctx["dates"]),
                         (t.gettext("Sources"), ctx["sources"])):
        if lines:
            fields += _fields(label, _lines(lines))
    description = "*" + discord_escape(ctx["meta"]) + "*"
    if ctx["page"] is not None:
        description += "\n" + format_line("discord", ctx["page"])
    first: Embed = {"title": truncate(format_line("discord", ctx["headline"]), DISCORD_EMBED_TITLE),
                    "description": truncate(description, DISCORD_EMBED_DESCRIPTION), "color": EMBED_COLOUR}
    if url := main_article(story, locale):
        first["url"] = url
    if story.published is not None:
        first["timestamp"] = story.published.isoformat()
    if names := outlets(story):
        first["footer"] = {"text": truncate(discord_plain(names), DISCORD_FOOTER)}
    embeds = [first]
    for field in fields:
        current = embeds[-1]
        full = len(current.get("fields", [])) >= DISCORD_EMBED_FIELDS
        if full or embed_size(current) + len(field["name"]) + len(field["value"]) > MESSAGE_BUDGET:
            current = {"color": EMBED_COLOUR}
            embeds.append(current)
        current.setdefault("fields", []).append(field)
    return embeds


def _distinct_links(embeds: list[Embed]) -> list[Embed]:
    """Discord shows embeds sharing a link as one: a story's second language keeps its title but
    not a link its first language already has (both link the one article of a one-language story)."""
    seen: set[str] = set()
    out = []
    for embed in embeds:
        url = embed.get("url")
        if url in seen:
            embed = {k: v for k, v in embed.items() if k != "url"}
        elif url:
            seen.add(url)
        out.append(embed)
    return out


def heading(contexts: dict[str, dict[str, Any]]) -> str:
    """The brief's heading in each language, one line each: "**Aide à l'Ukraine** · au 13 février 2026"."""
    lines = []
    for locale, ctx in contexts.items():
        name = ctx["title"]
        sub = render_template("discord", locale, "heading.j2", as_of=ctx["as_of"], since=ctx["since"],
                              intro=ctx["intro"])
        lines.append(f"**{discord_escape(name)}** · {sub}" if name else sub)
    return truncate("\n".join(lines), HEADING_BUDGET)


def brief_messages(brief: Brief, locales: Sequence[str], *, reply: bool = False) -> list[Message]:
    """The brief in `locales` (("fr",), ("en",) or ("fr", "en")) as Discord messages, in order: one
    per story with an embed per language, the heading as the first message's text. A command's
    `reply` has few messages and carries embeds only: stories share messages as they fit, and the
    heading is an embed of its own."""
    contexts = {locale: context(brief, locale) for locale in locales}
    head = heading(contexts)
    if not brief.stories:
        groups = [[{"title": truncate(discord_escape(ctx["title"] or ""), DISCORD_EMBED_TITLE),
                    "description": discord_escape(translations(locale).gettext("Nothing new.")),
                    "color": EMBED_COLOUR} for locale, ctx in contexts.items()]]
    else:
        groups = [[embed for locale, ctx in contexts.items()
                   for embed in story_embeds(story, ctx["stories"][i], locale)]
                  for i, story in enumerate(brief.stories)]
    if reply:
        packed = pack_embeds([{"description": head, "color": EMBED_COLOUR}, *(e for group in groups for e in group)])
    else:  # a channel's brief: stories never share a message
        packed = [page for group in groups for page in pack_embeds(group)]
    messages = [{"content": None, "embeds": _distinct_links(embeds)} for embeds in packed]
    if not reply:
        messages[0]["content"] = head
    return messages


def reply_message(title: str, lines: list[Line | str]) -> Message:
    """A command reply: one message; lines beyond one embed description are dropped."""
    text = "\n".join(format_line("discord", line) for line in lines)
    description = (split_text(text, DISCORD_EMBED_DESCRIPTION) or [""])[0]
    embed = {"title": truncate(discord_escape(title), DISCORD_EMBED_TITLE), "description": description,
             "color": EMBED_COLOUR}
    return {"content": None, "embeds": [embed]}
