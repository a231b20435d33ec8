"""`python -m bot web`: Slack's HTTP endpoints (slash commands, events) for deployments without Socket Mode.

slack-bolt's async app does the work: it verifies each request's signature and timestamp with
SLACK_SIGNING_SECRET (a wrong or stale one gets 401), acknowledges a command at once and answers
through its response_url when the work is done. Its aiohttp adapter serves it.
"""

from __future__ import annotations

import logging

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request

from bot.calendar_web import add_calendar_routes
from bot.commands import Commands
from bot.config import Settings
from bot.platforms.slack import build_app, web_client
from bot.wiring import pipeline_for, settle_heap
from briefings.reads import StoryReads
from briefings.store import Store

log = logging.getLogger(__name__)

PATHS = ("/slack/events", "/slack/commands")


def make_web_app(settings: Settings, commands: Commands) -> web.Application:
    """The aiohttp application: the bolt app at `/slack/events` and `/slack/commands`, `/healthz` for
    the platform's health check."""
    bolt = build_app(settings, commands, web_client(settings.secrets.slack_bot_token or ""))

    async def slack(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await bolt.async_dispatch(await to_bolt_request(request)))

    async def healthz(_request: web.Request) -> web.Response:
        return web.Response(text="ok")

    app = web.Application()
    app.add_routes([web.post(path, slack) for path in PATHS] + [web.get("/healthz", healthz)])
    add_calendar_routes(app, commands)
    return app


def main_web(settings: Settings, host: str, port: int) -> int:
    if not (settings.secrets.slack_bot_token and settings.secrets.slack_signing_secret):
        log.error("slack web endpoints need SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET in the environment")
        return 2
    store = Store(settings.storage_url)
    try:
        pipeline_for(settings, store).ensure_views()
        commands = Commands(settings, StoryReads(store))
        settle_heap()
        web.run_app(make_web_app(settings, commands), host=host, port=port, print=log.info)
    finally:
        store.close()
    return 0
