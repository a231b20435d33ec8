"""What an operator scrapes at `/metrics` (Prometheus text format) on `run`'s health port and `web`.

Counters only go up; rates come from the scraper (`rate(briefbot_articles_total[5m])` is articles
per second). Labels stay few and bounded: a fetch error's kind, a delivery's platform and outcome, a
command's name — never a feed name, a URL or a channel id, which would grow without end.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest

if TYPE_CHECKING:
    from briefings.pipeline import PollReport

POLLS = Counter("briefbot_polls", "Polls of the configured feeds")
FEED_ERRORS = Counter("briefbot_feed_errors", "Feeds that failed in a poll, by kind of failure", ["kind"])
ARTICLES = Counter("briefbot_articles", "Articles stored by polls: new ones and publishers' edits", ["kind"])
STORY_ASSIGNMENTS = Counter("briefbot_story_assignments", "New articles put into a story (new or existing)")
DELIVERIES = Counter("briefbot_deliveries", "Scheduled briefs by platform and outcome", ["platform", "outcome"])
DELIVERY_RETRIES = Counter("briefbot_delivery_retries", "Posts that failed and were tried again", ["platform"])
FEEDS_LEASED = Counter("briefbot_feeds_leased", "Feeds this worker took (leased) to poll")
LEADER = Gauge("briefbot_leader", "1 while this worker leads (runs the brief jobs), else 0")
COMMAND_SECONDS = Histogram("briefbot_command_seconds", "Time to answer a slash command, server-side",
                            ["command"], buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))

# Fetch reasons as the ingest layer words them, to a handful of kinds (first match wins).
_KINDS = (
    ("timeout", re.compile(r"timed out|no data for|deadline|too slow", re.I)),
    ("http", re.compile(r"\bHTTP\b|\bstatus\b", re.I)),
    ("connect", re.compile(r"cannot connect|closed the connection|resolve|refused", re.I)),
    ("blocked", re.compile(r"private|loopback|link-local|not allowed|redirect", re.I)),
    ("size", re.compile(r"larger than|too large|bytes", re.I)),
    ("parse", re.compile(r"feed|XML|parse", re.I)),
)
_COMMANDS = frozenset({"summary", "pledges", "missions", "dates", "topics", "sources", "ledger", "briefbot"})


def error_kind(reason: str) -> str:
    """A feed failure's kind for the `kind` label: timeout, http, connect, blocked, size, parse or other."""
    return next((kind for kind, pattern in _KINDS if pattern.search(reason)), "other")


def observe_poll(report: PollReport) -> None:
    POLLS.inc()
    for reason in report.errors.values():
        FEED_ERRORS.labels(error_kind(reason)).inc()
    ARTICLES.labels("new").inc(report.new)
    ARTICLES.labels("updated").inc(report.updated)
    STORY_ASSIGNMENTS.inc(report.new)


@contextmanager
def command_timer(name: str) -> Iterator[None]:
    """Time a command's answer under its name (an unknown name is counted as "other")."""
    start = time.perf_counter()
    try:
        yield
    finally:
        command = name.lstrip("/")
        COMMAND_SECONDS.labels(command if command in _COMMANDS else "other").observe(time.perf_counter() - start)


async def metrics_handler(_request: web.Request) -> web.Response:
    """`GET /metrics`: every metric of this process in Prometheus' text format."""
    return web.Response(body=generate_latest(), headers={"Content-Type": CONTENT_TYPE_LATEST})
