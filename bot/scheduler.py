"""When things happen: brief keys per scheduled fire time, catch-up after downtime, job registration.

A brief is identified by (channel, scheduled fire time in UTC). The outbox dedupes on that key, so
the same fire time can be attempted by the cron job, by the catch-up at start-up and by the resume
of a pending row, and the channel still gets it once. A brief missed while the bot was down is sent
at start-up when its fire time is within `CATCH_UP_GRACE`; older ones are skipped, never piled up.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.config import ChannelConfig, FeedConfig
from bot.wiring import interval_groups

CATCH_UP_GRACE = timedelta(hours=6)
MISFIRE_GRACE_S = 15 * 60  # a job late by less than this (busy loop, clock jump) still runs
_KEY_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
_PREFIX = "brief:"


def brief_key(fire: datetime) -> str:
    """The outbox key of the brief scheduled at `fire` (any time zone): `brief:2026-03-02T07:30:00Z`."""
    return _PREFIX + fire.astimezone(UTC).strftime(_KEY_FORMAT)


def fire_time(key: str) -> datetime | None:
    """The scheduled time a brief key names, or None for other outbox keys."""
    if not key.startswith(_PREFIX):
        return None
    try:
        return datetime.strptime(key[len(_PREFIX):], _KEY_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None


def trigger(channel: ChannelConfig) -> CronTrigger:
    return CronTrigger.from_crontab(channel.schedule, timezone=channel.timezone)


def missed_fire(channel: ChannelConfig, now: datetime, grace: timedelta = CATCH_UP_GRACE) -> datetime | None:
    """The latest scheduled time in (now - grace, now], if any: the one brief to catch up on."""
    cron = trigger(channel)
    latest = None
    moment = cron.get_next_fire_time(None, now - grace)
    while moment is not None and moment <= now:
        latest = moment
        moment = cron.get_next_fire_time(moment, moment + timedelta(seconds=1))
    return latest


def add_brief_jobs(scheduler: AsyncIOScheduler, channels: tuple[ChannelConfig, ...],
                   job: Callable[[ChannelConfig, datetime], Awaitable[object]]) -> None:
    """One cron job per channel in its time zone. The job receives its own scheduled fire time
    (not "now"), so a late run still produces the same brief key."""
    for channel in channels:
        cron = trigger(channel)

        async def run(channel: ChannelConfig = channel, cron: CronTrigger = cron) -> None:
            await job(channel, _scheduled_time(cron, datetime.now(UTC)))

        scheduler.add_job(run, cron, id=f"brief:{channel.key}", name=f"brief {channel.name}", coalesce=True,
                          max_instances=1, misfire_grace_time=MISFIRE_GRACE_S, replace_existing=True)


def replan_brief_job(scheduler: AsyncIOScheduler, channel_key: str, channel: ChannelConfig | None,
                     job: Callable[[ChannelConfig, datetime], Awaitable[object]]) -> None:
    """Replace one channel's brief job after its settings changed (None: it gets no briefs now)."""
    if channel is not None:
        add_brief_jobs(scheduler, (channel,), job)
    elif scheduler.get_job(f"brief:{channel_key}") is not None:
        scheduler.remove_job(f"brief:{channel_key}")


def remove_brief_jobs(scheduler: AsyncIOScheduler, channels: tuple[ChannelConfig, ...]) -> None:
    """Take the channels' brief jobs off (this worker no longer leads)."""
    for channel in channels:
        if scheduler.get_job(f"brief:{channel.key}") is not None:
            scheduler.remove_job(f"brief:{channel.key}")


def _scheduled_time(cron: CronTrigger, now: datetime) -> datetime:
    """The fire time a cron job is running for: the latest one not after now (with a little slack)."""
    slack = timedelta(seconds=MISFIRE_GRACE_S)
    latest = None
    moment = cron.get_next_fire_time(None, now - slack)
    while moment is not None and moment <= now + timedelta(seconds=1):
        latest = moment
        moment = cron.get_next_fire_time(moment, moment + timedelta(seconds=1))
    return latest or now.replace(microsecond=0)


def add_poll_jobs(scheduler: AsyncIOScheduler, feeds: tuple[FeedConfig, ...],
                  job: Callable[[list[FeedConfig]], Awaitable[object]], *, start: datetime,
                  every: timedelta) -> None:
    """One job per distinct feed interval, the first run at `start`, then every `every`: each run
    takes the group's feeds that are due (polled an interval ago by any worker, or never) and whose
    lease is free, so a feed a dead worker held is taken within `every` of its lease lapsing."""
    for group in interval_groups(feeds):
        minutes = group[0].interval_minutes
        scheduler.add_job(job, IntervalTrigger(seconds=min(every, timedelta(minutes=minutes)).total_seconds()),
                          args=[group], id=f"poll:{minutes}m", name=f"poll {len(group)} feed(s) every {minutes} min",
                          next_run_time=start, coalesce=True, max_instances=1, misfire_grace_time=MISFIRE_GRACE_S)


def remove_poll_jobs(scheduler: AsyncIOScheduler) -> None:
    for job in scheduler.get_jobs():
        if job.id.startswith("poll:"):
            job.remove()
