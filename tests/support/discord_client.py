"""The real discord.py client connected to the loopback Discord fake, for tests that drive it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import discord

from bot.platforms.discord import use_api_base
from tests.support.fake_discord import FakeDiscord

TOKEN = "discord-test-token"  # the one the fake accepts


@asynccontextmanager
async def connected(fake: FakeDiscord, client: discord.Client) -> AsyncIterator[discord.Client]:
    """`client` logged in on `fake`'s REST API and ready on its gateway; closed after."""
    use_api_base(fake.url)
    await client.login(TOKEN)
    gateway = asyncio.create_task(client.connect())
    try:
        await asyncio.wait_for(client.wait_until_ready(), timeout=10)
        yield client
    finally:
        await client.close()
        gateway.cancel()
