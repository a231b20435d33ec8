"""A ceiling on what one channel slot may post: so many stories, so many messages, and a note saying
what was left out.

One busy day (or one hostile feed) must not turn a brief into 70 messages. The stories of a slot
share one budget across its topics, newest first as the brief orders them; the messages of a slot
are cut at a maximum. Whatever is cut is named in a note on the last message kept, in the channel's
language, so a reader knows to ask `/summary` for more. A brief posted well after its time (retried,
or caught up after downtime) says on its first message when it was due.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from bot.config import ChannelConfig
from bot.limits import DISCORD_EMBED_DESCRIPTION, SLACK_BLOCKS, truncate
from bot.safety import discord_escape, slack_escape
from bot.wording import say

T = TypeVar("T")
Message = dict[str, Any]


def take(items: Sequence[T], room: int) -> tuple[list[T], int]:
    """The first `room` items and how many were left out."""
    room = max(room, 0)
    return list(items[:room]), max(len(items) - room, 0)


def stories_note(locales: Sequence[str], count: int, topic: str) -> str:
    return " / ".join(say(locale, "…and {count} more stories left out of this brief: /summary {topic} shows the "
                                  "newest.", count=count, topic=topic) for locale in locales)


def cap_messages(messages: list[Message], limit: int, platform: str, locales: Sequence[str]) -> list[Message]:
    """At most `limit` messages; when some are cut, the last one kept says so."""
    if len(messages) <= limit:
        return messages
    kept = messages[: max(limit, 1)]
    note = " / ".join(say(locale, "{count} more message(s) of this brief were left out; /summary shows more.",
                          count=len(messages) - len(kept)) for locale in locales)
    kept[-1] = with_note(kept[-1], note, platform)
    return kept


def with_note(message: Message, note: str, platform: str) -> Message:
    """`message` with a plain `note` (escaped here) at its end, still within the platform's limits."""
    if platform == "slack":
        blocks = list(message.get("blocks") or [])
        element = {"type": "mrkdwn", "text": slack_escape(note), "verbatim": True}
        blocks = [*blocks[: SLACK_BLOCKS - 1], {"type": "context", "elements": [element]}]
        return {**message, "blocks": blocks}
    embeds = [dict(e) for e in message.get("embeds") or [{}]]
    last = embeds[-1]
    tail = "\n\n*" + discord_escape(note) + "*"
    body = last.get("description") or ""
    room = DISCORD_EMBED_DESCRIPTION - len(tail)
    last["description"] = (body if len(body) <= room else truncate(body, room)) + tail
    return {**message, "embeds": embeds}


def late(message: Message, due: datetime, channel: ChannelConfig) -> Message:
    """`message` (a brief's first) noting that the brief was due at `due`, in the channel's time zone."""
    locales = ("fr", "en") if channel.language == "both" else (channel.language,)
    when = due.astimezone(ZoneInfo(channel.timezone)).strftime("%Y-%m-%d %H:%M") + f" ({channel.timezone})"
    note = " / ".join(say(locale, "Late: this brief was due at {due} and could not be posted then.", due=when)
                      for locale in locales)
    return with_note(message, note, channel.platform)
