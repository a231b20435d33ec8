"""Start and stop an aiohttp application on a free loopback port, closing its open WebSockets.

The fake chat APIs (Slack, Discord) all need the same lifecycle; each declares only its routes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiohttp import web


@asynccontextmanager
async def serving(app: web.Application, host: str = "127.0.0.1") -> AsyncIterator[str]:
    """Serve `app` on a free port of `host` for the block; yields its base URL."""
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, host, 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://{host}:{port}"
    finally:
        await runner.cleanup()


class LoopbackApp:
    """Mixin: `async with` starts `self.routes(app)` on 127.0.0.1 and sets `self.port`."""

    host: str
    port: int
    _runner: web.AppRunner | None
    _sockets: list[web.WebSocketResponse]

    def routes(self, app: web.Application) -> None:
        raise NotImplementedError

    async def __aenter__(self):
        app = web.Application()
        self.routes(app)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def __aexit__(self, *exc: object) -> None:
        for socket in list(self._sockets):
            await socket.close()
        if self._runner:
            await self._runner.cleanup()
