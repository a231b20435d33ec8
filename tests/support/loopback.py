"""Start and stop an aiohttp application on a free loopback port, closing its open WebSockets.

The fake chat APIs (Slack, Discord) all need the same lifecycle; each declares only its routes.
"""

from __future__ import annotations

from aiohttp import web


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
