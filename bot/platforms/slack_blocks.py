"""Briefs and command replies as Slack Block Kit messages, within Slack's limits.

A brief message is `{"text": fallback, "blocks": [...]}`: a header block (the topic in each
language), a context block (the date, a first brief's opening sentence), then each story: a
section per language of the brief (French then English for a channel in both, so a story's two
versions arrive together), a context block naming its sources with their links, and a divider.
A section longer than Slack allows is split; a brief longer than one message's 50 blocks continues
in further messages, each headed "(2/3)" and so on. The fallback `text` (notifications, clients
without blocks) names the brief and its stories.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.limits import (
    SLACK_BLOCKS,
    SLACK_CONTEXT_ELEMENTS,
    SLACK_FALLBACK_TEXT,
    SLACK_HEADER_TEXT,
    SLACK_SECTION_TEXT,
    split_text,
    truncate,
)
from bot.platforms.templating import format_line, render_template
from bot.safety import clean, neutralise_mentions, slack_entities, slack_escape
from briefings.brief import Brief
from briefings.render import context
from briefings.render.context import Line
from briefings.render.i18n import translations

Message = dict[str, Any]
Block = dict[str, Any]


def _section(text: str) -> Block:
    # verbatim: Slack must not turn bare names or URLs in the text into mentions or links.
    return {"type": "section", "text": {"type": "mrkdwn", "text": text, "verbatim": True}}


def _context(texts: list[str]) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": truncate(t, SLACK_SECTION_TEXT),
                                             "verbatim": True} for t in texts[:SLACK_CONTEXT_ELEMENTS]]}


def _header(title: str) -> Block:
    # plain_text parses no markup, but Slack asks for `&<>` as entities in every text field; mass-mention
    # words are made inert for notifications too.
    text = truncate(neutralise_mentions(slack_entities(clean(title))), SLACK_HEADER_TEXT)
    return {"type": "header", "text": {"type": "plain_text", "text": text, "emoji": False}}


def _messages(title: str, subtitle: str | None, bodies: list[tuple[list[Block], str]]) -> list[Message]:
    """Header + subtitle + each body's blocks, dividers between bodies, cut into messages in order.
    A body is a story's blocks and its line in the fallback text."""
    head_blocks = 2 if subtitle else 1
    budget = SLACK_BLOCKS - head_blocks - 1  # one block left for a note of what was left out (bot.ceiling)
    pages: list[list[Block]] = [[]]
    lines: list[list[str]] = [[]]
    for blocks, line in bodies:
        if pages[-1] and len(pages[-1]) + 1 + len(blocks) > budget:
            pages.append([])
            lines.append([])
        for block in blocks:
            if len(pages[-1]) >= budget:
                pages.append([])
                lines.append([])
            pages[-1].append(block)
        pages[-1].append({"type": "divider"})
        lines[-1].append(line)
    messages = []
    for i, (page, page_lines) in enumerate(zip(pages, lines, strict=True), start=1):
        while page and page[-1]["type"] == "divider":
            page.pop()
        heading = title if len(pages) == 1 else f"{title} ({i}/{len(pages)})"
        blocks: list[Block] = [_header(heading)]
        if subtitle:
            blocks.append(_context([subtitle]))
        text = "\n".join([slack_escape(heading) + (f" — {subtitle}" if subtitle else ""), *filter(None, page_lines)])
        messages.append({"text": truncate(text, SLACK_FALLBACK_TEXT), "blocks": blocks + page})
    return messages


def _names(contexts: dict[str, dict[str, Any]]) -> str:
    """The brief's name in each language ("Aide à l'Ukraine · Aid to Ukraine"), or its one story's headline."""
    names = [ctx["title"] or (str(ctx["stories"][0]["headline"]) if ctx["stories"] else "")
             for ctx in contexts.values()]
    return " · ".join(dict.fromkeys(n for n in names if n))


def brief_messages(brief: Brief, locales: Sequence[str]) -> list[Message]:
    """The brief in `locales` (("fr",), ("en",) or ("fr", "en")) as Slack messages, in order."""
    contexts = {locale: context(brief, locale) for locale in locales}
    subtitle = "\n".join(render_template("slack", locale, "heading.j2", as_of=ctx["as_of"], since=ctx["since"],
                                         intro=ctx["intro"]) for locale, ctx in contexts.items())
    bodies: list[tuple[list[Block], str]] = []
    for i in range(len(brief.stories)):
        blocks = [_section(text) for locale, ctx in contexts.items()
                  for text in split_text(render_template("slack", locale, "story.j2", story=ctx["stories"][i]),
                                         SLACK_SECTION_TEXT)]
        first = next(iter(contexts.values()))["stories"][i]
        if first["sources"]:  # the links are the same in every language: listed once, under the story
            blocks.append(_context([format_line("slack", line) for line in first["sources"]]))
        headline = " / ".join(format_line("slack", ctx["stories"][i]["headline"]) for ctx in contexts.values())
        bodies.append((blocks, f"• {headline}"))
    if not bodies:
        nothing = " / ".join(slack_escape(translations(locale).gettext("Nothing new.")) for locale in locales)
        bodies = [([_section(nothing)], "")]
    return _messages(_names(contexts), subtitle, bodies)


def reply_message(title: str, lines: list[Line | str]) -> Message:
    """A command reply: one message, lines packed into sections (beyond 48 sections, dropped)."""
    text = "\n".join(format_line("slack", line) for line in lines)
    sections = split_text(text, SLACK_SECTION_TEXT)[: SLACK_BLOCKS - 2] or [" "]
    return _messages(title, None, [([_section(s) for s in sections], "")])[0]
