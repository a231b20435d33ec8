"""A command run within its time, and its platform-neutral Reply as the messages of one platform."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any

from bot.commands import Commands, Reply
from bot.metrics import command_timer
from bot.platforms import discord_embeds, slack_blocks
from bot.wording import failed

log = logging.getLogger(__name__)

MAX_REPLY_MESSAGES = 3  # a /summary in both languages may need a few; more belongs in a channel brief
COMMAND_TIMEOUT_S = 60.0  # a command still working then (a locked database…) is answered with an error


async def run_command(commands: Commands, name: str, args: Mapping[str, str | None], locale: str) -> Reply:
    """`commands.run` in a worker thread, within COMMAND_TIMEOUT_S: a user always gets an answer,
    never "thinking…" for as long as the platform keeps the request open."""
    try:
        with command_timer(name):
            async with asyncio.timeout(COMMAND_TIMEOUT_S):
                return await asyncio.to_thread(commands.run, name, args, locale)
    except TimeoutError:
        log.error("command /%s %r: no answer within %g s", name, dict(args), COMMAND_TIMEOUT_S)
        return Reply(failed(locale), ok=False, locales=(locale,))


def reply_messages(platform: str, reply: Reply) -> list[dict[str, Any]]:
    module = slack_blocks if platform == "slack" else discord_embeds
    if reply.brief is None:
        return [module.reply_message(reply.title, reply.lines)]
    if platform == "slack":
        messages = slack_blocks.brief_messages(reply.brief, reply.locales)
    else:
        messages = discord_embeds.brief_messages(reply.brief, reply.locales, reply=True)
    return messages[:MAX_REPLY_MESSAGES]
