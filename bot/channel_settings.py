"""Each channel's settings as layers, and the plan of brief jobs that follows them on every worker.

A value comes from the highest layer that sets it: what chat admins set (stored in the database),
else the channel's [[channels]] table in config.toml, else config.toml's [defaults], else the
built-in default. `check-config` and the chat `settings` command name each value's layer.

Changes made from chat go through the store, never through one process's memory: each worker's
scheduler looks at the newest logged change every few seconds (`SettingsFollower`), re-plans the
brief job of each channel that changed, and the admin channel hears one line per change. The worker
that took the command looks at once, so the change is live there without waiting.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.config import ChannelConfig, Settings
from bot.scheduler import add_brief_jobs, missed_fire, remove_brief_jobs, replan_brief_job, trigger
from bot.wording import say
from briefings.store import ChannelSetting, SettingChange, Store

log = logging.getLogger(__name__)

FIELDS = ("topics", "schedule", "timezone", "language")
BUILT_IN, DEFAULTS, CONFIG, CHAT, NONE = "built_in", "defaults", "config", "chat", "none"  # layer names
FOLLOW_EVERY_S = 3.0  # how often each worker looks for settings changed elsewhere


@dataclass(frozen=True)
class LayeredChannel:
    """A channel's effective settings, where each came from, and whether chat muted it."""

    channel: ChannelConfig
    layers: dict[str, str]  # field -> BUILT_IN | DEFAULTS | CONFIG | CHAT | NONE
    stored: ChannelSetting | None = None

    @property
    def muted(self) -> bool:
        return self.stored is not None and self.stored.muted

    @property
    def active(self) -> bool:
        """Whether it has a brief job: some topic, and not muted."""
        return bool(self.channel.topics) and not self.muted

    def next_brief(self, now: datetime) -> datetime | None:
        return trigger(self.channel).get_next_fire_time(None, now) if self.active else None


def layer(settings: Settings, platform: str, channel: str, stored: ChannelSetting | None) -> LayeredChannel:
    """`platform:channel`'s settings: chat's over config.toml's over [defaults] over the built-in ones."""
    key = f"{platform}:{channel}"
    configured = next((c for c in settings.channels if c.key == key), None)
    defaults = settings.defaults
    base = configured or ChannelConfig(platform=platform, channel=channel, topics=(), schedule=defaults.schedule,
                                       timezone=defaults.timezone, language=defaults.language,
                                       nothing_new=defaults.nothing_new, name=key)
    layers = {}
    for name in FIELDS:
        if stored is not None and getattr(stored, name) is not None:
            layers[name] = CHAT
        elif configured is not None and name in configured.given:
            layers[name] = CONFIG
        elif name == "topics":
            layers[name] = NONE
        else:
            layers[name] = DEFAULTS if name in defaults.given else BUILT_IN
    chat = {name: getattr(stored, name) for name in FIELDS if layers[name] == CHAT}
    return LayeredChannel(replace(base, **chat), layers, stored)


def layered_channels(settings: Settings, stored: list[ChannelSetting]) -> dict[str, LayeredChannel]:
    """Every channel config.toml or chat knows (config.toml's first, in file order), layered."""
    rows = {s.key: s for s in stored}
    keys = dict.fromkeys([c.key for c in settings.channels] + list(rows))
    return {key: layer(settings, *key.split(":", 1), rows.get(key)) for key in keys}


class ChannelPlan:
    """Which channels get briefs and when, as of the last `refresh`: config.toml's channels with the
    chat-made settings over them. Read by the scheduler, the outbox's resume and the catch-up."""

    def __init__(self, settings: Settings, store: Store) -> None:
        self.settings = settings
        self.store = store
        self.seen_change = store.last_setting_change()  # read before the rows: nothing slips between
        self._channels: dict[str, LayeredChannel] = {}
        self.refresh(self.seen_change)

    def refresh(self, seen_change: int) -> None:
        """Read the stored settings again (blocking: call it off the event loop); every change up to
        `seen_change` is then in the plan."""
        self._channels = layered_channels(self.settings, self.store.channel_settings())
        self.seen_change = max(self.seen_change, seen_change)

    def channels(self) -> tuple[ChannelConfig, ...]:
        """The channels that get briefs: some topic, not muted."""
        return tuple(c.channel for c in self._channels.values() if c.active)

    def missed(self, now: datetime) -> list[tuple[ChannelConfig, datetime]]:
        """Each channel's brief to catch up on at start-up (`missed_fire`), except a slot from before
        the channel's last change from chat: it was not subscribed then, or not this way (a channel
        subscribed at 10:00 for 08:00 does not get the 08:00 brief at the next restart)."""
        out = []
        for current in self._channels.values():
            fire = missed_fire(current.channel, now) if current.active else None
            changed = current.stored.updated_at if current.stored is not None else None
            if fire is not None and (changed is None or fire > changed):
                out.append((current.channel, fire))
        return out

    def known(self) -> tuple[ChannelConfig, ...]:
        """Every channel config.toml or chat knows, with a brief job or not."""
        return tuple(c.channel for c in self._channels.values())

    def channel(self, key: str) -> ChannelConfig | None:
        found = self._channels.get(key)
        return found.channel if found is not None and found.active else None


def layer_lines(settings: Settings, store: Store | None) -> list[str]:
    """`check-config`'s view of the channels: each value with the layer it comes from, chat-made
    settings included when the database can be read (`store`), in English like the rest of its output."""
    lines = []
    for key, current in layered_channels(settings, store.channel_settings() if store is not None else []).items():
        values = {"topics": ", ".join(current.channel.topics) or say("en", "none"),
                  "schedule": current.channel.schedule, "timezone": current.channel.timezone,
                  "language": current.channel.language}
        parts = [f"{name} {values[name]} ({layer_words(current.layers[name], 'en')})" for name in FIELDS]
        if current.muted:
            parts.append("muted from chat")
        if current.stored is not None:
            parts.append(f"last changed from chat by {current.stored.updated_by}")
        lines.append(f"{key}: {', '.join(parts)}")
    return lines


def layer_words(which: str, locale: str) -> str:
    """A layer's name as a reader sees it: "set from chat", "config.toml", "built-in default"…"""
    return {CHAT: say(locale, "set from chat"), CONFIG: say(locale, "config.toml"),
            DEFAULTS: say(locale, "config.toml [defaults]"), BUILT_IN: say(locale, "built-in default"),
            NONE: say(locale, "not subscribed")}[which]


BriefJob = Callable[[ChannelConfig, datetime], Awaitable[object]]
Announce = Callable[[SettingChange], Awaitable[object]]


class SettingsFollower:
    """Keeps one worker's brief jobs in step with the stored settings: `follow()` runs every
    FOLLOW_EVERY_S on each worker, and at once on the worker that took a command. Only the worker
    that runs the brief jobs (the leader, `bot.leader`) has jobs to re-plan; every worker keeps its
    plan current (the outbox's resume and the catch-up read it) and announces what it sees."""

    def __init__(self, plan: ChannelPlan, job: BriefJob, announce: Announce) -> None:
        self.plan = plan
        self.job = job
        self.announce = announce
        self.scheduler: AsyncIOScheduler | None = None  # set when the scheduler is built
        self.runs_briefs = False  # whether this worker's scheduler holds the brief jobs
        self._lock = asyncio.Lock()  # the periodic look and a command's own never interleave
        self._announcing: set[asyncio.Task[None]] = set()

    def start_briefs(self) -> None:
        """This worker runs the brief jobs now (it leads): one per channel of the plan."""
        assert self.scheduler is not None
        self.runs_briefs = True
        add_brief_jobs(self.scheduler, self.plan.channels(), self.job)

    def stop_briefs(self) -> None:
        """This worker no longer runs the brief jobs (it lost the lead)."""
        assert self.scheduler is not None
        self.runs_briefs = False
        remove_brief_jobs(self.scheduler, self.plan.known())

    async def follow(self) -> list[SettingChange]:
        """Re-plan each channel changed since the last look, then tell the admin channel, one line per
        change; returns the changes seen. Another worker's look at the same changes posts nothing more
        (the admin line's outbox key is the change's id)."""
        changes = await self._replan()
        await self._announce(changes)
        return changes

    async def follow_now(self) -> None:
        """On the worker that took a change: re-plan at once, and tell the admin channel in the
        background. The admin's reply waits neither for that post (its retries take seconds) nor
        fails for it: the change is saved, and a failed look is taken again by the periodic follow."""
        try:
            changes = await self._replan()
        except Exception:
            log.exception("settings: the change is saved, but this worker could not re-plan at once; "
                          "it follows within %g s", FOLLOW_EVERY_S)
            return
        if changes:
            task = asyncio.create_task(self._announce(changes), name="settings:announce")
            self._announcing.add(task)  # held until done: the loop keeps only weak references
            task.add_done_callback(self._announcing.discard)

    async def _replan(self) -> list[SettingChange]:
        store = self.plan.store
        async with self._lock:
            if await asyncio.to_thread(store.last_setting_change) == self.plan.seen_change:
                return []
            changes = await asyncio.to_thread(store.setting_changes, after=self.plan.seen_change)
            if not changes:
                return []
            await asyncio.to_thread(self.plan.refresh, changes[-1].id)
            for key in dict.fromkeys(c.channel_key for c in changes):
                channel = self.plan.channel(key)
                if self.scheduler is not None and self.runs_briefs:
                    replan_brief_job(self.scheduler, key, channel, self.job)
                log.info("settings of %s changed: %s", key,
                         f"briefs at {channel.schedule} ({channel.timezone})" if channel else "no briefs")
        return changes

    async def _announce(self, changes: list[SettingChange]) -> None:
        for change in changes:
            try:
                await self.announce(change)
            except Exception:
                log.exception("settings change %s could not be announced", change.id)
