"""`python -m bot run [--dry-run]`: one asyncio process with the scheduler, Discord and Slack.

Start-up order matters for exactly-once delivery: the platforms log in first (REST only, enough to
post), then pending outbox rows from an earlier run are resumed, then each channel's missed brief
(within the grace period) is caught up, then the cron jobs take over. Pending rows whose lease lapses
later (another worker sharing the database died mid-post) are resumed by a periodic job. A brief that
can never be posted is reported once to the admin channel. Feed polling, extraction and
brief building run in worker threads so the Discord heartbeat and the 3-second command windows are
never starved.

`--dry-run` needs no token: it polls the bundled demo feeds over loopback into a temporary store,
runs every channel's brief job once through the real outbox with printing posters, and prints each
message in its platform's format.
"""

from __future__ import annotations

import asyncio
import json
import logging
import signal
import sys
import tempfile
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.commands import Commands
from bot.config import ChannelConfig, FeedConfig, Settings
from bot.delivery import Outbox, Outcome, Render, Target
from bot.health import FeedHealth
from bot.platforms import (
    DISCORD_API_URL_ENV,
    Mark,
    Poster,
    active_platforms,
    api_url,
    describe_startup,
    discord_embeds,
    slack_blocks,
)
from bot.scheduler import MISFIRE_GRACE_S, add_brief_jobs, add_poll_jobs, brief_key, fire_time, missed_fire
from bot.wiring import pipeline_for, settle_heap
from briefings.digest import Digest, Told, channel_digest
from briefings.pipeline import FeedSpec
from briefings.reads import StoryReads
from briefings.store import Delivery, Store

log = logging.getLogger(__name__)

WELCOMED = "welcomed"  # what a channel is told by its first brief, whatever it holds


class Runtime:
    """The pieces `run` wires together; also used by the dry run and by tests."""

    def __init__(self, settings: Settings, store: Store, posters: dict[str, Poster], *,
                 include_backlog: bool = False) -> None:
        self.settings = settings
        self.store = store
        self.pipeline = pipeline_for(settings, store)
        self.topics = self.pipeline.topics
        self.outbox = Outbox(store, posters)
        self.health = FeedHealth(store, self.outbox, settings.admin)
        self.outbox.on_failed = self.health.report_failed_delivery
        self.outbox.on_sent = self._remember
        self._told: dict[tuple[str, str], list[Told]] = {}  # (channel, brief key) -> what it tells
        self.pipeline.ensure_views()
        self.reads = StoryReads(store)
        self.commands = Commands(settings, self.reads)
        self.include_backlog = include_backlog
        self._poll_lock = asyncio.Lock()  # the pipeline's story index is not shared between two polls

    # --- jobs -----------------------------------------------------------------------------------

    async def poll(self, feeds: list[FeedConfig]) -> None:
        async with self._poll_lock:
            report = await self.pipeline.poll([FeedSpec(f.name, f.url) for f in feeds])
            await asyncio.to_thread(self._after_poll)
        log.info("%s", report.summary())
        await self.health.check()

    def _after_poll(self) -> None:
        """Autocomplete's lists follow the new facts; articles past the retention period go."""
        self.reads.refresh()
        if self.settings.retention_days:
            self.pipeline.prune(timedelta(days=self.settings.retention_days))

    async def brief(self, channel: ChannelConfig, fire: datetime) -> Outcome:
        """The channel's brief for its scheduled time `fire`, delivered once."""
        key = brief_key(fire)
        outcome = await self.outbox.deliver(_target(channel), key, self.render(channel, fire))
        if outcome in (Outcome.SENT, Outcome.ALREADY_SENT, Outcome.NOTHING):
            await asyncio.to_thread(self.store.record_run, f"brief:{channel.key}", fire)
        log.info("brief %s for %s: %s", key, channel.name, outcome.value)
        return outcome

    def render(self, channel: ChannelConfig, fire: datetime) -> Render:
        async def build() -> list[dict[str, Any]]:
            digest = await asyncio.to_thread(self.digest, channel, fire)
            # Remembered once the outbox has posted it (`_remember`), never before: a brief that
            # fails leaves its facts untold, so the next brief still carries them.
            self._told[(channel.key, brief_key(fire))] = digest.told
            return self.channel_messages(channel, digest)

        return build

    def digest(self, channel: ChannelConfig, fire: datetime) -> Digest:
        """What the channel has not been told yet, as of its brief scheduled at `fire`.

        Stories are read from the stored views of the channel's topics: for a channel that was
        never sent anything, those published within the posting age limit (its first brief says
        where things stand); afterwards, those the bot learnt something of within that limit.
        """
        followed = {slug: self.topics[slug] for slug in channel.topics if slug in self.topics}
        window = self.pipeline.max_age
        first = self.include_backlog or not self.store.channel_was_sent_anything(channel.key)
        if self.include_backlog:
            views = self.store.views(topics=followed)
        elif first:
            views = self.store.views(topics=followed, published_since=fire - window)
        else:
            views = self.store.views(topics=followed, learned_since=fire - window)
        sent = self.store.channel_sent(channel.key, [v.story.id for v in views])
        last = self.store.last_run(f"brief:{channel.key}")
        digest = channel_digest(views, sent, topics=followed, as_of=fire, first=first,
                                since=last if last and last < fire and not first else None)
        digest.brief.pages = self.settings.public_url
        if first:
            digest.told.append(Told("", WELCOMED, WELCOMED))
        return digest

    def channel_messages(self, channel: ChannelConfig, digest: Digest) -> list[dict[str, Any]]:
        """The brief's messages, per language; none when there is nothing new and the channel
        asked for silence (a first brief always speaks: it says what the channel will receive)."""
        if digest.empty and not digest.brief.first and channel.nothing_new != "line":
            return []
        module = slack_blocks if channel.platform == "slack" else discord_embeds
        locales = ("fr", "en") if channel.language == "both" else (channel.language,)
        return [m for locale in locales for m in module.brief_messages(digest.brief, locale)]

    async def _remember(self, target: Target, delivery: Delivery) -> None:
        told = self._told.pop((target.key, delivery.brief_key), None)
        if told is not None:
            await asyncio.to_thread(self.store.record_sent, target.key, delivery.brief_key,
                                    [(t.story_id, t.key, t.signature) for t in told])

    async def rebuild(self, delivery: Delivery) -> tuple[Target, Render] | None:
        """What a pending outbox row was: a channel brief (by its key) or a feed health report."""
        fire = fire_time(delivery.brief_key)
        if fire is None:
            return await self.health.rebuild(delivery.brief_key)
        channel = next((c for c in self.settings.channels if c.key == delivery.channel_key), None)
        return (_target(channel), self.render(channel, fire)) if channel else None

    async def resume(self) -> list[Outcome]:
        """Pending outbox rows no worker holds: left by a crash (here or in another worker) or due a retry."""
        return await self.outbox.resume(self.rebuild)

    async def catch_up(self, now: datetime) -> list[Outcome]:
        """Pending rows first, then each channel's missed brief within the grace period, once."""
        outcomes = await self.resume()
        missed = [(c, missed_fire(c, now)) for c in self.settings.channels]
        jobs = [self.brief(c, fire) for c, fire in missed if fire is not None]
        results = await asyncio.gather(*jobs, return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException):
                log.error("catch-up brief failed: %r", result, exc_info=result)
        return outcomes + [r for r in results if isinstance(r, Outcome)]

    def scheduler(self, *, poll: bool = True) -> AsyncIOScheduler:
        scheduler = AsyncIOScheduler(timezone=UTC)
        add_brief_jobs(scheduler, self.settings.channels, self.brief)
        scheduler.add_job(self.resume, IntervalTrigger(seconds=self.outbox.lease.total_seconds()),
                          id="outbox:resume", name="resume lapsed outbox rows", coalesce=True,
                          max_instances=1, misfire_grace_time=MISFIRE_GRACE_S)
        if poll:
            add_poll_jobs(scheduler, self.settings.feeds, self.poll, start=datetime.now(UTC))
        return scheduler


def _target(channel: ChannelConfig) -> Target:
    return Target(channel.platform, channel.channel, channel.mention_role)


# --- the real run ------------------------------------------------------------------------------


async def run(settings: Settings, *, dry_run: bool = False) -> int:
    """Run until SIGINT/SIGTERM. Returns the process exit code."""
    if dry_run:
        return await dry_run_once(settings, sys.stdout)
    for line in describe_startup(settings):
        log.info("%s", line)
    platforms = active_platforms(settings)
    if not platforms:
        log.error("no chat platform can start: set DISCORD_TOKEN and/or SLACK_BOT_TOKEN (or use --dry-run)")
        return 2
    store = Store(settings.storage_url)
    posters: dict[str, Poster] = {}
    runtime = Runtime(settings, store, posters)
    stoppers: list[Callable[[], Awaitable[Any]]] = []
    try:
        if "discord" in platforms:
            stoppers.append(await _start_discord(settings, runtime, posters))
        if "slack" in platforms:
            stoppers += await _start_slack(settings, runtime, posters)
        await runtime.catch_up(datetime.now(UTC))
        settle_heap()
        scheduler = runtime.scheduler()
        scheduler.start()
        stoppers.append(lambda: asyncio.to_thread(scheduler.shutdown, wait=False))
        await _until_signalled()
    finally:
        for stop in reversed(stoppers):
            await stop()
        store.close()
    return 0


async def _start_discord(settings: Settings, runtime: Runtime, posters: dict[str, Poster]):
    from bot.platforms.discord import BriefClient, DiscordPoster, command_installer, use_api_base

    if base := api_url(DISCORD_API_URL_ENV):
        use_api_base(base)
    client = BriefClient(install_commands=command_installer(runtime.commands))
    await client.login(settings.secrets.discord_token or "")  # REST login + command sync: enough to post
    posters["discord"] = DiscordPoster(client)
    gateway = asyncio.create_task(client.connect(), name="discord-gateway")

    async def stop() -> None:
        await client.close()
        gateway.cancel()

    return stop


async def _start_slack(settings: Settings, runtime: Runtime, posters: dict[str, Poster]):
    from bot.platforms.slack import SlackPoster, build_app, web_client

    token = settings.secrets.slack_bot_token or ""
    posters["slack"] = SlackPoster(web_client(token, retries=False))
    if not settings.secrets.slack_app_token:
        return []
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

    handler = AsyncSocketModeHandler(build_app(settings, runtime.commands, web_client(token)),
                                     settings.secrets.slack_app_token)
    await handler.connect_async()
    return [handler.close_async]


async def _until_signalled() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()


def main_run(settings: Settings, dry_run: bool = False) -> int:
    return asyncio.run(run(settings, dry_run=dry_run))


# --- dry run -----------------------------------------------------------------------------------


class PrintingPoster:
    """A Poster that prints instead of posting, in the platform's payload format."""

    def __init__(self, platform: str, out: TextIO, names: dict[str, str]) -> None:
        self.platform = platform
        self.out = out
        self.names = names

    async def post(self, channel: str, message: dict[str, Any], mark: Mark | None = None,
                   mention_role: str | None = None) -> str:
        part = f" — part {mark.part}/{mark.total}" if mark else ""
        name = self.names.get(f"{self.platform}:{channel}", channel)
        print(f"=== {self.platform} {name} ({channel}){part}"
              + (f" — pings role {mention_role}" if mention_role else "") + " ===", file=self.out)
        print(json.dumps(message, ensure_ascii=False, indent=2), file=self.out)
        return f"dry-run-{mark.part if mark else 0}"

    async def posted_parts(self, channel: str, brief_key: str, since: datetime) -> dict[int, str]:
        return {}


async def dry_run_once(settings: Settings, out: TextIO) -> int:
    """Poll the demo feeds, run each channel's brief job once, print what would be posted."""
    from bot.demo import demo_feeds, serve_demo_files

    names = {c.key: c.name for c in settings.channels}
    posters: dict[str, Poster] = {p: PrintingPoster(p, out, names) for p in ("discord", "slack")}
    runner, base = await serve_demo_files()
    try:
        with tempfile.TemporaryDirectory(prefix="briefbot-dry-run-") as tmp:
            store = Store(f"sqlite:///{Path(tmp) / 'dry-run.db'}")
            try:
                runtime = Runtime(settings, store, posters, include_backlog=True)
                feeds = [FeedConfig(name=f.name, url=f.url) for f in demo_feeds(base)]
                await runtime.poll(feeds)
                stories = await asyncio.to_thread(runtime.pipeline.stories)
                as_of = max((a.published for s in stories for a in s.articles), default=datetime.now(UTC))
                if not settings.channels:
                    print("no [[channels]] configured: nothing would be posted", file=out)
                for channel in settings.channels:
                    outcome = await runtime.brief(channel, as_of)
                    if outcome is Outcome.NOTHING:
                        print(f"=== {channel.platform} {channel.name}: nothing to post for "
                              f"{', '.join(channel.topics)} ===", file=out)
            finally:
                store.close()
    finally:
        await runner.cleanup()
    return 0
