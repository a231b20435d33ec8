"""Reports to the admin channel: feed health (once when a feed keeps failing, once when it recovers)
and briefs that can never be posted (once per failed delivery).

The "already reported" flag of a feed lives in the store, so a restart does not report again; the
report itself goes through the outbox under a key naming the event (feed, state, last success), so a
crash between posting and setting the flag cannot post it twice either. A failed delivery is reported
under `failed:<delivery id>`, which the outbox posts once however often the failure is seen, and
only when it starts a streak of failures of its channel.
"""

from __future__ import annotations

import asyncio
import logging
import tomllib
from datetime import UTC, datetime
from functools import cache
from importlib import resources

from bot.commands import say
from bot.config import AdminChannel
from bot.delivery import Outbox, Outcome, Render, Target
from bot.platforms import discord_embeds, slack_blocks
from bot.supervise import PlatformState
from briefings.models import FeedState
from briefings.store import Delivery, Store

log = logging.getLogger(__name__)

FAILING_AFTER = 3  # consecutive failed polls before a feed is reported
_PREFIX = "health:"
_FAILED_PREFIX = "failed:"
_PAUSE_PREFIXES = ("paused:", "restored:")
_DOWN_PREFIXES = ("down:", "up:")
_TOKEN_VARIABLE = {"discord": "DISCORD_TOKEN", "slack": "SLACK_BOT_TOKEN"}


def health_key(state: FeedState, failing: bool) -> str:
    """`health:<failing|recovered>:<last success>:<feed name>`: one key per event, the name last so it
    may contain colons."""
    since = state.last_success.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ") if state.last_success else "never"
    return f"{_PREFIX}{'failing' if failing else 'recovered'}:{since}:{state.name}"


def message(platform: str, state: FeedState, failing: bool) -> dict:
    """The admin report, in the admin channel's platform format (feed values are escaped there)."""
    if failing:
        title = say("en", "feed_failing", name=state.name)
        lines = [say("en", "feed_failures", count=state.failures, error=state.last_error or "?"), state.url]
    else:
        title = say("en", "feed_recovered", name=state.name)
        lines = [state.url]
    module = slack_blocks if platform == "slack" else discord_embeds
    return module.reply_message(title, list(lines))


def failed_key(delivery: Delivery) -> str:
    """`failed:<delivery id>`: the outbox key of the one admin report about a failed delivery."""
    return f"{_FAILED_PREFIX}{delivery.id}"


@cache
def report_wording() -> dict[str, str]:
    text = resources.files("bot").joinpath("templates/admin_reports.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)["en"]


def failure_message(platform: str, delivery: Delivery) -> dict:
    """The admin report of a delivery that failed for good, in the admin channel's platform format."""
    words = report_wording()
    lines = [words["delivery_failed_brief"].format(brief=delivery.brief_key),
             words["delivery_failed_reason"].format(reason=delivery.last_error or "?"),
             words["delivery_failed_next"]]
    module = slack_blocks if platform == "slack" else discord_embeds
    return module.reply_message(words["delivery_failed"].format(channel=delivery.channel_key), lines)


def pause_key(platform: str, since: datetime, restored: bool) -> str:
    """`paused:<platform>:<since>` or `restored:<platform>:<since>`: one admin report per event."""
    return f"{'restored' if restored else 'paused'}:{platform}:{since.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}"


def pause_message(admin_platform: str, key: str) -> dict:
    """The admin report of a platform whose token is refused (or works again), from its key alone."""
    event, platform, since = key.split(":", 2)
    words = report_wording()
    shown = since.replace("T", " ").removesuffix("Z")
    if event == "paused":
        title = words["platform_paused"].format(platform=platform.capitalize())
        lines = [words["platform_paused_since"].format(since=shown, platform=platform.capitalize()),
                 words["platform_paused_fix"].format(variable=_TOKEN_VARIABLE.get(platform, "?"))]
    else:
        title = words["platform_restored"].format(platform=platform.capitalize())
        lines = [words["platform_restored_since"].format(since=shown, platform=platform.capitalize())]
    module = slack_blocks if admin_platform == "slack" else discord_embeds
    return module.reply_message(title, lines)


def down_key(state: PlatformState) -> str:
    """`down:<platform>:<since>` or `up:<platform>:<since>`: one admin report per outage and event."""
    since = state.down_since or state.since
    return f"{'down' if state.reported else 'up'}:{state.name}:{since.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}"


def down_message(admin_platform: str, key: str, error: str | None) -> dict:
    """The admin report of a platform not connected for a while (or connected again)."""
    event, platform, since = key.split(":", 2)
    words = report_wording()
    shown, name = since.replace("T", " ").removesuffix("Z"), platform.capitalize()
    if event == "down":
        title = words["platform_down"].format(platform=name, since=shown)
        lines = [words["platform_down_why"].format(error=error or "?"),
                 words["platform_down_effect"].format(platform=name)]
    else:
        title = words["platform_up"].format(platform=name)
        lines = [words["platform_up_since"].format(since=shown)]
    module = slack_blocks if admin_platform == "slack" else discord_embeds
    return module.reply_message(title, lines)


class FeedHealth:
    def __init__(self, store: Store, outbox: Outbox, admin: AdminChannel | None) -> None:
        self.store = store
        self.outbox = outbox
        self.admin = admin
        self._paused_since: dict[str, datetime] = {}

    async def check(self) -> list[str]:
        """Report feeds that crossed the failing threshold or recovered; returns the keys handled."""
        handled = []
        for state in await asyncio.to_thread(self.store.feed_states):
            reported = await asyncio.to_thread(self.store.feed_health_reported, state.name)
            if state.failures >= FAILING_AFTER and not reported:
                failing = True
            elif state.failures == 0 and reported:
                failing = False
            else:
                continue
            key = health_key(state, failing)
            if await self._report(state, failing, key):
                await asyncio.to_thread(self.store.set_feed_health_reported, state.name, failing)
                handled.append(key)
        return handled

    async def _report(self, state: FeedState, failing: bool, key: str) -> bool:
        log.warning("feed %r %s", state.name, "keeps failing" if failing else "recovered")
        if self.admin is None:
            return True
        outcome = await self.outbox.deliver(Target(self.admin.platform, self.admin.channel), key,
                                            self.render(state, failing))
        return outcome in (Outcome.SENT, Outcome.ALREADY_SENT, Outcome.NO_PLATFORM)

    def render(self, state: FeedState, failing: bool) -> Render:
        platform = self.admin.platform if self.admin else "discord"

        async def build() -> list[dict]:
            return [message(platform, state, failing)]

        return build

    async def report_failed_delivery(self, target: Target, delivery: Delivery) -> None:
        """Tell the admin channel, once, that a brief will never reach `target` (`Outbox.on_failed`).

        A channel that stays gone fails every scheduled brief for the same reason: only the first
        failure after a success (or ever) is reported, not each brief. A failure of the admin channel
        itself is only logged: reporting it there cannot work.
        """
        if self.admin is None or target.key == self._admin_target().key:
            return
        earlier = await asyncio.to_thread(self.store.previous_delivery, delivery.id)
        if earlier and earlier.status == "failed" and earlier.last_error == delivery.last_error:
            log.info("failed delivery %s to %s: already reported with %s", delivery.brief_key,
                     delivery.channel_key, earlier.brief_key)
            return
        outcome = await self.outbox.deliver(self._admin_target(), failed_key(delivery),
                                            self._render_failure(delivery))
        log.info("failed delivery %s to %s reported to the admin channel: %s", delivery.brief_key,
                 delivery.channel_key, outcome.value)

    def _admin_target(self) -> Target:
        assert self.admin is not None
        return Target(self.admin.platform, self.admin.channel)

    def _alert_target(self, platform: str) -> Target | None:
        """Where news about `platform`'s token goes: an admin channel on another platform, since a
        report through the refused token cannot arrive; None when there is none (log and health only)."""
        for admin in (self.admin, self.admin.fallback if self.admin else None):
            if admin is not None and admin.platform != platform:
                return Target(admin.platform, admin.channel)
        return None

    async def report_pause(self, platform: str, reason: str | None) -> None:
        """Tell the admin that `platform`'s token is refused (`reason`), or works again (None); the
        outbox's `on_pause`."""
        pause = self.outbox.paused.get(platform)
        since = pause.since if pause is not None else self._paused_since.pop(platform, datetime.now(UTC))
        if pause is not None:
            self._paused_since[platform] = pause.since
        target = self._alert_target(platform)
        if target is None:
            log.error("platform %s token %s; no admin channel on another platform to tell", platform,
                      "refused" if reason else "works again")
            return
        key = pause_key(platform, since, restored=reason is None)
        outcome = await self.outbox.deliver(target, key, self._render_pause(target.platform, key))
        log.info("admin told through %s that %s's token %s: %s", target.key, platform,
                 "is refused" if reason else "works again", outcome.value)

    async def report_platform(self, state: PlatformState) -> None:
        """Tell the admin that a platform has not been connected for a while (`state.reported`), or is
        connected again; the supervisor's `on_trouble`."""
        log.warning("platform %s %s", state.name, "down for a while: telling the admin" if state.reported
                    else "connected again")
        target = self._alert_target(state.name)
        if target is None:
            return
        key = down_key(state)
        error = state.last_error

        async def build() -> list[dict]:
            return [down_message(target.platform, key, error)]

        await self.outbox.deliver(target, key, build)

    def _render_pause(self, admin_platform: str, key: str) -> Render:
        async def build() -> list[dict]:
            return [pause_message(admin_platform, key)]

        return build

    def _render_failure(self, delivery: Delivery) -> Render:
        platform = self.admin.platform if self.admin else "discord"

        async def build() -> list[dict]:
            return [failure_message(platform, delivery)]

        return build

    async def rebuild(self, key: str) -> tuple[Target, Render] | None:
        """Target and message of a pending admin report: a feed's health from its key and the feed's
        current state, a failed delivery from the delivery row its key names."""
        if self.admin is None:
            return None
        if key.startswith(_DOWN_PREFIXES):
            target = self._alert_target(key.split(":", 2)[1])
            if target is None:
                return None

            async def build() -> list[dict]:
                return [down_message(target.platform, key, None)]

            return target, build
        if key.startswith(_PAUSE_PREFIXES):
            platform = key.split(":", 2)[1]
            target = self._alert_target(platform)
            return (target, self._render_pause(target.platform, key)) if target else None
        if key.startswith(_FAILED_PREFIX):
            number = key[len(_FAILED_PREFIX):]
            failed = await asyncio.to_thread(self.store.delivery_by_id, int(number)) if number.isdigit() \
                else None
            return (self._admin_target(), self._render_failure(failed)) if failed else None
        if not key.startswith(_PREFIX):
            return None
        event, _since, name = key[len(_PREFIX):].split(":", 2)
        failing = event == "failing"
        states = {s.name: s for s in await asyncio.to_thread(self.store.feed_states)}
        if name not in states:
            return None
        return self._admin_target(), self.render(states[name], failing)

