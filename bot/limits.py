"""Every platform size limit in one place, and the splitting that keeps messages under them.

Numbers are the platforms' documented hard limits. A brief that does not fit one message is cut
between stories first, then between lines, and only as a last resort inside a line; the parts keep
their order.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

# Discord (https://discord.com/developers/docs/resources/message#create-message)
DISCORD_CONTENT = 2000
DISCORD_EMBED_TITLE = 256
DISCORD_EMBED_DESCRIPTION = 4096
DISCORD_EMBED_FIELDS = 25
DISCORD_FIELD_NAME = 256
DISCORD_FIELD_VALUE = 1024
DISCORD_FOOTER = 2048
DISCORD_EMBEDS_PER_MESSAGE = 10
DISCORD_MESSAGE_TOTAL = 6000  # all embed text of one message together
DISCORD_AUTOCOMPLETE_CHOICES = 25
# Room kept free in every message for what is added after rendering: the delivery mark on a link,
# and a note of stories or messages left for later (bot.ceiling).
DISCORD_RESERVE = 400

# Slack (https://api.slack.com/reference/block-kit/blocks)
SLACK_BLOCKS = 50
SLACK_SECTION_TEXT = 3000
SLACK_HEADER_TEXT = 150
SLACK_CONTEXT_ELEMENTS = 10
SLACK_FALLBACK_TEXT = 4000  # `text` beside blocks: Slack truncates notifications long before 40k

ELLIPSIS = "…"


def truncate(text: str, limit: int) -> str:
    """`text` cut to `limit` characters with an ellipsis, never ending on a lone escape backslash."""
    if len(text) <= limit:
        return text
    return _safe_cut(text, limit - 1) + ELLIPSIS


def _safe_cut(text: str, limit: int) -> str:
    """The longest prefix of at most `limit` characters that does not split an escape.

    Splitting after a backslash would escape the next part's first character; splitting inside an
    `&amp;` entity would show a broken entity. Both are moved back to before the escape.
    """
    cut = text[:limit]
    backslashes = len(cut) - len(cut.rstrip("\\"))
    if backslashes % 2:
        cut = cut[:-1]
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:] and len(cut) - amp <= 6:
        cut = cut[:amp]
    return cut


def split_text(text: str, limit: int) -> list[str]:
    """`text` in pieces of at most `limit` characters, cut at line ends when a line fits."""
    pieces: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:  # a single line longer than a message: cut it, escapes kept whole
            if current:
                pieces.append(current)
                current = ""
            head = _safe_cut(line, limit) or line[:limit]
            pieces.append(head)
            line = line[len(head):]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) <= limit:
            current = candidate
        else:
            pieces.append(current)
            current = line
    if current.strip():
        pieces.append(current)
    return [p for p in pieces if p.strip()]


def pack(chunks: Iterable[str], limit: int, separator: str = "\n\n") -> list[str]:
    """Join chunks (stories) into as few pieces of at most `limit` characters as possible, in order.

    A chunk that is longer than `limit` on its own is split with `split_text`.
    """
    pieces: list[str] = []
    current = ""
    for chunk in chunks:
        for part in split_text(chunk, limit) if len(chunk) > limit else [chunk]:
            candidate = f"{current}{separator}{part}" if current else part
            if len(candidate) <= limit:
                current = candidate
            else:
                if current:
                    pieces.append(current)
                current = part
    if current:
        pieces.append(current)
    return pieces


def embed_size(embed: dict[str, Any]) -> int:
    """The characters Discord counts toward a message's 6,000: title, description, field names and
    values, footer text and author name."""
    fields = sum(len(f.get("name", "")) + len(f.get("value", "")) for f in embed.get("fields", []))
    return (len(embed.get("title") or "") + len(embed.get("description") or "") + fields
            + len((embed.get("footer") or {}).get("text") or "") + len((embed.get("author") or {}).get("name") or ""))


def pack_embeds(embeds: Iterable[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Embeds in order into as few messages as Discord's per-message limits allow: 10 embeds, and
    6,000 characters less DISCORD_RESERVE."""
    pages: list[list[dict[str, Any]]] = [[]]
    for embed in embeds:
        size = sum(embed_size(e) for e in pages[-1]) + embed_size(embed)
        if pages[-1] and (len(pages[-1]) >= DISCORD_EMBEDS_PER_MESSAGE
                          or size > DISCORD_MESSAGE_TOTAL - DISCORD_RESERVE):
            pages.append([])
        pages[-1].append(embed)
    return pages
