"""A command's platform-neutral Reply as the messages of one platform."""

from __future__ import annotations

from typing import Any

from bot.commands import Reply
from bot.platforms import discord_embeds, slack_blocks

MAX_REPLY_MESSAGES = 3  # a /summary in both languages may need a few; more belongs in a channel brief


def reply_messages(platform: str, reply: Reply) -> list[dict[str, Any]]:
    module = slack_blocks if platform == "slack" else discord_embeds
    if reply.brief is None:
        return [module.reply_message(reply.title, reply.lines)]
    messages = [m for locale in reply.locales for m in module.brief_messages(reply.brief, locale)]
    return messages[:MAX_REPLY_MESSAGES]
