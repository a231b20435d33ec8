"""Read-only web pages served by `python -m bot web`: `/`, `/topic/<slug>`, `/story/<id>` and
`/ledger` (with its charts as `/ledger/<CUR>.png`).

A chat message has room for a story's headline facts; its page is the long form a reader can share:
every fact with the sentences and articles behind it, the figures that disagree, every article in
both languages. Pages read the stored story views through `StoryReads`' bounded look-ups, so a page
costs the same after a year of news as after a day.

Safety: HTML comes from Jinja2 templates with autoescape on, so a feed title carrying markup shows
as text; links keep only http(s) URLs (`briefings.render.context.link`). Every page carries a
Content-Security-Policy that allows no script at all, and only GET (and HEAD) are routed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from aiohttp import web
from babel import Locale
from jinja2 import Environment, PackageLoader

from bot.commands import MAX_CHARTS
from bot.page_content import story_list, story_page, topic_names, topic_page
from briefings.brief import Topic
from briefings.ledger import LedgerEntry, currencies
from briefings.reads import StoryReads
from briefings.render.chart import ledger_chart
from briefings.render.formatting import actor_name
from briefings.render.i18n import LOCALES, template_environment
from briefings.render.ledger import ledger_lines, total_lines

DEFAULT_LOCALE = "en"
LATEST = 20  # stories on the front page
PER_TOPIC = 30  # stories on a topic page
STYLESHEET = Path(__file__).resolve().parent / "templates" / "web" / "page.css"
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; "
                               "form-action 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def choose_locale(asked: str | None, accept_language: str | None) -> str:
    """`?lang=` when it names a supported language, else the reader's preferred one of
    Accept-Language (by q-value, then order), else English."""
    if asked in LOCALES:
        return asked
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        primary = tag.split("-")[0].strip().lower()
        if primary in LOCALES and quality > 0:
            ranked.append((-quality, position, primary))
    return min(ranked)[2] if ranked else DEFAULT_LOCALE


@cache
def _environment(locale: str) -> Environment:
    env = template_environment(PackageLoader("bot", "templates/web"), locale)
    env.autoescape = True  # every feed string is escaped; the chat formats escape through their own filters
    env.globals["language_name"] = lambda code: Locale.parse(locale).languages.get(code, code)
    return env


def render_page(name: str, locale: str, values: dict[str, Any]) -> str:
    """`bot/templates/web/<name>` in `locale`."""
    return _environment(locale).get_template(name).render({**values, "locale": locale, "locales": LOCALES})


class Pages:
    """The page handlers, over bounded reads of the story views."""

    def __init__(self, reads: StoryReads, topics: dict[str, Topic],
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.reads = reads
        self.topics = topics
        self.now = now

    # Each page is a plain function of its arguments returning (status, HTML): the handlers run it
    # in a thread (store reads block) and the bench times it as the server spends it.

    def index(self, locale: str) -> tuple[int, str]:
        values = {"topics": topic_names(self.topics, locale),
                  "stories": story_list(self.reads.latest(limit=LATEST), locale, self.now())}
        return 200, render_page("index.html.j2", locale, values)

    def topic(self, slug: str, locale: str) -> tuple[int, str]:
        topic = self.topics.get(slug)
        if topic is None:
            return self.not_found(locale)
        page = topic_page(topic, self.reads.recent(slug, limit=PER_TOPIC), locale, self.now())
        return 200, render_page("topic.html.j2", locale, {**page, "slug": slug})

    def story(self, story_id: str, locale: str) -> tuple[int, str]:
        story = self.reads.story(story_id)
        if story is None:
            return self.not_found(locale)
        names = {t["slug"]: t["name"] for t in topic_names(self.topics, locale)}
        page = story_page(story, locale, self.now())
        return 200, render_page("story.html.j2", locale, {"story": page, "topic_names": names})

    def ledger(self, locale: str, donor: str | None = None) -> tuple[int, str]:
        """Pledges over time with totals per currency and a chart per currency, for one donor
        (`?donor=DE`) or the newest pledges of all."""
        code = donor.strip().upper() if donor and donor.strip() else None
        entries = self._ledger_entries(code)
        values = {"donor": code, "donor_name": actor_name(code, locale) if code else None,
                  "totals": total_lines(entries, locale), "groups": ledger_lines(entries, locale),
                  "currencies": currencies(entries)[:MAX_CHARTS],
                  "donors": sorted((actor_name(c, locale), c) for c in self.reads.actors("donor"))}
        return 200, render_page("ledger.html.j2", locale, values)

    def ledger_chart(self, currency: str, locale: str, donor: str | None = None) -> bytes | None:
        """The PNG of cumulative pledges in `currency` (None when no pledge is in that currency)."""
        entries = self._ledger_entries(donor.strip().upper() if donor and donor.strip() else None)
        if currency not in currencies(entries):
            return None
        return ledger_chart(entries, currency, locale)

    def _ledger_entries(self, donor: str | None) -> list[LedgerEntry]:
        return self.reads.ledger(donor=donor)[0]

    def not_found(self, locale: str) -> tuple[int, str]:
        return 404, render_page("not_found.html.j2", locale, {})

    def add_routes(self, app: web.Application) -> None:
        """Route the pages (GET and HEAD only) and the stylesheet on `app`."""

        def page(build: Callable[..., tuple[int, str]], *keys: str):
            async def handler(request: web.Request) -> web.Response:
                locale = choose_locale(request.query.get("lang"), request.headers.get("Accept-Language"))
                args = [request.match_info[k] for k in keys]
                status, html = await asyncio.to_thread(build, *args, locale)
                response = web.Response(text=html, status=status, content_type="text/html", charset="utf-8")
                response.headers.update(SECURITY_HEADERS)
                response.headers["Vary"] = "Accept-Language"
                response.headers["Content-Language"] = locale
                return response

            return handler

        async def ledger(request: web.Request) -> web.Response:
            return await page(lambda locale: self.ledger(locale, request.query.get("donor")))(request)

        async def chart(request: web.Request) -> web.Response:
            locale = choose_locale(request.query.get("lang"), request.headers.get("Accept-Language"))
            png = await asyncio.to_thread(self.ledger_chart, request.match_info["currency"].upper(), locale,
                                          request.query.get("donor"))
            if png is None:
                return await page(self.not_found)(request)
            response = web.Response(body=png, content_type="image/png")
            response.headers.update(SECURITY_HEADERS)
            return response

        async def stylesheet(_request: web.Request) -> web.Response:
            response = web.Response(body=STYLESHEET.read_bytes(), content_type="text/css", charset="utf-8")
            response.headers.update(SECURITY_HEADERS)
            response.headers["Cache-Control"] = "max-age=3600"
            return response

        app.add_routes([
            web.get("/", page(self.index)),
            web.get("/topic/{slug}", page(self.topic, "slug")),
            web.get("/story/{story_id}", page(self.story, "story_id")),
            web.get("/ledger", ledger),
            web.get("/ledger/{currency:[A-Za-z]{3}}.png", chart),
            web.get("/page.css", stylesheet),
        ])
