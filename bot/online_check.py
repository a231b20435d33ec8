"""`check-config --online`: ask each platform whether its tokens work, before the first brief is due.

A revoked or mistyped token used to show only when the first brief failed. Here Slack's bot token is
checked with `auth.test`, its app token (Socket Mode) with `apps.connections.open`, and Discord's
token with the same REST login `run` does. Each answer is one line; tokens are never printed.

A Slack token can be valid and still lack a scope: without `channels:history` every brief fails for
good (the outbox reads the channel before posting), without `users:read` replies lose the user's
language. `auth.test` reports the token's scopes, so each one in `data/slack_scopes.toml` that is
missing is named with what stops working: an error for the ones briefs need, a warning otherwise.
"""

from __future__ import annotations

import asyncio
import tomllib
from functools import cache
from importlib import resources

import aiohttp
from slack_sdk.errors import SlackApiError

from bot.config import Problem, Settings
from bot.platforms import DISCORD_API_URL_ENV, api_url

TIMEOUT_S = 15.0


async def check_tokens(settings: Settings) -> tuple[list[str], list[Problem], list[Problem]]:
    """(what worked, what will fail, what works only in part) for every token set in the environment."""
    ok: list[str] = []
    problems: list[Problem] = []
    warnings: list[Problem] = []
    secrets = settings.secrets
    checks = []
    if secrets.slack_bot_token:
        checks.append(_slack_bot(secrets.slack_bot_token))
    if secrets.slack_app_token:
        checks.append(_slack_app(secrets.slack_app_token))
    if secrets.discord_token:
        checks.append(_discord(secrets.discord_token))
    for good, bad, partial in await asyncio.gather(*checks):
        ok += good
        problems += bad
        warnings += partial
    return ok, problems, warnings


async def _slack_bot(token: str) -> tuple[list[str], list[Problem], list[Problem]]:
    from bot.platforms.slack import web_client

    try:
        async with asyncio.timeout(TIMEOUT_S):
            answer = await web_client(token, retries=False).auth_test()
    except SlackApiError as exc:
        return [], [Problem("environment", "SLACK_BOT_TOKEN", f"refused by Slack: {exc.response.get('error')}")], []
    except (TimeoutError, aiohttp.ClientError, OSError) as exc:
        return [], [Problem("environment", "SLACK_BOT_TOKEN", f"cannot reach Slack to check it: {exc!r}")], []
    accepted = f"slack: bot token accepted (workspace {answer.get('team')}, bot user {answer.get('user')})"
    granted = answer.headers.get("x-oauth-scopes") or answer.headers.get("X-OAuth-Scopes")
    if granted is None:  # a proxy that drops the header: nothing to compare
        return [accepted], [], []
    return [accepted], *missing_scopes({s.strip() for s in granted.split(",") if s.strip()})


@cache
def _scopes() -> dict[str, dict[str, str]]:
    return tomllib.loads(resources.files("bot").joinpath("data/slack_scopes.toml").read_text(encoding="utf-8"))


def missing_scopes(granted: set[str]) -> tuple[list[Problem], list[Problem]]:
    """(required scopes the token lacks, optional ones it lacks), each with what stops working."""
    required, optional = ([Problem("environment", "SLACK_BOT_TOKEN", f"lacks the {scope} scope: {without}")
                           for scope, without in _scopes()[level].items() if scope not in granted]
                          for level in ("required", "optional"))
    return required, optional


async def _slack_app(token: str) -> tuple[list[str], list[Problem], list[Problem]]:
    from bot.platforms.slack import web_client

    try:
        async with asyncio.timeout(TIMEOUT_S):
            await web_client("", retries=False).apps_connections_open(app_token=token)
    except SlackApiError as exc:
        return [], [Problem("environment", "SLACK_APP_TOKEN", f"refused by Slack: {exc.response.get('error')}")], []
    except (TimeoutError, aiohttp.ClientError, OSError) as exc:
        return [], [Problem("environment", "SLACK_APP_TOKEN", f"cannot reach Slack to check it: {exc!r}")], []
    return ["slack: app token accepted (Socket Mode can connect)"], [], []


async def _discord(token: str) -> tuple[list[str], list[Problem], list[Problem]]:
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
        return [], [Problem("environment", "DISCORD_TOKEN", "refused by Discord: improper token")], []
    except (discord.HTTPException, TimeoutError, aiohttp.ClientError, OSError) as exc:
        return [], [Problem("environment", "DISCORD_TOKEN", f"cannot reach Discord to check it: {exc!r}")], []
    finally:
        await client.close()
    return [f"discord: token accepted (bot user {user})"], [], []
