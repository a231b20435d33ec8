"""`python -m bot web`: the read-only web pages (`bot.pages`), and Slack's HTTP endpoints (slash commands,
the `/briefbot` admin group, events) beside them for deployments without Socket Mode, when Slack's
secrets are set. A settings change taken here is stored; the `run` workers follow it within seconds
(re-plan, admin-channel line), since this process neither schedules nor posts briefs.

slack-bolt's async app does the work: it verifies each request's signature and timestamp with
SLACK_SIGNING_SECRET (a wrong or stale one gets 401), acknowledges a command at once and answers
through its response_url when the work is done. Its aiohttp adapter serves it.
"""

from __future__ import annotations

import logging

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request

from bot.admin_commands import ChannelAdmin
from bot.calendar_web import add_calendar_routes
from bot.commands import Commands
from bot.config import Settings
from bot.metrics import metrics_handler
from bot.pages import Pages
from bot.platforms.slack import build_app, web_client
from bot.wiring import settle_heap
from briefings.store import Store

log = logging.getLogger(__name__)

PATHS = ("/slack/events", "/slack/commands")


def serves_slack(settings: Settings) -> bool:
    """Slack's endpoints are served only with both secrets: without the signing secret no request
    could be verified."""
    return bool(settings.secrets.slack_bot_token and settings.secrets.slack_signing_secret)


def make_web_app(settings: Settings, commands: Commands, pages: Pages | None = None,
                 admin: ChannelAdmin | None = None) -> web.Application:
    """The aiohttp application: the pages when given, the bolt app at `/slack/events` and
    `/slack/commands` when Slack's secrets are set (with `/briefbot` given `admin`), `/healthz` for the
    platform's health check."""
    async def healthz(_request: web.Request) -> web.Response:
        return web.Response(text="ok")

    app = web.Application()
    app.add_routes([web.get("/healthz", healthz), web.get("/metrics", metrics_handler)])
    if serves_slack(settings):
        bolt = build_app(settings, commands, web_client(settings.secrets.slack_bot_token or ""), admin=admin)

        async def slack(request: web.Request) -> web.Response:
            return await to_aiohttp_response(await bolt.async_dispatch(await to_bolt_request(request)))

        app.add_routes([web.post(path, slack) for path in PATHS])
    if pages is not None:
        pages.add_routes(app)
    add_calendar_routes(app, commands)
    return app


def main_web(settings: Settings, host: str, port: int) -> int:
    if not serves_slack(settings):
        log.info("web pages only: Slack's endpoints need SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET in the environment")
    from bot.run import Runtime

    store = Store(settings.storage_url)
    try:
        # The running bot's pieces without posters or scheduler: commands, and the admin group's
        # settings and preview built by the brief job's own code.
        runtime = Runtime(settings, store, {})
        pages = Pages(runtime.reads, runtime.topics)
        settle_heap()
        web.run_app(make_web_app(settings, runtime.commands, pages, runtime.admin), host=host, port=port,
                    print=log.info)
    finally:
        store.close()
    return 0
