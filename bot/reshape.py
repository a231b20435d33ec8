"""Smaller and plainer forms of one rendered message, for when a platform refuses it.

A platform may refuse a message our limits let through (Slack's `msg_too_long` counts differently
than we can; a workspace or a proxy may reject a block or an embed field). Giving up would lose the
brief, so the outbox retries: a message too long is split in two (by blocks, embeds, an embed's
fields or lines, and again if needed); a payload refused is posted with fewer fields (sections only,
embeds with only their title, link and text, their fields written into the text), then as plain
text. Each form is a pure function of the message, so a retry after a restart builds the same pieces.
"""

from __future__ import annotations

from typing import Any

from bot.limits import DISCORD_CONTENT, DISCORD_EMBED_DESCRIPTION, SLACK_FALLBACK_TEXT, pack_embeds, split_text

Message = dict[str, Any]
PLAIN_LEVELS = (1, 2)  # 1: fewer fields, 2: plain text


def split(message: Message, platform: str) -> list[Message] | None:
    """`message` as two smaller messages in order, or None when it cannot be cut further."""
    if platform == "slack":
        return _split_slack(message)
    return _split_discord(message)


def plainer(message: Message, platform: str, level: int) -> list[Message]:
    """`message` with fewer fields (level 1) or as plain text (level 2), in one or more messages."""
    if platform == "slack":
        return _plain_slack(message, level)
    return _plain_discord(message, level)


def _halves(text: str) -> list[str] | None:
    pieces = split_text(text, max(len(text) // 2 + 1, 1))
    if len(pieces) < 2:
        return None
    return [pieces[0], "\n".join(pieces[1:])]


def _split_slack(message: Message) -> list[Message] | None:
    blocks = list(message.get("blocks") or [])
    if len(blocks) >= 2:
        middle = len(blocks) // 2
        return [{**message, "blocks": blocks[:middle]}, {**message, "blocks": blocks[middle:]}]
    texts = [_block_text(b) for b in blocks] if blocks else [message.get("text") or ""]
    halves = _halves(texts[0]) if texts else None
    if halves is None:
        return None
    if blocks:
        return [{**message, "blocks": [_section(h)]} for h in halves]
    return [{**message, "text": h} for h in halves]


def _split_discord(message: Message) -> list[Message] | None:
    embeds = list(message.get("embeds") or [])
    if len(embeds) >= 2:
        middle = len(embeds) // 2
        return [{**message, "embeds": embeds[:middle]}, {**message, "content": None, "embeds": embeds[middle:]}]
    if embeds and len(fields := embeds[0].get("fields") or []) >= 2:  # the fields in two embeds, in order
        middle = len(fields) // 2
        head = {**embeds[0], "fields": fields[:middle]}
        tail = {**{k: v for k, v in embeds[0].items() if k in ("color", "footer")}, "fields": fields[middle:]}
        # the first keeps the title, link and text; the second has no link, so its mark goes in the footer
        return [{**message, "embeds": [head]}, {**message, "content": None, "embeds": [tail]}]
    if embeds:
        halves = _halves(_embed_text(embeds[0]))
        if halves is None:
            return None
        bare = {k: v for k, v in embeds[0].items() if k != "fields"}
        return [{**message, "embeds": [{**bare, "description": h}]} for h in halves]
    halves = _halves(message.get("content") or "")
    return None if halves is None else [{**message, "content": h} for h in halves]


def _embed_text(embed: dict[str, Any]) -> str:
    """An embed's description with its fields written after it, "**name**" over each value."""
    fields = [f"**{f.get('name', '')}**\n{f.get('value', '')}" for f in embed.get("fields") or []]
    return "\n\n".join(p for p in [embed.get("description") or "", *fields] if p)


def _plain_slack(message: Message, level: int) -> list[Message]:
    texts = [t for t in (_block_text(b) for b in message.get("blocks") or []) if t]
    if level == 1:
        return [{"text": message.get("text") or "", "blocks": [_section(t) for t in texts]}]
    text = "\n\n".join(texts) or message.get("text") or ""
    return [{"text": piece, "blocks": []} for piece in split_text(text, SLACK_FALLBACK_TEXT)] or [
        {"text": " ", "blocks": []}]


def _plain_discord(message: Message, level: int) -> list[Message]:
    embeds = message.get("embeds") or []
    if level == 1:  # title, link and text only: fields written into the text, which may take more embeds
        bare = []
        for embed in embeds:
            for i, text in enumerate(split_text(_embed_text(embed), DISCORD_EMBED_DESCRIPTION) or [""]):
                head = {k: embed[k] for k in ("title", "url") if embed.get(k)} if i == 0 else {}
                bare.append({**head, "description": text} if text else head)
        pages = pack_embeds(bare)
        return [{"content": message.get("content") if i == 0 else None, "embeds": page}
                for i, page in enumerate(pages)]
    parts = [message.get("content") or ""] + [f"**{e['title']}**\n{_embed_text(e)}" if e.get("title")
                                               else _embed_text(e) for e in embeds]
    text = "\n\n".join(p for p in parts if p)
    return [{"content": piece, "embeds": []} for piece in split_text(text, DISCORD_CONTENT - 100)] or [
        {"content": " ", "embeds": []}]


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text, "verbatim": True}}


def _block_text(block: dict[str, Any]) -> str:
    text = block.get("text")
    if isinstance(text, dict):
        return text.get("text") or ""
    return " ".join(e.get("text", "") for e in block.get("elements", []) if isinstance(e, dict))
