"""`check-config --online`: ask each platform whether its tokens work, before the first brief is due.

A revoked or mistyped token used to show only when the first brief failed. Here Slack's bot token is
checked with `auth.test`, its app token (Socket Mode) with `apps.connections.open`, and Discord's
token with the same REST login `run` does. Each answer is one line; tokens are never printed.
"""

from __future__ import annotations

import asyncio

import aiohttp
from slack_sdk.errors import SlackApiError

from bot.config import Problem, Settings
from bot.platforms import DISCORD_API_URL_ENV, api_url

TIMEOUT_S = 15.0


async def check_tokens(settings: Settings) -> tuple[list[str], list[Problem]]:
    """(what worked, what did not) for every token set in the environment."""
    ok: list[str] = []
    problems: list[Problem] = []
    secrets = settings.secrets
    checks = []
    if secrets.slack_bot_token:
        checks.append(_slack_bot(secrets.slack_bot_token))
    if secrets.slack_app_token:
        checks.append(_slack_app(secrets.slack_app_token))
    if secrets.discord_token:
        checks.append(_discord(secrets.discord_token))
    for good, bad in await asyncio.gather(*checks):
        ok += good
        problems += bad
    return ok, problems


async def _slack_bot(token: str) -> tuple[list[str], list[Problem]]:
    from bot.platforms.slack import web_client

    try:
        async with asyncio.timeout(TIMEOUT_S):
            answer = await web_client(token, retries=False).auth_test()
    except SlackApiError as exc:
        return [], [Problem("environment", "SLACK_BOT_TOKEN", f"refused by Slack: {exc.response.get('error')}")]
    except (TimeoutError, aiohttp.ClientError, OSError) as exc:
        return [], [Problem("environment", "SLACK_BOT_TOKEN", f"cannot reach Slack to check it: {exc!r}")]
    return [f"slack: bot token accepted (workspace {answer.get('team')}, bot user {answer.get('user')})"], []


async def _slack_app(token: str) -> tuple[list[str], list[Problem]]:
    from bot.platforms.slack import web_client

    try:
        async with asyncio.timeout(TIMEOUT_S):
            await web_client("", retries=False).apps_connections_open(app_token=token)
    except SlackApiError as exc:
        return [], [Problem("environment", "SLACK_APP_TOKEN", f"refused by Slack: {exc.response.get('error')}")]
    except (TimeoutError, aiohttp.ClientError, OSError) as exc:
        return [], [Problem("environment", "SLACK_APP_TOKEN", f"cannot reach Slack to check it: {exc!r}")]
    return ["slack: app token accepted (Socket Mode can connect)"], []


async def _discord(token: str) -> tuple[list[str], list[Problem]]:
    import discord

    from bot.platforms.discord import use_api_base

    if base := api_url(DISCORD_API_URL_ENV):
        use_api_base(base)
    client = discord.Client(intents=discord.Intents.none())
    try:
        async with asyncio.timeout(TIMEOUT_S):
            await client.login(token)
        user = client.user
    except discord.LoginFailure:
        return [], [Problem("environment", "DISCORD_TOKEN", "refused by Discord: improper token")]
    except (discord.HTTPException, TimeoutError, aiohttp.ClientError, OSError) as exc:
        return [], [Problem("environment", "DISCORD_TOKEN", f"cannot reach Discord to check it: {exc!r}")]
    finally:
        await client.close()
    return [f"discord: token accepted (bot user {user})"], []
