"""`GET /health` (also `/healthz`, as `web` names it) while `run` runs: each platform's state, the
briefs waiting in the outbox, and which worker answers (its lease name, whether it leads).

An operator (or a container's liveness probe) sees at once that Discord is connected while Slack
has been retrying since 07:58 with `invalid_auth`, without reading the log. The status code is 200
when every platform is connected and 503 otherwise, so a probe needs no JSON parsing. Nothing
secret is shown: states carry error reasons, never tokens. With several workers on one database
the worker section says which one runs the brief jobs, so an operator probing each worker finds the
leader without reading logs.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping

from aiohttp import web

from bot.delivery import Outbox, Pause
from bot.metrics import metrics_handler
from bot.supervise import Supervisor
from briefings.store import Store

log = logging.getLogger(__name__)


def health_report(supervisor: Supervisor, paused: Mapping[str, Pause], pending: int,
                  worker: Mapping[str, object] | None = None) -> tuple[int, dict[str, object]]:
    """(HTTP status, body): 200 when every platform is connected and none is paused, else 503.

    A platform whose posts are refused as unauthorised shows `paused` (why, since when) even when its
    gateway is connected: Slack's Web API and Socket Mode use different tokens."""
    platforms: dict[str, dict[str, object]] = {name: state.as_dict() for name, state in supervisor.states.items()}
    for name, pause in paused.items():
        platforms.setdefault(name, {"status": "posting only"})["paused"] = {
            "reason": pause.reason, "since": pause.since.isoformat(), "next_try": pause.next_probe.isoformat()}
    healthy = not paused and all(s.status == "connected" for s in supervisor.states.values())
    body: dict[str, object] = {"ok": healthy, "platforms": platforms, "pending_deliveries": pending}
    if worker is not None:
        body["worker"] = dict(worker)
    return (200 if healthy else 503), body


async def serve_health(host: str, port: int, supervisor: Supervisor, outbox: Outbox, store: Store,
                       worker: Callable[[], Mapping[str, object]]) -> Callable[[], Awaitable[None]]:
    """Serve /health on host:port; returns the coroutine function that stops it. A port already in
    use is logged and the bot runs on without the endpoint: health must not be what takes it down."""

    async def health(_request: web.Request) -> web.Response:
        pending = len(await asyncio.to_thread(store.pending_deliveries))
        status, body = health_report(supervisor, outbox.paused, pending, worker())
        return web.json_response(body, status=status)

    app = web.Application()
    app.router.add_get("/health", health)
    app.router.add_get("/healthz", health)
    app.router.add_get("/metrics", metrics_handler)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
    except OSError as exc:
        log.error("health endpoint: cannot listen on %s:%d: %s", host, port, exc.strerror or exc)
    else:
        log.info("health endpoint: http://%s:%d/health", host, port)
    return runner.cleanup
