"""`bot web`'s calendar subscription: `/calendar/<topic>.ics` serves a topic's upcoming dates.

Calendar clients poll a subscribed URL on their own schedule, so the file is built per request
from the stored views (a bounded read, the same as `/dates`), in the language `?lang=fr|en` asks
for (English by default). An unknown topic is a 404 naming the known ones.
"""

from __future__ import annotations

import asyncio

from aiohttp import web

from bot.commands import ArgumentError, Commands
from bot.wording import locale_of


def add_calendar_routes(app: web.Application, commands: Commands) -> None:
    """Serve `/calendar/{topic}.ics` from `commands` on `app`."""

    async def calendar(request: web.Request) -> web.Response:
        locale = locale_of(request.query.get("lang"))
        try:
            attachment = await asyncio.to_thread(commands.calendar, request.match_info["topic"], locale)
        except ArgumentError as exc:
            lines = [str(line) for line in exc.reply.lines]
            raise web.HTTPNotFound(text="\n".join([exc.reply.title, *lines])) from None
        return web.Response(body=attachment.data, content_type=attachment.mime, charset="utf-8",
                            headers={"Content-Disposition": f'inline; filename="{attachment.filename}"',
                                     "Cache-Control": "max-age=300"})

    app.router.add_get("/calendar/{topic}.ics", calendar)
