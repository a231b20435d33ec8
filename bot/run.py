"""`python -m bot run [--dry-run]`: one asyncio process with the scheduler, Discord and Slack.

Each platform connects in its own supervised task (`bot.supervise`): a platform that is down, or
crashes later, is logged and restarted with backoff, and never holds back the other one or the
scheduler. Several workers may share one database (`bot.leader`): the leader runs the brief jobs
(another takes over when it dies); every worker posts, resumes the outbox and, on PostgreSQL, polls
its share of the due feeds. When a worker starts leading, pending outbox rows are resumed, then
each channel's missed brief (within the grace period) is caught up. The outbox dedupes on (channel,
brief key) and posts to one channel one brief at a time, so a cron run and the catch-up of the same
brief still post it once; a brief due while its platform is not logged in yet stays pending and is
retried. Pending rows whose lease lapses later (another worker sharing the database died mid-post)
or whose retry is due are resumed by a periodic job. A brief that can never be posted is reported
once to the admin channel. Feed polling, extraction and brief building run in worker threads so the
Discord heartbeat and the 3-second command windows are never starved.

`--dry-run` needs no token: it polls the bundled demo feeds over loopback into a temporary store,
runs every channel's brief job once through the real outbox with printing posters, and prints each
message in its platform's format.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import signal
import sys
import tempfile
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot import ceiling, metrics
from bot.admin_commands import ChangeLog, ChannelAdmin
from bot.channel_settings import FOLLOW_EVERY_S, ChannelPlan, SettingsFollower
from bot.commands import Commands
from bot.config import ChannelConfig, FeedConfig, Settings
from bot.delivery import Outbox, Outcome, Render, Target
from bot.health import FeedHealth
from bot.health_http import serve_health
from bot.leader import Leadership, every_worker_polls, worker_name
from bot.platforms import (
    DISCORD_API_URL_ENV,
    Mark,
    Place,
    Poster,
    active_platforms,
    api_url,
    describe_startup,
    discord_embeds,
    slack_blocks,
)
from bot.scheduler import MISFIRE_GRACE_S, add_poll_jobs, brief_key, fire_time, remove_poll_jobs
from bot.supervise import PlatformState, Supervisor, restart_from_env
from bot.wiring import feed_lease, pipeline_for, settle_heap
from bot.wording import say
from briefings.digest import Digest, Told, channel_digest
from briefings.pipeline import FeedSpec, PollReport
from briefings.reads import StoryReads
from briefings.store import Delivery, Store

log = logging.getLogger(__name__)

WELCOMED = "welcomed"  # what a channel is told by its first brief, whatever it holds
CATCH_UP_WAIT_S = 20.0  # the start-up catch-up waits this long at most for a platform's first connect
SOCKET_CONNECT_TIMEOUT_S = 30.0  # one Socket Mode connect attempt, before the supervisor retries
SOCKET_CHECK_S = 5.0  # how often a Socket Mode connection is checked
SOCKET_RECONNECT_WINDOW_S = 60.0  # slack_sdk's own reconnect gets this long before a fresh start


class Runtime:
    """The pieces `run` wires together; also used by the dry run and by tests."""

    def __init__(self, settings: Settings, store: Store, posters: dict[str, Poster], *,
                 include_backlog: bool = False) -> None:
        self.settings = settings
        self.store = store
        self.pipeline = pipeline_for(settings, store)
        self.topics = self.pipeline.topics
        self.outbox = Outbox(store, posters)
        self.outbox.give_up_after = timedelta(hours=settings.delivery.give_up_after_hours)
        self.health = FeedHealth(store, self.outbox, settings.admin)
        self.outbox.on_failed = self.health.report_failed_delivery
        self.outbox.on_sent = self._remember
        self._told: dict[tuple[str, str], list[Told]] = {}  # (channel, brief key) -> what it tells
        self.outbox.on_pause = self.health.report_pause
        self.mark_late = not include_backlog  # the dry run replays old news: nothing in it is late
        self.pipeline.ensure_views()
        self.reads = StoryReads(store)
        self.commands = Commands(settings, self.reads)
        # Channels are config.toml's with chat's settings over them; a change re-plans on every worker.
        self.plan = ChannelPlan(settings, store)
        self.changes = ChangeLog(self.outbox, settings.admin, store)
        self.follower = SettingsFollower(self.plan, self.brief, self.changes.announce)
        self.admin = ChannelAdmin(settings, store, self.preview, on_change=self.follower.follow_now)
        self.include_backlog = include_backlog
        self._poll_lock = asyncio.Lock()  # the pipeline's story index is not shared between two polls
        self.worker = worker_name()  # in the feed leases this worker takes

    # --- jobs -----------------------------------------------------------------------------------

    async def poll(self, feeds: list[FeedConfig]) -> None:
        """Poll every one of these feeds now (the dry run)."""
        async with self._poll_lock:
            report = await self.pipeline.poll([FeedSpec(f.name, f.url) for f in feeds])
            await asyncio.to_thread(self._after_poll)
        await self._polled(report)

    async def poll_due(self, feeds: list[FeedConfig]) -> int:
        """Poll this worker's share of the due feeds among these (one interval group), a batch at a
        time until none is left: a worker that is quicker takes more batches. Returns how many
        feeds it polled. Other workers sharing the database do the same at the same time."""
        lease = feed_lease(feeds, self.worker, self.settings.workers)
        specs = [FeedSpec(f.name, f.url) for f in feeds]
        polled = 0
        while True:
            async with self._poll_lock:
                report = await self.pipeline.poll_due(specs, lease)
                if report is None:
                    return polled
                await asyncio.to_thread(self._after_poll)
            metrics.FEEDS_LEASED.inc(report.feeds)
            polled += report.feeds
            await self._polled(report)

    async def _polled(self, report: PollReport) -> None:
        metrics.observe_poll(report)
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
        # Posted: `_remember` took it. Otherwise a retry or resume renders the brief again, so what
        # this attempt would have told is dropped, not kept for the life of the process.
        self._told.pop((channel.key, key), None)
        metrics.DELIVERIES.labels(channel.platform, outcome.name.lower()).inc()
        if outcome in (Outcome.SENT, Outcome.ALREADY_SENT, Outcome.NOTHING):
            await asyncio.to_thread(self.store.record_run, f"brief:{channel.key}", fire)
        log.info("brief %s for %s: %s", key, channel.name, outcome.value)
        return outcome

    def render(self, channel: ChannelConfig, fire: datetime) -> Render:
        """The brief's messages, built when it is posted; one posted well after its time says so."""

        async def build() -> list[dict[str, Any]]:
            digest = await asyncio.to_thread(self.digest, channel, fire)
            messages = await asyncio.to_thread(self.channel_messages, channel, digest)
            # Remembered once the outbox has posted it (`_remember`), never before: a brief that
            # fails leaves its facts untold, so the next brief still carries them.
            if messages:  # a brief with nothing to post tells nothing
                self._told[(channel.key, brief_key(fire))] = digest.told
            late_after = timedelta(minutes=self.settings.delivery.late_after_minutes)
            if messages and self.mark_late and datetime.now(UTC) - fire > late_after:
                messages[0] = ceiling.late(messages[0], fire, channel)
            return messages

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
        brief = digest.brief
        kept, waiting = ceiling.take(brief.stories, self.settings.delivery.max_stories)
        limit = self.settings.delivery.max_messages
        while True:
            brief.stories = kept
            messages = module.brief_messages(brief, locales)
            if len(messages) <= limit or len(kept) <= 1:
                break
            kept, waiting = kept[:-1], waiting + 1  # the oldest story waits for the next brief
        if waiting:  # untold, so the next brief carries them: said, never silently dropped
            note = " / ".join(say(locale, "…and {count} more stories: they follow in the next brief.", count=waiting)
                             for locale in locales)
            messages[-1] = ceiling.with_note(messages[-1], note, channel.platform)
        told_stories = {s.story_id for s in kept} | {""}
        digest.told = [t for t in digest.told if t.story_id in told_stories]
        return ceiling.cap_messages(messages, limit, channel.platform, locales)

    def preview(self, channel: ChannelConfig, now: datetime) -> list[dict[str, Any]]:
        """What the channel's brief would post if it were due `now`; nothing is recorded as told."""
        return self.channel_messages(channel, self.digest(channel, now))

    async def _remember(self, target: Target, delivery: Delivery) -> None:
        told = self._told.pop((target.key, delivery.brief_key), None)
        if told is not None:
            await asyncio.to_thread(self.store.record_sent, target.key, delivery.brief_key,
                                    [(t.story_id, t.key, t.signature) for t in told])

    async def rebuild(self, delivery: Delivery) -> tuple[Target, Render] | None:
        """What a pending outbox row was: a channel brief (by its key) or a feed health report."""
        fire = fire_time(delivery.brief_key)
        if fire is None:
            return await self.changes.rebuild(delivery.brief_key) or await self.health.rebuild(delivery.brief_key)
        channel = self.plan.channel(delivery.channel_key)
        return (_target(channel), self.render(channel, fire)) if channel else None

    async def resume(self) -> list[Outcome]:
        """Pending outbox rows no worker holds: left by a crash (here or in another worker) or due a retry."""
        return await self.outbox.resume(self.rebuild)

    async def catch_up(self, now: datetime, ready: Mapping[str, asyncio.Event] | None = None) -> list[Outcome]:
        """Pending rows first, then each channel's missed brief within the grace period, once.

        With `ready`, a channel's brief waits (CATCH_UP_WAIT_S at most) for its platform's first
        connect to succeed or fail, so a brief due at start-up goes out with the login rather than
        after a retry (or is paused at once when the token is refused), and a platform that is slow
        to connect holds back only its own channels."""

        async def when_ready(channel: ChannelConfig, fire: datetime) -> Outcome:
            if ready is not None and channel.platform in ready:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(ready[channel.platform].wait(), CATCH_UP_WAIT_S)
            return await self.brief(channel, fire)

        outcomes = await self.resume()
        jobs = [when_ready(c, fire) for c, fire in self.plan.missed(now)]
        results = await asyncio.gather(*jobs, return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException):
                log.error("catch-up brief failed: %r", result, exc_info=result)
        return outcomes + [r for r in results if isinstance(r, Outcome)]

    def scheduler(self, *, poll: bool = True, briefs: bool = True) -> AsyncIOScheduler:
        scheduler = AsyncIOScheduler(timezone=UTC)
        self.follower.scheduler = scheduler
        if briefs:
            self.follower.start_briefs()
        scheduler.add_job(self.follower.follow, IntervalTrigger(seconds=FOLLOW_EVERY_S), id="settings:follow",
                          name="follow channel settings changed from chat", coalesce=True, max_instances=1,
                          misfire_grace_time=MISFIRE_GRACE_S)
        scheduler.add_job(self.resume, IntervalTrigger(seconds=self.outbox.lease.total_seconds()),
                          id="outbox:resume", name="resume lapsed outbox rows", coalesce=True,
                          max_instances=1, misfire_grace_time=MISFIRE_GRACE_S)
        if poll:
            self.add_poll_jobs(scheduler)
        return scheduler

    def add_poll_jobs(self, scheduler: AsyncIOScheduler) -> None:
        add_poll_jobs(scheduler, self.settings.feeds, self.poll_due, start=datetime.now(UTC),
                      every=timedelta(seconds=self.settings.workers.claim_every_seconds))


def _target(channel: ChannelConfig) -> Target:
    return Target(channel.platform, channel.channel, channel.mention_role)


# --- the real run ------------------------------------------------------------------------------


async def run(settings: Settings, *, dry_run: bool = False) -> int:
    """Run until SIGINT/SIGTERM. Returns the process exit code.

    The platforms connect in supervised tasks and the scheduler starts at once: a platform that is
    unreachable or refuses its token is retried with backoff (its briefs stay pending in the outbox)
    and never holds back the other platform or the briefs.
    """
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
    supervisor = Supervisor(restart_from_env(), on_trouble=runtime.health.report_platform,
                            trouble_after=timedelta(minutes=settings.health.alert_after_minutes))
    stoppers: list[Callable[[], Awaitable[Any]]] = []
    leading = asyncio.Event()  # set while this worker leads
    on_loss: list[Callable[[], Awaitable[Any]]] = []  # what to stop when it no longer does
    try:
        if "discord" in platforms:
            stoppers.append(_start_discord(settings, runtime, posters, supervisor, leading, on_loss))
        if "slack" in platforms:
            stoppers.append(_start_slack(settings, runtime, posters, supervisor))
        stoppers.append(supervisor.stop)  # stopped before the clients close, so no restart is attempted
        if settings.health.port is not None:
            stoppers.append(await serve_health(
                settings.health.host, settings.health.port, supervisor, runtime.outbox, store,
                lambda: {"name": runtime.worker, "leader": leading.is_set(),
                         "discord_shards": settings.workers.discord_shards}))
        shared = every_worker_polls(store)
        scheduler = runtime.scheduler(poll=shared, briefs=False)  # briefs (and SQLite's polls): the leader's
        scheduler.start()
        stoppers.append(lambda: asyncio.to_thread(scheduler.shutdown, wait=False))
        ready = {name: state.settled for name, state in supervisor.states.items()}
        tasks: list[asyncio.Task[Any]] = []
        stoppers.append(lambda: _cancel(*tasks))

        async def lead() -> None:
            leading.set()
            runtime.follower.start_briefs()
            if not shared:
                runtime.add_poll_jobs(scheduler)
            tasks.append(asyncio.create_task(runtime.catch_up(datetime.now(UTC), ready), name="catch-up"))

        async def follow() -> None:
            leading.clear()
            runtime.follower.stop_briefs()
            if not shared:
                remove_poll_jobs(scheduler)
            for stop in on_loss:
                await stop()

        leadership = Leadership(store, lead, follow)
        stoppers.append(leadership.release)
        scheduler.add_job(leadership.check, IntervalTrigger(seconds=settings.workers.leader_check_seconds),
                          id="leader", name="take the lead when it is free", coalesce=True, max_instances=1)
        tasks.append(asyncio.create_task(_start_up(runtime, leadership), name="start-up"))
        settle_heap()
        await _until_signalled()
    finally:
        for stop in reversed(stoppers):
            await stop()
        store.close()
    return 0


async def _start_up(runtime: Runtime, leadership: Leadership) -> None:
    """Lead at once when nobody does (the leader catches up on missed briefs); a follower resumes
    the pending outbox rows nobody holds."""
    if not await leadership.check():
        await runtime.resume()


async def _cancel(*tasks: asyncio.Task[Any]) -> None:
    for task in tasks:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task


def _start_discord(settings: Settings, runtime: Runtime, posters: dict[str, Poster], supervisor: Supervisor,
                   leading: asyncio.Event, on_loss: list[Callable[[], Awaitable[Any]]]) -> Callable[[], Awaitable[Any]]:
    """Discord's REST login (enough to post) and gateway (slash commands), restarted when they fail.

    The poster is there from the start: until the login succeeds its posts fail as retryable, so a
    brief due meanwhile waits in the outbox instead of being lost. Every worker posts; the gateway
    is held once per shard: by the workers given shards (`[workers] discord_shards`), or, when none
    are given, by the leader alone (a lone worker leads at once), so that two workers never hold
    one session and answer each command twice. A worker that loses the lead closes its gateway.
    """
    import discord

    from bot.platforms.discord import BriefClient, DiscordPoster, brief_client, command_installer, use_api_base

    if base := api_url(DISCORD_API_URL_ENV):
        use_api_base(base)
    state: PlatformState | None = None

    async def ready() -> None:
        if state is not None:
            state.connected()

    workers = settings.workers

    def new_client() -> BriefClient:
        return brief_client(command_installer(runtime.commands, admin=runtime.admin), ready,
                            shard_ids=workers.discord_shards,
                            shard_count=workers.discord_shard_count)

    poster = DiscordPoster(new_client())
    posters["discord"] = poster
    logged_in = False

    async def connect(current: PlatformState) -> None:
        nonlocal logged_in
        if poster.client.is_closed():  # discord.py closes itself on a close code it does not recover from
            poster.client = new_client()  # a closed client cannot log in again: its HTTP session is gone
            logged_in = False
        client = poster.client
        if not logged_in:
            try:
                await client.login(settings.secrets.discord_token or "")  # REST login + command sync
            except discord.LoginFailure as exc:
                poster.login_refused = str(exc)  # its briefs pause, the admin hears of it elsewhere
                await client.close()  # the next attempt starts from a fresh client
                raise
            poster.login_refused = None
            logged_in = True
        elif client.ws is not None:  # a gateway that crashed: drop its socket before opening another
            with contextlib.suppress(Exception):
                await client.ws.close(code=4000)
        if workers.discord_shards == ():  # other workers hold every shard: this one only posts
            current.connected()
            await asyncio.Event().wait()
        if workers.discord_shards is None and not leading.is_set():
            current.connected()  # it can post; the gateway is the leader's until this worker leads
            await leading.wait()
        await client.connect(reconnect=True)

    state = supervisor.start("discord", connect)
    if workers.discord_shards is None:
        on_loss.append(lambda: poster.client.close())  # the next connect waits for the lead again
    return lambda: poster.client.close()


def _start_slack(settings: Settings, runtime: Runtime, posters: dict[str, Poster],
                 supervisor: Supervisor) -> Callable[[], Awaitable[Any]]:
    """Slack's Web API poster (no connection to keep) and, with an app token, a supervised Socket Mode
    connection: slack_sdk retries a failed connect forever by itself, so each attempt has a deadline."""
    from bot.platforms.slack import SlackPoster, build_app, web_client

    token = settings.secrets.slack_bot_token or ""
    posters["slack"] = SlackPoster(web_client(token, retries=False))
    app_token = settings.secrets.slack_app_token
    if not app_token:
        return _nothing
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

    app = build_app(settings, runtime.commands, web_client(token), admin=runtime.admin)

    async def connect(state: PlatformState) -> None:
        handler = AsyncSocketModeHandler(app, app_token)
        try:
            # Asked first, on its own: a refused token or an unreachable Slack fails here with its
            # cause, where slack_sdk's connect would log it and try again forever.
            handler.client.wss_uri = await handler.client.issue_new_wss_url()
            try:
                async with asyncio.timeout(SOCKET_CONNECT_TIMEOUT_S):
                    await handler.connect_async()
            except TimeoutError:
                raise ConnectionError(f"Socket Mode did not connect within {SOCKET_CONNECT_TIMEOUT_S:g} s") from None
            state.connected()
            while await _still_connected(handler):
                await asyncio.sleep(SOCKET_CHECK_S)
            raise ConnectionError("Socket Mode connection lost and not restored")
        finally:
            with contextlib.suppress(Exception):
                await handler.close_async()

    supervisor.start("slack", connect)
    return _nothing


async def _still_connected(handler: Any) -> bool:
    """True while Socket Mode is connected, or comes back within its own reconnect window."""
    for _ in range(int(SOCKET_RECONNECT_WINDOW_S / SOCKET_CHECK_S) + 1):
        if await handler.client.is_connected():
            return True
        await asyncio.sleep(SOCKET_CHECK_S)
    return False


async def _nothing() -> None:
    return None


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

    async def posted_parts(self, channel: str, brief_key: str, since: datetime) -> dict[Place, str]:
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
