"""Briefs and command replies as Slack Block Kit messages, within Slack's limits.

A message is `{"text": fallback, "blocks": [...]}`: a header (plain text), a context line, one section
per story (split when a story passes the section limit) and dividers; a brief longer than one
message's block budget continues in further messages, each headed "(2/3)" and so on.
"""

from __future__ import annotations

from typing import Any

from bot.limits import (
    SLACK_BLOCKS,
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


def _section(text: str) -> dict[str, Any]:
    # verbatim: Slack must not turn bare names or URLs in the text into mentions or links.
    return {"type": "section", "text": {"type": "mrkdwn", "text": text, "verbatim": True}}


def _header(title: str) -> dict[str, Any]:
    # plain_text parses no markup, but Slack asks for `&<>` as entities in every text field; mass-mention
    # words are made inert for notifications too.
    text = truncate(neutralise_mentions(slack_entities(clean(title))), SLACK_HEADER_TEXT)
    return {"type": "header", "text": {"type": "plain_text", "text": text,
                                       "emoji": False}}


def _messages(title: str, subtitle: str | None, bodies: list[list[str]]) -> list[Message]:
    """Header + subtitle + each body's sections, dividers between bodies, cut into messages in order."""
    head_blocks = 2 if subtitle else 1
    budget = SLACK_BLOCKS - head_blocks
    pages: list[list[dict[str, Any]]] = [[]]
    for body in bodies:
        blocks = [_section(text) for text in body]
        if pages[-1] and len(pages[-1]) + 1 + len(blocks) > budget:
            pages.append([])
        for block in blocks:
            if len(pages[-1]) >= budget:
                pages.append([])
            pages[-1].append(block)
        pages[-1].append({"type": "divider"})
    messages = []
    for i, page in enumerate(pages, start=1):
        while page and page[-1]["type"] == "divider":
            page.pop()
        heading = title if len(pages) == 1 else f"{title} ({i}/{len(pages)})"
        blocks: list[dict[str, Any]] = [_header(heading)]
        if subtitle:
            blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": subtitle, "verbatim": True}]})
        fallback = truncate(slack_escape(heading) + (f" — {subtitle}" if subtitle else ""), SLACK_FALLBACK_TEXT)
        messages.append({"text": fallback, "blocks": blocks + page})
    return messages


def brief_messages(brief: Brief, locale: str, title: str | None = None) -> list[Message]:
    """The brief in `locale` as one or more Slack messages, in order."""
    ctx = context(brief, locale)
    heading_title = title or ctx["title"] or (str(ctx["stories"][0]["headline"]) if ctx["stories"] else "")
    subtitle = render_template("slack", locale, "heading.j2", as_of=ctx["as_of"], since=ctx["since"],
                               intro=ctx["intro"])
    bodies = [
        split_text(render_template("slack", locale, "story.j2", story=story), SLACK_SECTION_TEXT)
        for story in ctx["stories"]
    ] or [[slack_escape(translations(locale).gettext("Nothing new."))]]
    return _messages(heading_title, subtitle, bodies)


def reply_message(title: str, lines: list[Line | str]) -> Message:
    """A command reply: one message, lines packed into sections (beyond 49 sections, dropped)."""
    text = "\n".join(format_line("slack", line) for line in lines)
    sections = split_text(text, SLACK_SECTION_TEXT)[: SLACK_BLOCKS - 1] or [" "]
    return _messages(title, None, [sections])[0]
